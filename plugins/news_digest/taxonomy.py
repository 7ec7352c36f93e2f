"""Taxonomy stage: topics with scores and linked entities, from article text only.

Pure functions on plain data: :func:`assign_topics` and :func:`link_entities` read the
lines the cleaner labelled body or caption (never boilerplate, titles or headers), and
take their vocabulary from ``data/topics.yaml`` and ``data/entities.yaml`` through the
compiled :class:`TopicSet` and :class:`Gazetteer` that rules.py builds at start-up.

Matching is one compiled regular expression per vocabulary, built as a character trie
(``Nh(?:ật(?:\\s+Bản)?)``): a position is tried against all phrases at once, the longest
phrase wins, and a match must start and end on a syllable boundary, so the matcher stays
linear in the text whatever the size of the gazetteer.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import EntityMention, Line, LineLabel, TopicScore

#: Labels whose text is the article's own (the only lines topics and entities come from).
LINKED_LABELS = frozenset({LineLabel.BODY, LineLabel.CAPTION})

ENTITY_TYPES = ("country", "person", "organisation", "place")

_SPACE = " "
_HYPHEN = "-"
_END = ""
_HYPHEN_RE = r"\s*[-–‑]\s*"
_SPACE_RE = r"\s+"
_KEY_HYPHEN = re.compile(r"\s*[-–‑]\s*")
_KEY_SPACE = re.compile(r"\s+")


def phrase_key(text: str, fold_case: bool = False) -> str:
    """The form a phrase and a matched span share: NFC, one space, bare hyphens.

    >>> phrase_key("Ấn Độ Dương -  Thái Bình Dương")
    'Ấn Độ Dương-Thái Bình Dương'
    """
    key = _KEY_SPACE.sub(" ", _KEY_HYPHEN.sub("-", unicodedata.normalize("NFC", text).strip()))
    return key.lower() if fold_case else key


def _units(key: str) -> list[str]:
    return list(key)


def _unit_regex(unit: str) -> str:
    if unit == _SPACE:
        return _SPACE_RE
    if unit == _HYPHEN:
        return _HYPHEN_RE
    return re.escape(unit)


def trie_regex(phrases: Iterable[str], fold_case: bool = False) -> re.Pattern[str]:
    """One pattern matching any of ``phrases`` (already :func:`phrase_key` form).

    Built as a character trie so alternatives share prefixes; at each branch longer
    continuations are tried before stopping, which gives longest-match, and the
    syllable-boundary guards make the regex backtrack to a shorter phrase when a longer
    one would end inside a word ("Nhật Bảnx" still matches "Nhật").
    """
    trie: dict = {}
    for phrase in phrases:
        if not phrase:
            continue
        node = trie
        for unit in _units(phrase.lower() if fold_case else phrase):
            node = node.setdefault(unit, {})
        node[_END] = True

    def emit(node: dict) -> str:
        alts = [_unit_regex(u) + emit(child) for u, child in sorted(node.items()) if u != _END]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if _END in node:
            return (body if len(alts) > 1 else "(?:" + body + ")") + "?"
        return body

    if not trie:
        return re.compile(r"(?!)")
    flags = re.IGNORECASE if fold_case else 0
    # The lookahead on the possible first characters lets the regex engine skip most
    # positions at once (measured: 2.6× faster on the seeds than the bare trie).
    first = "[" + "".join(re.escape(c) for c in sorted(k for k in trie if k not in (_SPACE, _HYPHEN))) + "]"
    return re.compile(r"(?<!\w)(?=" + first + ")(?:" + emit(trie) + r")(?!\w)", flags)


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def linked_lines(lines: Iterable[Line]) -> list[Line]:
    """Lines that topics and entities are taken from: the article's body and captions."""
    return [ln for ln in lines if ln.label in LINKED_LABELS and ln.text.strip()]


# --------------------------------------------------------------------------- topics


@dataclass(frozen=True)
class Topic:
    id: str
    slug: str
    name: str
    name_en: str
    keywords: dict[str, float] = field(default_factory=dict)

    def display_name(self, lang: str) -> str:
        return self.name if lang == "vi" else self.name_en


@dataclass
class TopicSet:
    """Topics of ``topics.yaml`` with their keywords compiled into one matcher."""

    topics: list[Topic]
    max_topics: int = 3
    min_score: float = 3.0
    min_share: float = 0.2
    fallback: str | None = None
    pattern: re.Pattern[str] = field(init=False, repr=False)
    weights: dict[str, list[tuple[str, float]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.weights = {}
        for topic in self.topics:
            for phrase, weight in topic.keywords.items():
                self.weights.setdefault(phrase_key(phrase, fold_case=True), []).append(
                    (topic.id, float(weight))
                )
        # Keys are lower case and the text is lowered before matching: a case-sensitive
        # regex on lowered text is twice as fast as re.IGNORECASE.
        self.pattern = trie_regex(self.weights)
        self.by_id = {t.id: t for t in self.topics}


def keyword_counts(lines: Iterable[Line], topics: TopicSet) -> dict[str, int]:
    """How often each keyword occurs in the body and caption lines (longest match)."""
    counts: dict[str, int] = {}
    for ln in linked_lines(lines):
        for m in topics.pattern.finditer(_nfc(ln.text).lower()):
            key = m.group(0)
            if key not in topics.weights:
                key = phrase_key(key, fold_case=True)
            if key in topics.weights:
                counts[key] = counts.get(key, 0) + 1
    return counts


def score_topics(counts: dict[str, int], topics: TopicSet) -> dict[str, float]:
    """Topic scores: Σ weight × (1 + ln count), so breadth of evidence beats repetition."""
    scores: dict[str, float] = {}
    for key, n in counts.items():
        for topic_id, weight in topics.weights[key]:
            scores[topic_id] = scores.get(topic_id, 0.0) + weight * (1.0 + math.log(n))
    return scores


def assign_topics(lines: list[Line], topics: TopicSet) -> list[TopicScore]:
    """One to three topics for an article, best first, from its body and captions only.

    A topic is kept when it reaches ``min_score`` and at least ``min_share`` of the best
    topic's score; an article no topic reaches gets the ``fallback`` topic (score 0).
    Example: seed 004 (Biden–Kishida summit, "phi hành gia … sứ mệnh lên mặt trăng của
    NASA") → defence, diplomacy, space.
    """
    scores = score_topics(keyword_counts(lines, topics), topics)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    chosen: list[TopicScore] = []
    if ranked:
        best = ranked[0][1]
        for topic_id, score in ranked[: topics.max_topics]:
            if score >= topics.min_score and score >= topics.min_share * best:
                chosen.append(TopicScore(topic_id, round(score, 2)))
    if not chosen and topics.fallback:
        chosen.append(TopicScore(topics.fallback, 0.0))
    return chosen


# --------------------------------------------------------------------------- entities


@dataclass(frozen=True)
class Entity:
    id: str
    type: str
    name: str
    name_en: str
    aliases: tuple[str, ...]
    short: tuple[str, ...] = ()
    isolated: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        return self.id

    def display_name(self, lang: str) -> str:
        return self.name if lang == "vi" else self.name_en


#: Strength of a matched phrase: a full alias or honorific form links on its own; a bare
#: short name only in an article that also links the entity strongly.
STRONG, WEAK, BLOCK = "strong", "weak", "block"


@dataclass
class Gazetteer:
    """Entities of ``entities.yaml`` compiled into one longest-match matcher."""

    entities: list[Entity]
    honorifics: list[str] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    name_prefixes: list[str] = field(default_factory=list)
    pattern: re.Pattern[str] = field(init=False, repr=False)
    phrases: dict[str, tuple[str | None, str, bool]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id = {e.id: e for e in self.entities}
        phrases: dict[str, tuple[str | None, str, bool]] = {}
        for blocker in self.blockers:
            phrases[phrase_key(blocker)] = (None, BLOCK, False)
        titles = _case_variants(self.honorifics)
        for ent in self.entities:
            isolated = {phrase_key(a) for a in ent.isolated}
            for short in ent.short:
                phrases.setdefault(phrase_key(short), (ent.id, WEAK, False))
                for title in titles:
                    phrases[phrase_key(f"{title} {short}")] = (ent.id, STRONG, False)
            for alias in ent.aliases:
                key = phrase_key(alias)
                phrases[key] = (ent.id, STRONG, key in isolated)
        self.phrases = phrases
        self.pattern = trie_regex(phrases)
        self.personal = frozenset(p.lower() for p in self.name_prefixes)


def _case_variants(words: Iterable[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        w = w.strip()
        for v in (w, w[:1].upper() + w[1:], w[:1].lower() + w[1:]):
            if v and v not in out:
                out.append(v)
    return out


_PREV_WORD = re.compile(r"(\w+)[ \t]+\Z")
_NEXT_WORD = re.compile(r"[ \t]+(\w)")


def looks_like_personal_name(text: str, start: int, end: int, personal: frozenset[str] = frozenset()) -> bool:
    """Whether the syllable ``text[start:end]`` is part of a person's name here.

    It is when a capitalised syllable stands right before or after it ("Nhật" in
    "Minh Nhật", "Anh" in "Tuấn Anh") or when a kinship term or personal title from
    ``name_prefixes`` precedes it ("bà Nga", "anh Đức"); "Mỹ-Nhật", "Italy và Anh." and
    "Thủ tướng Đức" are none of these.
    """
    before = _PREV_WORD.search(text, max(0, start - 40), start)
    if before and (before.group(1)[0].isupper() or before.group(1).lower() in personal):
        return True
    after = _NEXT_WORD.match(text, end)
    return bool(after and after.group(1).isupper())


def link_entities(lines: list[Line], entities: Gazetteer) -> list[EntityMention]:
    """Entities named in an article's body and captions, with mention counts.

    Longest match on NFC text at syllable boundaries: "Nhật Bản" is one mention of Japan,
    "Mỹ-Nhật" two mentions (US, Japan), "Ấn Độ Dương" the Indian Ocean rather than India,
    "Thủ tướng Kishida" Fumio Kishida. Boilerplate lines are never read. Sorted by
    mentions, then first line.
    """
    strong: dict[str, EntityMention] = {}
    weak: dict[str, EntityMention] = {}
    for ln in linked_lines(lines):
        text = _nfc(ln.text)
        for m in entities.pattern.finditer(text):
            entry = entities.phrases.get(m.group(0)) or entities.phrases.get(phrase_key(m.group(0)))
            if entry is None:
                continue
            entity_id, strength, isolated = entry
            if strength == BLOCK or entity_id is None:
                continue
            if isolated and looks_like_personal_name(text, m.start(), m.end(), entities.personal):
                continue
            target = strong if strength == STRONG else weak
            mention = target.setdefault(entity_id, EntityMention(entity_id, 0, []))
            mention.count += 1
            if ln.n not in mention.lines:
                mention.lines.append(ln.n)
    for entity_id, mention in weak.items():
        if entity_id in strong:
            found = strong[entity_id]
            found.count += mention.count
            found.lines = sorted(set(found.lines) | set(mention.lines))
    return sorted(strong.values(), key=lambda m: (-m.count, m.lines[0] if m.lines else 0, m.id))
