"""Build labelled lines for the metadata stage without running the cleaner.

The metadata tests feed lines labelled by the GOLD (../shared/gold/*.gold.json) so they test
the metadata rules, not whichever cleaner is current.
"""

from __future__ import annotations

from news_digest.model import Line, LineLabel


def gold_lines(gold_doc: dict) -> list[Line]:
    """The gold's lines as :class:`Line` objects with the gold's labels."""
    return [Line(n=g["n"], text=g["text"], label=LineLabel(g["label"])) for g in gold_doc["lines"]]


def body(*texts: str, label: LineLabel = LineLabel.BODY, start: int = 1) -> list[Line]:
    """Made-up lines, all with one label, numbered from ``start``."""
    return [Line(n=start + i, text=t, label=label) for i, t in enumerate(texts)]
