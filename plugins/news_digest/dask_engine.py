"""Run the pure pipeline on a Dask cluster and write the pipeline cache Pelican reads.

For archives larger than one machine builds comfortably: the client (the machine that
will run ``pelican``) reads the dumps, ships their bytes in batches to the cluster's
workers, which run decode → clean → metadata → taxonomy (:func:`parallel.process_one`),
and writes each result into its local :class:`~news_digest.cache.PipelineCache`. Workers
need no shared file system, only the same news-digest version installed (checked: a
worker whose code hash differs is refused, since its results would be keyed wrongly).

Requires the optional extra ``dask`` (``pip install 'news-digest[dask]'``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from .cache import PipelineCache, Rejection, code_version
from .parallel import BATCH_SIZE, Job, PrefillStats, load_job, missing_jobs, process_one
from .rules import Rules, load_rules

#: Batches in flight per worker thread: keeps the cluster busy with bounded client memory.
INFLIGHT_PER_THREAD = 2


class CodeVersionMismatch(RuntimeError):
    """A Dask worker runs different news-digest code than the client."""


def run_batch(payload: list[tuple[str, bytes, dict | None]], rules: Rules) -> tuple[str, list]:
    """Worker side: (worker code version, [(source, key, result or error), ...])."""
    out = []
    for source, data, sidecar in payload:
        try:
            key, result = process_one(data, source, rules, sidecar)
            out.append((source, key, result))
        except Exception as exc:  # reported; the Pelican reader will report it again
            out.append((source, None, f"{type(exc).__name__}: {exc}"))
    return code_version(), out


def _payloads(jobs: list[Job], batch_size: int) -> Iterator[list[tuple[str, bytes, dict | None]]]:
    batch = []
    for job in jobs:
        loaded = load_job(job)
        if loaded is None:
            continue
        batch.append((job.source, loaded[0], loaded[1]))
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def process_with_dask(
    jobs: list[Job],
    cache: PipelineCache,
    data_dir: str | os.PathLike | None = None,
    scheduler: str | None = None,
    client=None,
    batch_size: int = BATCH_SIZE,
) -> PrefillStats:
    """Process every uncached job on Dask and store the results in ``cache``.

    Pass an existing ``client``, or a ``scheduler`` address ("tcp://host:8786"); with
    neither, a LocalCluster on this machine is started (and closed) for the run.
    """
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_as_completed

    if not cache.enabled:
        raise ValueError("process_with_dask needs an enabled PipelineCache (a directory)")
    rules = load_rules(data_dir)
    stats = PrefillStats(total=len(jobs))
    todo, stats.cached = missing_jobs(jobs, cache, rules.version)
    if not todo:
        return stats
    own_client = client is None
    cluster = None
    if own_client:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(processes=True, dashboard_address=None)
            client = Client(cluster)
    try:
        [rules_future] = client.scatter([rules], broadcast=True)
        threads = max(1, sum(client.nthreads().values()))
        window = threads * INFLIGHT_PER_THREAD
        payloads = _payloads(todo, batch_size)
        running = dask_as_completed()
        for payload in payloads:
            running.add(client.submit(run_batch, payload, rules_future, pure=False))
            if running.count() >= window:
                break
        mine = code_version()
        for future in running:
            worker_version, results = future.result()
            future.release()
            if worker_version != mine:
                raise CodeVersionMismatch(
                    f"a Dask worker runs news-digest code {worker_version}, this client {mine}: "
                    "install the same version on every worker"
                )
            for source, key, result in results:
                if key is None:
                    stats.errors.append(f"{source}: {result}")
                    continue
                cache.put(key, result)
                stats.computed += 1
                stats.rejected += isinstance(result, Rejection)
            nxt = next(payloads, None)
            if nxt is not None:
                running.add(client.submit(run_batch, nxt, rules_future, pure=False))
    finally:
        if own_client:
            client.close()
            if cluster is not None:
                cluster.close()
    return stats
