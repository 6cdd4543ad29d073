"""The stage cache: each stage's result per document, in one SQLite file.

A result is keyed by the document (id, input bytes, input metadata) and the
fingerprints of every stage up to and including the one that produced it, so
editing a rule of one stage invalidates that stage and the ones after it, and
nothing before. Values are JSON (never pickle: a cache file is data, not code),
compressed, with a checksum; a row that fails its checksum is recomputed
rather than trusted. The file is identified by its header: this tool's cache
of another format is rebuilt, while a file that is not this tool's cache
(another SQLite database, anything else) is never removed, replaced or
written to (ForeignCacheError).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import sys
import zlib
from pathlib import Path
from typing import Any, Sequence

from pipeline.core import document as model
from pipeline.core.document import Document, Edit, Layer

MAGIC = "zh-news-pipeline stage cache"
FORMAT = 4
# Commit after this many writes: a killed run loses at most this much work.
COMMIT_EVERY = 64


class CacheError(RuntimeError):
    pass


class ForeignCacheError(CacheError):
    """The path holds something that is not this tool's cache: it is left as it is."""


def read_header(path: Path) -> dict[str, str] | None:
    """The header of the cache at `path`, read without writing anything; None when
    there is no file or an empty one. ForeignCacheError when it is not this tool's cache."""
    path = Path(path)
    if not path.exists():
        return None
    if not path.is_file():
        raise ForeignCacheError(f"{path} is not a file")
    if path.stat().st_size == 0:
        return None
    try:
        db = connect_readonly(path)
        try:
            header = dict(db.execute("SELECT key, value FROM header"))
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise ForeignCacheError(f"{path} is not a pipeline cache ({exc})") from None
    if header.get("magic") != MAGIC:
        raise ForeignCacheError(f"{path} is not a pipeline cache (an SQLite database without its header)")
    return header


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A connection that neither writes the file nor creates -wal/-shm files beside it.

    `mode=ro` on a WAL database creates those files when they are missing;
    then nothing is writing it, so reading it as immutable sees all of it.
    """
    live = Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
    uri = f"{Path(path).absolute().as_uri()}?{'mode=ro' if live else 'immutable=1'}"
    return sqlite3.connect(uri, uri=True, check_same_thread=False)


def cache_stats(path: Path) -> tuple[int, dict[str, str]]:
    """Number of results and the header of the cache at `path`, read-only (FileNotFoundError if none)."""
    header = read_header(path)
    if header is None:
        raise FileNotFoundError(f"no cache at {path}")
    db = connect_readonly(path)
    try:
        return db.execute("SELECT COUNT(*) FROM results").fetchone()[0], header
    except sqlite3.DatabaseError as exc:
        raise CacheError(f"{path}: damaged pipeline cache ({exc})") from None
    finally:
        db.close()


def document_key(doc: Document, input_sha256: str) -> str:
    """What a document's results depend on besides the stages: id, bytes, input metadata."""
    blob = json.dumps([doc.doc_id, input_sha256, dict(doc.meta), dict(doc.flags)],
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def chain_keys(doc_key: str, fingerprints: Sequence[str]) -> list[str]:
    """One key per stage: the document and every fingerprint up to that stage."""
    keys, h = [], hashlib.sha256(doc_key.encode("ascii"))
    for fp in fingerprints:
        h.update(b"|" + fp.encode("ascii"))
        keys.append(h.copy().hexdigest())
    return keys


def part_key(upstream_key: str, stage: str, part: str, fingerprint: str) -> str:
    """Key of one part of a stage: its input (the chain before the stage) and its own fingerprint."""
    return hashlib.sha256(f"{upstream_key}|{stage}.{part}|{fingerprint}".encode("utf-8")).hexdigest()


class StageCache:
    """A SQLite file of stage results. One writer per process; WAL lets workers share it."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.hits = 0
        self.misses = 0
        self._pending = 0
        header = read_header(self.path)  # raises ForeignCacheError before anything is touched
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if header is not None and header.get("format") != str(FORMAT):
            print(f"pipeline: warning: cache {self.path} is of format {header.get('format')}, "
                  f"this version uses {FORMAT}; rebuilding it", file=sys.stderr)
            self._remove_files()
        try:
            self._db = self._open()
        except (sqlite3.DatabaseError, CacheError) as exc:
            if header is None:  # nothing was there, or an empty file: not a cache to rebuild
                raise CacheError(f"cannot create a cache at {self.path} ({exc})") from None
            # This tool's cache (its header says so), damaged: rebuilt, not trusted.
            print(f"pipeline: warning: cache {self.path} is unusable ({exc}); rebuilding it", file=sys.stderr)
            self._remove_files()
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        # Dask builds the pipeline in one thread and runs tasks in another;
        # callers serialise use of a cache (see engines), so sharing is safe.
        db = sqlite3.connect(self.path, timeout=60, isolation_level="DEFERRED", check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # Look and create under one write lock, so processes opening a new
        # file together never see it half made.
        db.execute("BEGIN IMMEDIATE")
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            db.execute("CREATE TABLE header (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("CREATE TABLE results (key TEXT PRIMARY KEY, checksum TEXT NOT NULL, value BLOB NOT NULL)")
            db.executemany("INSERT INTO header VALUES (?, ?)", [("magic", MAGIC), ("format", str(FORMAT))])
            tables = {"header", "results"}
        db.commit()
        header = dict(db.execute("SELECT key, value FROM header")) if "header" in tables else {}
        if header.get("magic") != MAGIC or header.get("format") != str(FORMAT):
            db.close()
            raise CacheError(f"not a format-{FORMAT} pipeline cache")
        return db

    def _remove_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            row = self._db.execute("SELECT checksum, value FROM results WHERE key = ?", (key,)).fetchone()
            if row is not None:
                checksum, value = row
                if hashlib.sha256(value).hexdigest()[:32] != checksum:
                    raise ValueError("checksum mismatch")
                state = json.loads(zlib.decompress(value))
        except (ValueError, TypeError, zlib.error, sqlite3.DatabaseError):
            self._db.execute("DELETE FROM results WHERE key = ?", (key,))
            row = None
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return state

    def put(self, key: str, state: dict[str, Any]) -> None:
        value = zlib.compress(json.dumps(state, ensure_ascii=False).encode("utf-8"), 1)
        checksum = hashlib.sha256(value).hexdigest()[:32]
        self._db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", (key, checksum, value))
        self._pending += 1
        if self._pending >= COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        self._db.commit()
        self._pending = 0

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    def clear(self) -> int:
        n = self._db.execute("DELETE FROM results").rowcount
        self._db.commit()
        self._db.execute("VACUUM")
        return n

    def close(self) -> None:
        self.commit()
        self._db.close()


# --- documents to JSON and back ---------------------------------------------


def to_state(doc: Document) -> dict[str, Any]:
    """Everything a stage may have changed, as JSON-able data."""
    return {
        "original": doc.original,
        "text": doc.text,
        "meta": dict(doc.meta),
        "flags": dict(doc.flags),
        "layers": [
            [layer.stage, layer.input_length, [[e.start, e.end, e.replacement, e.rule_id] for e in layer.edits]]
            for layer in doc.layers
        ],
        "sentences": _encode_rows(doc.sentences),
        "tokens": _encode_rows(doc.tokens),
        "facts": _encode_rows(doc.facts),
    }


def from_state(doc: Document, state: dict[str, Any], tokens: bool = True) -> Document:
    """`doc` (for its id and source) with a cached state restored onto it.

    `tokens=False` leaves sentences and tokens out: when no stage is left to
    run, nothing reads them (the run folder does not hold them), and they are
    most of the cost of a restore.
    """
    layers = tuple(
        Layer(stage, tuple(Edit(*e) for e in edits), input_length)
        for stage, input_length, edits in state["layers"]
    )
    return dataclasses.replace(
        doc,
        raw=None,
        original=state["original"],
        text=state["text"],
        meta=state["meta"],
        flags=state["flags"],
        layers=layers,
        sentences=_decode_rows(state["sentences"]) if tokens else (),
        tokens=_decode_rows(state["tokens"]) if tokens else (),
        facts=_decode_rows(state["facts"]),
    )


def _encode_rows(items: tuple) -> dict[str, Any] | list:
    """Many small records of one model class (tokens, sentences) as columns.

    Restoring them with `map(cls, *columns)` is many times faster than
    rebuilding each record from a dict, and the cache rows are smaller.
    """
    if not items:
        return []
    cls = type(items[0])
    names = [f.name for f in dataclasses.fields(cls)]
    return {"__table__": cls.__name__, "fields": names,
            "columns": [[getattr(x, n) for x in items] for n in names]}


def _decode_rows(data: dict[str, Any] | list) -> tuple:
    if not data:
        return ()
    cls = _model_class(data["__table__"])
    if [f.name for f in dataclasses.fields(cls)] != data["fields"]:
        raise CacheError(f"{cls.__name__} fields changed since this row was cached")
    return tuple(map(cls, *data["columns"]))


def _model_class(name: str) -> type:
    # Only the model's own dataclasses can be rebuilt: the cache is data.
    cls = getattr(model, name, None)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise CacheError(f"unknown type {name!r} in cache")
    return cls
