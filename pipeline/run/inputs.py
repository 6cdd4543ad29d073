"""Reading inputs: files, folders of files, and JSONL.

Inputs arrive as `InputRecord`s (raw bytes or JSONL text) or, when something
is wrong with one of them, as `InputError`s carrying the file and line, so a
bad input is reported and the rest still run.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from pipeline.core.chars import path_text, replace_lone_surrogates

JSONL_SUFFIXES = (".jsonl", ".ndjson")
FOLDER_GLOB = "*.txt"
JSONL_FIELDS = ("title", "published_at", "url")


@dataclass(frozen=True)
class InputRecord:
    doc_id: str
    source: str
    raw: bytes | str
    meta: dict[str, Any] = field(default_factory=dict)
    # What reading had to repair (e.g. `surrogates_replaced`): become the document's flags.
    flags: dict[str, int] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        data = self.raw if isinstance(self.raw, bytes) else self.raw.encode("utf-8")
        return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class InputError:
    doc_id: str
    source: str
    error: str
    message: str
    stage: str = "read"

    def to_dict(self) -> dict[str, str]:
        # Always writable as UTF-8, whatever the record held.
        return {k: replace_lone_surrogates(v)[0] for k, v in (
            ("doc_id", self.doc_id), ("source", self.source), ("stage", self.stage),
            ("error", self.error), ("message", self.message))}


def expand(paths: Iterable[str | Path]) -> list[tuple[Path, str]]:
    """Every input file with its doc_id prefix rule: (file, id) for plain files.

    Folders are walked recursively for `*.txt` in sorted order, ids relative to
    the folder; explicit files keep the path as given. JSONL files are returned
    with an empty id: their records carry their own ids. Ids are always valid
    UTF-8: bytes of a file name that are not appear as `\\xNN` (`path_text`).
    """
    files: list[tuple[Path, str]] = []
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            for f in sorted(path.rglob(FOLDER_GLOB)):
                if f.is_file() or f.is_symlink():
                    files.append((f, path_text(f.relative_to(path))))
        elif path.suffix.lower() in JSONL_SUFFIXES:
            files.append((path, ""))
        else:
            files.append((path, path_text(path)))
    return files


def count_documents(files: list[tuple[Path, str]]) -> int:
    """How many documents `read_inputs` will yield (for progress), cheaply."""
    total = 0
    for path, doc_id in files:
        if doc_id:
            total += 1
            continue
        try:
            with path.open("rb") as fh:
                total += sum(1 for line in jsonl_lines(fh) if line.strip())
        except OSError:
            total += 1
    return total


def jsonl_lines(fh: BinaryIO) -> Iterator[bytes]:
    """The lines of a JSONL file as UTF-8 bytes: a UTF-8 byte-order mark (editors on
    Windows) is dropped; a file starting with a UTF-16 one is read as UTF-16."""
    head = fh.read(3)
    fh.seek(0)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = io.TextIOWrapper(fh, encoding="utf-16", errors="replace", newline="")
        for line in text:
            yield line.encode("utf-8")
        text.detach()
        return
    if head == b"\xef\xbb\xbf":
        fh.seek(3)
    yield from fh


def read_inputs(files: list[tuple[Path, str]]) -> Iterator[InputRecord | InputError]:
    """Yield every document (or the reason it could not be read), ids unique."""
    from pipeline.run.dumps import split_dump  # imports this module

    seen: dict[str, str] = {}
    for path, doc_id in files:
        items = _read_jsonl(path) if not doc_id else split_dump(_read_file(path, doc_id))
        for item in items:
            if isinstance(item, InputRecord):
                first = seen.get(item.doc_id)
                if first is not None:
                    yield InputError(item.doc_id, item.source, "DuplicateId",
                                     f"doc_id {item.doc_id!r} already used by {first}")
                    continue
                seen[item.doc_id] = item.source
            yield item


def _read_file(path: Path, doc_id: str) -> InputRecord | InputError:
    source = path_text(path)
    try:
        return InputRecord(doc_id, source, path.read_bytes())
    except OSError as exc:
        return InputError(doc_id, source, type(exc).__name__, f"cannot read {source}: {exc.strerror or exc}")


def _read_jsonl(path: Path) -> Iterator[InputRecord | InputError]:
    source = path_text(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield InputError(source, source, type(exc).__name__, f"cannot read {source}: {exc.strerror or exc}")
        return
    with fh:
        for lineno, line in enumerate(jsonl_lines(fh), 1):
            if line.strip():
                yield _parse_jsonl_line(line, f"{source}:{lineno}")


def _parse_jsonl_line(line: bytes, source: str) -> InputRecord | InputError:
    def fail(error: str, message: str, doc_id: str = source) -> InputError:
        return InputError(doc_id, source, error, f"{source}: {message}")

    try:
        obj = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return fail("MalformedJSONL", f"line is not UTF-8 ({exc.reason} at byte {exc.start})")
    except json.JSONDecodeError as exc:
        return fail("MalformedJSONL", f"invalid JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return fail("MalformedJSONL", "invalid JSON: nested too deep")
    except ValueError as exc:  # e.g. an integer past Python's digit limit
        return fail("MalformedJSONL", f"invalid JSON: {exc}")
    if not isinstance(obj, dict):
        return fail("MalformedJSONL", f"expected a JSON object, got {type(obj).__name__}")
    doc_id = obj.get("id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        try:
            doc_id = str(doc_id)
        except ValueError:  # past Python's digit limit
            return fail("MalformedJSONL", "`id` is an integer too long to read; use a string")
    if not isinstance(doc_id, str) or not doc_id:
        return fail("MalformedJSONL", "missing `id` (a non-empty string or integer)")
    # JSON may escape lone surrogates (\ud800), which UTF-8 cannot hold: U+FFFD, counted.
    doc_id, replaced = replace_lone_surrogates(doc_id)
    text = obj.get("text")
    if not isinstance(text, str):
        return fail("MalformedJSONL", "missing `text` (a string)", doc_id)
    text, n = replace_lone_surrogates(text)
    replaced += n
    meta = {}
    for key in JSONL_FIELDS:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            return fail("MalformedJSONL", f"`{key}` must be a string", doc_id)
        if value is not None:
            meta[key], n = replace_lone_surrogates(value)
            replaced += n
    return InputRecord(doc_id, source, text, meta, {"surrogates_replaced": replaced} if replaced else {})
