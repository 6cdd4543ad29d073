"""Reading inputs: files, folders of files, and JSONL.

Inputs arrive as `InputRecord`s (raw bytes or JSONL text) or, when something
is wrong with one of them, as `InputError`s carrying the file and line, so a
bad input is reported and the rest still run.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, NamedTuple

from pipeline.core.chars import path_text, replace_lone_surrogates

JSONL_SUFFIXES = (".jsonl", ".ndjson")
FOLDER_GLOB = "*.txt"
# `region` (CN, HK, MO, TW): the extract stage reads it before any evidence (a bare 元 is its currency).
JSONL_FIELDS = ("title", "published_at", "url", "region")
# The largest document read (a file, or one JSONL line), in MB of input. A bound, so that /dev/zero or a
# runaway dump is one recorded failure rather than a run that fills memory.
DEFAULT_MAX_MB = 64.0
DEFAULT_MAX_BYTES = int(DEFAULT_MAX_MB * 1_000_000)


class InputFile(NamedTuple):
    path: Path
    doc_id: str  # empty for JSONL: its records carry their own ids
    # For a file found by walking a folder, that folder: such a file must be a regular file
    # inside it. A path named explicitly may be anything readable (a FIFO, a symlink anywhere).
    root: Path | None = None


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


def expand(paths: Iterable[str | Path]) -> list[InputFile]:
    """Every input file with its doc_id.

    Folders are walked recursively for `*.txt` in sorted order, ids relative to
    the folder; explicit files keep the path as given. JSONL files are returned
    with an empty id: their records carry their own ids. Ids are always valid
    UTF-8: bytes of a file name that are not appear as `\\xNN` (`path_text`).
    Everything the walk finds is listed, FIFOs and symlinks included, so that
    what `read_inputs` refuses is recorded, never skipped in silence.
    """
    files: list[InputFile] = []
    for arg in paths:
        path = Path(arg)
        if path.is_dir():
            for f in sorted(path.rglob(FOLDER_GLOB)):
                if not f.is_dir():
                    files.append(InputFile(f, path_text(f.relative_to(path)), path))
        elif path.suffix.lower() in JSONL_SUFFIXES:
            files.append(InputFile(path, ""))
        else:
            files.append(InputFile(path, path_text(path)))
    return files


def count_documents(files: list[InputFile], max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    """How many documents `read_inputs` will yield (for progress), cheaply."""
    from pipeline.run.dumps import count_records, is_dump  # dumps imports this module

    total = 0
    for path, doc_id, _ in files:
        try:
            if not path.is_file():  # a stream is read once, by read_inputs
                total += 1
                continue
            with path.open("rb") as fh:
                if not doc_id:
                    total += sum(1 for line in jsonl_lines(fh, max_bytes) if line is None or line.strip())
                elif is_dump(fh.read(1 << 10)):
                    fh.seek(0)
                    total += max(1, count_records(fh))
                else:
                    total += 1
        except OSError:
            total += 1
    return total


def jsonl_lines(fh: BinaryIO, max_bytes: int | None = None) -> Iterator[bytes | None]:
    """The lines of a JSONL file as UTF-8 bytes: a UTF-8 byte-order mark (editors on
    Windows) is dropped; a file starting with a UTF-16 one is read as UTF-16. With
    `max_bytes`, a longer line is skipped unread and yields None in its place."""
    fh = io.BufferedReader(fh) if not hasattr(fh, "peek") else fh
    head = fh.peek(3)[:3]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = io.TextIOWrapper(fh, encoding="utf-16", errors="replace", newline="")
        for line in _bounded_lines(text.readline, max_bytes, "\n"):
            yield None if line is None else line.encode("utf-8")
        text.detach()
        return
    if head == b"\xef\xbb\xbf":
        fh.read(3)
    yield from _bounded_lines(fh.readline, max_bytes, b"\n")


def _bounded_lines(readline, max_len: int | None, newline):
    """Lines from `readline`; one longer than `max_len` is dropped in bounded pieces, None in its place."""
    while line := readline(max_len + 1 if max_len else -1):
        if max_len and len(line) > max_len and not line.endswith(newline):
            while (rest := readline(1 << 20)) and not rest.endswith(newline):
                pass
            yield None
        else:
            yield line


def read_inputs(files: list[InputFile], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[InputRecord | InputError]:
    """Yield every document (or the reason it could not be read), ids unique.

    A document larger than `max_bytes` (a file, or a JSONL line) is an error, read no further.
    """
    seen: dict[str, str] = {}
    for path, doc_id, root in files:
        refused = _refuse(path, root)
        if refused:
            source = path_text(path)
            items = [InputError(doc_id or source, source, "NotReadable", refused)]
        elif not doc_id:
            items = _read_jsonl(path, max_bytes)
        else:
            items = _read_file(path, doc_id, max_bytes)
        for item in items:
            if isinstance(item, InputRecord):
                first = seen.get(item.doc_id)
                if first is not None:
                    yield InputError(item.doc_id, item.source, "DuplicateId",
                                     f"doc_id {item.doc_id!r} already used by {first}")
                    continue
                seen[item.doc_id] = item.source
            yield item


def _refuse(path: Path, root: Path | None) -> str | None:
    """Why a file a folder walk found is not read (None: read it)."""
    if root is None:
        return None
    source = path_text(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot read {source}: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return (f"{source} is not a regular file (a FIFO, socket or device) and was found by walking a "
                "folder; name it explicitly to read it as a stream")
    if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
        return (f"{source} is a symbolic link to {path_text(path.resolve())}, outside the input folder; "
                "name that file explicitly to read it")
    return None


def too_large(source: str, max_bytes: int) -> str:
    """The message of a TooLarge error."""
    return (f"{source} is larger than the document size limit of {max_bytes / 1e6:g} MB "
            "(pipeline run --max-doc-mb); not read")


def _read_file(path: Path, doc_id: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[InputRecord | InputError]:
    """The file as one document, or the records of the crawl dump it holds, streamed."""
    from pipeline.run.dumps import is_dump, split_dump, stream_dump  # dumps imports this module

    source = path_text(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(min(max_bytes + 1, 1 << 18))
            if is_dump(head) and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
                yield from stream_dump(fh, head, doc_id, source, max_bytes)
                return
            data = head + fh.read(max_bytes + 1 - len(head))  # bounded, whatever the file is (a FIFO)
    except OSError as exc:
        yield InputError(doc_id, source, type(exc).__name__, f"cannot read {source}: {exc.strerror or exc}")
        return
    if len(data) > max_bytes:
        yield InputError(doc_id, source, "TooLarge", too_large(source, max_bytes))
        return
    yield from split_dump(InputRecord(doc_id, source, data))  # a UTF-16 dump, read whole


def _read_jsonl(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[InputRecord | InputError]:
    source = path_text(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield InputError(source, source, type(exc).__name__, f"cannot read {source}: {exc.strerror or exc}")
        return
    with fh:
        for lineno, line in enumerate(jsonl_lines(fh, max_bytes), 1):
            where = f"{source}:{lineno}"
            if line is None:
                yield InputError(where, where, "TooLarge", too_large(where, max_bytes))
            elif line.strip():
                yield _parse_jsonl_line(line, where)


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
