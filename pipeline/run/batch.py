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
from typing import Sequence

from pipeline import __version__
from pipeline.run.config import PipelineConfig
from pipeline.run.inputs import count_documents, expand, read_inputs
from pipeline.run.outputs import RunWriter
from pipeline.run.progress import Progress
from pipeline.core.rules import file_sha256
from pipeline.run.cache import StageCache
from pipeline.run.engines import PipelineSpec, run_dask, run_local, run_pool
from pipeline.run.runner import Pipeline, Timings
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
) -> RunSummary:
    """Run `stages` over `inputs` into `out_dir`.

    `stages` are built in this process (for jobs=1, and for the manifest);
    other engines build the same ones in each worker. With `cache_path`, stage
    results are reused from, and saved to, that cache; that is also what makes
    a killed run resume without redoing finished documents.
    """
    started = time.perf_counter()
    created = datetime.now(timezone.utc)
    files = expand(inputs)
    total = count_documents(files)
    progress = Progress(total, enabled=show_progress)
    writer = RunWriter(out_dir, [s.name for s in stages])
    timings = Timings()
    reused = {s.name: 0 for s in stages}
    input_hash = hashlib.sha256()
    spec = PipelineSpec(config.rules_dir, tuple(s.name for s in stages), cache_path,
                        stages[0].cache_dir if stages else None)
    if cache_path:
        # Validate (or rebuild) the cache here, once, before workers share it.
        StageCache(cache_path).close()
    items = read_inputs(files)
    if engine == "dask":
        outcomes = run_dask(spec, items, scheduler, jobs)
    elif jobs > 1 and total > jobs:
        outcomes = run_pool(spec, items, jobs)
    else:
        outcomes = run_local(Pipeline(stages, StageCache(cache_path) if cache_path else None), items)
    try:
        for outcome in outcomes:
            doc_id = outcome.document.doc_id if outcome.document else outcome.error.doc_id
            input_hash.update(f"{doc_id}\t{outcome.record_sha256}\n".encode("utf-8"))
            if outcome.document is not None:
                writer.add_document(outcome.document, outcome.record_sha256)
            else:
                writer.add_error(outcome.error.to_dict())
            for name, seconds in outcome.timings.items():
                timings.add(name, seconds)
            for s in stages[: outcome.cached]:
                reused[s.name] += 1
            progress.update(failed=outcome.error is not None)
    except BaseException:
        writer.abort()
        raise
    finally:
        progress.close()
        close = getattr(outcomes, "close", None)
        if close:
            close()
    seconds = time.perf_counter() - started
    summary = RunSummary(
        out_dir=out_dir,
        documents=writer.documents.count,
        failed=writer.errors.count,
        facts=writer.facts.count,
        edits=writer.edits.count,
        seconds=seconds,
    )
    manifest = {
        "run_id": f"{created:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        "created_at": created.isoformat(timespec="seconds"),
        "command": list(argv),
        "package": {"name": "zh-news-pipeline", "version": __version__},
        "python": platform.python_version(),
        "libraries": {name: package_version(name) for name in ("opencc", "pyarrow")},
        "rules_dir": str(config.rules_dir),
        "rule_files": rule_file_hashes(config.rules_dir),
        "stages": [s.describe() for s in stages],
        "inputs": {"paths": list(inputs), "files": len(files), "sha256": input_hash.hexdigest()},
        "engine": {"name": engine, "jobs": jobs, "scheduler": scheduler,
                   "cache": str(cache_path) if cache_path else None},
        "counts": {
            "documents": summary.documents,
            "failed": summary.failed,
            "facts": summary.facts,
            "edits": summary.edits,
        },
        "cache": {"reused": reused},
        "timings": {
            "stages": {k: round(v, 4) for k, v in timings.seconds.items()},
            "total": round(seconds, 4),
        },
    }
    writer.commit(manifest)
    return summary


def rule_file_hashes(rules_dir: Path) -> dict[str, str]:
    return {
        p.relative_to(rules_dir).as_posix(): file_sha256(p)
        for p in sorted(rules_dir.rglob("*"))
        if p.is_file()
    }


