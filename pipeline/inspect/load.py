"""`load_run(path)`: a run folder as pandas DataFrames, for notebooks and the report.

Reads through `folder` (the one run-folder reader), defensively: columns this
version does not know are kept (stages add some, e.g. `author`, `spam_ratio`),
known columns a run lacks (an older version wrote it) are added as nulls, and
a known column of an incompatible type, or a folder without
`documents.parquet` and `manifest.json`, is an error that says which file and
column. The README ("Loading a run with pandas") lists every column and its
dtype.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.inspect.folder import RunFolderError, RunSchemaError, read_manifest, read_table, run_folder

__all__ = ["Run", "RunFolderError", "RunSchemaError", "load_run", "ERROR_COLUMNS", "VALUE_COLUMNS"]

ERROR_COLUMNS = ("doc_id", "source", "stage", "error", "message")

# Keys of fact values (DESIGN.md) that always get a `value_<key>` column,
# even in a run without facts, so code written against them keeps working.
# Other keys found in the run get a column too.
VALUE_COLUMNS = {
    "amount": "float64", "currency": "string", "approx": "string", "min": "float64", "max": "float64",
    "value": "float64", "unit": "string", "object": "string",
    "start": "datetime64[ns]", "end": "datetime64[ns]", "granularity": "string", "resolved": "string",
    "name": "string",
}
# Value keys holding ISO dates (of `date` facts): parsed into datetimes.
DATE_KEYS = ("start", "end")

_YEAR_MONTH = re.compile(r"(\d{4})(?:-(\d{1,2}))?")
# Datetimes pandas can hold at nanosecond resolution.
_MIN_YEAR, _MAX_YEAR = 1678, 2261


@dataclass(frozen=True, eq=False)
class Run:
    """A loaded run folder. `documents`, `facts`, `edits` and `errors` keep input order."""

    path: Path
    manifest: dict[str, Any]
    documents: pd.DataFrame
    facts: pd.DataFrame
    edits: pd.DataFrame
    errors: pd.DataFrame = field(repr=False)

    def __repr__(self) -> str:
        return (f"Run({str(self.path)!r}: {len(self.documents)} documents, {len(self.errors)} failed, "
                f"{len(self.facts)} facts, {len(self.edits)} edits)")

    def document(self, doc_id: str) -> pd.Series:
        """One document's row; KeyError if the run has no such document."""
        rows = self.documents[self.documents["doc_id"] == doc_id]
        if rows.empty:
            raise KeyError(doc_id)
        return rows.iloc[0]


def load_run(path: str | Path) -> Run:
    """Load the run folder at `path` (see the README for columns and dtypes)."""
    run = run_folder(path)
    return Run(
        path=run,
        manifest=read_manifest(run),
        documents=_documents(_table(run, "documents.parquet")),
        facts=_facts(_table(run, "facts.parquet")),
        edits=_edits(_table(run, "edits.parquet")),
        errors=_errors(run / "errors.jsonl"),
    )


def _table(run: Path, name: str) -> pd.DataFrame:
    return read_table(run, name).to_pandas(types_mapper=_pandas_type)


def _pandas_type(t: pa.DataType):
    """Nullable pandas dtypes, so a null does not turn an integer column into floats."""
    if pa.types.is_integer(t):
        return pd.Int64Dtype()
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pd.StringDtype()
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    return None


def _documents(df: pd.DataFrame) -> pd.DataFrame:
    df["published_at_text"] = df["published_at"]
    df["published_at"] = _datetimes(df["published_at"])
    flags = [_json_object(v) for v in df["flags"]]
    df["flags"] = pd.Series(flags, index=df.index, dtype=object)
    names = sorted({k for f in flags for k in f})
    columns = {f"flag_{k}": pd.array([_int(f.get(k)) for f in flags], dtype="Int64") for k in names}
    # Flags first in name order; assigned at once (one insert per flag fragments the frame).
    return pd.concat([df, pd.DataFrame(columns, index=df.index)], axis=1)


def _facts(df: pd.DataFrame) -> pd.DataFrame:
    values = [_json_object(v) for v in df["value"]]
    df["value"] = pd.Series(values, index=df.index, dtype=object)
    keys = list(VALUE_COLUMNS) + sorted({k for v in values for k in v} - VALUE_COLUMNS.keys())
    columns = {f"value_{k}": _value_column([v.get(k) for v in values], k, df.index) for k in keys}
    return pd.concat([df, pd.DataFrame(columns, index=df.index)], axis=1)


def _edits(df: pd.DataFrame) -> pd.DataFrame:
    empty_before = (df["before"].fillna("") == "").to_numpy(dtype=bool)
    empty_after = (df["after"].fillna("") == "").to_numpy(dtype=bool)
    kind = np.select([empty_before, empty_after], ["insert", "delete"], "replace")
    df["kind"] = pd.array(kind, dtype="string")
    return df


def _errors(path: Path) -> pd.DataFrame:
    rows = []
    if path.is_file():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RunSchemaError(f"{path}:{n}: not JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise RunSchemaError(f"{path}:{n}: expected a JSON object")
            rows.append(record)
    columns = list(ERROR_COLUMNS) + sorted({k for r in rows for k in r} - set(ERROR_COLUMNS))
    data = {c: pd.array([_text(r.get(c)) for r in rows], dtype="string") for c in columns}
    return pd.DataFrame(data, columns=columns)


def _value_column(values: list[Any], key: str, index: pd.Index) -> pd.Series:
    present = [v for v in values if v is not None]
    declared = VALUE_COLUMNS.get(key)
    if key in DATE_KEYS and all(isinstance(v, str) for v in present):
        return _datetimes(pd.Series(values, index=index, dtype=object))
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present) and declared != "string":
        return pd.Series([float(v) if v is not None else None for v in values], index=index, dtype="float64")
    if all(isinstance(v, bool) for v in present) and present:
        return pd.Series(values, index=index, dtype="boolean")
    if all(isinstance(v, str) for v in present) and declared in ("string", None):
        return pd.Series(values, index=index, dtype="string")
    if not present:
        return pd.Series([None] * len(values), index=index, dtype=declared or "object")
    # Mixed types (a number where a name was expected): kept as they are.
    return pd.Series(values, index=index, dtype=object)


def _datetimes(values: Iterable[Any]) -> pd.Series:
    """ISO 8601 strings to naive datetimes as written (an offset is dropped); else NaT."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    parsed = [_iso(v) for v in series]
    return pd.Series(parsed, index=series.index, dtype="datetime64[ns]")


def _iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    m = _YEAR_MONTH.fullmatch(text)  # `2024`, `2024-07`: dates of year or month granularity
    try:
        if m:
            dt = datetime(int(m[1]), int(m[2] or 1), 1)
        else:
            dt = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None
    if not _MIN_YEAR < dt.year < _MAX_YEAR:
        return None
    return dt.replace(tzinfo=None)


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if not isinstance(value, str) or not value:
        return {}
    try:
        loaded = json.loads(value)
    except json.JSONDecodeError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return int(value) if value == value else 0  # NaN: JSON allows it, a count cannot be it
    return 0 if value is None else 1  # a flag set to a non-number still counts as set


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
