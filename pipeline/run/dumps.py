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

Tags are found in the bytes: `<` (0x3C) is never the second byte of a GBK,
GB18030 or Big5 character, so a tag cannot hide inside one. UTF-16 dumps
(with a byte-order mark) are read as text and each content re-encoded as
UTF-16 with its mark.
"""

from __future__ import annotations

import codecs
import html
import re
from typing import Iterator

from pipeline.run.inputs import InputError, InputRecord

_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<(?:doclist|doc)\s*>")
_DOC = re.compile(rb"<doc\s*>")
_END = re.compile(rb"</doc\s*>")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Bytes of a dump the metadata's encoding is detected on.
_SAMPLE = 1 << 18
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
    utf16 = data.startswith(_UTF16_BOMS)
    if utf16:
        data = _utf16_as_utf8(data)
    codec = _meta_codec(data)
    starts = [m.start() for m in _DOC.finditer(data)]
    for n, (a, b) in enumerate(zip(starts, starts[1:] + [len(data)]), 1):
        where = f"{source}#{n}"
        record = data[a:b]
        end = _END.search(record)
        if end is None:
            yield InputError(f"{file_id}#{n}", where, "MalformedDump", f"{where}: <doc> without </doc>")
            continue
        record = record[: end.start()]
        content = _field(record, b"content")
        if content is None:
            yield InputError(f"{file_id}#{n}", where, "MalformedDump", f"{where}: record without <content>")
            continue
        docno = _field(record, b"docno")
        doc_id = _text(docno, codec).strip() if docno is not None else ""
        meta = {}
        for tag, key in FIELDS.items():
            value = _field(record, tag.encode("ascii"))
            if value is not None and (value := _text(value, codec).strip()):
                meta[key] = value
        raw = codecs.BOM_UTF16_LE + content.decode("utf-8").encode("utf-16-le") if utf16 else content
        yield InputRecord(doc_id or f"{file_id}#{n}", where, raw, meta)


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
