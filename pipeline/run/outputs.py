"""The run folder: parquet and JSONL tables, the manifest, written atomically.

Tables stream to temporary files in row groups and are renamed into place
when the run finishes, so a run folder never holds a half-written table.
Rows are written in input order with fixed schemas, so the same input and
rules give byte-identical files.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.core.document import Document, Fact, apply_edits

ROW_GROUP = 500

_ARROW = {"string": pa.string(), "float": pa.float64()}
# Input metadata (JSONL fields) that has a column even when no stage assigns it.
INPUT_META = {"title": "string", "published_at": "string", "url": "string"}


def _stage_columns() -> tuple[tuple[str, ...], dict[str, str]]:
    """From what every known stage declares it assigns: the text-changing stages (one
    `edits_<stage>` column each, null when the stage did not run) and the metadata
    columns with their types, in pipeline order. All known stages, not the ones a run
    selects, so every run folder has the same schema."""
    from pipeline.stages.registry import KNOWN_STAGES

    text_stages = tuple(name for name, cls in KNOWN_STAGES.items() if cls.assigns.layer)
    meta: dict[str, str] = {}
    for cls in KNOWN_STAGES.values():
        for key, kind in cls.assigns.meta.items():
            meta.setdefault(key, kind)
    for key, kind in INPUT_META.items():
        meta.setdefault(key, kind)
    return text_stages, meta


TEXT_STAGES, META_COLUMNS = _stage_columns()

DOCUMENT_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source", pa.string()),
        ("input_sha256", pa.string()),
        *[(key, _ARROW[kind]) for key, kind in META_COLUMNS.items()],
        ("text", pa.string()),
        ("original", pa.string()),
        ("chars", pa.int64()),
        ("flags", pa.string()),
        *[(f"edits_{s}", pa.int64()) for s in TEXT_STAGES],
    ]
)

FACT_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("fact_id", pa.string()),
        ("type", pa.string()),
        ("text", pa.string()),
        ("value", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("orig_start", pa.int64()),
        ("orig_end", pa.int64()),
        ("sentence", pa.int64()),
        ("rule_id", pa.string()),
        ("rule_version", pa.int64()),
        ("extractor", pa.string()),
        ("confidence", pa.float64()),
    ]
)

EDIT_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("stage", pa.string()),
        ("layer", pa.int64()),
        ("rule_id", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("before", pa.string()),
        ("after", pa.string()),
        ("orig_start", pa.int64()),
        ("orig_end", pa.int64()),
    ]
)


def document_row(doc: Document, input_sha256: str | None, stages: Iterable[str]) -> dict[str, Any]:
    ran = set(stages)
    per_stage = {s: 0 for s in TEXT_STAGES if s in ran}
    for layer in doc.layers:
        per_stage[layer.stage] = per_stage.get(layer.stage, 0) + len(layer.edits)
    return {
        "doc_id": doc.doc_id,
        "source": doc.source,
        "input_sha256": input_sha256,
        **{k: doc.meta.get(k) for k in META_COLUMNS},
        "text": doc.text,
        "original": doc.original,
        "chars": len(doc.text),
        "flags": json.dumps(dict(sorted(doc.flags.items())), ensure_ascii=False),
        **{f"edits_{s}": per_stage.get(s) for s in TEXT_STAGES},
    }


def fact_record(fact: Fact) -> dict[str, Any]:
    """A fact as a plain dict, `value` as an object (the facts.jsonl form)."""
    return {
        "doc_id": fact.doc_id,
        "fact_id": fact.fact_id,
        "type": fact.type,
        "text": fact.text,
        "value": dict(fact.value),
        "start": fact.start,
        "end": fact.end,
        "orig_start": fact.orig_start,
        "orig_end": fact.orig_end,
        "sentence": fact.sentence,
        "rule_id": fact.rule_id,
        "rule_version": fact.rule_version,
        "extractor": fact.extractor,
        "confidence": fact.confidence,
    }


def edit_rows(doc: Document) -> list[dict[str, Any]]:
    """Every edit of every layer, with its text before and after, mapped to the original."""
    rows = []
    text = doc.original
    for index, layer in enumerate(doc.layers):
        for e in layer.edits:
            orig = _layer_span_to_original(doc, index, e.start, e.end)
            rows.append({
                "doc_id": doc.doc_id,
                "stage": layer.stage,
                "layer": index,
                "rule_id": e.rule_id,
                "start": e.start,
                "end": e.end,
                "before": text[e.start : e.end],
                "after": e.replacement,
                "orig_start": orig[0],
                "orig_end": orig[1],
            })
        text = apply_edits(text, layer.edits)
    return rows


def _layer_span_to_original(doc: Document, index: int, start: int, end: int) -> tuple[int, int]:
    for layer in reversed(doc.layers[:index]):
        start, end = layer.to_input(start, end)
    return start, end


class _ParquetTable:
    def __init__(self, path: Path, schema: pa.Schema):
        self.path = path
        self.schema = schema
        self.rows: list[dict[str, Any]] = []
        self.count = 0
        self._tmp = _temp_path(path)
        self._writer = pq.ParquetWriter(self._tmp, schema, compression="zstd")

    def add(self, rows: list[dict[str, Any]]) -> None:
        self.rows.extend(rows)
        self.count += len(rows)
        if len(self.rows) >= ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            self._writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def commit(self) -> None:
        self._flush()
        self._writer.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._writer.close()
        self._tmp.unlink(missing_ok=True)


class _JsonlTable:
    def __init__(self, path: Path):
        self.path = path
        self.count = 0
        self._tmp = _temp_path(path)
        self._fh = self._tmp.open("w", encoding="utf-8", newline="\n")

    def add(self, records: list[dict[str, Any]]) -> None:
        for r in records:
            self._fh.write(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n")
        self.count += len(records)

    def commit(self) -> None:
        self._fh.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._fh.close()
        self._tmp.unlink(missing_ok=True)


def _temp_path(path: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    # mkstemp makes the file private; outputs get the usual permissions.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)
    return Path(name)


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = _temp_path(path)
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


class RunWriter:
    """Streams documents, facts, edits and errors into a run folder."""

    def __init__(self, out_dir: Path, stages: Iterable[str]):
        out_dir.mkdir(parents=True, exist_ok=True)
        for stale in out_dir.glob(".*.tmp"):  # left by a run that was killed
            stale.unlink()
        self.out_dir = out_dir
        self.stages = tuple(stages)
        self.documents = _ParquetTable(out_dir / "documents.parquet", DOCUMENT_SCHEMA)
        self.facts = _ParquetTable(out_dir / "facts.parquet", FACT_SCHEMA)
        self.facts_jsonl = _JsonlTable(out_dir / "facts.jsonl")
        self.edits = _ParquetTable(out_dir / "edits.parquet", EDIT_SCHEMA)
        self.errors = _JsonlTable(out_dir / "errors.jsonl")
        self._tables = (self.documents, self.facts, self.facts_jsonl, self.edits, self.errors)

    def add_document(self, doc: Document, input_sha256: str | None) -> None:
        self.documents.add([document_row(doc, input_sha256, self.stages)])
        records = [fact_record(f) for f in doc.facts]
        self.facts_jsonl.add(records)
        self.facts.add([{**r, "value": json.dumps(r["value"], ensure_ascii=False, sort_keys=True)} for r in records])
        self.edits.add(edit_rows(doc))

    def add_error(self, error: dict[str, Any]) -> None:
        self.errors.add([error])

    def commit(self, manifest: dict[str, Any]) -> None:
        for table in self._tables:
            table.commit()
        write_json_atomic(self.out_dir / "manifest.json", manifest)

    def abort(self) -> None:
        for table in self._tables:
            table.abort()
