"""Where documents are processed: in this process, in a process pool, or on Dask.

Every engine yields outcomes in input order, so the run folder is the same
whichever engine made it. Workers build the stages once (rules, models) and
keep them for every document they get.
"""

from __future__ import annotations

import multiprocessing
import threading
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.run.inputs import InputError, InputRecord
from pipeline.run.runner import Outcome, Pipeline

Item = InputRecord | InputError


@dataclass(frozen=True)
class PipelineSpec:
    """Everything a worker needs to build the same pipeline as the parent."""

    rules_dir: Path
    stage_names: tuple[str, ...]
    cache_path: Path | None
    cache_dir: Path | None

    def build(self) -> Pipeline:
        from pipeline.run.cache import StageCache
        from pipeline.run.config import load_config
        from pipeline.stages.registry import KNOWN_STAGES, build_stages

        config = load_config(self.rules_dir, tuple(KNOWN_STAGES))
        stages = build_stages(config, self.stage_names, cache_dir=self.cache_dir)
        cache = StageCache(self.cache_path) if self.cache_path else None
        return Pipeline(stages, cache)


def run_local(pipeline: Pipeline, items: Iterable[Item]) -> Iterator[Outcome]:
    try:
        for item in items:
            yield pipeline.process_one(item)
    finally:
        if pipeline.cache:
            pipeline.cache.close()


# --- process pool -------------------------------------------------------------

def _for_parent(outcome: Outcome) -> Outcome:
    """Drop what the run folder does not hold (tokens, sentences) before pickling back."""
    if outcome.document is None or not (outcome.document.tokens or outcome.document.sentences):
        return outcome
    return replace(outcome, document=replace(outcome.document, tokens=(), sentences=()))


def _init_worker(spec: PipelineSpec) -> None:
    # The worker's process object is its only per-worker slot; keeping the
    # pipeline there avoids a module-level global.
    multiprocessing.current_process().zh_news_pipeline = spec.build()


def _work_batch(items: list[Item]) -> list[Outcome]:
    pipeline = multiprocessing.current_process().zh_news_pipeline
    outcomes = [_for_parent(pipeline.process_one(item)) for item in items]
    if pipeline.cache:
        pipeline.cache.commit()
    return outcomes


def run_pool(spec: PipelineSpec, items: Iterable[Item], jobs: int, batch: int = 8) -> Iterator[Outcome]:
    # forkserver: workers start from a clean process, not a fork of a parent
    # whose library threads (pyarrow's) may hold locks.
    ctx = multiprocessing.get_context("forkserver")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(spec,)) as pool:
        for outcomes in pool.imap(_work_batch, _batches(items, batch)):
            yield from outcomes


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


# --- Dask ---------------------------------------------------------------------


class _PipelinePlugin:
    """Builds the pipeline once on each Dask worker, as the worker starts."""

    name = "zh-news-pipeline"

    def __init__(self, spec: PipelineSpec):
        self.spec = spec

    def setup(self, worker) -> None:
        worker.zh_news_pipeline = self.spec.build()
        # Stages and the cache are not thread-safe; a worker with several
        # threads runs one batch at a time.
        worker.zh_news_lock = threading.Lock()

    def teardown(self, worker) -> None:
        pipeline = getattr(worker, "zh_news_pipeline", None)
        if pipeline is not None and pipeline.cache:
            pipeline.cache.close()


def _dask_batch(items: list[Item]) -> list[Outcome]:
    from distributed import get_worker

    worker = get_worker()
    with worker.zh_news_lock:
        pipeline = worker.zh_news_pipeline
        outcomes = [_for_parent(pipeline.process_one(item)) for item in items]
        if pipeline.cache:
            pipeline.cache.commit()
    return outcomes


def run_dask(
    spec: PipelineSpec,
    items: Iterable[Item],
    scheduler: str | None,
    jobs: int,
    batch: int = 32,
    in_flight: int | None = None,
) -> Iterator[Outcome]:
    """Partition the input into batches, keep a bounded number in flight, yield in order."""
    from distributed import Client, LocalCluster, WorkerPlugin

    plugin = type("PipelinePlugin", (_PipelinePlugin, WorkerPlugin), {})(spec)
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        client.register_plugin(plugin)
        limit = in_flight or 4 * max(1, len(client.scheduler_info()["workers"]))
        pending = []
        for chunk in _batches(items, batch):
            pending.append(client.submit(_dask_batch, chunk, pure=False))
            if len(pending) >= limit:
                yield from pending.pop(0).result()
        for future in pending:
            yield from future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
