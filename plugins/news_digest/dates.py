"""Publication dates for dumps that state a day and month but never the year.

Order of evidence (each rule is a named function below):

1. an editor's ``Date:`` header (applied by :func:`resolve_publication_date`; the pipeline
   applies a sidecar ``<stem>.meta.yaml`` after this stage);
2. a full date stated in a body line (:func:`find_date_mentions` with a year);
3. inference: day/month mentions in body lines only (never boilerplate: related cards and
   read-more lists are about other articles, or date the crawl), with the year bounded by
   - the terms of office of people the body names (``data/officeholders.yaml``),
   - years the body mentions as past or as a target (``data/dates.yaml``),
   - events the body refers to (``data/events.yaml``),
   - the build date (``today``): nothing is published in the future.

Constraints are *hard* (a role+name, a coined term, a past year) or *soft* (a bare surname,
an event's news window, a target year). Every candidate year is checked against all hard
constraints; among those left, the year satisfying the most soft constraints wins, ties
going to the most recent year. Confidence says how much was left to chance; warnings say
what was dropped and why. Nothing here raises on bad input.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .model import Evidence, Line, LineLabel, ResolvedDate
from .rules import DataFileError, Rules, compile_pattern

#: Days of slack around a term of office (an article can appear the day after a hand-over).
TENURE_SLACK_DAYS = 2
#: How far back an unconstrained day/month may be placed (years before ``today``).
MAX_LOOKBACK_YEARS = 40
#: Widest gap (characters) between a role word and the name it introduces.
ROLE_GAP = 32
#: Lines whose date mentions may be used (the article's own text, not page chrome).
DATE_LABELS = frozenset({LineLabel.BODY})

# --------------------------------------------------------------------------- data


@dataclass
class Term:
    country: str
    office: str
    start: _dt.date
    end: _dt.date | None
    approx: bool = False


@dataclass
class Person:
    name: str
    aliases: list[str]
    terms: list[Term]
    source: str


@dataclass
class Event:
    id: str
    name: str
    patterns: list[re.Pattern[str]]
    after: _dt.date | None
    window: tuple[_dt.date, _dt.date] | None
    source: str


@dataclass
class DateRules:
    roles: dict[str, list[str]]  # office id → role words
    role_pattern: re.Pattern[str]
    role_office: dict[str, set[str]]  # role word (casefolded) → office ids
    people: list[Person]
    events: list[Event]
    words: dict[str, Any]  # compiled patterns from dates.yaml
    alias_pattern: re.Pattern[str] | None = None  # every alias of every person, longest first
    alias_people: dict[str, list[Person]] = field(default_factory=dict)


def _as_date(value: Any, path, label: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise DataFileError(path, f"not an ISO date: {value!r}", label) from None


def _alias_regex(aliases: list[str]) -> re.Pattern[str]:
    """Every alias, longest first, not followed by a letter, digit or hyphen. The check
    before the alias is :func:`find_aliases`' own: a lookbehind in front of an
    alternation of 350 names keeps ``re`` from skipping ahead to the names' first
    letters, and made the search 3× slower."""
    alts = "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
    return re.compile(rf"(?:{alts})(?![\w-])")


_NAME_JOINED_BEFORE = re.compile(r"[\w-]")


def find_aliases(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    r"""The matches of ``pattern`` (:func:`_alias_regex`) in ``text`` that do not start
    inside a word ("Abe" in "Abeles" is not Abe, nor in "Kim-Abe"), as
    ``finditer`` would give them with the lookbehind ``(?<![\w-])`` in front: a match
    that starts inside a word is dropped and the search resumes one character later,
    so a name inside it (``"Jong Un"`` in ``"xKim Jong Un"``) is still found."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        start = m.start()
        if start and _NAME_JOINED_BEFORE.match(text, start - 1):
            pos = start + 1
            continue
        yield m
        pos = m.end()


def _parse_officeholders(doc: Any, path) -> tuple[dict[str, list[str]], list[Person]]:
    if not isinstance(doc, dict) or not isinstance(doc.get("people"), list):
        raise DataFileError(path, "top level must be a mapping with 'offices' and a 'people' list")
    offices = doc.get("offices")
    if not isinstance(offices, dict) or not offices:
        raise DataFileError(path, "missing 'offices' mapping")
    roles: dict[str, list[str]] = {}
    for oid, entry in offices.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("roles"), list) or not entry["roles"]:
            raise DataFileError(path, "office needs a non-empty 'roles' list", f"offices.{oid}")
        roles[str(oid)] = [str(r) for r in entry["roles"]]
    people = []
    for i, entry in enumerate(doc["people"]):
        label = f"people[{i}]" + (f" ({entry.get('name')})" if isinstance(entry, dict) else "")
        if not isinstance(entry, dict):
            raise DataFileError(path, "entry is not a mapping", label)
        for key in ("name", "aliases", "terms", "source"):
            if not entry.get(key):
                raise DataFileError(path, f"missing required key: {key}", label)
        if not isinstance(entry["aliases"], list) or not isinstance(entry["terms"], list):
            raise DataFileError(path, "'aliases' and 'terms' must be lists", label)
        terms = []
        for j, t in enumerate(entry["terms"]):
            tl = f"{label}.terms[{j}]"
            if not isinstance(t, dict) or not t.get("office") or not t.get("start"):
                raise DataFileError(path, "a term needs office and start", tl)
            if t["office"] not in roles:
                raise DataFileError(path, f"unknown office {t['office']!r}", tl)
            start = _as_date(t["start"], path, tl)
            end = _as_date(t["end"], path, tl) if t.get("end") else None
            if end is not None and end < start:
                raise DataFileError(path, "term ends before it starts", tl)
            terms.append(Term(str(t.get("country", "")), str(t["office"]), start, end, bool(t.get("approx"))))
        aliases = [str(a) for a in entry["aliases"]]
        people.append(Person(str(entry["name"]), aliases, terms, str(entry["source"])))
    return roles, people


def _parse_events(doc: Any, path) -> list[Event]:
    if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
        raise DataFileError(path, "top level must be a mapping with an 'events' list")
    events = []
    for i, entry in enumerate(doc["events"]):
        label = f"events[{i}]" + (f" ({entry.get('id')})" if isinstance(entry, dict) else "")
        if not isinstance(entry, dict):
            raise DataFileError(path, "entry is not a mapping", label)
        for key in ("id", "name", "all", "source"):
            if not entry.get(key):
                raise DataFileError(path, f"missing required key: {key}", label)
        if not entry.get("after") and not entry.get("window"):
            raise DataFileError(path, "an event needs 'after' or 'window'", label)
        window = None
        if entry.get("window"):
            w = entry["window"]
            if not isinstance(w, list) or len(w) != 2:
                raise DataFileError(path, "'window' must be [from, to]", label)
            window = (_as_date(w[0], path, label), _as_date(w[1], path, label))
        events.append(
            Event(
                id=str(entry["id"]),
                name=str(entry["name"]),
                patterns=[compile_pattern(p, path, f"{label}.all[{k}]") for k, p in enumerate(entry["all"])],
                after=_as_date(entry["after"], path, label) if entry.get("after") else None,
                window=window,
                source=str(entry["source"]),
            )
        )
    return events


def _parse_words(doc: Any, path) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise DataFileError(path, "top level must be a mapping")
    words: dict[str, Any] = {}
    for key in ("future_markers", "next_week", "western_time", "year_after", "year_target", "target_markers"):
        items = doc.get(key)
        if not isinstance(items, list) or not items:
            raise DataFileError(path, f"'{key}' must be a non-empty list", key)
        words[key] = compile_pattern("|".join(f"(?:{p})" for p in items), path, key)
    if not isinstance(doc.get("future_suffix"), str):
        raise DataFileError(path, "'future_suffix' must be a pattern", "future_suffix")
    words["future_suffix"] = compile_pattern(doc["future_suffix"], path, "future_suffix")
    return words


_DATE_RULES_CACHE: dict[tuple[str, str], DateRules] = {}


def load_date_rules(rules: Rules) -> DateRules:
    """Parse and validate officeholders.yaml, events.yaml and dates.yaml (cached per data version).

    Raises :class:`DataFileError` naming the file and the entry when one is malformed.
    """
    key = (str(rules.data_dir), rules.version)
    if key in _DATE_RULES_CACHE:
        return _DATE_RULES_CACHE[key]
    d = rules.data_dir
    for stem in ("officeholders", "events", "dates"):
        if stem not in rules.raw:
            raise DataFileError(d / f"{stem}.yaml", "file not found")
    roles, people = _parse_officeholders(rules.raw["officeholders"], d / "officeholders.yaml")
    events = _parse_events(rules.raw["events"], d / "events.yaml")
    words = _parse_words(rules.raw["dates"], d / "dates.yaml")
    role_office: dict[str, set[str]] = {}
    for oid, words_ in roles.items():
        for w in words_:
            role_office.setdefault(w.casefold(), set()).add(oid)
    alts = "|".join(re.escape(w) for w in sorted(role_office, key=len, reverse=True))
    dr = DateRules(
        roles=roles,
        role_pattern=re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE),
        role_office=role_office,
        people=people,
        events=events,
        words=words,
    )
    for person in people:
        for alias in person.aliases:
            dr.alias_people.setdefault(alias, []).append(person)
    dr.alias_pattern = _alias_regex(list(dr.alias_people))
    _DATE_RULES_CACHE[key] = dr
    return dr


# --------------------------------------------------------------------------- mentions

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+(?=[\"“'‘(]?[A-ZĐÀ-Ỹ0-9])")
_CLAUSE_SPLIT = re.compile(r"[,;:]")
_FULL_NUMERIC = re.compile(r"(?<![\d/.])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.])")
_WORDED = re.compile(r"\bngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?(?!\d)", re.IGNORECASE)
_DAY_RANGE = re.compile(
    r"(?:(?<=\s)|^)(?:ngày|từ)\s+(\d{1,2})\s*[-–]\s*(\d{1,2})/(\d{1,2})(?![\d/])", re.IGNORECASE
)
_DAY_MONTH = re.compile(
    r"\b(ngày|hôm|sáng|trưa|chiều|tối|đêm|khuya|rạng sáng|và|đến|tới|từ|cho đến)\s+"
    r"(\d{1,2})/(\d{1,2})(?![\d/])",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\bnăm\s+(\d{4})\b", re.IGNORECASE)


@dataclass
class DateMention:
    """One date written in a body line: day and month, maybe a year."""

    day: int
    month: int
    year: int | None
    line: int
    raw: str
    sentence: str
    tense: str  # past | future
    western: bool  # stated in the local time of a place behind Vietnam
    two_digit_year: bool = False

    def on(self, year: int) -> _dt.date | None:
        try:
            return _dt.date(year, self.month, self.day)
        except ValueError:
            return None


def _sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs of one line."""
    out, pos = [], 0
    for part in _SENTENCE_SPLIT.split(text):
        start = text.find(part, pos)
        out.append((start, part))
        pos = start + len(part)
    return out


def _clause_before(sentence: str, offset: int) -> str:
    """The clause of ``sentence`` that holds ``offset`` (split at commas and semicolons)."""
    starts = [0] + [m.end() for m in _CLAUSE_SPLIT.finditer(sentence) if m.end() <= offset]
    ends = [m.start() for m in _CLAUSE_SPLIT.finditer(sentence) if m.start() >= offset] + [len(sentence)]
    return sentence[starts[-1] : ends[0]]


def classify_tense(sentence: str, offset: int, end: int, words: dict[str, Any]) -> str:
    """ "future" when the date is upcoming ("ngày 6/12 tới", "sẽ ... vào ngày 11/4"), else "past".

    Example: "Theo kế hoạch, ông Kishida sẽ phát biểu trước Quốc hội Mỹ vào ngày 11/4." → future.
    """
    if words["future_suffix"].match(sentence[end:]):
        return "future"
    clause = _clause_before(sentence, offset)
    if words["future_markers"].search(clause):
        return "future"
    head = sentence[:offset]
    if re.search(r"\b(theo kế hoạch|dự kiến)\b", head, re.IGNORECASE) and words["future_markers"].search(
        sentence
    ):
        return "future"
    return "past"


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


_ANY_DIGIT = re.compile(r"\d")


def _raw_dates(sentence: str, line: int, today: _dt.date, warnings: list[str]):
    """(match, day, month, year or None) for every date written in ``sentence``, full dates first."""
    # Every date pattern needs a digit, and the day/month ones a slash. Three sentences in
    # four have no digit, and four searches of each cost more than the rest of date
    # finding (0.52 -> 0.15 s on 500 dumps' sentences, the same dates).
    if not _ANY_DIGIT.search(sentence):
        return
    for m in _FULL_NUMERIC.finditer(sentence):
        y = m.group(4)
        year = int(y)
        if len(y) == 2:
            century = 2000 if year <= today.year % 100 else 1900
            warnings.append(f"line {line}: two-digit year in {m.group(0)!r} read as {century + year}")
            year += century
        yield m, int(m.group(1)), int(m.group(3)), year
    for m in _WORDED.finditer(sentence):
        yield m, int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None
    if "/" not in sentence:
        return
    for m in _DAY_RANGE.finditer(sentence):
        # "từ ngày 9-18/11": the range ends on the 18th.
        yield m, int(m.group(2)), int(m.group(3)), None
    for m in _DAY_MONTH.finditer(sentence):
        yield m, int(m.group(2)), int(m.group(3)), None


def _valid_day_month(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= (29 if month == 2 else calendar.monthrange(2001, month)[1])


def find_date_mentions(
    lines: list[Line], words: dict[str, Any], today: _dt.date, warnings: list[str]
) -> list[DateMention]:
    """Day/month (and full) dates written in body lines; impossible ones become warnings.

    Example: line 3 of seed 002, "... trong hai ngày 26/6 và 27/6." → 26/6 and 27/6, past.
    Boilerplate (related cards such as "VOV.VN - ... ngày 17/04 ...") is never read.
    """
    mentions: list[DateMention] = []
    for ln in lines:
        if ln.label not in DATE_LABELS:
            continue
        for _, sentence in _sentences(ln.text):
            taken: list[tuple[int, int]] = []
            for m, day, month, year in _raw_dates(sentence, ln.n, today, warnings):
                raw = m.group(0).strip()
                if any(a <= m.start() < b for a, b in taken):
                    continue
                taken.append((m.start(), m.end()))
                if not _valid_day_month(day, month) or (
                    year is not None and not _real_date(year, month, day)
                ):
                    warnings.append(f"line {ln.n}: impossible date {raw!r} ignored")
                    continue
                tense = classify_tense(sentence, m.start(), m.end(), words)
                if year is not None and _dt.date(year, month, day) > today and tense == "past":
                    warnings.append(f"line {ln.n}: date {raw!r} is after the build date {today}; ignored")
                    continue
                western = bool(words["western_time"].search(sentence))
                short = bool(year is not None and re.search(r"[/.-]\d{2}$", raw))
                mentions.append(DateMention(day, month, year, ln.n, raw, sentence, tense, western, short))
    return mentions


# --------------------------------------------------------------------------- constraints


@dataclass
class Constraint:
    """The publication date lies in ``spans`` (hard: always; soft: a vote)."""

    spans: list[tuple[_dt.date, _dt.date]]
    hard: bool
    evidence: Evidence

    def holds(self, day: _dt.date) -> bool:
        return any(a <= day <= b for a, b in self.spans)


_FAR_PAST = _dt.date(1900, 1, 1)
_FAR_FUTURE = _dt.date(2999, 12, 31)


def _term_span(t: Term, today: _dt.date) -> tuple[_dt.date, _dt.date]:
    slack = _dt.timedelta(days=TENURE_SLACK_DAYS)
    return (t.start - slack, (t.end or today) + slack)


def officeholder_constraints(lines: list[Line], dr: DateRules, today: _dt.date) -> list[Constraint]:
    """Terms of office of the people the body names.

    A name right after one of that person's role words ("Bộ trưởng Quốc phòng Mỹ Lloyd
    Austin", "Thủ tướng Kishida") is hard evidence: the article was written during a term in
    that office. A name without a role ("người đồng cấp ... Hamada Yasukazu", "ông Abe") is
    soft: it may be a former holder. "cựu"/"nguyên" before the role (former) gives nothing.
    """
    found: dict[str, Constraint] = {}
    for ln in lines:
        if ln.label not in DATE_LABELS:
            continue
        text = ln.text
        for m in find_aliases(dr.alias_pattern, text):
            for person in dr.alias_people[m.group(0)]:
                before = text[max(0, m.start() - 120) : m.start()]
                roles = list(dr.role_pattern.finditer(before))
                office_ids: set[str] = set()
                if roles:
                    r = roles[-1]
                    gap = before[r.end() :]
                    if len(gap) <= ROLE_GAP and not re.search(r",|\bvà\b|\bvới\b", gap):
                        office_ids = dr.role_office.get(r.group(0).casefold(), set())
                        if re.search(r"\b(cựu|nguyên|cố)\s*$", before[: r.start()], re.IGNORECASE):
                            continue
                terms = [t for t in person.terms if t.office in office_ids]
                hard = bool(terms) and not any(t.approx for t in terms)
                if not terms:
                    terms = person.terms
                spans = [_term_span(t, today) for t in terms]
                rule = "officeholder_role_and_name" if hard else "officeholder_name_only"
                tenure = ", ".join(f"{t.office} {t.country} {t.start}–{t.end or 'now'}" for t in terms)
                c = Constraint(spans, hard, Evidence(rule, ln.n, f"{m.group(0)} ({person.name}: {tenure})"))
                prev = found.get(person.name)
                if prev is None or (hard and not prev.hard):
                    found[person.name] = c
    return list(found.values())


def year_mention_constraints(lines: list[Line], dr: DateRules, today: _dt.date) -> list[Constraint]:
    """Years the body places in the past (hard lower bound) or sets as a target (soft upper).

    Examples from seed 001: "Kể từ khi lên nắm quyền năm 2021" → published in 2021 or later;
    "tăng chi tiêu quốc phòng lên khoảng 2% GDP vào năm 2027" → published by 2027.
    """
    w = dr.words
    out = []
    for ln in lines:
        if ln.label not in DATE_LABELS:
            continue
        for _, sentence in _sentences(ln.text):
            for m in _YEAR.finditer(sentence):
                year = int(m.group(1))
                if not 1000 <= year <= 9999:
                    continue
                if _FULL_NUMERIC.search(sentence[max(0, m.start() - 8) : m.end()]):
                    continue
                head = sentence[max(0, m.start() - 40) : m.start()]
                clause = _clause_before(sentence, m.start())
                words_before = head.split()[-3:]
                near = " ".join(words_before)
                if w["year_target"].search(" ".join(words_before[-1:])) and w["target_markers"].search(
                    clause
                ):
                    out.append(
                        Constraint(
                            [(_FAR_PAST, _dt.date(year, 12, 31))],
                            False,
                            Evidence("year_mentioned_as_target", ln.n, m.group(0)),
                        )
                    )
                elif year <= today.year and (
                    w["year_after"].search(near)
                    or (not near.strip(" (") and re.search(r"\b(đã|từng)\b", clause, re.IGNORECASE))
                ):
                    out.append(
                        Constraint(
                            [(_dt.date(year, 1, 1), _FAR_FUTURE)],
                            True,
                            Evidence("year_mentioned_as_past", ln.n, f"{near} {m.group(0)}".strip()),
                        )
                    )
    return out


def event_constraints(lines: list[Line], dr: DateRules) -> list[Constraint]:
    """Events the body refers to (``data/events.yaml``): hard 'after' dates, soft news windows."""
    body_lines = [ln for ln in lines if ln.label in DATE_LABELS]
    text = "\n".join(ln.text for ln in body_lines)
    out = []
    for ev in dr.events:
        if not all(p.search(text) for p in ev.patterns):
            continue
        first = next((ln.n for ln in body_lines if ev.patterns[0].search(ln.text)), None)
        if ev.after:
            out.append(
                Constraint(
                    [(ev.after, _FAR_FUTURE)], True, Evidence("event_after", first, f"{ev.name} ({ev.after})")
                )
            )
        if ev.window:
            out.append(
                Constraint(
                    [ev.window],
                    False,
                    Evidence("event_window", first, f"{ev.name} ({ev.window[0]}..{ev.window[1]})"),
                )
            )
    return out


# --------------------------------------------------------------------------- resolution


def _in_year(m: DateMention, year: int, wraps: bool) -> _dt.date | None:
    """``m`` placed so that the publication falls in ``year``.

    When the mentions straddle New Year ("hôm 28/12" and "ngày 2/1"), the late months belong
    to the year before.
    """
    if m.year is not None:
        return m.on(m.year)
    return m.on(year - 1 if wraps and m.month > 6 else year)


def publication_day(
    mentions: list[DateMention], year: int, next_week: bool = False
) -> tuple[_dt.date | None, list[Evidence]]:
    """The most plausible publication day in ``year`` from the body's day/month mentions.

    - the latest past mention is the news event; stated in the local time of a place behind
      Vietnam ("Ngày 10/4 (giờ Washington)"), it reaches Vietnamese readers the next day;
    - an upcoming mention ("sẽ ... vào ngày 11/4") bounds the day from above;
    - "vào tuần tới" with an upcoming date: written in the week before that date's week; with
      no past anchor in that week, the middle of the week is the least-wrong guess.
    """
    past = [m for m in mentions if m.tense == "past"]
    future = [m for m in mentions if m.tense == "future"]
    months = [m.month for m in mentions if m.year is None]
    wraps = bool(months) and max(months) - min(months) > 6
    ev: list[Evidence] = []
    day: _dt.date | None = None
    if past:
        dated = [(d, m) for m in past if (d := _in_year(m, year, wraps)) is not None]
        if dated:
            d, m = max(dated, key=lambda x: x[0] + _dt.timedelta(days=1 if x[1].western else 0))
            day = d
            ev.append(Evidence("latest_past_day_month_in_body", m.line, m.raw))
            if m.western:
                day = d + _dt.timedelta(days=1)
                ev.append(Evidence("local_time_behind_vietnam_plus_one_day", m.line, m.sentence[:120]))
    upper = None
    fdated = [(d, m) for m in future if (d := _in_year(m, year, wraps)) is not None]
    if fdated:
        upper, fm = min(fdated, key=lambda x: x[0])
        ev.append(Evidence("upcoming_day_month_bounds_publication", fm.line, fm.raw))
        if next_week:
            monday = upper - _dt.timedelta(days=upper.weekday())
            lo, hi = monday - _dt.timedelta(days=7), monday - _dt.timedelta(days=1)
            if day is None or day < lo:
                day = lo + (hi - lo) / 2
                ev.append(Evidence("next_week_midpoint", fm.line, f"week {lo}..{hi}"))
        if day is None:
            day = upper - _dt.timedelta(days=1)
            ev.append(Evidence("day_before_upcoming_date", fm.line, fm.raw))
        elif day > upper:
            day = upper
            ev.append(Evidence("clamped_to_upcoming_date", fm.line, fm.raw))
    return day, ev


def _has_next_week(lines: list[Line], dr: DateRules) -> bool:
    return any(dr.words["next_week"].search(ln.text) for ln in lines if ln.label in DATE_LABELS)


def resolve_publication_date(
    lines: list[Line],
    header: dict[str, str],
    rules: Rules,
    today: _dt.date | None = None,
) -> ResolvedDate:
    """A publication date with confidence, evidence and warnings; never raises on bad input."""
    today = today or _dt.date.today()
    warnings: list[str] = []
    if header.get("date"):
        raw = header["date"].strip()
        try:
            value = _dt.date.fromisoformat(raw[:10])
        except ValueError:
            warnings.append(f"Date header {raw!r} is not an ISO date; ignored")
        else:
            if value > today:
                warnings.append(f"Date header {raw!r} is after the build date {today}; kept as the editor's")
            return ResolvedDate(value.isoformat(), "high", [Evidence("metadata_header", None, raw)], warnings)

    dr = load_date_rules(rules)
    mentions = find_date_mentions(lines, dr.words, today, warnings)
    next_week = _has_next_week(lines, dr)
    constraints = (
        officeholder_constraints(lines, dr, today)
        + year_mention_constraints(lines, dr, today)
        + event_constraints(lines, dr)
    )
    hard = [c for c in constraints if c.hard]
    soft = [c for c in constraints if not c.hard]

    full = sorted(
        (m for m in mentions if m.year is not None and m.tense == "past"),
        key=lambda m: (m.year, m.month, m.day),
    )
    oldest = _dt.date(today.year - MAX_LOOKBACK_YEARS, 1, 1)
    if full:
        m = full[-1]
        d = m.on(m.year)
        broken = [c for c in hard if not c.holds(d)]
        if d < oldest:
            warnings.append(f"full date {m.raw!r} (line {m.line}) is historical, not a publication date")
        elif broken:
            warnings.append(
                f"full date {m.raw!r} (line {m.line}) contradicts {broken[0].evidence.rule} "
                f"({broken[0].evidence.text}); inferring instead"
            )
        else:
            ev = [Evidence("full_date_in_body", m.line, m.raw)]
            return ResolvedDate(d.isoformat(), "medium" if m.two_digit_year else "high", ev, warnings)

    day_month = [m for m in mentions if m.year is None]
    if not day_month:
        warnings.append("no usable day/month in the body: article left undated")
        return ResolvedDate(None, "none", [c.evidence for c in hard], warnings)

    lo_year = today.year - MAX_LOOKBACK_YEARS
    candidates: list[tuple[int, _dt.date, list[Evidence], int]] = []
    for year in range(today.year, lo_year - 1, -1):
        day, ev = publication_day(day_month, year, next_week)
        if day is None or day > today:
            continue
        if not all(c.holds(day) for c in hard):
            continue
        votes = sum(1 for c in soft if c.holds(day))
        candidates.append((year, day, ev, votes))

    used_hard = hard
    if not candidates and hard:
        warnings.append(
            "conflicting evidence: no year satisfies every term of office / past year named in the body; "
            "ignoring them"
        )
        used_hard = []
        for year in range(today.year, lo_year - 1, -1):
            day, ev = publication_day(day_month, year, next_week)
            if day is not None and day <= today:
                candidates.append((year, day, ev, sum(1 for c in soft if c.holds(day))))
    if not candidates:
        warnings.append("no plausible year for the dates in the body: article left undated")
        return ResolvedDate(None, "none", [c.evidence for c in constraints], warnings)

    best_votes = max(c[3] for c in candidates)
    top = [c for c in candidates if c[3] == best_votes]
    year, day, ev, _ = top[0]  # most recent first
    chosen = day
    evidence = list(ev)
    evidence += [c.evidence for c in used_hard]
    evidence += [c.evidence for c in soft if c.holds(chosen)]
    dropped = [c for c in soft if not c.holds(chosen)]
    for c in dropped:
        warnings.append(f"soft evidence not used ({c.evidence.rule}): {c.evidence.text}")
    if len(top) == 1 and (used_hard or best_votes):
        confidence = "medium"
        if len(candidates) == 1:
            evidence.append(Evidence("only_year_consistent_with_evidence", None, str(year)))
        else:
            evidence.append(Evidence("year_best_supported_by_soft_evidence", None, str(year)))
    else:
        confidence = "low"
        others = ", ".join(str(c[0]) for c in top[1:4])
        evidence.append(Evidence("latest_plausible_year", None, str(year)))
        warnings.append(
            f"year not determined by the text: chose the latest plausible year {year}"
            + (f" (also possible: {others})" if others else "")
        )
    if not used_hard and hard:
        confidence = "low"
    return ResolvedDate(
        chosen.isoformat(),
        confidence,
        evidence,
        warnings,
        candidates=[c[1].isoformat() for c in top],
    )
