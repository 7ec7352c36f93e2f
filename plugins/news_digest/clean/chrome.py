"""Page chrome: blank and pipe-only lines, menus, share buttons, follow-us lines, stamps."""

from __future__ import annotations

import re

from ..model import LineLabel
from .base import Doc, norm, strip_pipes
from .captions import is_caption_like
from .vocab import header_key

MIN_REPEAT_CHARS = 25  # "Ảnh: Reuters" under two photos is two captions, not a copy
MAX_CHROME_CHARS = 160  # menus, buttons and footers are short lines
_LONE_MARK = re.compile(r"^[-–—•*+|>»►▶➤·.…]+$")

# Date and time stamps (structure, not outlet data).
DATE = r"\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?"
FULL_DATE = r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}"
TIME = r"\d{1,2}(?::|h)\d{2}(?:\s*[AaPp][Mm])?"
RELATIVE = r"\d+\s*(?:giây|phút|giờ|tiếng|ngày|tuần|tháng|năm)\s*trước"
_STAMP_WORDS = re.compile(
    r"(thứ\s*(hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật|cập nhật|đăng( lúc| ngày)?|lúc|ngày|hôm qua|hôm nay|"
    r"[(\[]?(?:gmt|utc)\s*(?:[+-]\s*\d+)?[)\]]?)",
    re.IGNORECASE,
)
_STAMP_TOKENS = re.compile(rf"({RELATIVE}|{TIME}|{DATE})", re.IGNORECASE)
_STAMP_LEFTOVER = re.compile(r"^[\s,|()\[\]\-–:/.]*$")


def is_date_stamp(text: str) -> bool:
    """The line is a date/time stamp: "Thứ Hai, 12/06/2023 17:24 (GMT+7)", "2 giờ trước".

    A stamp with a time or a full date may carry a short section name or author cue
    ("01-06-2023 - 14:00 | Thế giới"): up to three other words, none ending a sentence.
    """
    t = strip_pipes(text)
    if not _STAMP_TOKENS.search(t):
        return False
    rest = _STAMP_TOKENS.sub(" ", _STAMP_WORDS.sub(" ", t))
    if _STAMP_LEFTOVER.match(rest):
        return True
    strong = re.search(rf"{TIME}|{FULL_DATE}", t)
    extra = [w for w in re.split(r"[\s,|()\[\]\-–:/.]+", rest) if w]
    return bool(strong) and len(extra) <= MAX_STAMP_EXTRA_WORDS and not re.search(r"[.!?]\s*$", t)


MAX_STAMP_EXTRA_WORDS = 3


def label_blank_lines(doc: Doc) -> None:
    """Blank lines separate paragraphs; pipe-only lines are table remnants.

    Example: ``| |`` left where a layout table cell was.
    """
    for ln in doc.lines:
        if ln.rule is None and not strip_pipes(ln.text):
            if ln.text.strip():
                doc.drop(ln, "table_pipes", "only table-pipe remnants")
            else:
                doc.decide(ln, LineLabel.BLANK, "blank")
    doc.blanks_labelled()


def drop_page_chrome(doc: Doc) -> None:
    """Buttons, menus and footers that pages print around every article.

    Example: ``Phiên bản di động`` (the mobile-version footer link), ``Chia sẻ bài viết``,
    ``Tags: Mỹ, Nhật Bản``.
    """
    v = doc.vocab
    for _, ln in doc.content():
        if ln.rule is not None or len(ln.text) > MAX_CHROME_CHARS:
            continue
        t = strip_pipes(ln.text)
        if header_key(t) in v.chrome_lines or any(p.search(t) for p in v.chrome_patterns):
            doc.drop(ln, "page_chrome", "page chrome (data/boilerplate.yaml)")


def drop_follow_lines(doc: Doc) -> None:
    """Follow-us lines whose icon was lost in scraping.

    Example: ``Mời quý độc giả theo dõi VOV.VN trên``, ``Theo dõi Baoquocte.vn trên``.
    """
    for _, ln in doc.content():
        if ln.rule is not None or len(ln.text) > MAX_CHROME_CHARS:
            continue
        t = strip_pipes(ln.text)
        if len(t) <= 120 and any(p.search(t) for p in doc.vocab.follow_patterns):
            doc.drop(ln, "drop_follow_lines", "follow-us line")


def drop_lone_bullets(doc: Doc) -> None:
    """A list marker left alone on its line when its link text was lost.

    Example: ``-`` right after ``Xem tin theo ngày``.
    """
    for _, ln in doc.content():
        if ln.rule is None and len(ln.text) <= 8 and _LONE_MARK.match(ln.text.strip()):
            doc.drop(ln, "drop_lone_bullets", "lone list marker")


def drop_inline_related_links(doc: Doc) -> None:
    """A single "read more" link inside or after the article.

    Example: ``Xem thêm: Ngoại trưởng Mỹ, Nhật Bản gặp nhau bên lề hội nghị G7``,
    ``>> Tổng thống Hàn Quốc với biệt tài 'ngoại giao thượng đỉnh'``.
    """
    for _, ln in doc.content():
        t = strip_pipes(ln.text)
        if ln.rule is None and len(t) <= 300 and any(p.search(t) for p in doc.vocab.inline_link_patterns):
            doc.drop(ln, "drop_inline_related_links", "link to another article")


def drop_date_stamp_lines(doc: Doc) -> None:
    """A line that is only a publication/update stamp, not article text.

    Example: ``Thứ Hai, 12/06/2023 17:24 (GMT+7)``, ``2 giờ trước``.
    """
    for _, ln in doc.content():
        if ln.rule is None and len(ln.text) <= 80 and is_date_stamp(ln.text):
            doc.drop(ln, "drop_date_stamp_lines", "date/time stamp")


def drop_repeated_lines(doc: Doc) -> None:
    """A line repeating an earlier line: a photo caption printed twice, a title echo.

    Example (seed 004, lines 5-6): ``Thủ tướng Nhật Bản Fumio Kishida (giữa, trái) ... ngày
    8/4. (Ảnh: AFP/TTXVN)`` twice; the first copy is kept. A bare photo credit (``Ảnh:
    Reuters``) under two photos is not a copy.
    """
    seen: dict[str, int] = {}
    first_index = next((i for i, _ in doc.content()), None)
    for i, ln in doc.content():
        key = norm(ln.text)
        if not key:
            continue
        short_credit = len(key) < MIN_REPEAT_CHARS and is_caption_like(ln.text, doc.vocab)
        if key in seen and not short_credit and ln.rule is None:
            first = doc.lines[seen[key]]
            if doc.dropped(first):
                continue
            if first.label is LineLabel.TITLE or seen[key] == first_index:
                rule, reason = "repeated_title", "repeats the headline"
            elif is_caption_like(ln.text, doc.vocab):
                rule, reason = "repeated_caption", f"copy of the caption on line {first.n}"
            else:
                rule, reason = "repeated_line", f"copy of line {first.n}"
            doc.drop(ln, rule, reason)
        elif key not in seen:
            seen[key] = i
