"""Position rules: what sits after the last body paragraph is page furniture."""

from __future__ import annotations

from ..model import LineLabel
from .base import Doc, article_continues, ends_with_ellipsis, is_headline_like, is_paragraph, strip_pipes
from .title import is_byline, is_byline_cue

MAX_TEASER_CHARS = 300
MIN_CARD_HEADLINE_WORDS = 7


def _card_at(doc: Doc, idx: list[int], pos: int) -> bool:
    """Content line ``pos`` is a short sentence under a long headline-like line (a card)."""
    if pos < 1:
        return False
    teaser, head = doc.lines[idx[pos]], doc.lines[idx[pos - 1]]
    return (
        teaser.rule is None
        and head.rule is None
        and not is_headline_like(teaser.text)
        and len(strip_pipes(teaser.text)) <= MAX_TEASER_CHARS
        and is_headline_like(head.text)
        and len(strip_pipes(head.text).split()) >= MIN_CARD_HEADLINE_WORDS
    )


def drop_tail_headlines(doc: Doc) -> None:
    """Headline-like lines after the last body paragraph link to other articles.

    Walks up from the end of the dump over lines no rule decided yet: a bare name is the
    closing byline, a headline-like line is a link, a teaser ending in "..." right below a
    headline is part of its card, and so is a sentence under a long headline when at least
    two such cards close the dump; the first real paragraph met is the article's last.
    Example (seed 001, line 25): ``Diễn văn của Tổng Bí thư Tô Lâm tại Lễ kỷ niệm 50 năm ...``
    (an unrelated headline without a bullet, after the credit).
    """
    idx = [i for i, _ in doc.content()]
    for pos in range(len(idx) - 1, -1, -1):
        ln = doc.lines[idx[pos]]
        if ln.rule is not None:
            if ln.label is LineLabel.TITLE:
                return
            continue
        prev = doc.lines[idx[pos - 1]] if pos > 0 else None
        prev_is_para = (
            prev is not None
            and prev.rule is None
            and (not is_headline_like(prev.text) or is_paragraph(prev.text))
        )
        prev_is_text = prev_is_para or (
            prev is not None and prev.label in (LineLabel.CREDIT, LineLabel.CAPTION)
        )
        if (is_byline(ln.text, doc) and prev_is_text) or is_byline_cue(ln.text, doc):
            doc.decide(ln, LineLabel.BYLINE, "closing_byline", "author name after the last paragraph")
            continue
        question = strip_pipes(ln.text).rstrip("\"”’'») ").endswith(("?", "!"))
        if is_headline_like(ln.text) and not (question and prev_is_para):
            doc.drop(ln, "drop_tail_headlines", "headline-like line after the last body paragraph")
            continue
        below = doc.lines[idx[pos + 1]] if pos + 1 < len(idx) else None
        below_card = below is not None and below.rule == "drop_tail_headlines"
        below_is_noise = below is None or doc.dropped(below)
        if (
            prev is not None
            and prev.rule is None
            and is_headline_like(prev.text)
            and (
                ends_with_ellipsis(ln.text)
                or (below_card and _card_at(doc, idx, pos))
                or (below_is_noise and _card_at(doc, idx, pos) and _card_at(doc, idx, pos - 2))
            )
        ):
            doc.drop(ln, "drop_tail_headlines", "teaser after the last body paragraph")
            continue
        return


MIN_PARAGRAPHS_BEFORE_CREDIT = 2


def drop_after_closing_credit(doc: Doc) -> None:
    """A source credit closes the article: what follows it is page furniture.

    Example (seed 001): ``Theo vtv.vn`` ends the article; the lists after it go. Here the
    credit is the last credit line with article paragraphs above it; a bare author name or
    another credit right after it stays (``(TTXVN)`` under ``Bài và ảnh: Hồng Hạnh``). A
    credit followed by paragraphs back to back (a photo source mid-article) closes nothing.
    """
    paragraphs = 0
    candidates = []  # credits with enough article text above them
    for i, ln in doc.content():
        if ln.rule is None and is_paragraph(ln.text):
            paragraphs += 1
        elif ln.label is LineLabel.CREDIT and paragraphs >= MIN_PARAGRAPHS_BEFORE_CREDIT:
            candidates.append(i)
    # The last credit after which the article does not go on (checked from the end: the
    # check that fails fast, "two paragraphs follow", is the common one for earlier credits).
    closing = next((i for i in reversed(candidates) if not article_continues(doc, i)), None)
    if closing is None:
        return
    j = doc.next_content(closing)
    signature = True
    while j is not None:
        ln = doc.lines[j]
        if ln.rule is None:
            if signature and is_byline(ln.text, doc):
                doc.decide(ln, LineLabel.BYLINE, "closing_byline", "author name by the closing credit")
            else:
                doc.drop(ln, "drop_after_closing_credit", "after the credit that closes the article")
                signature = False
        elif ln.label is not LineLabel.CREDIT:
            signature = False
        j = doc.next_content(j)


def label_body(doc: Doc) -> None:
    """Whatever no rule dropped is article text."""
    for _, ln in doc.content():
        doc.decide(ln, LineLabel.BODY, "body_default", "article text")
