"""Per-build state shared by the reader, the signal handlers and the generators.

Pelican runs one build per process at a time; ``reset`` is called from the
``initialized`` signal so consecutive builds (tests, `pelican --listen`) start clean.
"""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .report import BuildReport

if TYPE_CHECKING:
    from .cache import DigestPack, KeyIndex


@dataclass
class BuildState:
    report: BuildReport = field(default_factory=BuildReport)
    #: pid of the process grouping stories in the background (parallel.start_story_grouping)
    story_worker: int | None = None
    #: the dumps' cache keys found by the prefill (cache.KeyIndex), for the reader
    key_index: KeyIndex | None = None
    #: the last build's digests in one file (cache.DigestPack), for the reader
    digest_pack: DigestPack | None = None
    #: cache key → every digest the reader loaded, as its cache entry holds it (the build
    #: works on copies from article_generator_pretaxonomy on), for the next pack
    loaded_digests: dict = field(default_factory=dict)
    #: (phase name, time.perf_counter() when it started), in build order (mark_phase)
    phases: list[tuple[str, float]] = field(default_factory=list)
    #: Builds Pelican has started since the last reset (``get_generators`` counts them):
    #: more than one means `pelican --autoreload` runs the same Pelican object again.
    runs: int = 0

    def mark_phase(self, name: str) -> None:
        """The build enters phase ``name`` now (ending the phase before it)."""
        self.phases.append((name, time.perf_counter()))

    def phase_seconds(self) -> list[tuple[str, float]]:
        """(name, seconds) of each phase that has ended, in order."""
        return [
            (name, round(end - start, 3))
            for (name, start), (_next, end) in zip(self.phases, self.phases[1:], strict=False)
        ]

    def reset(self) -> None:
        resume_collector()
        self.wait_story_worker()
        self.report = BuildReport()
        self.key_index = None
        if self.digest_pack is not None:
            self.digest_pack.close()
        self.digest_pack = None
        self.loaded_digests = {}
        self.phases = []
        self.runs = 0

    def story_worker_finished(self) -> bool:
        """True when no background story grouping is running (reaped if it has ended)."""
        if not self.story_worker:
            return True
        try:
            pid, _status = os.waitpid(self.story_worker, os.WNOHANG)
        except ChildProcessError:
            pid = self.story_worker
        if pid:
            self.story_worker = None
        return not self.story_worker

    def wait_story_worker(self) -> None:
        """Wait until the background story grouping (if any) has stored its result."""
        pid, self.story_worker = self.story_worker, None
        if pid:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


STATE = BuildState()


# -- the collector and a build's long-lived objects -----------------------------------
#: Dumps read between two calls of freeze_build_state() by the reader.
FREEZE_EVERY_READS = 256


def freeze_build_state() -> None:
    """Move every object alive now out of the cyclic garbage collector's reach.

    A build keeps what it reads (articles, digests, lists) until it ends, and creates
    millions of such objects. Each full collection re-scans all of them, and so does the
    interpreter's last collection at exit: on 10,000 dumps that was over 10 s of a 40 s
    warm build (8 s after the build had finished). Frozen objects are still freed by
    reference counting; only cycles among them wait for :func:`thaw_previous_build`.
    Cheap (it moves list heads), so it is called at every point where what exists is the
    build's state: every few hundred reads, after reading, after the indexes, at the end.
    """
    gc.freeze()


def thaw_previous_build() -> None:
    """Hand a previous build's frozen objects back to the collector (a process that builds
    again, e.g. ``pelican --autoreload`` or a test run, frees what the last one left)."""
    gc.unfreeze()


_collector_paused = False


def pause_collector_while_reading() -> None:
    """Switch the cyclic collector off while Pelican reads the dumps.

    Reading creates only what the build keeps (articles, digests), no cyclic garbage, yet
    the collector would keep scanning each batch of new objects until the reader freezes
    them (~0.5 s at 10,000 dumps). :func:`resume_collector` switches it back on once the
    articles are read (``article_generator_pretaxonomy``), at the next build's start and
    at the end of the build, whichever comes first."""
    global _collector_paused
    if gc.isenabled():
        gc.disable()
        _collector_paused = True


def resume_collector() -> None:
    """Undo :func:`pause_collector_while_reading` (nothing if it did not pause)."""
    global _collector_paused
    if _collector_paused:
        _collector_paused = False
        gc.enable()
