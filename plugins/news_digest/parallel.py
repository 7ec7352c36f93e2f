"""Run the pure pipeline over many dumps at once and fill the :mod:`cache`.

Each dump is independent of every other (decode → clean → metadata → … only look at
one dump), so the corpus is embarrassingly parallel. :func:`prefill` finds the dumps whose
result is not cached yet and runs them on a ``ProcessPoolExecutor`` (or serially when
``workers == 1``); the workers write the cache themselves and send back only counts, so
the parent never holds every article in memory. The Pelican reader then just loads.

``news-digest process --engine dask`` (:mod:`news_digest.dask_engine`) runs the same
:func:`process_one` on a Dask cluster.
"""

from __future__ import annotations

import fnmatch
import gc
import logging
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .cache import (
    KeyIndex,
    PipelineCache,
    Rejection,
    cache_key,
    code_version,
    dump_stamp,
    read_versioned_dict,
    run_pipeline,
    write_pickle_atomically,
)
from .model import DumpRejected
from .rules import load_rules, load_yaml

#: A dump larger than this is left to the reader, which rejects it with a reason.
MAX_DUMP_BYTES = 64 * 1024 * 1024
#: Dumps per task: large enough to amortise pickling and scheduling, small enough to balance.
BATCH_SIZE = 64
#: Fewer uncached dumps than this are processed in this process: starting workers would
#: cost more than it saves (and small test sites never fork).
MIN_PARALLEL = 32
#: Fewer dumps than this and story grouping stays in the build process (it takes well
#: under a second there); more, and it starts in a background process at build start.
MIN_BACKGROUND_STORIES = 500
#: The story inputs of the cached results, by cache key (story_inputs_from_cache).
STORY_INPUTS_FILE = "story-inputs.pickle"
#: Fewer dumps than this per process and the background worker loads the story inputs alone.
MIN_JOBS_PER_STORY_PROCESS = 2_000


@dataclass(frozen=True)
class Job:
    """One dump to process: its file and its path relative to the content directory."""

    path: str
    source: str


@dataclass
class PrefillStats:
    total: int = 0
    cached: int = 0
    computed: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)


def read_sidecar(path: Path) -> dict | None:
    """The editor's ``<stem>.meta.yaml`` beside a dump, if there is one (safe-loaded).

    Raises :class:`DumpRejected` when it is not a mapping, like the reader does.
    """
    side = path.with_name(path.name.rsplit(".", 1)[0] + ".meta.yaml")
    if not side.is_file():
        return None
    # Sidecars hold a title, a date, an author: they never need YAML aliases, so any
    # alias is refused (an anchors/aliases "billion laughs" bomb is rejected by name).
    doc = load_yaml(side, max_aliases=0)
    if not isinstance(doc, dict):
        raise DumpRejected(f"{side.name}: sidecar metadata must be a mapping")
    return doc


def find_dumps(
    content_dir: str | os.PathLike,
    paths: Iterable[str] = ("",),
    excludes: Iterable[str] = (),
    extensions: Iterable[str] = ("txt",),
    ignore_files: Iterable[str] = (".#*",),
) -> list[Job]:
    """Every dump Pelican's article generator will read, like its ``get_files``.

    ``paths`` and ``excludes`` are relative to ``content_dir`` (ARTICLE_PATHS,
    ARTICLE_EXCLUDES); ``ignore_files`` are glob patterns (IGNORE_FILES).
    """
    root = Path(content_dir).resolve()
    excluded = {str(Path(e)) for e in excludes}
    exts = tuple("." + e.lstrip(".") for e in extensions)
    ignore = tuple(ignore_files)
    jobs: dict[str, Job] = {}
    for sub in paths or ("",):
        start = root / sub if sub else root
        if start.is_file():
            candidates: Iterator[tuple[str, list[str], list[str]]] = iter(
                [(str(start.parent), [], [start.name])]
            )
        else:
            candidates = os.walk(start, followlinks=True)
        for dirpath, dirnames, filenames in candidates:
            rel_dir = Path(dirpath).relative_to(root)
            dirnames[:] = sorted(
                d
                for d in dirnames
                if str(rel_dir / d) not in excluded and not any(fnmatch.fnmatch(d, p) for p in ignore)
            )
            for name in sorted(filenames):
                if name.endswith(exts) and not any(fnmatch.fnmatch(name, p) for p in ignore):
                    source = (rel_dir / name).as_posix()
                    jobs.setdefault(source, Job(os.path.join(dirpath, name), source))
    return [jobs[k] for k in sorted(jobs)]


def load_job(job: Job) -> tuple[bytes, dict | None] | None:
    """The bytes and sidecar of a job, or ``None`` when the reader must decide (too large,
    unreadable, bad sidecar): the reader reports those with their reason."""
    path = Path(job.path)
    try:
        if path.stat().st_size > MAX_DUMP_BYTES:
            return None
        return path.read_bytes(), read_sidecar(path)
    except (OSError, DumpRejected, Exception):
        return None


def loaded_jobs(jobs: Iterable[Job]) -> Iterator[tuple[Job, bytes, dict | None]]:
    """(job, bytes, sidecar) of every job :func:`load_job` can load, in order."""
    for job in jobs:
        loaded = load_job(job)
        if loaded is not None:
            yield job, *loaded


def process_one(data: bytes, source: str, rules, sidecar: dict | None) -> tuple[str, object]:
    """Key and result of one dump (a :class:`DigestArticle` or a :class:`Rejection`)."""
    return cache_key(data, source, rules.version, sidecar), run_pipeline(data, source, rules, sidecar)


# -- process pool ----------------------------------------------------------------------
_worker: dict = {}


def _init_worker(data_dir: str | None, cache_dir: str) -> None:
    _worker["rules"] = load_rules(data_dir)
    _worker["cache"] = PipelineCache(cache_dir)


def _run_batch(jobs: list[Job]) -> tuple[int, int, list[str]]:
    """Worker side: process a batch and write each result to the cache."""
    rules, cache = _worker["rules"], _worker["cache"]
    done = rejected = 0
    errors = []
    for job, data, sidecar in loaded_jobs(jobs):
        try:
            key, result = process_one(data, job.source, rules, sidecar)
        except Exception as exc:  # the reader reports it again with its reason
            errors.append(f"{job.source}: {type(exc).__name__}: {exc}")
            continue
        cache.put(key, result)
        done += 1
        rejected += isinstance(result, Rejection)
    return done, rejected, errors


def job_key(job: Job, rules_version: str, index: KeyIndex | None = None) -> str | None:
    """The cache key of a job: from ``index`` while the file is unchanged, else from its
    bytes (then remembered in ``index``); None when :func:`load_job` cannot load it."""
    if index is None:
        loaded = load_job(job)
        return None if loaded is None else cache_key(loaded[0], job.source, rules_version, loaded[1])
    read_at = time.time_ns()
    stamp = dump_stamp(job.path)  # before reading: a write after it changes the stamp
    key = index.get(job.source, stamp)
    if key is None:
        loaded = load_job(job)
        if loaded is None:
            return None
        key = cache_key(loaded[0], job.source, rules_version, loaded[1])
        index.put(job.source, stamp, key, read_at)
    return key


def missing_jobs(
    jobs: Iterable[Job], cache: PipelineCache, rules_version: str, index: KeyIndex | None = None
) -> tuple[list[Job], int]:
    """The jobs whose result is not in the cache, and how many were cached."""
    todo, cached = [], 0
    for job in jobs:
        key = job_key(job, rules_version, index)
        if key is None:
            continue  # the reader reports it with its reason
        if cache.has(key):
            cached += 1
        else:
            todo.append(job)
    return todo, cached


def default_workers() -> int:
    return os.cpu_count() or 1


def configured_workers(settings: dict) -> int:
    """Processes a build may use: NEWS_DIGEST_WORKERS (default all cores), 1 without fork."""
    from . import settings as nd_settings

    if not hasattr(os, "fork"):
        return 1
    return max(1, int(nd_settings.get(settings, "NEWS_DIGEST_WORKERS") or default_workers()))


def prefill(
    jobs: list[Job],
    cache: PipelineCache,
    data_dir: str | os.PathLike | None = None,
    workers: int | None = None,
    batch_size: int = BATCH_SIZE,
    min_parallel: int = MIN_PARALLEL,
    index: KeyIndex | None = None,
) -> PrefillStats:
    """Process every job whose result is not cached, in ``workers`` processes.

    ``workers == 1`` (or fewer than ``min_parallel`` uncached dumps) runs serially in this
    process: same code, same results. With ``index``, the keys of unchanged dumps come
    from it (see :class:`~news_digest.cache.KeyIndex`); the caller saves it.
    """
    if not cache.enabled:
        raise ValueError("prefill needs an enabled PipelineCache (a directory)")
    rules = load_rules(data_dir)
    stats = PrefillStats(total=len(jobs))
    todo, stats.cached = missing_jobs(jobs, cache, rules.version, index)
    if not todo:
        return stats
    workers = max(1, workers or default_workers())
    data_arg = str(data_dir) if data_dir else None
    batches = [todo[i : i + batch_size] for i in range(0, len(todo), batch_size)]
    if workers == 1 or len(todo) < max(2, min_parallel):
        _init_worker(data_arg, str(cache.directory))
        results = [_run_batch(b) for b in batches]
    else:
        # Smaller batches when there is little work, so every worker gets some.
        if len(batches) < workers * 4:
            size = max(1, -(-len(todo) // (workers * 4)))
            batches = [todo[i : i + size] for i in range(0, len(todo), size)]
        with ProcessPoolExecutor(
            max_workers=min(workers, len(batches)),
            initializer=_init_worker,
            initargs=(data_arg, str(cache.directory)),
        ) as pool:
            results = [f.result() for f in as_completed([pool.submit(_run_batch, b) for b in batches])]
    for done, rejected, errors in results:
        stats.computed += done
        stats.rejected += rejected
        stats.errors.extend(errors)
    return stats


# -- story grouping in the background -------------------------------------------------
def story_inputs_from_cache(
    jobs: Sequence[Job],
    cache: PipelineCache,
    rules_version: str,
    processes: int = 1,
    index: KeyIndex | None = None,
) -> tuple[list, list[tuple[str, str]]]:
    """The story inputs of every dump whose cached result is an article, sorted by id (the
    order :meth:`DigestGenerator.compute_stories` uses), and those articles' (source,
    cache key) pairs.

    A result's story inputs are a pure function of it, so they are kept by cache key in
    ``<cache>/story-inputs.pickle``: a warm build loads only the digests of changed
    dumps (10,000 digests are ~2 s of CPU, taken from the build reading them at the same
    time). Those are loaded one by one, shared out over ``processes`` (forked, see
    :mod:`news_digest.forks`)."""
    from .forks import map_in_parts
    from .model import DigestArticle
    from .stories import story_inputs_from_articles

    memo_path = cache.directory / STORY_INPUTS_FILE if cache.directory is not None else None
    memo: dict[str, tuple[str, list] | None] = read_versioned_dict(memo_path, code_version())
    keyed = [(job, job_key(job, rules_version, index)) for job in jobs]
    todo = [(job, key) for job, key in keyed if key is not None and key not in memo]

    def inputs_of(part: Sequence[tuple[Job, str]]) -> dict[str, tuple[str, list] | None]:
        found: dict[str, tuple[str, list] | None] = {}
        for _job, key in part:
            result = cache.get(key)
            if isinstance(result, DigestArticle):
                found[key] = (result.source, story_inputs_from_articles([result]))
            elif isinstance(result, Rejection):
                found[key] = None
        return found

    new: dict[str, tuple[str, list] | None] = {}
    for part in map_in_parts(inputs_of, todo, processes, MIN_JOBS_PER_STORY_PROCESS, "story-inputs"):
        new.update(part)
    memo.update(new)
    inputs, digests = [], []
    for _job, key in keyed:
        entry = memo.get(key) if key is not None else None
        if entry is not None:
            inputs.extend(entry[1])
            digests.append((entry[0], key))
    if memo_path is not None and (new or len(memo) > len(keyed)):
        current = {key for _job, key in keyed}
        try:
            write_pickle_atomically(
                memo_path, (code_version(), {k: v for k, v in memo.items() if k in current})
            )
        except OSError:
            pass  # only the next build's shortcut is lost
    return sorted(inputs, key=lambda inp: inp.id), digests


def start_story_grouping(
    jobs: list[Job], cache: PipelineCache, rules, settings: dict, index: KeyIndex | None = None
) -> int | None:
    """Group the corpus' stories in a forked process while Pelican reads the articles.

    Grouping is global and costs seconds per thousand articles, but it needs only what
    the pipeline cache already holds once :func:`prefill` is done. The worker builds the
    same inputs as the build will (every published dump, sorted by id), and stores the
    grouping under their key (:func:`~news_digest.cache.save_stories`) unless it is
    stored already. The build waits for it before it looks the grouping up, and groups
    itself when the key differs (a dump Pelican did not publish): never a stale result,
    at worst the same work as without it. Returns the worker's pid (None without fork).
    """
    if not hasattr(os, "fork") or not cache.enabled:
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 0  # pragma: no cover - runs in the forked worker
    # What this worker inherits is the build's, never its garbage: frozen, its collections
    # do not write to those objects, so their pages stay shared with the build.
    gc.freeze()
    try:
        from .cache import stored_or_grouped_stories, stories_digests_id
        from .stories import StorySettings

        story_settings = StorySettings.from_settings(settings)
        processes = configured_workers(settings)
        inputs, digests = story_inputs_from_cache(jobs, cache, rules.version, processes, index)
        stored_or_grouped_stories(
            cache.directory,
            stories_digests_id(digests, story_settings),
            lambda: inputs,
            story_settings,
            processes,
        )
    except BaseException:
        logging.getLogger(__name__).debug("news-digest: background story grouping failed", exc_info=True)
        code = 1
    finally:
        os._exit(code)
