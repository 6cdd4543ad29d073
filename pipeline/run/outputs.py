"""The run folder: parquet and JSONL tables, the manifest, written atomically.

Tables stream to temporary files in row groups and are renamed into place
when the run finishes, so a run folder never holds a half-written table.
Rows are written in input order with fixed schemas, so the same input and
rules give byte-identical files.

A run folder never mixes runs and never loses a user's file: a run starts by
removing the previous run's manifest (so a run that dies leaves a folder
without one, which no reader accepts), commits the tables, then writes a
manifest recording each table's size, rows and SHA-256; readers refuse tables
that do not match it. Only files of this tool's own names, recognised as its
own by their content, are ever removed or replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.core.document import Document, Fact, apply_edits

ROW_GROUP = 500

TABLE_FILES = ("documents.parquet", "facts.parquet", "facts.jsonl", "edits.parquet", "errors.jsonl")
MANIFEST_FILE = "manifest.json"
REPORT_FILE = "report.html"  # written by pipeline.inspect.report
PACKAGE = "zh-news-pipeline"
# The temporary names `_temp_path` gives this tool's files: `.NAME.XXXXXXXX.tmp`
# (mkstemp's eight random characters). Only these are cleaned up after a killed run.
_OWN_TEMP = re.compile(
    r"\.(?:%s)\.[a-z0-9_]{8}\.tmp" % "|".join(map(re.escape, (*TABLE_FILES, MANIFEST_FILE, REPORT_FILE))))
# How a report this tool wrote starts (the generator tag; older reports: the heading).
_REPORT_SIGNS = (b'<meta name="generator" content="zh-news-pipeline', b'<h1>Run report <span class="run-id">')


class OutputError(RuntimeError):
    """The run folder cannot be written without removing or replacing a file that is not this tool's."""

_ARROW = {"string": pa.string(), "float": pa.float64(), "list": pa.list_(pa.string())}
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
        ("context", pa.string()),
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


# Where a sentence ends (the fact's context runs between two of these).
_SENTENCE_END = frozenset("。！？!?；;\n")
# Closing quotes and brackets right after a sentence end belong to the sentence before.
_CLOSERS = "”’」』）)"


def fact_context(doc: Document, fact: Fact) -> str:
    """The sentence of the clean text around the fact: from after the previous sentence end (。！？；
    or a line break, and the closing quotes after it) to the next one, included. Read from the text
    alone, not the segment stage's sentences, which a run restoring stages from its cache need not
    hold: the same text gives the same context however the run went."""
    text = doc.text
    start = fact.start
    while start > 0 and text[start - 1] not in _SENTENCE_END:
        start -= 1
    while start < fact.start and text[start] in _CLOSERS:
        start += 1
    end = fact.end
    while end < len(text) and text[end] not in _SENTENCE_END:
        end += 1
    if end < len(text) and text[end] != "\n":
        end += 1
    while end < len(text) and text[end] in _CLOSERS:
        end += 1
    return text[start:end].strip()


def fact_record(fact: Fact, context: str | None = None) -> dict[str, Any]:
    """A fact as a plain dict, `value` as an object (the facts.jsonl form); `context` its sentence."""
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
        "context": context,
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

    def commit(self, fill: dict[str, list[Any]] | None = None) -> None:
        """Rename the table into place; `fill` first replaces whole columns (values in row
        order), rewriting the table one row group at a time (memory: one row group)."""
        self._flush()
        self._writer.close()
        if fill:
            self._rewrite(fill)
        os.replace(self._tmp, self.path)

    def _rewrite(self, fill: dict[str, list[Any]]) -> None:
        tmp = _temp_path(self.path)
        try:
            with pq.ParquetFile(self._tmp) as reader, pq.ParquetWriter(tmp, self.schema, compression="zstd") as out:
                row = 0
                for g in range(reader.num_row_groups):
                    table = reader.read_row_group(g)
                    for name, values in fill.items():
                        i = self.schema.get_field_index(name)
                        column = pa.array(values[row : row + table.num_rows], self.schema.field(i).type)
                        table = table.set_column(i, self.schema.field(i), column)
                    out.write_table(table)
                    row += table.num_rows
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, self._tmp)

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


def table_record(path: Path, rows: int) -> dict[str, Any]:
    """What the manifest records of a committed table, and readers check it against."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return {"rows": rows, "bytes": path.stat().st_size, "sha256": h.hexdigest()}


def check_out_dir(out_dir: Path) -> None:
    """OutputError when a run into `out_dir` would replace a file that is not this
    tool's (a file of one of its names, not recognised as its own); changes nothing."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"--out {out_dir} is a file, not a folder")
    for name in (*TABLE_FILES, MANIFEST_FILE, REPORT_FILE):
        path = out_dir / name
        if (path.exists() or path.is_symlink()) and not is_own_file(path):
            raise OutputError(
                f"{path} was not written by pipeline and a run would replace it; "
                f"move it away or choose another --out folder")


def prepare_out_dir(out_dir: Path) -> None:
    """Make `out_dir` ready for a new run (the caller holds its lock).

    After `check_out_dir`: removes this tool's temporary files left by a
    killed run, and the previous run's manifest and report, so the folder is
    a run again only once this run commits.
    """
    check_out_dir(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for entry in out_dir.iterdir():
        if _OWN_TEMP.fullmatch(entry.name) and entry.is_file() and not entry.is_symlink():
            entry.unlink()  # left by a run that was killed
    for name in (MANIFEST_FILE, REPORT_FILE):
        (out_dir / name).unlink(missing_ok=True)


def is_own_file(path: Path) -> bool:
    """Whether `path` (one of the run folder's names) is a file this tool wrote, judged by its content."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        if path.suffix == ".parquet":
            return "doc_id" in pq.read_schema(path).names
        with path.open("rb") as fh:
            head = fh.read(1 << 18)
    except (OSError, pa.ArrowException):
        return False
    if path.name == MANIFEST_FILE:
        try:
            manifest = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return False
        package = manifest.get("package") if isinstance(manifest, dict) else None
        return isinstance(package, dict) and package.get("name") == PACKAGE
    if path.name == REPORT_FILE:
        return any(sign in head for sign in _REPORT_SIGNS)
    # JSONL tables: empty, or a first line that is a record with a doc_id (written first;
    # a first line longer than what was read is judged by that start).
    if not head:
        return True
    line, newline, _ = head.partition(b"\n")
    if not newline:
        return line.startswith(b'{"doc_id": ')
    try:
        first = json.loads(line)
    except ValueError:
        return False
    return isinstance(first, dict) and "doc_id" in first


class RunWriter:
    """Streams documents, facts, edits and errors into a run folder (see `prepare_out_dir`)."""

    def __init__(self, out_dir: Path, stages: Iterable[str], batch_columns: Any = None):
        """`batch_columns`: what fills document columns that need the whole batch (the
        dedup grouper, pipeline/run/dedup.py): it sees every document (`add`) and gives
        the columns' values in row order at commit (`columns()`)."""
        prepare_out_dir(out_dir)
        self.batch_columns = batch_columns
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
        if self.batch_columns is not None:
            self.batch_columns.add(doc)
        records = [fact_record(f, fact_context(doc, f)) for f in doc.facts]
        self.facts_jsonl.add(records)
        self.facts.add([{**r, "value": json.dumps(r["value"], ensure_ascii=False, sort_keys=True)} for r in records])
        self.edits.add(edit_rows(doc))

    def add_error(self, error: dict[str, Any]) -> None:
        self.errors.add([error])

    def commit(self, manifest: dict[str, Any]) -> None:
        # Tables first, the manifest last: a folder with a manifest is a complete run.
        if self.batch_columns is not None:
            self.documents.commit(fill=self.batch_columns.columns())
        for table in self._tables:
            if table is not self.documents or self.batch_columns is None:
                table.commit()
        tables = {t.path.name: table_record(t.path, t.count) for t in self._tables}
        write_json_atomic(self.out_dir / MANIFEST_FILE, {**manifest, "tables": tables})

    def abort(self) -> None:
        """Remove this run's temporary tables (after a failure, also one in commit)."""
        for table in self._tables:
            try:
                table.abort()
            except Exception:  # noqa: BLE001 - already failing; removing the rest matters more
                pass
