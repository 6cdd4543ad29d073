"""Crawl dumps as input: Sogou-style `<doc>` records, one document per record.

The SogouCA/SogouCS crawls (and many others built like them) are distributed
as one file of records, usually GBK:

    <doc>
    <url>http://…</url>
    <docno>e6a8…</docno>
    <contenttitle>标题</contenttitle>
    <content>正文…</content>
    </doc>

Read as one document, such a file becomes one text with tags in it and facts
across article boundaries. A file (given explicitly or found in a folder)
whose first non-blank bytes are `<doc>` or `<doclist>` is split instead: each
record is a document of its own whose bytes are the `<content>`, so the
decode stage still detects the encoding and fact offsets point into that
article; `docno` becomes the `doc_id` (else `FILE#N`, N counting records from
1), `url` and `contenttitle` the `url` and `title` metadata. A record without
`</doc>` or `<content>` is reported (`MalformedDump`, source `FILE#N`) and
the others still run.

A dump is streamed, record by record, so it may be far larger than the
document size limit (`--max-doc-mb`), which applies to each record: a larger
record is `TooLarge`, skipped unread to the next `<doc>`, and the others run.

Tags are found in the bytes: `<` (0x3C) is never the second byte of a GBK,
GB18030 or Big5 character, so a tag cannot hide inside one. UTF-16 dumps
(with a byte-order mark) are read as text and each content re-encoded as
UTF-16 with its mark.
"""

from __future__ import annotations

import codecs
import html
import re
from typing import BinaryIO, Iterator

from pipeline.run.inputs import InputError, InputRecord, too_large

_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<(?:doclist|doc)\s*>")
_DOC = re.compile(rb"<doc\s*>")
_END = re.compile(rb"</doc\s*>")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Bytes of a dump the metadata's encoding is detected on (also what is read to tell a dump).
_SAMPLE = 1 << 18
# Bytes read at a time while streaming a dump.
_CHUNK = 1 << 20
_TAG_MAX = 16  # a `<doc>` tag (with spaces) cut by a chunk boundary is this long at most
# Metadata lifted from each record: tag -> meta key.
FIELDS = {"url": "url", "contenttitle": "title"}


def is_dump(data: bytes) -> bool:
    if data.startswith(_UTF16_BOMS):
        return _START.match(_utf16_as_utf8(data)) is not None
    return _START.match(data) is not None


def split_dump(item: InputRecord | InputError) -> list[InputRecord | InputError]:
    """`[item]`, or the records of the dump it holds."""
    if not isinstance(item, InputRecord) or not isinstance(item.raw, bytes) or not is_dump(item.raw):
        return [item]
    return list(read_dump(item.raw, item.doc_id, item.source))


def read_dump(data: bytes, file_id: str, source: str) -> Iterator[InputRecord | InputError]:
    """The records of a dump held in memory (a UTF-16 one is read whole, within the size limit)."""
    utf16 = data.startswith(_UTF16_BOMS)
    if utf16:
        data = _utf16_as_utf8(data)
    codec = _meta_codec(data)
    starts = [m.start() for m in _DOC.finditer(data)]
    for n, (a, b) in enumerate(zip(starts, starts[1:] + [len(data)]), 1):
        yield _record(data[a:b], n, file_id, source, codec, utf16)


def stream_dump(fh: BinaryIO, head: bytes, file_id: str, source: str, max_bytes: int,
                chunk: int = _CHUNK) -> Iterator[InputRecord | InputError]:
    """The records of a byte-oriented dump read from `fh`, `head` being its first bytes, already read.

    Memory stays within about `max_bytes` + `chunk`: a record longer than `max_bytes` is skipped to
    the next `<doc>` and reported as TooLarge.
    """
    codec = _meta_codec(head[:_SAMPLE])
    buf, eof, n = head, False, 0
    first = _DOC.search(buf)
    pos = first.start() if first else None
    while pos is not None:
        n += 1
        while (nxt := _DOC.search(buf, pos + 1)) is None and not eof and len(buf) - pos <= max_bytes:
            more = fh.read(chunk)
            eof = not more
            buf, pos = buf[pos:] + more, 0  # keep from the record's start only
        if nxt is None and not eof:  # longer than the limit: skip it, unread into memory
            yield _too_large(file_id, source, n, max_bytes)
            pos = None
            while pos is None and (more := fh.read(chunk)):
                buf = buf[-_TAG_MAX:] + more
                if (found := _DOC.search(buf)) is not None:
                    pos = found.start()
            continue
        end = nxt.start() if nxt is not None else len(buf)
        if end - pos > max_bytes:  # read whole within one chunk, but over the limit all the same
            yield _too_large(file_id, source, n, max_bytes)
        else:
            yield _record(buf[pos:end], n, file_id, source, codec, False)
        pos = end if nxt is not None else None


def _too_large(file_id: str, source: str, n: int, max_bytes: int) -> InputError:
    return InputError(f"{file_id}#{n}", f"{source}#{n}", "TooLarge", too_large(f"{source}#{n}", max_bytes))


def _record(record: bytes, n: int, file_id: str, source: str, codec: str, utf16: bool) -> InputRecord | InputError:
    """One `<doc>…` record (up to the next `<doc>`) as a document, or the reason it is not one."""
    where = f"{source}#{n}"
    end = _END.search(record)
    if end is None:
        return InputError(f"{file_id}#{n}", where, "MalformedDump", f"{where}: <doc> without </doc>")
    record = record[: end.start()]
    content = _field(record, b"content")
    if content is None:
        return InputError(f"{file_id}#{n}", where, "MalformedDump", f"{where}: record without <content>")
    docno = _field(record, b"docno")
    doc_id = _text(docno, codec).strip() if docno is not None else ""
    meta = {}
    for tag, key in FIELDS.items():
        value = _field(record, tag.encode("ascii"))
        if value is not None and (value := _text(value, codec).strip()):
            meta[key] = value
    raw = codecs.BOM_UTF16_LE + content.decode("utf-8").encode("utf-16-le") if utf16 else content
    return InputRecord(doc_id or f"{file_id}#{n}", where, raw, meta)


def count_records(fh: BinaryIO, chunk: int = _CHUNK) -> int:
    """How many `<doc>` records a byte-oriented dump holds (for progress), read in chunks."""
    total, tail = 0, b""
    while more := fh.read(chunk):
        buf = tail + more
        total += len(_DOC.findall(buf))
        cut = max(0, len(buf) - _TAG_MAX)
        tail = buf[cut:]
        total -= len(_DOC.findall(tail))  # counted now; found again in the next window
    return total


def _field(record: bytes, tag: bytes) -> bytes | None:
    m = re.search(rb"<%s\s*>(.*?)</%s\s*>" % (tag, tag), record, re.S)
    return None if m is None else m.group(1)


def _text(value: bytes, codec: str) -> str:
    # Crawls escape markup in the fields (`&amp;`); the content keeps what it has.
    return html.unescape(value.decode(codec, "replace"))


def _meta_codec(data: bytes) -> str:
    """The codec for the short metadata fields: the whole dump's, found once
    (a title alone is too short to tell GBK from Big5)."""
    from pipeline.stages.decode.detect import CharModel, decode_bytes

    label = decode_bytes(data[:_SAMPLE], CharModel.load()).encoding
    return {"big5": "cp950", "utf-8-sig": "utf-8"}.get(label, label)


def _utf16_as_utf8(data: bytes) -> bytes:
    return data.decode("utf-16", "replace").encode("utf-8")
