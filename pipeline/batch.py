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
from pipeline.config import PipelineConfig
from pipeline.inputs import count_documents, expand, read_inputs
from pipeline.outputs import RunWriter
from pipeline.progress import Progress
from pipeline.rules import file_sha256
from pipeline.runner import Timings, process
from pipeline.stages.base import Stage


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
    show_progress: bool = True,
    argv: Sequence[str] = (),
) -> RunSummary:
    started = time.perf_counter()
    created = datetime.now(timezone.utc)
    files = expand(inputs)
    progress = Progress(count_documents(files), enabled=show_progress)
    writer = RunWriter(out_dir, [s.name for s in stages])
    timings = Timings()
    input_hash = hashlib.sha256()
    try:
        for outcome in process(read_inputs(files), stages, timings):
            doc_id = outcome.document.doc_id if outcome.document else outcome.error.doc_id
            input_hash.update(f"{doc_id}\t{outcome.record_sha256}\n".encode("utf-8"))
            if outcome.document is not None:
                writer.add_document(outcome.document, outcome.record_sha256)
            else:
                writer.add_error(outcome.error.to_dict())
            progress.update(failed=outcome.error is not None)
    except BaseException:
        writer.abort()
        raise
    finally:
        progress.close()
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
        "counts": {
            "documents": summary.documents,
            "failed": summary.failed,
            "facts": summary.facts,
            "edits": summary.edits,
        },
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


