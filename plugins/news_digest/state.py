"""Per-build state shared by the reader, the signal handlers and the generators.

Pelican runs one build per process at a time; ``reset`` is called from the
``initialized`` signal so consecutive builds (tests, `pelican --listen`) start clean.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .report import BuildReport


@dataclass
class BuildState:
    report: BuildReport = field(default_factory=BuildReport)
    #: pid of the process grouping stories in the background (parallel.start_story_grouping)
    story_worker: int | None = None

    def reset(self) -> None:
        self.wait_story_worker()
        self.report = BuildReport()

    def wait_story_worker(self) -> None:
        """Wait until the background story grouping (if any) has stored its result."""
        pid, self.story_worker = self.story_worker, None
        if pid:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


STATE = BuildState()
