"""Metadata stage: title, display title, byline, outlet, credits and date from labelled lines.

Every value is read only from lines whose label says it can hold it: title lines for the
title, byline lines for the author, credit and caption lines for credits, body lines for
dates (see dates.py). The outlet is the exception: its signatures are read on every line,
page chrome included, because follow-us lines name the publisher.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re

from .dates import resolve_publication_date
from .model import (
    UNKNOWN_OUTLET,
    Credit,
    Evidence,
    Line,
    LineLabel,
    Metadata,
    Outlet,
)
from .rules import Rules, outlet_name_key

DERIVED_TITLE_WORDS = 14
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")


def derive_display_title(lines: list[Line]) -> str:
    """A display title from the first body sentence, for dumps that lost their headline."""
    first = next((ln for ln in lines if ln.label is LineLabel.BODY), None)
    if first is None:
        return "(không có tiêu đề)"
    sentence = _SENTENCE_END.split(first.text.strip(), maxsplit=1)[0]
    words = sentence.split()
    if len(words) > DERIVED_TITLE_WORDS:
        return " ".join(words[:DERIVED_TITLE_WORDS]) + " …"
    return sentence.rstrip(" .")


def find_title(lines: list[Line], header: dict[str, str]) -> tuple[str | None, str, str, int | None]:
    """Return (title, display_title, source, line) — source is header, dump or derived."""
    if header.get("title"):
        return header["title"], header["title"], "header", None
    for ln in lines:
        if ln.label is LineLabel.TITLE:
            return ln.text.strip(), ln.text.strip(), "dump", ln.n
    return None, derive_display_title(lines), "derived", None


_OUTLET_RANK = {"publisher": 0, "source": 1}


def identify_outlet(lines: list[Line], rules: Rules) -> Outlet:
    """The outlet whose signatures (``data/outlets.yaml``) match; publisher signatures win.

    Any non-blank line counts, boilerplate included: the follow-us line "Theo dõi
    Baoquocte.vn trên" and related-card datelines "VOV.VN - ..." are page chrome, yet they
    show who published the page. A credit "Theo vtv.vn" names the original source (role
    "source"): the page may be a republication. Among outlets with the same role, the one
    with the most matching lines wins, then the earliest. The evidence line is the one its
    strongest signature matched (signatures are listed strongest first). No match:
    "unknown" with confidence "none", never a guess.
    """
    hits: dict[str, list[tuple[int, int, Line]]] = {}  # outlet → (role rank, signature index, line)
    texts = [(ln, ln.text.strip().strip("|").strip()) for ln in lines if ln.label is not LineLabel.BLANK]
    # Every signature requires one of its outlet's names (rules.py), so an outlet none of
    # whose names the dump contains is not tried at all, and on each line only the outlets
    # it names are: 136 regular expressions on every line were a third of the pipeline.
    keys = [outlet_name_key(text) for _, text in texts]
    whole = "\n".join(keys)
    named = [o for o in rules.outlets if any(k in whole for k in o.name_keys)]
    for (ln, text), key in zip(texts, keys, strict=True):
        for outlet in named:
            if not any(k in key for k in outlet.name_keys):
                continue
            matched = [
                (_OUTLET_RANK.get(sig.role, 2), i)
                for i, sig in enumerate(outlet.signatures)
                if sig.pattern.search(text)
            ]
            if matched:
                hits.setdefault(outlet.id, []).append((*min(matched), ln))
    if not hits:
        return dataclasses.replace(UNKNOWN_OUTLET, role="none")

    def score(oid: str) -> tuple[int, int, int]:
        best = min(h[0] for h in hits[oid])
        top = [h for h in hits[oid] if h[0] == best]
        return (best, -len(top), min(h[2].n for h in top))

    oid = min(hits, key=score)
    # Evidence: the line matched by the outlet's strongest signature (listed first in YAML).
    rank, _, line = min(hits[oid], key=lambda h: (h[0], h[1], h[2].n))
    outlet = next(o for o in rules.outlets if o.id == oid)
    role = {0: "publisher", 1: "source"}.get(rank, "other")
    return Outlet(
        id=outlet.id,
        name=outlet.name,
        name_en=outlet.name_en,
        domain=outlet.domain,
        confidence="high",
        evidence=Evidence(rule=f"outlet_signature_{role}", line=line.n, text=line.text.strip()),
        role=role,
    )


_BYLINE_PREFIX = re.compile(
    r"^(bài\s*(và\s*ảnh)?|tác giả|pv|phóng viên|nhóm phóng viên)\s*[:\-–]\s*", re.IGNORECASE
)


def find_byline(lines: list[Line], header: dict[str, str]) -> str | None:
    """The author as given: the editor's ``Author:`` header, else lines labelled byline.

    Seed 000 line 3 "Bảo Minh" → "Bảo Minh". A prefix such as "Bài:" is dropped. Never
    guessed from body text: no byline line, no author.
    """
    if header.get("author", "").strip():
        return header["author"].strip()
    names = []
    for ln in lines:
        if ln.label is LineLabel.BYLINE:
            name = _BYLINE_PREFIX.sub("", ln.text.strip().strip("|").strip()).strip(" .")
            if name and name not in names:
                names.append(name)
    return ", ".join(names) or None


_PIPES = re.compile(r"(\s*\|)+\s*$")
_SOURCE_CREDIT = re.compile(r"^\(?\s*(?:theo|nguồn\s*:?)\s+(?P<who>[^()]+?)\s*\)?\.?$", re.IGNORECASE)
_WIRE_CREDIT = re.compile(r"^\(\s*(?P<who>[^()]+?)\s*\)\.?$")
_CREDIT_SPLIT = re.compile(r"\s*(?:,|;|\bvà\b|&)\s*")
_PHOTO_CREDIT = re.compile(
    r"\(\s*(?P<kind>nguồn|ảnh|photo|ảnh minh họa|ảnh minh hoạ)\s*:\s*(?P<who>[^()]+?)\s*\)\s*\.?$",
    re.IGNORECASE,
)
#: Caption credits without brackets, as some outlets print them: "... tại Hà Nội. Ảnh: Reuters".
_BARE_PHOTO_CREDIT = re.compile(
    r"(?:^|(?<=[.!?…])\s+)(?P<kind>Ảnh|Nguồn|Photo)\s*:\s*(?P<who>[^.()!?]{2,60}?)\s*\.?$"
)


def parse_source_credit(text: str) -> list[str]:
    """Names credited by a source line.

    "Theo vtv.vn" → ["vtv.vn"]; "(theo Kyodo, AFP)" → ["Kyodo", "AFP"];
    "(TTXVN/Vietnam+)" → ["TTXVN/Vietnam+"] (one wire credit: agency/outlet).
    """
    text = _PIPES.sub("", text).strip()
    m = _SOURCE_CREDIT.match(text) or _WIRE_CREDIT.match(text)
    if not m:
        return [text.strip("() .")] if text.strip("() .") else []
    return [w.strip(" .") for w in _CREDIT_SPLIT.split(m.group("who")) if w.strip(" .")]


def find_credits(lines: list[Line]) -> list[Credit]:
    """Source credits (lines labelled credit) and photo credits (the end of caption lines).

    Seed 000: line 50 "(theo Kyodo, AFP)" → sources Kyodo and AFP; captions on lines 6 and 7
    end "(Nguồn: Reuters)" → one photo credit Reuters on lines [6, 7].
    """
    credits: list[Credit] = []
    photos: dict[str, Credit] = {}
    for ln in lines:
        if ln.label is LineLabel.CREDIT:
            for who in parse_source_credit(ln.text):
                credits.append(
                    Credit(kind="source", credit=who, line=ln.n, text=ln.text.strip(), lines=[ln.n])
                )
        elif ln.label is LineLabel.CAPTION:
            text = _PIPES.sub("", ln.text).strip()
            m = _PHOTO_CREDIT.search(text) or _BARE_PHOTO_CREDIT.search(text)
            if not m:
                continue
            who = m.group("who").strip(" .")
            if who in photos:
                photos[who].lines.append(ln.n)
            else:
                photos[who] = Credit(
                    kind="photo", credit=who, line=ln.n, text=m.group(0).strip(), lines=[ln.n]
                )
    return credits + list(photos.values())


def extract_metadata(
    lines: list[Line], header: dict[str, str], rules: Rules, today: _dt.date | None = None
) -> Metadata:
    """Title, byline, outlet, credits and publication date of one labelled dump.

    ``today`` is the build date (the caller passes it; default: the system date): dates
    after it are never taken as publication dates.
    """
    title, display, source, title_line = find_title(lines, header)
    return Metadata(
        title=title,
        display_title=display,
        title_source=source,
        title_line=title_line,
        byline=find_byline(lines, header),
        outlet=identify_outlet(lines, rules),
        credits=find_credits(lines),
        date=resolve_publication_date(lines, header, rules, today=today),
        header=header,
    )
