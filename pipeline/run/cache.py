"""The stage cache: each stage's result per document, in one SQLite file.

A result is keyed by the document (id, input bytes, input metadata) and the
fingerprints of every stage up to and including the one that produced it, so
editing a rule of one stage invalidates that stage and the ones after it, and
nothing before. Values are JSON (never pickle: a cache file is data, not code),
compressed, with a checksum; a row that fails its checksum, or a file that is
not this tool's cache, is rebuilt rather than trusted.
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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.hits = 0
        self.misses = 0
        self._pending = 0
        try:
            self._db = self._open()
        except (sqlite3.DatabaseError, CacheError) as exc:
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
