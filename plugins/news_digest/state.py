"""Per-build state shared by the reader, the signal handlers and the generators.

Pelican runs one build per process at a time; ``reset`` is called from the
``initialized`` signal so consecutive builds (tests, `pelican --listen`) start clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .report import BuildReport


@dataclass
class BuildState:
    report: BuildReport = field(default_factory=BuildReport)

    def reset(self) -> None:
        self.report = BuildReport()


STATE = BuildState()
