"""The editor's "Key: value" header block at the top of a dump."""

from __future__ import annotations

import re

from ..model import Line, LineLabel

#: Keys an editor may put in a "Key: value" header at the top of a dump.
HEADER_KEYS = frozenset(
    {"title", "date", "author", "slug", "lang", "outlet", "summary", "status", "save_as", "url", "tags"}
)
_HEADER_LINE = re.compile(r"^([A-Za-z_]{2,10}):\s*(.*)$")


def parse_header(lines: list[Line]) -> dict[str, str]:
    """Label a leading "Key: value" block (known keys only) and return it as a dict.

    Reason: editors may prepend Pelican-style metadata to a dump; it is not article text.
    Example: ``Date: 2023-06-01`` followed by a blank line. A block not followed by a blank
    line was article text after all and is left undecided.
    """
    header: dict[str, str] = {}
    for ln in lines:
        m = _HEADER_LINE.match(ln.text.strip())
        if not m or m.group(1).lower() not in HEADER_KEYS:
            break
        header[m.group(1).lower()] = m.group(2).strip()
        ln.label, ln.rule, ln.reason = LineLabel.METADATA, "metadata_header", "editor's header"
    if header and len(lines) > len(header) and lines[len(header)].text.strip():
        for ln in lines[: len(header)]:
            ln.label, ln.rule, ln.reason = LineLabel.BODY, None, ""
        return {}
    return header
