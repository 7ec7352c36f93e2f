"""The headline, the byline next to it and a lead-image caption between headline and sapo."""

from __future__ import annotations

import re

from ..model import LineLabel
from .base import Doc, ends_sentence, is_headline_like, strip_pipes, words

MAX_TITLE_CHARS = 250
MIN_TITLE_WORDS = 3
MAX_NAME_WORDS = 6
_CONNECTORS = {"và", "-", "–", "/", "&", ","}
_NAME_TAIL = re.compile(r"\s*(?:\((?:tổng hợp|tổng hợp/[^)]*|[^)]{0,30})\)|/\s*\S.{0,30})$", re.I)


def is_name_line(text: str) -> bool:
    """A bare author name: "Bảo Minh", "NGỌC AN", "Minh Anh - Hà Phương", "Thu Hà/VOV-Tokyo"."""
    t = strip_pipes(text)
    if not t or len(t) > 60 or ends_sentence(t):
        return False
    core = _NAME_TAIL.sub("", t).strip() or t
    ws = core.replace(",", " , ").split()
    if not ws or len([w for w in ws if w not in _CONNECTORS]) > MAX_NAME_WORDS:
        return False
    if any(ch.isdigit() for ch in core):
        return False
    return all(w in _CONNECTORS or (w[0].isupper() and w.replace(".", "").isalpha()) for w in ws)


_CRUMB_SEP = re.compile(r"\s(?:>|»|›|/|\|)\s")
MAX_NAV_WORDS = 4
MAX_NAV_CHARS = 35


def is_navigation(text: str) -> bool:
    """A menu item or breadcrumb: "Thế giới", "Thời sự > Chính trị", "Trang chủ / Quốc tế"."""
    t = strip_pipes(text)
    if not t or ends_sentence(t) or any(ch.isdigit() for ch in t):
        return False
    parts = _CRUMB_SEP.split(t)
    if len(parts) > 1:
        return all(0 < len(p.split()) <= MAX_NAV_WORDS for p in parts)
    return len(t) <= MAX_NAV_CHARS and len(t.split()) <= MAX_NAV_WORDS


def drop_navigation(doc: Doc) -> None:
    """Menu items and breadcrumbs above the headline.

    Example: ``Thế giới`` / ``Thời sự > Quốc tế`` printed before ``Mỹ và Nhật Bản tổ chức
    Đối thoại răn đe mở rộng``. Only dropped when a longer headline-shaped line follows, so
    a dump that starts with its text keeps it.
    """
    run: list = []
    for _, ln in doc.content():
        if ln.rule is not None:
            if ln.label is LineLabel.BOILERPLATE:
                continue
            return
        if is_navigation(ln.text) and not is_byline_cue(ln.text, doc):
            run.append(ln)
            continue
        t = strip_pipes(ln.text)
        if run and is_headline_like(t) and len(words(t)) >= MIN_TITLE_WORDS:
            for nav in run:
                doc.drop(nav, "drop_navigation", "menu item or breadcrumb above the headline")
        return


def is_byline_cue(text: str, doc: Doc) -> bool:
    return any(p.search(strip_pipes(text)) for p in doc.vocab.byline_patterns)


def is_byline(text: str, doc: Doc) -> bool:
    t = strip_pipes(text)
    return is_name_line(t) or any(p.search(t) for p in doc.vocab.byline_patterns)


def find_headline(doc: Doc) -> None:
    """The first line, when it looks like a headline, is the title.

    Example (seed 002, line 1): ``Mỹ và Nhật Bản tổ chức Đối thoại răn đe mở rộng``. A dump
    whose first remaining line is a sentence (seed 003 starts mid-article) has no title:
    the metadata stage derives a display title instead.
    """
    if doc.notes.get("header_title"):
        return
    for _, ln in doc.content():
        if ln.rule is not None:
            if ln.label is LineLabel.BOILERPLATE:
                continue
            return
        t = strip_pipes(ln.text)
        if (
            is_headline_like(t)
            and len(t) <= MAX_TITLE_CHARS
            and len(words(t)) >= MIN_TITLE_WORDS
            and not t.startswith(("-", "•", "*"))
        ):
            doc.decide(ln, LineLabel.TITLE, "find_headline", "first line, shaped like a headline")
        return


def find_byline(doc: Doc) -> None:
    """A bare name right after the headline is the byline.

    Example (seed 000, line 3): ``Bảo Minh`` under the headline, with no "Tác giả" cue.
    Explicit cues anywhere near the top also count: ``Bài và ảnh: Hồng Hạnh``.
    """
    title = next((i for i, ln in doc.content() if ln.label is LineLabel.TITLE), None)
    if title is None:
        return
    j = doc.next_content(title)
    checked = 0
    while j is not None and checked < 3:
        ln = doc.lines[j]
        if ln.rule is None:
            if is_byline(ln.text, doc):
                doc.decide(ln, LineLabel.BYLINE, "find_byline", "author name under the headline")
            return
        if ln.label is not LineLabel.BOILERPLATE:
            return
        checked += 1
        j = doc.next_content(j)


def label_lead_caption(doc: Doc) -> None:
    """A short sentence between headline and sapo is the lead photo's caption.

    Example (seed 001, line 2): ``Thủ tướng Kishida phát biểu trong chuyến thăm chính thức
    Mỹ.`` followed by the much longer sapo.
    """
    anchor = next((i for i, ln in doc.content() if ln.label in (LineLabel.TITLE, LineLabel.BYLINE)), None)
    if anchor is None:
        return
    while True:
        nxt = doc.next_content(anchor)
        if nxt is None or doc.lines[nxt].label is not LineLabel.BYLINE:
            break
        anchor = nxt
    i = doc.next_content(anchor)
    if i is None or doc.lines[i].rule is not None:
        return
    j = doc.next_content(i)
    cap, nxt_line = strip_pipes(doc.lines[i].text), doc.lines[j] if j is not None else None
    if (
        nxt_line is not None
        and nxt_line.rule is None
        and len(cap) <= 120
        and cap.endswith(".")
        and cap.count(". ") == 0
        and len(strip_pipes(nxt_line.text)) >= 1.3 * len(cap)
    ):
        doc.decide(doc.lines[i], LineLabel.CAPTION, "label_lead_caption", "lead photo caption")
