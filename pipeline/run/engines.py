"""Where documents are processed: in this process, in a process pool, or on Dask.

Every engine yields outcomes in input order, so the run folder is the same
whichever engine made it. Workers build the stages once (rules, models) and
keep them for every document they get.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from itertools import islice
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.run.budget import HARD_GRACE
from pipeline.run.inputs import InputError, InputRecord
from pipeline.run.runner import Outcome, Pipeline
from pipeline.run.threads import blas_environment

Item = InputRecord | InputError


@dataclass(frozen=True)
class PipelineSpec:
    """Everything a worker needs to build the same pipeline as the parent."""

    rules_dir: Path
    stage_names: tuple[str, ...]
    cache_path: Path | None
    cache_dir: Path | None
    timeout: float | None = None  # seconds per document (run/budget.py)

    def build(self) -> Pipeline:
        from pipeline.run.cache import StageCache
        from pipeline.run.config import load_config
        from pipeline.stages.registry import KNOWN_STAGES, build_stages

        config = load_config(self.rules_dir, tuple(KNOWN_STAGES))
        stages = build_stages(config, self.stage_names, cache_dir=self.cache_dir)
        cache = StageCache(self.cache_path) if self.cache_path else None
        return Pipeline(stages, cache, self.timeout)


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


def _worker_main(spec: PipelineSpec, conn: Connection) -> None:
    """A pool worker: build the pipeline once, then process what the parent sends until it sends None."""
    try:
        pipeline = spec.build()
    except BaseException as exc:  # noqa: BLE001 - the parent must hear why, then fail the run
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    committed = time.monotonic()
    try:
        while (message := conn.recv()) is not None:
            seq, item = message
            outcome = _for_parent(pipeline.process_one(item))
            # Commit the cache about once a second, not per document (a killed worker loses at
            # most that much cache, never output), and always before waiting: an open write
            # transaction would block the other workers' writes while this one sits idle.
            if pipeline.cache and (time.monotonic() - committed > 1.0 or not conn.poll()):
                pipeline.cache.commit()
                committed = time.monotonic()
            conn.send((seq, outcome))
    except (EOFError, OSError, KeyboardInterrupt):
        pass  # the parent went away or is stopping the run
    finally:
        if pipeline.cache:
            pipeline.cache.close()


class WorkerStartError(RuntimeError):
    """A pool worker could not build the pipeline: the run cannot go on."""


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    held: deque = field(default_factory=deque)  # (seq, item) sent, oldest (the one running) first
    ready: bool = False
    since: float = 0.0  # when the document at the head of `held` started

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.process.join(5 if not kill else None)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class _Supervisor:
    """Worker processes fed one document at a time (two in flight each), watched by the parent.

    A worker that dies (killed, out of memory, a crash in a C library) is replaced; the document it
    was running is recorded as failed (`WorkerDied`) and the ones queued behind it go to another
    worker. A worker that overruns the time budget by HARD_GRACE without its own timer stopping the
    document is killed the same way and the document recorded as `DocumentTimeout`.
    """

    DEPTH = 2  # documents queued per worker: the next one is there when the current one ends
    MAX_START_FAILURES = 3

    def __init__(self, spec: PipelineSpec, jobs: int):
        # forkserver: workers start from a clean process, not a fork of a parent
        # whose library threads (pyarrow's) may hold locks.
        self.ctx = multiprocessing.get_context("forkserver")
        self.spec = spec
        self.grace = HARD_GRACE
        self.limit = spec.timeout + self.grace if spec.timeout else None
        self.workers = [self._start() for _ in range(jobs)]
        self.start_failures = 0

    def _start(self) -> _Worker:
        parent, child = self.ctx.Pipe()
        process = self.ctx.Process(target=_worker_main, args=(self.spec, child), daemon=True,
                                   name="pipeline-worker")
        with blas_environment():  # one BLAS thread per worker (run/threads.py)
            process.start()
        child.close()
        return _Worker(process, parent)

    def close(self) -> None:
        for w in self.workers:
            w.stop(kill=bool(w.held))

    def run(self, items: Iterable[Item]) -> Iterator[Outcome]:
        source = enumerate(items)
        retry: deque = deque()  # (seq, item) taken back from a worker that died
        results: dict[int, Outcome] = {}
        next_seq = 0
        exhausted = False
        # Bounded look-ahead: one slow document holds back at most this many finished ones.
        window = len(self.workers) * self.DEPTH * 4
        while True:
            while next_seq in results:
                yield results.pop(next_seq)
                next_seq += 1
            in_flight = sum(len(w.held) for w in self.workers)
            if exhausted and not retry and not in_flight and not results:
                return
            for w in self.workers:
                while w.ready and len(w.held) < self.DEPTH and len(results) + in_flight < window:
                    if retry:
                        seq, item = retry.popleft()
                    elif exhausted:
                        break
                    else:
                        try:
                            seq, item = next(source)
                        except StopIteration:
                            exhausted = True
                            break
                        if isinstance(item, InputError):
                            results[seq] = Outcome(None, error=item)
                            continue
                    if not w.held:
                        w.since = time.monotonic()
                    w.conn.send((seq, item))
                    w.held.append((seq, item))
                    in_flight += 1
            if next_seq in results:
                continue
            self._wait(results, retry)

    def _wait(self, results: dict[int, Outcome], retry: deque) -> None:
        waits = {w.conn: w for w in self.workers}
        waits.update({w.process.sentinel: w for w in self.workers})
        timeout = None
        if self.limit:
            busy = [w.since + self.limit for w in self.workers if w.held]
            if busy:
                timeout = max(0.0, min(busy) - time.monotonic())
        for ready in wait(list(waits), timeout):
            w = waits[ready]
            if w not in self.workers:
                continue  # replaced earlier in this round
            if ready is w.conn:
                try:
                    message = w.conn.recv()
                except (EOFError, OSError):
                    self._replace(w, results, retry, died=True)
                    continue
                self._receive(w, message, results)
            else:
                self._replace(w, results, retry, died=True)
        if self.limit:
            now = time.monotonic()
            for w in list(self.workers):
                if w.held and now - w.since > self.limit:
                    self._replace(w, results, retry, died=False)

    def _receive(self, w: _Worker, message: tuple, results: dict[int, Outcome]) -> None:
        seq, payload = message
        if seq == "failed":
            raise WorkerStartError(f"a worker could not build the pipeline: {payload}")
        if seq == "ready":
            w.ready = True
            self.start_failures = 0
            w.since = time.monotonic()
            return
        held_seq, _ = w.held.popleft()
        assert held_seq == seq, (held_seq, seq)
        results[seq] = payload
        w.since = time.monotonic()

    def _replace(self, w: _Worker, results: dict[int, Outcome], retry: deque, died: bool) -> None:
        """Record the document `w` was running as failed, hand back the rest, start a new worker."""
        if died:
            # It may have sent results before dying: take them first.
            try:
                while w.conn.poll():
                    self._receive(w, w.conn.recv(), results)
            except (EOFError, OSError):
                pass
        w.stop(kill=True)
        code = w.process.exitcode
        if not w.ready:
            self.start_failures += 1
            if self.start_failures >= self.MAX_START_FAILURES:
                raise WorkerStartError(f"pool workers keep dying while starting (exit code {code})")
        if w.held:
            seq, item = w.held.popleft()
            if died:
                how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                error = InputError(item.doc_id, item.source, "WorkerDied",
                                   f"the worker process running this document died ({how}); "
                                   "the run went on with a new worker", stage="pipeline")
            else:
                error = InputError(item.doc_id, item.source, "DocumentTimeout",
                                   f"the worker running this document did not finish within its time budget "
                                   f"of {self.spec.timeout:g} s plus {self.grace:g} s and was killed",
                                   stage="pipeline")
            results[seq] = Outcome(item.sha256, error=error)
            retry.extendleft(reversed(w.held))
        self.workers[self.workers.index(w)] = self._start()


def run_pool(spec: PipelineSpec, items: Iterable[Item], jobs: int) -> Iterator[Outcome]:
    supervisor = _Supervisor(spec, jobs)
    try:
        yield from supervisor.run(items)
    finally:
        supervisor.close()


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


def _dask_outcomes(future, chunk: list[Item]) -> list[Outcome]:
    """The batch's outcomes; if Dask lost it (workers killed while running it, past Dask's
    allowed failures), each of its documents is recorded as failed and the run goes on."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - KilledWorker and whatever a lost worker raises
        return [Outcome(None, error=item) if isinstance(item, InputError) else
                Outcome(item.sha256, error=InputError(
                    item.doc_id, item.source, "WorkerDied",
                    f"Dask could not run this document's batch: {type(exc).__name__}: {exc}", stage="pipeline"))
                for item in chunk]


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
            pending.append((client.submit(_dask_batch, chunk, pure=False), chunk))
            if len(pending) >= limit:
                yield from _dask_outcomes(*pending.pop(0))
        for future, chunk in pending:
            yield from _dask_outcomes(future, chunk)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
