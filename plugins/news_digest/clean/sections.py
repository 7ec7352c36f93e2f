"""Section headers ("Tin liên quan", "Tin cùng chuyên mục", "Đọc thêm") and their blocks."""

from __future__ import annotations

from ..model import LineLabel
from .base import Doc, article_continues, ends_with_ellipsis, is_headline_like, is_paragraph, strip_pipes
from .captions import is_caption_like
from .cards import dateline_prefix
from .title import is_name_line


def _body_before(doc: Doc, i: int) -> bool:
    return any(
        (ln.rule is None and is_paragraph(ln.text)) or ln.label is LineLabel.CREDIT for ln in doc.lines[:i]
    )


MAX_TEASER_CHARS = 300
MIN_CARD_WORDS = 5


def _sandwiched(doc: Doc, j: int) -> bool:
    """A short sentence between a block headline and another headline is that card's teaser."""
    if len(strip_pipes(doc.lines[j].text)) > MAX_TEASER_CHARS:
        return False
    k = doc.next_content(j)
    if k is None:
        return False
    nxt = doc.lines[k]
    return doc.dropped(nxt) or (
        nxt.rule is None
        and is_headline_like(nxt.text)
        and len(strip_pipes(nxt.text).split()) >= MIN_CARD_WORDS
        and not is_caption_like(nxt.text, doc.vocab)
        and not is_name_line(nxt.text)
    )


MAX_INTERTITLE_WORDS = 4


def _is_intertitle(doc: Doc, j: int) -> bool:
    """A very short label with a paragraph under it is the article's next section title."""
    if len(strip_pipes(doc.lines[j].text).split()) > MAX_INTERTITLE_WORDS:
        return False
    k = doc.next_content(j)
    return k is not None and doc.lines[k].rule is None and is_paragraph(doc.lines[k].text)


def strip_related_block(doc: Doc, start: int, header: str) -> int:
    """Drop the run of links after a block header; return the index where the article resumes.

    Example (seed 000, lines 11-12): ``Tin liên quan`` then ``Nhật Bản - NATO Nhật Bản - NATO
    'xích lại gần nhau': ...``; the body paragraph on line 14 ends the block.
    """
    j = doc.next_content(start)
    after_headline = True
    while j is not None:
        ln = doc.lines[j]
        if ln.rule is not None:
            if ln.label is not LineLabel.BOILERPLATE:
                break
            after_headline = True
        elif doc.vocab.header_ends(ln.text) is not None:
            break
        elif is_headline_like(ln.text):
            if _is_intertitle(doc, j):
                break
            doc.drop(ln, "related_block_headline", f"link in the {header!r} block")
            after_headline = True
        elif after_headline and (
            ends_with_ellipsis(ln.text) or dateline_prefix(ln.text, doc) or _sandwiched(doc, j)
        ):
            doc.drop(ln, "related_block_teaser", f"teaser in the {header!r} block")
            after_headline = False
        else:
            break
        j = doc.next_content(j)
    return j if j is not None else len(doc.lines)


def drop_section_headers(doc: Doc) -> None:
    """Headers of link blocks; an ending header drops the rest of the page.

    Example: ``TIN LIÊN QUAN | |`` (seed 003) opens a block of links; ``Tin cùng chuyên mục``
    (seed 001) and ``Đọc thêm`` (seed 000) end the article. An ending header with no article
    text before it (a page starting with its sidebar), or followed by paragraphs back to back
    (a comment button between sapo and body), only opens a block.
    """
    i = 0
    while i < len(doc.lines):
        ln = doc.lines[i]
        ends = doc.vocab.header_ends(ln.text) if ln.rule is None and len(ln.text) <= 120 else None
        if ends is None:
            i += 1
            continue
        name = strip_pipes(ln.text)
        doc.drop(ln, "drop_section_headers", f"section header {name!r}")
        if ends and _body_before(doc, i) and not article_continues(doc, i):
            for rest in doc.lines[i + 1 :]:
                if rest.rule is None and strip_pipes(rest.text):
                    doc.drop(rest, "after_end_of_article", f"after {name!r}, which ends the article")
            return
        i = max(i + 1, strip_related_block(doc, i, name))


#: Rules whose dropped lines are links to other articles.
LINK_RULES = frozenset(
    {
        "strip_related_cards",
        "related_card_teaser",
        "strip_headline_teaser_cards",
        "drop_glued_category_links",
        "drop_pipe_link_rows",
        "drop_timestamped_headlines",
        "related_block_headline",
        "drop_flattened_cards",
    }
)
MAX_ORPHAN_WORDS = 5
MAX_ORPHAN_CHARS = 40


def drop_orphan_headers(doc: Doc) -> None:
    """A short label right above links is their header, even in words no file lists.

    Example (seed 000, line 11 in another outlet's wording): ``Mời xem`` right above the
    glued related link ``Nhật Bản - NATO Nhật Bản - NATO 'xích lại gần nhau': ...``. The
    first line of the dump (the headline) and author names are never such a label.
    """
    content = [i for i, _ in doc.content()]
    for pos, i in enumerate(content[1:-1], start=1):
        ln, nxt = doc.lines[i], doc.lines[content[pos + 1]]
        t = strip_pipes(ln.text)
        if (
            ln.rule is None
            and nxt.rule in LINK_RULES
            and len(t) <= MAX_ORPHAN_CHARS
            and len(t.split()) <= MAX_ORPHAN_WORDS
            and is_headline_like(t)
            and not is_name_line(t)
        ):
            doc.drop(ln, "drop_orphan_headers", "label above links to other articles")
