"""Loading and validating the YAML rule files in ``data/``.

Rules that are data (outlet signatures, section headers, topics, entities, officeholder
tenures) are YAML, loaded with ``yaml.safe_load`` and checked before the build writes
anything: a malformed file stops with one :class:`DataFileError` naming the file and entry.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .slugs import is_safe_slug, slugify
from .taxonomy import ENTITY_TYPES, Entity, Gazetteer, Topic, TopicSet, phrase_key

PACKAGE_DATA_DIR = Path(__file__).resolve().parent / "data"


class DataFileError(Exception):
    """A rule file is missing, is not valid YAML, or an entry lacks a required key."""

    def __init__(self, path: Path | str, message: str, entry: str | None = None):
        where = f"{path}" + (f" [{entry}]" if entry else "")
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.entry = entry


@dataclass
class SectionHeader:
    text: str
    ends_article: bool


@dataclass
class OutletSignature:
    pattern: re.Pattern[str]
    role: str


@dataclass
class OutletRule:
    id: str
    name: str
    name_en: str
    domain: str | None
    signatures: list[OutletSignature]
    #: What its pages call the outlet; every signature requires one of them.
    names: list[str] = field(default_factory=list)
    #: The names as :func:`outlet_name_key` writes them, for a substring pre-check.
    name_keys: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.name_keys = tuple(outlet_name_key(n) for n in self.names)


def outlet_name_key(text: str) -> str:
    """``text`` casefolded with whitespace runs as one space: a line whose key contains no
    name key of an outlet cannot match that outlet's signatures (``{names}`` is a required
    group of case-insensitive names whose spaces match ``\\s+``)."""
    return " ".join(text.casefold().split())


@dataclass
class Rules:
    """Every data file, parsed. ``version`` changes whenever any file's bytes change."""

    data_dir: Path
    version: str
    section_headers: list[SectionHeader]
    chrome_lines: set[str]
    follow_patterns: list[re.Pattern[str]]
    outlets: list[OutletRule]
    raw: dict[str, Any] = field(default_factory=dict)  # file stem → parsed YAML
    topics: TopicSet | None = None  # topics.yaml, compiled
    entities: Gazetteer | None = None  # entities.yaml, compiled


#: Anchors/aliases a YAML file may use. An alias is a reference, so a "billion laughs"
#: file loads in a blink but explodes in whatever walks it (``str()``, JSON, a report):
#: rule files need few aliases, editors' sidecars none.
MAX_YAML_ALIASES = 50
#: Largest YAML file read (rule files and sidecars are a few kB).
MAX_YAML_BYTES = 4 * 1024 * 1024


class AliasLimitError(yaml.YAMLError):
    """A YAML document uses more aliases than allowed (an alias/anchor bomb)."""

    def __init__(self, limit: int, mark):
        self.problem = (
            f"more than {limit} YAML aliases (*name): refused as an alias bomb"
            if limit
            else "YAML aliases (*name) are not allowed in this file (alias bombs)"
        )
        self.problem_mark = mark
        super().__init__(self.problem)


def limited_safe_loader(max_aliases: int) -> type[yaml.SafeLoader]:
    """A ``yaml.SafeLoader`` that refuses a document with more than ``max_aliases`` aliases.

    Example: ``a: &a ["lol","lol"]`` then ``b: &b [*a,*a]`` … nine levels deep is 10^9
    strings once expanded; with the default limit it fails at the 51st alias.
    """

    class LimitedSafeLoader(yaml.SafeLoader):
        def compose_document(self):
            self._aliases_seen = 0
            return super().compose_document()

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                self._aliases_seen = getattr(self, "_aliases_seen", 0) + 1
                if self._aliases_seen > max_aliases:
                    raise AliasLimitError(max_aliases, self.peek_event().start_mark)
            return super().compose_node(parent, index)

    return LimitedSafeLoader


_CSafeLoader = getattr(yaml, "CSafeLoader", None)


def _refuse_alias_bombs(text: str, max_aliases: int) -> None:
    """Raise :class:`AliasLimitError` at the first document with more than ``max_aliases``
    aliases (libyaml's parser: only events, nothing is built)."""
    seen = 0
    for event in yaml.parse(text, Loader=_CSafeLoader):
        if isinstance(event, yaml.DocumentStartEvent):
            seen = 0
        elif isinstance(event, yaml.AliasEvent):
            seen += 1
            if seen > max_aliases:
                raise AliasLimitError(max_aliases, event.start_mark)


def load_yaml(path: Path, max_aliases: int = MAX_YAML_ALIASES) -> Any:
    """``yaml.safe_load`` with errors that name the file (and line when YAML gives one).

    Alias bombs are refused (see :func:`limited_safe_loader`), and so are files larger
    than ``MAX_YAML_BYTES``.
    """
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            raise DataFileError(path, f"file too large for a YAML data file (limit {MAX_YAML_BYTES} bytes)")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(path, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path, f"cannot read: {exc}") from None
    try:
        if _CSafeLoader is None:
            return yaml.load(text, Loader=limited_safe_loader(max_aliases))  # noqa: S506 (a SafeLoader)
        # libyaml, when PyYAML has it: ten times faster (the rule files took 0.27 s of
        # every build's start-up in pure Python). The alias limit is checked on its
        # event stream first, per document, as limited_safe_loader does while composing.
        _refuse_alias_bombs(text, max_aliases)
        return yaml.load(text, Loader=_CSafeLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise DataFileError(path, f"{where}invalid YAML: {getattr(exc, 'problem', exc)}") from None


def require(entry: Any, keys: tuple[str, ...], path: Path, label: str) -> None:
    if not isinstance(entry, dict):
        raise DataFileError(path, "entry is not a mapping", label)
    missing = [k for k in keys if entry.get(k) in (None, "")]
    if missing:
        raise DataFileError(path, f"missing required key(s): {', '.join(missing)}", label)


def compile_pattern(pattern: Any, path: Path, label: str) -> re.Pattern[str]:
    if not isinstance(pattern, str):
        raise DataFileError(path, "pattern must be a string", label)
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise DataFileError(path, f"bad regular expression {pattern!r}: {exc}", label) from None


def _parse_boilerplate(doc: Any, path: Path) -> tuple[list[SectionHeader], set[str], list]:
    if not isinstance(doc, dict):
        raise DataFileError(path, "top level must be a mapping")
    headers = []
    for i, entry in enumerate(doc.get("section_headers") or []):
        require(entry, ("text",), path, f"section_headers[{i}]")
        headers.append(SectionHeader(str(entry["text"]), bool(entry.get("ends_article", False))))
    chrome = {str(s).casefold() for s in doc.get("chrome_lines") or []}
    follow = [
        compile_pattern(p, path, f"follow_patterns[{i}]")
        for i, p in enumerate(doc.get("follow_patterns") or [])
    ]
    return headers, chrome, follow


def _names_group(names: list[str]) -> str:
    """The regular expression for "any of ``names``": literal, longest first, spaces as ``\\s+``."""
    ordered = sorted(names, key=len, reverse=True)
    return "(?:" + "|".join(r"\s+".join(map(re.escape, n.split())) for n in ordered) + ")"


def _parse_signature(sig: Any, kinds: dict[str, Any], names: str, path: Path, label: str) -> OutletSignature:
    """One signature: a kind of ``signature_kinds`` or a ``{pattern, role}`` mapping."""
    if isinstance(sig, str):
        if sig not in kinds:
            raise DataFileError(path, f"unknown signature kind {sig!r}", label)
        sig = kinds[sig]
    require(sig, ("pattern",), path, label)
    pattern = sig["pattern"]
    if not isinstance(pattern, str) or "{names}" not in pattern:
        raise DataFileError(path, "a signature pattern must contain {names}", label)
    return OutletSignature(
        compile_pattern(pattern.replace("{names}", names), path, label),
        str(sig.get("role", "publisher")),
    )


def _parse_outlets(doc: Any, path: Path) -> list[OutletRule]:
    if not isinstance(doc, dict) or not isinstance(doc.get("outlets"), list):
        raise DataFileError(path, "top level must be a mapping with an 'outlets' list")
    kinds = doc.get("signature_kinds") or {}
    if not isinstance(kinds, dict):
        raise DataFileError(path, "must be a mapping of kind name → {pattern, role}", "signature_kinds")
    default = doc.get("default_signatures") or []
    if not isinstance(default, list):
        raise DataFileError(path, "must be a list of signature kinds", "default_signatures")
    outlets = []
    seen: set[str] = set()
    for i, entry in enumerate(doc["outlets"]):
        label = f"outlets[{i}]" + (f" ({entry.get('id')})" if isinstance(entry, dict) else "")
        require(entry, ("id", "name", "name_en", "names"), path, label)
        if entry["id"] in seen:
            raise DataFileError(path, f"duplicate id {entry['id']!r}", label)
        seen.add(entry["id"])
        names = [
            unicodedata.normalize("NFC", n) for n in _string_list(entry["names"], path, f"{label}.names")
        ]
        if not names:
            raise DataFileError(path, "needs at least one name", f"{label}.names")
        group = _names_group(names)
        listed = entry.get("signatures", default)
        if not isinstance(listed, list):
            raise DataFileError(path, "must be a list", f"{label}.signatures")
        sigs = [
            _parse_signature(sig, kinds, group, path, f"{label}.signatures[{j}]")
            for j, sig in enumerate(listed)
        ]
        outlets.append(
            OutletRule(
                id=str(entry["id"]),
                name=str(entry["name"]),
                name_en=str(entry["name_en"]),
                domain=entry.get("domain"),
                signatures=sigs,
                names=names,
            )
        )
    return outlets


def _string_list(value: Any, path: Path, label: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DataFileError(path, "must be a list of non-empty strings", label)
    return [v.strip() for v in value]


def _number(value: Any, path: Path, label: str, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise DataFileError(path, f"must be a number ≥ 0, not {value!r}", label)
    return float(value)


def _entry_label(section: str, i: int, entry: Any) -> str:
    return f"{section}[{i}]" + (
        f" ({entry.get('id')})" if isinstance(entry, dict) and entry.get("id") else ""
    )


def _check_slug(value: Any, path: Path, label: str, key: str) -> str:
    value = str(value)
    if not is_safe_slug(value) or slugify(value) != value:
        raise DataFileError(path, f"{key} {value!r} is not an ASCII slug (a-z, 0-9, single hyphens)", label)
    return value


def parse_topics(doc: Any, path: Path) -> TopicSet:
    """topics.yaml → :class:`TopicSet`; every topic needs id, slug, name, name_en."""
    if not isinstance(doc, dict) or not isinstance(doc.get("topics"), list):
        raise DataFileError(path, "top level must be a mapping with a 'topics' list")
    topics: list[Topic] = []
    ids: set[str] = set()
    slugs: set[str] = set()
    for i, entry in enumerate(doc["topics"]):
        label = _entry_label("topics", i, entry)
        require(entry, ("id", "slug", "name", "name_en"), path, label)
        topic_id = _check_slug(entry["id"], path, label, "id")
        slug = _check_slug(entry["slug"], path, label, "slug")
        if topic_id in ids or slug in slugs:
            raise DataFileError(path, f"duplicate id or slug ({topic_id!r}, {slug!r})", label)
        ids.add(topic_id)
        slugs.add(slug)
        keywords = entry.get("keywords") or {}
        if not isinstance(keywords, dict):
            raise DataFileError(path, "keywords must be a mapping of phrase → weight", label)
        weights: dict[str, float] = {}
        for phrase, weight in keywords.items():
            if not isinstance(phrase, str) or not phrase.strip():
                raise DataFileError(path, f"keyword {phrase!r} is not a phrase", label)
            weights[phrase_key(phrase, fold_case=True)] = _number(
                weight, path, f"{label}.keywords[{phrase}]", 1.0
            )
        topics.append(Topic(topic_id, slug, str(entry["name"]), str(entry["name_en"]), weights))
    scoring = doc.get("scoring") or {}
    if not isinstance(scoring, dict):
        raise DataFileError(path, "must be a mapping", "scoring")
    fallback = scoring.get("fallback")
    if fallback is not None and fallback not in ids:
        raise DataFileError(path, f"fallback {fallback!r} is not a topic id", "scoring")
    max_topics = scoring.get("max_topics", 3)
    if not isinstance(max_topics, int) or isinstance(max_topics, bool) or not 1 <= max_topics <= 10:
        raise DataFileError(path, f"max_topics must be an integer 1-10, not {max_topics!r}", "scoring")
    return TopicSet(
        topics,
        max_topics=max_topics,
        min_score=_number(scoring.get("min_score"), path, "scoring.min_score", 3.0),
        min_share=_number(scoring.get("min_share"), path, "scoring.min_share", 0.2),
        fallback=fallback,
    )


def parse_entities(doc: Any, path: Path) -> Gazetteer:
    """entities.yaml → :class:`Gazetteer`; every entity needs id, type, name, name_en,
    aliases, and no alias may name two entities."""
    if not isinstance(doc, dict) or not isinstance(doc.get("entities"), list):
        raise DataFileError(path, "top level must be a mapping with an 'entities' list")
    entities: list[Entity] = []
    owner: dict[str, str] = {}
    for i, entry in enumerate(doc["entities"]):
        label = _entry_label("entities", i, entry)
        require(entry, ("id", "type", "name", "name_en", "aliases"), path, label)
        entity_id = _check_slug(entry["id"], path, label, "id")
        if any(e.id == entity_id for e in entities):
            raise DataFileError(path, f"duplicate id {entity_id!r}", label)
        if entry["type"] not in ENTITY_TYPES:
            raise DataFileError(path, f"type must be one of {', '.join(ENTITY_TYPES)}", label)
        aliases = _string_list(entry["aliases"], path, f"{label}.aliases")
        short = _string_list(entry.get("short"), path, f"{label}.short")
        isolated = _string_list(entry.get("isolated"), path, f"{label}.isolated")
        if not set(isolated) <= set(aliases):
            raise DataFileError(path, "isolated names must also be aliases", label)
        for alias in aliases + short:
            key = phrase_key(alias)
            if owner.get(key, entity_id) != entity_id:
                raise DataFileError(path, f"alias {alias!r} also names {owner[key]!r}", label)
            owner[key] = entity_id
        entities.append(
            Entity(
                entity_id,
                str(entry["type"]),
                str(entry["name"]),
                str(entry["name_en"]),
                tuple(aliases),
                tuple(short),
                tuple(isolated),
            )
        )
    return Gazetteer(
        entities,
        honorifics=_string_list(doc.get("honorifics"), path, "honorifics"),
        blockers=_string_list(doc.get("blockers"), path, "blockers"),
        name_prefixes=_string_list(doc.get("name_prefixes"), path, "name_prefixes"),
    )


_CACHE: dict[tuple[str, str], Rules] = {}


def data_version(data_dir: Path) -> str:
    """A hash of every YAML file's name and bytes: the pipeline cache keys on it."""
    h = hashlib.sha256()
    for p in sorted(data_dir.glob("*.yaml")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def load_rules(data_dir: str | Path | None = None) -> Rules:
    """Load and validate every rule file in ``data_dir`` (default: the package's data)."""
    directory = Path(data_dir) if data_dir else PACKAGE_DATA_DIR
    if not directory.is_dir():
        raise DataFileError(directory, "data directory not found")
    version = data_version(directory)
    key = (str(directory), version)
    if key in _CACHE:
        return _CACHE[key]
    raw: dict[str, Any] = {}
    for p in sorted(directory.glob("*.yaml")):
        raw[p.stem] = load_yaml(p)
    bp_path = directory / "boilerplate.yaml"
    headers, chrome, follow = _parse_boilerplate(raw.get("boilerplate") or load_yaml(bp_path), bp_path)
    out_path = directory / "outlets.yaml"
    outlets = _parse_outlets(raw.get("outlets") or load_yaml(out_path), out_path)
    topics_path = directory / "topics.yaml"
    topics = parse_topics(raw["topics"] if "topics" in raw else load_yaml(topics_path), topics_path)
    entities_path = directory / "entities.yaml"
    entities = parse_entities(
        raw["entities"] if "entities" in raw else load_yaml(entities_path), entities_path
    )
    rules = Rules(
        data_dir=directory,
        version=version,
        section_headers=headers,
        chrome_lines=chrome,
        follow_patterns=follow,
        outlets=outlets,
        raw=raw,
        topics=topics,
        entities=entities,
    )
    _CACHE[key] = rules
    return rules
