"""A whole run: inputs in, run folder out, with a manifest of what made it."""

from __future__ import annotations

import hashlib
import platform
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Iterable, Sequence

from pipeline import __version__
from pipeline.run.budget import DEFAULT_SECONDS
from pipeline.run.config import PipelineConfig
from pipeline.run.dedup import grouper_for
from pipeline.run.inputs import DEFAULT_MAX_BYTES, count_documents, expand, read_inputs
from pipeline.run.lock import RunLock
from pipeline.run.outputs import RunWriter, check_out_dir
from pipeline.run.progress import Progress
from pipeline.core.rules import file_sha256
from pipeline.run.cache import StageCache
from pipeline.run.engines import PipelineSpec, run_dask, run_local, run_pool
from pipeline.run.runner import Outcome, Pipeline, Timings
from pipeline.core.stage import Stage


@dataclass(frozen=True)
class RunSummary:
    out_dir: Path
    documents: int
    failed: int
    facts: int
    edits: int
    seconds: float


def run_batch(
    inputs: Sequence[str],
    out_dir: Path,
    config: PipelineConfig,
    stages: list[Stage],
    *,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    cache_path: Path | None = None,
    show_progress: bool = True,
    argv: Sequence[str] = (),
    lock: bool = True,
    timeout: float | None = DEFAULT_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RunSummary:
    """Run `stages` over `inputs` into `out_dir`.

    `stages` are built in this process (for jobs=1, and for the manifest);
    other engines build the same ones in each worker. With `cache_path`, stage
    results are reused from, and saved to, that cache; that is also what makes
    a killed run resume without redoing finished documents.

    The run holds `out_dir`'s lock (RunFolderLocked if another run does);
    `lock=False` when the caller already holds it. `timeout`: seconds per
    document (run/budget.py); a document over it is recorded as failed, as is
    one larger than `max_bytes` of input (run/inputs.py). A cache path that is not
    this tool's cache (ForeignCacheError) or a run folder file that is not this
    tool's (OutputError) stops the run before anything in the folder changes.
    """
    if not lock:
        return _run_batch(inputs, out_dir, config, stages, jobs, engine, scheduler, cache_path,
                          show_progress, argv, timeout, max_bytes)
    with RunLock(out_dir):
        return _run_batch(inputs, out_dir, config, stages, jobs, engine, scheduler, cache_path,
                          show_progress, argv, timeout, max_bytes)


def _run_batch(inputs, out_dir, config, stages, jobs, engine, scheduler, cache_path, show_progress, argv,
               timeout, max_bytes):
    started = time.perf_counter()
    created = datetime.now(timezone.utc)
    check_out_dir(out_dir)
    if cache_path:
        # Identify (or create, or rebuild) the cache here, once, before the
        # folder changes and before workers share it.
        StageCache(cache_path).close()
    files = expand(inputs)
    total = count_documents(files, max_bytes)
    writer = RunWriter(out_dir, [s.name for s in stages], grouper_for(stages))
    progress = Progress(total, enabled=show_progress)
    tally = _Tally(stages)
    outcomes = None
    try:
        outcomes = _start(stages, config, read_inputs(files, max_bytes), engine, jobs, total, scheduler, cache_path,
                          timeout)
        for outcome in outcomes:
            if outcome.document is not None:
                writer.add_document(outcome.document, outcome.record_sha256)
            else:
                writer.add_error(outcome.error.to_dict())
            tally.add(outcome)
            progress.update(failed=outcome.error is not None)
    except BaseException:
        writer.abort()
        raise
    finally:
        progress.close()
        close = getattr(outcomes, "close", None)
        if close:
            close()
    summary = RunSummary(
        out_dir=out_dir,
        documents=writer.documents.count,
        failed=writer.errors.count,
        facts=writer.facts.count,
        edits=writer.edits.count,
        seconds=time.perf_counter() - started,
    )
    manifest = _manifest(summary, tally, created, argv, config, stages, inputs, len(files),
                         {"name": engine, "jobs": jobs, "scheduler": scheduler,
                          "cache": str(cache_path) if cache_path else None, "timeout": timeout,
                          "max_bytes": max_bytes})
    try:
        writer.commit(manifest)
    except BaseException:
        writer.abort()
        raise
    return summary


def _start(stages, config, items, engine, jobs, total, scheduler, cache_path, timeout) -> Iterable[Outcome]:
    """The outcomes of the engine the run asked for, in input order."""
    spec = PipelineSpec(config.rules_dir, tuple(s.name for s in stages), cache_path,
                        stages[0].cache_dir if stages else None, timeout)
    if engine == "dask":
        return run_dask(spec, items, scheduler, jobs)
    if jobs > 1 and total > jobs:
        return run_pool(spec, items, jobs)
    return run_local(Pipeline(stages, StageCache(cache_path) if cache_path else None, timeout), items)


class _Tally:
    """What the manifest says about the outcomes: input hash, stage timings, cache reuse."""

    def __init__(self, stages: Sequence[Stage]):
        self.stages = stages
        self.input_hash = hashlib.sha256()
        self.timings = Timings()
        self.reused = {s.name: 0 for s in stages}

    def add(self, outcome: Outcome) -> None:
        doc_id = outcome.document.doc_id if outcome.document else outcome.error.doc_id
        self.input_hash.update(f"{doc_id}\t{outcome.record_sha256}\n".encode("utf-8"))
        for name, seconds in outcome.timings.items():
            self.timings.add(name, seconds)
        for s in self.stages[: outcome.cached]:
            self.reused[s.name] += 1


def _manifest(summary, tally, created, argv, config, stages, inputs, files, engine) -> dict:
    return {
        "run_id": f"{created:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        "created_at": created.isoformat(timespec="seconds"),
        "command": list(argv),
        "package": {"name": "zh-news-pipeline", "version": __version__},
        "python": platform.python_version(),
        "libraries": {name: package_version(name) for name in ("opencc", "pyarrow")},
        "rules_dir": str(config.rules_dir),
        "rule_files": rule_file_hashes(config.rules_dir),
        "stages": [s.describe() for s in stages],
        "inputs": {"paths": list(inputs), "files": files, "sha256": tally.input_hash.hexdigest()},
        "engine": engine,
        "counts": {
            "documents": summary.documents,
            "failed": summary.failed,
            "facts": summary.facts,
            "edits": summary.edits,
        },
        "cache": {"reused": tally.reused},
        "timings": {
            "stages": {k: round(v, 4) for k, v in tally.timings.seconds.items()},
            "total": round(summary.seconds, 4),
        },
    }


def rule_file_hashes(rules_dir: Path) -> dict[str, str]:
    return {
        p.relative_to(rules_dir).as_posix(): file_sha256(p)
        for p in sorted(rules_dir.rglob("*"))
        if p.is_file()
    }


