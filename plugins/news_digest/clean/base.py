"""Shared helpers for the cleaning rules: the document being cleaned and line shapes.

A rule is a function ``rule(doc: Doc) -> None`` that decides some still-undecided lines
(``line.rule is None``) by calling :meth:`Doc.decide`. Rules never re-decide a line another
rule already decided, so the order in :data:`news_digest.clean.PASSES` is the priority.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from ..model import Line, LineLabel
from .vocab import CleanVocab

_PIPES = re.compile(r"(\s*\|)+\s*$")
_LEAD_PIPES = re.compile(r"^\s*(\|\s*)+")
_BULLET = re.compile(r"^\s*(?:[-–•*+►▶➤»>]+|\d{1,2}[.)])\s+")
_WS = re.compile(r"\s+")
#: Sentence-final punctuation, optionally followed by closing quotes/brackets.
_SENTENCE_END = re.compile(r"(?:[.;:!?…]|\.\.\.)[\"”’'»)\]]*$")
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)[\"”’'»)\]]*$")
_HEADLINE_END = re.compile(r"[.;:,]$")
_TRUNCATED = re.compile(r"\s(?:\.\.\.|…)[\"”’'»)\]]*$")

MAX_HEADLINE_CHARS = 220
#: End-anchored patterns only look at this many final characters (they are searched a lot).
TAIL = 12


@lru_cache(maxsize=8192)
def strip_pipes(text: str) -> str:
    """Table-pipe remnants ("TIN LIÊN QUAN | |") carry no text."""
    if "|" not in text:
        return text.strip()
    return _LEAD_PIPES.sub("", _PIPES.sub("", text)).strip()


@lru_cache(maxsize=8192)
def strip_bullet(text: str) -> str:
    """ "- Headline" and "• Headline" list markers are not text."""
    return _BULLET.sub("", text, count=1).strip()


@lru_cache(maxsize=8192)
def norm(text: str) -> str:
    """Comparison key: NFC, pipes and bullets gone, spaces collapsed, casefolded."""
    t = unicodedata.normalize("NFC", strip_bullet(strip_pipes(text)))
    return _WS.sub(" ", t).strip().casefold()


@lru_cache(maxsize=8192)
def case_key(text: str) -> str:
    """Like :func:`norm` but case-sensitive: related cards differ only by case sometimes."""
    t = unicodedata.normalize("NFC", strip_bullet(strip_pipes(text)))
    return _WS.sub(" ", t).strip()


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(strip_pipes(text)[-TAIL:]))


def ends_with_ellipsis(text: str) -> bool:
    return bool(_ELLIPSIS_END.search(strip_pipes(text)[-TAIL:]))


def is_truncated(text: str) -> bool:
    """Cut off by a CMS: "... trong ngày ..." (dots after a space).

    A writer's own ellipsis is glued to the word ("trí tuệ nhân tạo…", "v.v...").
    """
    return bool(_TRUNCATED.search(strip_pipes(text)[-TAIL:]))


def words(text: str) -> list[str]:
    return strip_pipes(text).split()


@lru_cache(maxsize=8192)
def is_headline_like(text: str) -> bool:
    """A short line without sentence-final period: a headline, a link, a label.

    Headlines may end with "?" or "!" ("Tổng thống Hàn Quốc với biệt tài 'ngoại giao
    thượng đỉnh'"), never with "." or ":".
    """
    t = strip_bullet(strip_pipes(text))
    if not t or len(t) > MAX_HEADLINE_CHARS:
        return False
    return not t.endswith((".", ";", ":", ",")) and not ends_with_ellipsis(t)


def is_paragraph(text: str, min_chars: int = 60) -> bool:
    """A body-looking line: long enough and ending like a sentence."""
    t = strip_pipes(text)
    return len(t) >= min_chars and ends_sentence(t)


MIN_RUN_CHARS = 80


def article_continues(doc: Doc, start: int) -> bool:
    """Two article paragraphs after ``start`` (before the next section header): no end there.

    Link lists after a closing header or credit put a headline above each sentence (the
    teaser); article text has its sentences below other text. A paragraph counts when it is
    long, ends like a sentence, is not cut off, and the line above it is neither dropped
    nor a headline-like line.
    """
    found = 0
    above: Line | None = None  # the header or credit itself does not count against
    j = doc.next_content(start)
    while j is not None:
        ln = doc.lines[j]
        t = strip_pipes(ln.text)
        if ln.rule is None and doc.vocab.header_ends(t) is not None:
            return False
        if (
            ln.rule is None
            and len(t) >= MIN_RUN_CHARS
            and ends_sentence(t)
            and not is_truncated(t)
            and (above is None or not doc.dropped(above))
            and (above is None or above.rule is not None or not is_headline_like(above.text))
        ):
            found += 1
            if found >= 2:
                return True
        above = ln
        j = doc.next_content(j)
    return False


@dataclass
class Doc:
    """The lines of one dump while the rules decide them, plus the vocabulary they use."""

    lines: list[Line]
    vocab: CleanVocab
    notes: dict[str, object] = field(default_factory=dict)
    _content: list[int] | None = field(default=None, repr=False)
    _blanks_known: bool = field(default=False, repr=False)

    def blanks_labelled(self) -> None:
        """Blank lines are final from here on: :meth:`content` may cache its index."""
        self._blanks_known = True
        self._content = None

    # -- decisions -------------------------------------------------------------------
    def decide(self, ln: Line, label: LineLabel, rule: str, reason: str = "") -> None:
        """Label ``ln`` unless an earlier rule already decided it (passes run by priority)."""
        if ln.rule is None:
            ln.label, ln.rule, ln.reason = label, rule, reason

    def drop(self, ln: Line, rule: str, reason: str) -> None:
        self.decide(ln, LineLabel.BOILERPLATE, rule, reason)

    # -- navigation ------------------------------------------------------------------
    def content(self) -> Iterator[tuple[int, Line]]:
        """(index, line) for every non-blank line (cached once blank lines are labelled)."""
        if self._content is None:
            idx = [
                i for i, ln in enumerate(self.lines) if ln.label not in (LineLabel.BLANK, LineLabel.METADATA)
            ]
            if not self._blanks_known:
                return ((i, self.lines[i]) for i in idx)
            self._content = idx
        return ((i, self.lines[i]) for i in self._content)

    def next_content(self, i: int) -> int | None:
        for j in range(i + 1, len(self.lines)):
            if self.lines[j].label not in (LineLabel.BLANK, LineLabel.METADATA):
                return j
        return None

    def prev_content(self, i: int) -> int | None:
        for j in range(i - 1, -1, -1):
            if self.lines[j].label not in (LineLabel.BLANK, LineLabel.METADATA):
                return j
        return None

    def undecided(self, ln: Line) -> bool:
        return ln.rule is None

    def dropped(self, ln: Line) -> bool:
        return ln.rule is not None and ln.label is LineLabel.BOILERPLATE


def clear_caches() -> None:
    """Forget memoised line shapes (benchmarks call this so repeated runs are not cache hits)."""
    from .vocab import header_key

    for fn in (strip_pipes, strip_bullet, norm, case_key, is_headline_like, header_key):
        fn.cache_clear()
