"""Plain data classes shared by every pipeline stage.

Nothing here imports Pelican: the stages (decode → clean → metadata → taxonomy →
translation → stories) pass these objects between them, the Pelican glue reads them.
Every class converts to JSON-ready dicts with ``to_dict`` so `news-digest inspect --json`,
the build report and the pipeline cache all share one shape.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any


class LineLabel(StrEnum):
    """What one raw line of a dump is."""

    TITLE = "title"
    BYLINE = "byline"
    BODY = "body"
    CAPTION = "caption"
    CREDIT = "credit"
    BOILERPLATE = "boilerplate"
    BLANK = "blank"
    METADATA = "metadata"  # a "Key: value" header line written by an editor


#: Labels whose lines are article text (the gold's positive class).
KEPT_LABELS = frozenset(
    {LineLabel.TITLE, LineLabel.BYLINE, LineLabel.BODY, LineLabel.CAPTION, LineLabel.CREDIT}
)


@dataclass(slots=True)  # a 50 MB dump has ~300k lines: no per-line __dict__
class Line:
    """One raw line of a dump, numbered like ``str.splitlines()`` (1-based)."""

    n: int
    text: str
    label: LineLabel = LineLabel.BODY
    rule: str | None = None  # name of the rule that decided the label
    reason: str = ""  # short human explanation shown by `inspect` and the report

    @property
    def kept(self) -> bool:
        return self.label in KEPT_LABELS

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "text": self.text,
            "label": self.label.value,
            "kept": self.kept,
            "rule": self.rule,
            "reason": self.reason,
        }


@dataclass
class Decoded:
    """Text of a dump after decoding, always NFC."""

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


@dataclass
class Evidence:
    """Where a metadata value came from: a line (when there is one) and the rule."""

    rule: str
    line: int | None = None
    text: str = ""


@dataclass
class Outlet:
    """The news outlet a dump comes from (``id`` is "unknown" when none is stated)."""

    id: str
    name: str
    name_en: str
    domain: str | None
    confidence: str  # high / medium / low / none
    evidence: Evidence | None = None
    role: str = "publisher"  # publisher | original source (credit)


UNKNOWN_OUTLET = Outlet(
    id="unknown", name="Không rõ nguồn", name_en="Unknown outlet", domain=None, confidence="none"
)


@dataclass
class Credit:
    """A source or photo credit such as "Theo vtv.vn" or "(Ảnh: AFP/TTXVN)"."""

    kind: str  # source | photo
    credit: str
    line: int
    text: str
    lines: list[int] = field(default_factory=list)  # every line carrying it (repeated captions)


@dataclass
class ResolvedDate:
    """A publication date with how sure we are and why."""

    value: str | None  # ISO date, None when unresolvable
    confidence: str  # high / medium / low / none
    evidence: list[Evidence] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)  # equally plausible dates, best first


@dataclass
class Metadata:
    title: str | None
    display_title: str
    title_source: str  # dump | header | derived
    title_line: int | None = None
    byline: str | None = None
    outlet: Outlet = field(default_factory=lambda: dataclasses.replace(UNKNOWN_OUTLET))
    credits: list[Credit] = field(default_factory=list)
    date: ResolvedDate = field(default_factory=lambda: ResolvedDate(None, "none"))
    header: dict[str, str] = field(default_factory=dict)


@dataclass
class TopicScore:
    id: str
    score: float


@dataclass
class EntityMention:
    id: str
    count: int
    lines: list[int] = field(default_factory=list)


@dataclass
class Translation:
    """English text of an article and where it came from."""

    provenance: str  # human | machine | none
    title: str
    paragraphs: list[str]
    translator: str  # sidecar path, model name, or "glossary"
    notice: str = ""
    html: str = ""  # body rendered to safe HTML (escaped); empty = render paragraphs


@dataclass
class Warning_:
    """A problem found while processing one input; the build goes on."""

    message: str
    line: int | None = None


@dataclass
class DigestArticle:
    """Everything the pipeline knows about one dump; the Pelican reader renders it."""

    source: str  # path relative to the content directory
    stem: str
    sha256: str
    encoding: str
    lines: list[Line]
    meta: Metadata
    slug: str
    topics: list[TopicScore] = field(default_factory=list)
    entities: list[EntityMention] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)

    # -- pickling: lines packed, unpacked on first access -----------------------------
    #
    # A build loads every digest from the pipeline cache, but reads its lines only for
    # the article HTML, the summary, the story lead and the folded search text: building
    # ~40 Line objects was half of a digest's load time. So a pickled digest carries its
    # lines as one bytes object plus those texts (derived when it is pickled, from the
    # same lines); ``digest.lines`` unpacks them on first access, and until then
    # ``packed_text`` answers for the texts. Equality, repr, ``replace`` and ``asdict``
    # read ``self.lines``, so they unpack first and see the same data as before pickling.

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        if "lines" in state:
            lines = state.pop("lines")
            state["_packed_lines"] = _pack_lines(lines)
            state["_packed_texts"] = _derived_texts(self)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __copy__(self) -> DigestArticle:
        # Shallow, like dataclasses.replace, without unpacking or packing the lines.
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new

    def __getattr__(self, name: str) -> Any:
        # Only called when ``name`` is not found the usual way: the lines of an unpickled
        # digest that nobody has read yet.
        if name == "lines":
            packed = self.__dict__.get("_packed_lines")
            if packed is not None:
                lines = self.__dict__["lines"] = _unpack_lines(packed)
                del self.__dict__["_packed_lines"]
                self.__dict__.pop("_packed_texts", None)
                return lines
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def packed_text(self, name: str) -> str | None:
        """``html``, ``summary``, ``lead`` or ``folded`` as derived from the lines when this
        digest was pickled, while its lines are still packed; None otherwise (derive it)."""
        texts = self.__dict__.get("_packed_texts")
        return texts.get(name) if texts is not None and "lines" not in self.__dict__ else None

    @property
    def kept_lines(self) -> list[Line]:
        return [ln for ln in self.lines if ln.kept]

    @property
    def body_lines(self) -> list[Line]:
        """Article text below the title: what an article page shows as paragraphs."""
        return [ln for ln in self.lines if ln.kept and ln.label is not LineLabel.TITLE]

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["lines"] = [ln.to_dict() for ln in self.lines]
        return d


_LABEL_CODES = {label: i for i, label in enumerate(LineLabel)}
_LABELS = list(LineLabel)


def _pack_lines(lines: list[Line]) -> bytes:
    """Lines as one pickled bytes object of columns (labels as one byte each)."""
    import pickle

    return pickle.dumps(
        (
            [ln.n for ln in lines],
            [ln.text for ln in lines],
            bytes(_LABEL_CODES[ln.label] for ln in lines),
            [ln.rule for ln in lines],
            [ln.reason for ln in lines],
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )


def _unpack_lines(packed: bytes) -> list[Line]:
    import pickle

    ns, texts, labels, rules, reasons = pickle.loads(packed)
    return [
        Line(n, text, _LABELS[code], rule, reason)
        for n, text, code, rule, reason in zip(ns, texts, labels, rules, reasons, strict=True)
    ]


def _derived_texts(article: DigestArticle) -> dict[str, str]:
    """What a build reads of the lines: the article HTML, its summary, its story lead and
    its folded search text."""
    from .render import article_html, summary_text
    from .search import folded_body
    from .stories import lead_text

    return {
        "html": article_html(article),
        "summary": summary_text(article),
        "lead": lead_text(article),
        "folded": folded_body(article),
    }


class DumpRejected(Exception):
    """A dump that cannot become an article; ``reason`` is shown in the build report."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


def to_jsonable(obj: Any) -> Any:
    """Convert data classes and enums to plain JSON types."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        if hasattr(obj, "to_dict"):
            return obj.to_dict()
        return {k: to_jsonable(v) for k, v in dataclasses.asdict(obj).items()}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    return obj
