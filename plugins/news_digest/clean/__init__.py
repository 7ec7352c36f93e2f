"""Clean stage: give every line of a dump a label and, when dropped, the rule that did it.

Rules live one family per module (chrome, credits, captions, cards, sections, title,
position); each is a small named function ``rule(doc)`` that decides lines no earlier rule
decided, so :data:`PASSES` is also the priority order. Words and phrases that are data
(section headers, chrome, follow-us lines, outlet datelines) come from
``data/boilerplate.yaml`` through :mod:`.vocab`; the structure (repeated headline pairs,
teasers, stamps, position after the last paragraph) is code, because it holds across
outlets. The entry point is :func:`clean_text`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Line
from ..rules import Rules
from .base import Doc, strip_pipes
from .captions import label_photo_captions
from .cards import (
    drop_dateline_teasers,
    drop_flattened_cards,
    drop_glued_category_links,
    drop_pipe_link_rows,
    drop_timestamped_headlines,
    strip_headline_teaser_cards,
    strip_related_cards,
)
from .chrome import (
    drop_date_stamp_lines,
    drop_follow_lines,
    drop_inline_related_links,
    drop_lone_bullets,
    drop_page_chrome,
    drop_repeated_lines,
    label_blank_lines,
)
from .credits import label_credits
from .header import HEADER_KEYS, parse_header
from .position import drop_after_closing_credit, drop_tail_headlines, label_body
from .sections import drop_orphan_headers, drop_section_headers
from .title import drop_navigation, find_byline, find_headline, label_lead_caption
from .vocab import build_vocab

__all__ = ["HEADER_KEYS", "PASSES", "clean_lines", "clean_text", "split_lines", "strip_pipes"]

Rule = Callable[[Doc], None]

#: Every rule, in priority order (a line keeps the first decision made about it).
PASSES: tuple[Rule, ...] = (
    label_blank_lines,
    drop_page_chrome,
    drop_follow_lines,
    drop_lone_bullets,
    drop_inline_related_links,
    drop_date_stamp_lines,
    label_credits,
    drop_flattened_cards,
    drop_timestamped_headlines,
    strip_related_cards,
    drop_dateline_teasers,
    drop_section_headers,
    drop_pipe_link_rows,
    drop_repeated_lines,
    label_photo_captions,
    drop_glued_category_links,
    strip_headline_teaser_cards,
    drop_orphan_headers,
    drop_navigation,
    find_headline,
    find_byline,
    label_lead_caption,
    drop_after_closing_credit,
    drop_tail_headlines,
    label_body,
)


def split_lines(text: str) -> list[Line]:
    """Number lines exactly like the gold does: 1-based over ``str.splitlines()``."""
    return [Line(n=i, text=t) for i, t in enumerate(text.splitlines(), start=1)]


def clean_lines(lines: list[Line], rules: Rules, header: dict[str, str] | None = None) -> list[Line]:
    """Run every rule of :data:`PASSES` over ``lines`` (labels them in place)."""
    doc = Doc(
        lines=lines, vocab=build_vocab(rules), notes={"header_title": bool((header or {}).get("title"))}
    )
    for rule in PASSES:
        rule(doc)
    return lines


def clean_text(text: str, rules: Rules) -> tuple[list[Line], dict[str, str]]:
    """Label every line of ``text``; returns (lines, editor header)."""
    lines = split_lines(text)
    header = parse_header(lines)
    clean_lines(lines, rules, header)
    return lines, header
