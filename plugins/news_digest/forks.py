"""Forked helper processes that report through a temporary pickle file.

Forking shares the parent's finished state copy-on-write, so a helper needs nothing
pickled *in*: only its result comes back. The page writer forks its render and describe
workers with :func:`fork_with_result_file`; the story stage splits its costly steps with
:func:`map_in_parts`.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


def fork_with_result_file(kind: str) -> tuple[int, str]:
    """Fork a worker that reports through a temporary pickle file: ``(pid, path)``, pid 0
    in the worker. Output is flushed first, so the worker cannot print the parent's
    buffered lines a second time."""
    sys.stdout.flush()
    sys.stderr.flush()
    fd, path = tempfile.mkstemp(prefix=f"news-digest-{kind}-", suffix=".pickle")
    os.close(fd)
    return os.fork(), path


def part_bounds(n: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous ranges covering ``range(n)``, sizes differing by at most one."""
    cuts = [n * k // parts for k in range(parts + 1)]
    return [(cuts[k], cuts[k + 1]) for k in range(parts)]


def map_in_parts(
    fn: Callable[[Sequence[T]], Any],
    items: Sequence[T],
    processes: int,
    min_part: int,
    kind: str = "part",
) -> list[Any]:
    """``[fn(part) for part in parts]`` over contiguous parts of ``items``, the first part
    in this process and each other in a forked child, results in order.

    ``fn`` must be a pure function of its part (the caller joins the results, so
    ``fn(items)`` equals the join of the parts' results). There are at most
    ``processes`` parts of at least ``min_part`` items; one part (a small input, or no
    ``os.fork``) runs here without forking. A child that fails is not fatal: its part is
    computed again in this process, so the result never depends on the children."""
    parts = max(1, min(processes, len(items) // max(1, min_part)))
    if parts == 1 or not hasattr(os, "fork"):
        return [fn(items)]
    bounds = part_bounds(len(items), parts)
    children: list[tuple[int, str, int]] = []
    results: list[Any] = [None] * parts
    # This side's collector is paused until the children are reaped: a collection here
    # would write to every object the children still share, each write copying a page in
    # this process and leaving the child's copy its own (measured at 10,000 dumps: the
    # "adds" helper's PSS was ~540 MB, more than the process it forked from).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for k in range(1, parts):
            pid, path = fork_with_result_file(kind)
            if pid == 0:  # pragma: no cover - runs in the forked child
                # What the parent built is the child's input, never its garbage: frozen,
                # the collector does not walk it, so its pages stay shared (a collection
                # writes to every object it visits, and each write copies a page).
                gc.freeze()
                if collecting:
                    gc.enable()
                code = 0
                try:
                    lo, hi = bounds[k]
                    with open(path, "wb") as fh:
                        pickle.dump(fn(items[lo:hi]), fh, protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
            children.append((pid, path, k))
        lo, hi = bounds[0]
        results[0] = fn(items[lo:hi])
    finally:
        for pid, path, k in children:
            _, status = os.waitpid(pid, 0)
            try:
                if os.waitstatus_to_exitcode(status) == 0:
                    with open(path, "rb") as fh:
                        results[k] = (pickle.load(fh),)
            except Exception:
                logger.debug("news-digest: %s helper %d sent no result", kind, k, exc_info=True)
            finally:
                try:
                    os.unlink(path)
                except OSError:
                    pass
        if collecting:
            gc.enable()
    out = [results[0]]
    for k in range(1, parts):
        if results[k] is None:
            lo, hi = bounds[k]
            out.append(fn(items[lo:hi]))
        else:
            out.append(results[k][0])
    return out
