"""Reading a run folder: what makes a folder a run, and its tables checked against their schemas.

The one reader behind `load_run` (pandas, for notebooks and the report) and
`diff_runs` (rows). Reads defensively: known columns a run lacks (an older
version wrote it) come back as nulls, columns this version does not know are
kept, and a known column of an incompatible type is an error that says which
file and column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.run.lock import LOCK_FILE
from pipeline.run.outputs import DOCUMENT_SCHEMA, EDIT_SCHEMA, FACT_SCHEMA

# Files without which a folder is not a run.
MARKERS = ("documents.parquet", "manifest.json")
SCHEMAS = {"documents.parquet": DOCUMENT_SCHEMA, "facts.parquet": FACT_SCHEMA, "edits.parquet": EDIT_SCHEMA}
# Columns without which a table cannot be read at all; the other known
# columns may be missing (older runs) and come back as nulls.
REQUIRED = {
    "documents.parquet": ("doc_id", "text"),
    "facts.parquet": ("doc_id", "type", "start", "end"),
    "edits.parquet": ("doc_id", "stage", "rule_id", "start", "end"),
}


class RunFolderError(ValueError):
    """The path is not a run folder."""


class RunSchemaError(RunFolderError):
    """The folder holds a run this version cannot read (a column of an unknown type)."""


def run_folder(path: str | Path) -> Path:
    """`path` as a Path, once it is known to be a run folder whose tables are its manifest's."""
    run = Path(path)
    if not run.is_dir():
        raise RunFolderError(f"{run} is not a run folder: no such folder")
    missing = [n for n in MARKERS if not (run / n).is_file()]
    if missing:
        why = ""
        if "manifest.json" in missing and (run / "documents.parquet").is_file():
            # A run removes the previous manifest first and writes its own last.
            why = (" (a run into it is in progress)" if (run / LOCK_FILE).exists()
                   else " (the last run into it did not finish)")
        raise RunFolderError(f"{run} is not a run folder: {' and '.join(missing)} missing{why}")
    check_tables(run, read_manifest(run))
    return run


def check_tables(run: Path, manifest: dict[str, Any]) -> None:
    """RunFolderError unless every table the manifest records is there with its recorded size.

    The manifest records each table's size, rows and SHA-256 (the run id is not
    written into the tables, which stay byte-identical across reruns); a table
    of another size is from another run. Manifests of versions that did not
    record tables are not checked.
    """
    tables = manifest.get("tables")
    if tables is None:
        return
    if not isinstance(tables, dict):
        raise RunSchemaError(f"{run / 'manifest.json'}: `tables` is not an object")
    for name, record in tables.items():
        path = run / name
        size = record.get("bytes") if isinstance(record, dict) else None
        if not isinstance(size, int) or Path(name).name != name:
            raise RunSchemaError(f"{run / 'manifest.json'}: bad record of table {name!r}")
        if not path.is_file():
            raise RunFolderError(f"{run} is incomplete: its manifest records {name}, which is missing")
        found = path.stat().st_size
        if found != size:
            raise RunFolderError(
                f"{run} mixes runs: {name} is {found:,} bytes, its manifest ({manifest.get('run_id')}) "
                f"records {size:,}; rerun into the folder to make it whole")


def read_manifest(run: Path) -> dict[str, Any]:
    path = run / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RunSchemaError(f"{path}: not JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise RunSchemaError(f"{path}: expected a JSON object")
    return manifest


def read_table(run: Path, name: str, columns: Iterable[str] | None = None) -> pa.Table:
    """One table of the run, known columns in schema order then the others (or just `columns`)."""
    schema = SCHEMAS[name]
    path = run / name
    wanted = None if columns is None else list(columns)
    if not path.is_file():  # a run always writes every table; an empty one has its schema
        table = schema.empty_table()
    else:
        try:
            present = pq.read_schema(path).names
            table = pq.read_table(path, columns=None if wanted is None else [c for c in present if c in wanted])
        except (pa.ArrowInvalid, OSError) as exc:
            raise RunSchemaError(f"{path}: not a readable parquet file ({exc})") from None
    absent = [c for c in REQUIRED[name] if c not in table.column_names and (wanted is None or c in wanted)]
    if absent:
        raise RunSchemaError(f"{path}: unknown schema, required column(s) {', '.join(absent)} missing")
    for f in schema:
        if f.name in table.column_names:
            found = table.schema.field(f.name).type
            if not _compatible(found, f.type):
                raise RunSchemaError(f"{path}: unknown schema, column {f.name!r} is {found}, expected {f.type}")
            if found != f.type:
                table = table.set_column(table.column_names.index(f.name), f.name, table[f.name].cast(f.type))
        elif wanted is None or f.name in wanted:
            table = table.append_column(f.name, pa.nulls(len(table), f.type))
    if wanted is not None:
        return table.select(wanted)
    known = [f.name for f in schema]
    return table.select(known + [c for c in table.column_names if c not in known])


def _compatible(found: pa.DataType, expected: pa.DataType) -> bool:
    if pa.types.is_null(found) or found == expected:
        return True
    if pa.types.is_string(expected):
        return pa.types.is_string(found) or pa.types.is_large_string(found)
    if pa.types.is_integer(expected):
        return pa.types.is_integer(found)
    if pa.types.is_floating(expected):
        return pa.types.is_floating(found) or pa.types.is_integer(found)
    return False
