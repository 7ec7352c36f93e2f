"""Related-article cards: headline twice then a teaser, flattened cards, dated list items."""

from __future__ import annotations

import re

from ..model import LineLabel
from .base import (
    Doc,
    case_key,
    ends_with_ellipsis,
    is_headline_like,
    is_paragraph,
    is_truncated,
    strip_bullet,
    strip_pipes,
)
from .captions import is_caption_like
from .chrome import FULL_DATE, RELATIVE, TIME

MAX_TEASER_CHARS = 400
STAMP_TAIL = 64  # a trailing stamp is shorter than this
_FLAT_CARD = re.compile(r"(?:\.\.\.|…)\s*(?:\|\s*)+$")
_STAMP_END = re.compile(
    rf"(?:(?:{FULL_DATE}|\d{{1,2}}[/.-]\d{{1,2}})[\s,|-]*(?:lúc\s*)?{TIME}|{TIME}[\s,|-]*(?:ngày\s*)?"
    rf"(?:{FULL_DATE}|\d{{1,2}}[/.-]\d{{1,2}})|{FULL_DATE}|{RELATIVE})\s*(?:\(?GMT\s*[+-]\s*\d+\)?)?[\s|)]*$",
    re.IGNORECASE,
)


def dateline_prefix(text: str, doc: Doc) -> str | None:
    """The outlet dateline a line starts with ("VOV.VN - "), from data/boilerplate.yaml."""
    t = strip_pipes(text)
    for p in doc.vocab.datelines:
        m = p.match(t)
        if m:
            return re.sub(r"\W+", "", t[: m.end()].split("-")[0].split("–")[0]).casefold()
    return None


def drop_flattened_cards(doc: Doc) -> None:
    """A related card flattened onto one table row: headline, teaser, "... |".

    Example (seed 003, line 10): ``Donald Trump đắc cử có đe dọa liên minh Mỹ-Nhật? Chiến
    thắng của ông Donald Trump ... liên minh chủ chốt Mỹ-Nhật Bản ... |``.
    """
    for _, ln in doc.content():
        if ln.rule is None and _FLAT_CARD.search(ln.text[-STAMP_TAIL:]):
            doc.drop(ln, "drop_flattened_cards", "related card flattened onto one line")


def ends_with_timestamp(text: str) -> bool:
    return bool(_STAMP_END.search(strip_pipes(text)[-STAMP_TAIL:]))


def _stamp_kind(text: str) -> str | None:
    """ "strong" for a stamp with a time or a relative time, "date" for a bare date, else None."""
    t = strip_pipes(text)
    if len(t) > 300:
        return None
    m = _STAMP_END.search(t, max(0, len(t) - STAMP_TAIL))
    if not m or m.start() == 0:
        return None
    before = t[: m.start()].rstrip(" ,-|(")
    if not before or before.endswith((".", ";", ":")):
        return None
    return "strong" if re.search(rf"{TIME}|{RELATIVE}", m.group(0), re.IGNORECASE) else "date"


def drop_timestamped_headlines(doc: Doc) -> None:
    """List items that end in a publication stamp are links to other articles.

    Example (seed 001, line 13): ``- Lời nói đầu tiên của những đứa trẻ sau khi được tìm
    thấy trong rừng Amazon 12.06.2023 | 17:24 PM``; also ``... 12/06/2023 17:24`` and
    ``... 2 giờ trước``. A stamp with only a date ("... 12/06/2023") counts on a bulleted
    line or next to another stamped line: a caption may end in the photo's date. A body
    sentence ending in a date ends with a period and stays.
    """
    content = [i for i, _ in doc.content()]
    kinds = [_stamp_kind(doc.lines[i].text) if doc.lines[i].rule is None else None for i in content]
    for pos, i in enumerate(content):
        ln, kind = doc.lines[i], kinds[pos]
        if kind is None or ln.rule is not None:
            continue
        if kind == "date":
            bulleted = strip_pipes(ln.text) != strip_bullet(strip_pipes(ln.text))
            listed = (pos > 0 and kinds[pos - 1]) or (pos + 1 < len(kinds) and kinds[pos + 1])
            if pos == 0 or not (bulleted or listed):
                continue
        doc.drop(ln, "drop_timestamped_headlines", "headline ending in a date/time stamp")


def _is_card_headline(text: str, doc: Doc) -> bool:
    return is_headline_like(text) and not is_caption_like(text, doc.vocab)


def _pair_at(doc: Doc, i: int | None) -> bool:
    if i is None:
        return False
    j = doc.next_content(i)
    return j is not None and case_key(doc.lines[i].text) == case_key(doc.lines[j].text)


def _card_evidence(doc: Doc, i: int, k: int | None) -> bool:
    """Is the pair starting at ``i`` (teaser candidate ``k``) a card, not a doubled caption?

    Cards come in runs, under a header, before a credit or the end, and their teasers are
    cut off or carry the outlet dateline; an image whose alt text repeats its caption sits
    alone between paragraphs.
    """
    p = doc.prev_content(i)
    if p is not None and (doc.dropped(doc.lines[p]) or doc.vocab.header_ends(doc.lines[p].text) is not None):
        return True
    after = k
    if k is not None and doc.lines[k].rule is None and not is_headline_like(doc.lines[k].text):
        t = doc.lines[k].text
        if is_truncated(t) or dateline_prefix(t, doc):
            return True
        after = doc.next_content(k)
    if after is None or _pair_at(doc, after):
        return True
    nxt = doc.lines[after]
    return doc.dropped(nxt) or nxt.label is LineLabel.CREDIT or doc.vocab.header_ends(nxt.text) is not None


def strip_related_cards(doc: Doc) -> None:
    """A related card prints its headline twice (image alt + link), then a teaser.

    Example (seed 000, lines 20-24): ``Mỹ-Hàn-Nhật có thể sắp tổ chức sự kiện lớn, ...`` twice,
    then ``Ngày 22/5, một quan chức thuộc Phủ Tổng thống Hàn Quốc thông báo, ... ...``.
    A headline repeated before any paragraph is the page title echoed, and a lone pair
    between paragraphs with no sign of a card (see :func:`_card_evidence`) is a caption
    printed twice: both are left to :func:`drop_repeated_lines`.
    """
    seen_paragraph = False
    for i, a in list(doc.content()):
        j = doc.next_content(i)
        if a.rule is None and is_paragraph(a.text):
            seen_paragraph = True
        if j is None or not seen_paragraph or a.rule is not None:
            continue
        b = doc.lines[j]
        if b.rule is not None or abs(len(a.text) - len(b.text)) > 8:  # cheap pre-check
            continue
        if case_key(a.text) != case_key(b.text) or not _is_card_headline(a.text, doc):
            continue
        k = doc.next_content(j)
        if not _card_evidence(doc, i, k):
            continue
        doc.drop(a, "strip_related_cards", "related card headline (printed twice)")
        doc.drop(b, "strip_related_cards", "related card headline (second copy)")
        if k is None:
            continue
        t = doc.lines[k]
        if t.rule is None and not _pair_at(doc, k) and not is_headline_like(t.text):
            if len(t.text) <= MAX_TEASER_CHARS or ends_with_ellipsis(t.text):
                doc.drop(t, "related_card_teaser", f"teaser of the related card on line {a.n}")


def drop_dateline_teasers(doc: Doc) -> None:
    """The article's lead carries the outlet dateline once; later lines with it are teasers.

    Example (seed 002): the lead ``VOV.VN - Mỹ và Nhật Bản đã tổ chức Đối thoại ...`` stays;
    ``VOV.VN - Ngoại trưởng Mỹ Antony Blinken ngày 17/04 đã có cuộc gặp ...`` after the
    article is a related teaser. A line with a generic dateline ("TPO - ") that differs from
    the lead's goes only when it follows a dropped line (inside a card block).
    """
    lead: str | None = None
    seen_paragraph = False
    for i, ln in doc.content():
        if ln.rule is not None:
            continue
        tag = dateline_prefix(ln.text, doc)
        if tag is None:
            seen_paragraph = seen_paragraph or is_paragraph(ln.text)
            continue
        if lead is None and not seen_paragraph:
            lead = tag
            seen_paragraph = True
            continue
        p = doc.prev_content(i)
        after_noise = p is not None and doc.dropped(doc.lines[p])
        if tag == lead or after_noise:
            doc.drop(ln, "drop_dateline_teasers", "teaser starting with an outlet dateline")


def strip_headline_teaser_cards(doc: Doc) -> None:
    """A related card printed once: a headline, then a teaser the CMS cut off with "...".

    Example (seed 000, lines 44-48 without the second copy): ``Triều Tiên phóng vệ tinh
    không gian: Hàn Quốc theo dõi sát, Nhật Bản quan ngại`` then ``Hàn Quốc, Nhật Bản cùng
    Mỹ đã đưa ra phản ứng trước và sau khi Triều Tiên phóng vệ tinh vào không gian trong
    ngày ...``. The first line of the dump (the headline, then a sapo) is never a card.
    """
    content = [i for i, _ in doc.content()]
    for a_i, b_i in zip(content[1:], content[2:], strict=False):
        a, b = doc.lines[a_i], doc.lines[b_i]
        if a.rule is None and b.rule is None and _is_card_headline(a.text, doc) and is_truncated(b.text):
            if len(strip_pipes(b.text)) <= MAX_TEASER_CHARS:
                doc.drop(a, "strip_headline_teaser_cards", "related card headline")
                doc.drop(b, "strip_headline_teaser_cards", "related card teaser cut off with '...'")


_GLUED = re.compile(r"^(?P<cat>\S.{2,40}?)\s+(?P=cat)\s+\S")


def drop_glued_category_links(doc: Doc) -> None:
    """A related link whose category label got glued before the headline, so it shows twice.

    Example (seed 000, line 12): ``Nhật Bản - NATO Nhật Bản - NATO 'xích lại gần nhau': Không
    chỉ là phản ứng nhất thời với xung đột Nga - Ukraine``.
    """
    for _, ln in doc.content():
        t = strip_pipes(ln.text)
        if ln.rule is None and is_headline_like(t) and _GLUED.match(t):
            doc.drop(ln, "drop_glued_category_links", "related link with its category label glued on")


_ROW_END = re.compile(r"\|\s*$")
_TWO_CELLS = re.compile(r"\|\s*\|\s*$")


def _is_pipe_link(ln, doc: Doc) -> bool:
    return (
        ln.rule is None
        and bool(_ROW_END.search(ln.text))
        and is_headline_like(ln.text)
        and not is_caption_like(ln.text, doc.vocab)
    )


def drop_pipe_link_rows(doc: Doc) -> None:
    """Two or more headline rows in a row, each ending in a table pipe: a box of links.

    Example (seed 003, lines 2-3): ``Bộ Quốc phòng Nhật Bản bị tấn công mạng | |`` and
    ``Nhật Bản: Nga triển khai tên lửa không ảnh hưởng đến hòa đàm |``, whatever the box's
    header says. A single row ending in two cells (``... | |``) counts too, unless it is the
    first line (a headline in a table layout). A caption with a stray pipe (``...
    (Nguồn: Japan Daily Press) |``) stays.
    """
    content = [i for i, _ in doc.content()]
    run: list[int] = []
    for i in [*content, None]:
        if i is not None and _is_pipe_link(doc.lines[i], doc):
            run.append(i)
            continue
        if len(run) >= 2 or (run and run[0] != content[0] and _TWO_CELLS.search(doc.lines[run[0]].text)):
            for k in run:
                doc.drop(doc.lines[k], "drop_pipe_link_rows", "headline in a table of links")
        run = []
