"""Corruption generator: each kind of damage the repair stage undoes, made on clean text.

For tests and `eval/repair.py`; the stage itself never calls it. Every
function takes the text and a seeded `random.Random`, damages one place, and
returns the damaged text, or None when the text offers no place for that
damage. The GBK mechanisms follow `../shared/DESIGN.md`, byte for byte:

- `annotate`: a reading annotation after a Han character, `聯(lián)`.
- `straddle`: the source site's byte-level search matched the GBK code that
  straddles two characters (域|專: F2 8C = 驅) and inserted `(qū)` after it,
  between the two bytes of 專; the site's decoder turned the orphaned lead
  byte and `(` into `?`, decoded the rest one byte off until a single-byte
  character realigned it, and full-width punctuation in the shifted run was
  folded to ASCII.
- `lost_byte`: the lead byte of a character became `?` (it and the byte after
  it could not be decoded), and the rest ran shifted the same way.
- `silent_deletion`: one byte (the lead or the trail of a character) silently
  dropped from the GBK stream, which a site then decoded: a strict GB2312 or
  GBK decoder pairs every byte one off until the first invalid pair, where it
  writes `?` for one byte and realigns (`青岛市科季纸裉旆⒉剂诵碌姆龀终?策`:
  no marker at the start of the run); a GB18030 decoder reads user-defined
  codes as private-use characters and runs on to the next ASCII byte.
  With `marks=False` the decoder drops what it cannot decode instead
  (`errors="ignore"`): the run has no mark at either end, only the shift
  (`科季纸裉旆⒉剂诵碌姆龀终策`), and ends at an invalid pair (one byte dropped,
  realigned), an ASCII byte or a line end.
- `utf8_as_gbk`: a stretch of UTF-8 decoded as GBK, undecodable bytes as U+FFFD.
- `gbk_as_latin1`: a stretch of GBK decoded as Latin-1.
"""

from __future__ import annotations

import hashlib
import random

from pipeline.core.chars import halfwidth_map, is_fullwidth_ascii, is_han
from pipeline.stages.repair.pinyin import PinyinTable

# The site decoder's longest shifted run before it gives up and we stop: real
# runs end within a few characters; this bounds pathological text.
_MAX_SHIFT_BYTES = 400
_FOLD = halfwidth_map()  # the site folded full-width punctuation to ASCII


def split_of(article_id: str) -> str:
    """'train' (the character model learns from it) or 'eval', stable per id."""
    bucket = int(hashlib.sha256(article_id.encode("utf-8")).hexdigest(), 16) % 10
    return "train" if bucket < 8 else "eval"


def annotate(text: str, rng: random.Random, table: PinyinTable) -> str | None:
    places = [i for i, c in enumerate(text) if c in table.readings and is_han(c)]
    if not places:
        return None
    i = rng.choice(places)
    return text[: i + 1] + f"({table.readings[text[i]][0]})" + text[i + 1 :]


def straddle(text: str, rng: random.Random, table: PinyinTable) -> str | None:
    places = []
    for i in range(1, len(text)):
        a, b = _gbk2(text[i - 1]), _gbk2(text[i])
        if a and b:
            code = _pair(a[1], b[0])
            if code and code in table.readings:
                places.append((i, table.readings[code][0]))
    if not places:
        return None
    i, reading = rng.choice(places)
    lead, trail = _gbk2(text[i])
    shifted, consumed = _site_decode_shifted(bytes([trail]), text, i + 1)
    return text[:i] + "?" + reading + ")" + shifted + text[consumed:]


def lost_byte(text: str, rng: random.Random) -> str | None:
    places = [i for i, c in enumerate(text) if _gbk2(c)]
    if not places:
        return None
    i = rng.choice(places)
    shifted, consumed = _site_decode_shifted(bytes([_gbk2(text[i])[1]]), text, i + 1)
    return text[:i] + "?" + shifted + text[consumed:]


def silent_deletion(
    text: str, rng: random.Random, decoder: str = "gb2312", byte: str = "lead", marks: bool = True
) -> str | None:
    """Drop the `byte` ("lead" or "trail") of a random two-byte character; decode with `decoder`.

    The site's decoder writes `?` where it cannot decode (Python's codecs
    resynchronise after one byte, as real ones do), or with `marks=False`
    drops that byte silently. With "gb2312" the text must be GB2312 (the site
    could not have served it otherwise).
    """
    source = "gb2312" if decoder == "gb2312" else "gbk"
    if "\ufffd" in text:
        return None  # the marks the decoder writes must be its own
    places = []
    pos = 0
    for ch in text:
        try:
            n = len(ch.encode(source))
        except UnicodeEncodeError:
            return None
        if n == 2:
            places.append(pos)
        pos += n
    if not places:
        return None
    data = text.encode(source)
    at = rng.choice(places) + (byte == "trail")
    if not marks:
        return (data[:at] + data[at + 1 :]).decode(decoder, "ignore")
    return (data[:at] + data[at + 1 :]).decode(decoder, "replace").replace("\ufffd", "?")


def utf8_as_gbk(text: str, rng: random.Random, length: int = 12) -> str | None:
    start, end = _han_stretch(text, rng, length)
    if start is None:
        return None
    damaged = text[start:end].encode("utf-8").decode("gbk", "replace")
    return text[:start] + damaged + text[end:]


def gbk_as_latin1(text: str, rng: random.Random, length: int = 8) -> str | None:
    start, end = _han_stretch(text, rng, length)
    if start is None:
        return None
    try:
        damaged = text[start:end].encode("gbk").decode("latin-1")
    except UnicodeEncodeError:
        return None
    return text[:start] + damaged + text[end:]


def _han_stretch(text: str, rng: random.Random, length: int) -> tuple[int | None, int]:
    starts = [i for i in range(len(text) - length) if all(is_han(c) for c in text[i : i + length])]
    if not starts:
        return None, 0
    i = rng.choice(starts)
    return i, i + length


def _gbk2(ch: str) -> bytes | None:
    try:
        b = ch.encode("gbk")
    except UnicodeEncodeError:
        return None
    return b if len(b) == 2 else None


def _pair(lead: int, trail: int) -> str | None:
    try:
        ch = bytes((lead, trail)).decode("gbk")
    except UnicodeDecodeError:
        return None
    return ch if len(ch) == 1 else None


def _site_decode_shifted(head: bytes, text: str, next_char: int) -> tuple[str, int]:
    """Decode `head` + the GBK bytes of `text[next_char:]` as the site did, one
    byte off, until the stream realigns with a character boundary.

    Returns the shifted characters and the index in `text` where correct text
    resumes. Full-width forms the shifted decode produces are folded to ASCII,
    as the site folded full-width punctuation.
    """
    data = bytearray(head)
    # Byte offsets (in `data`) where each following character of `text` starts.
    boundaries = {len(data): next_char}
    k = next_char
    while k < len(text) and len(data) < _MAX_SHIFT_BYTES:
        try:
            data += text[k].encode("gb18030")
        except UnicodeEncodeError:
            data += b"?"
        k += 1
        boundaries[len(data)] = k
    out = []
    pos = 0
    while pos < len(data):
        b = data[pos]
        if b < 0x80:
            out.append(chr(b))
            pos += 1
        elif pos + 1 < len(data) and (ch := _site_pair(b, data[pos + 1])) is not None:
            out.append(ch)
            pos += 2
        else:
            out.append("?")
            # A printable ASCII byte after an orphaned lead goes with it (the
            # seeds: `(`); whitespace and line breaks survive.
            pos += 2 if pos + 1 < len(data) and 0x21 <= data[pos + 1] < 0x80 else 1
        if pos in boundaries and pos > 0:
            return "".join(out), boundaries[pos]
    return "".join(out), len(text)


def _site_pair(lead: int, trail: int) -> str | None:
    if trail < 0x40 or trail == 0x7F:
        return None
    try:
        ch = bytes((lead, trail)).decode("gb18030")
    except UnicodeDecodeError:
        return None
    if len(ch) != 1:
        return None
    if is_fullwidth_ascii(ch):
        return ch.translate(_FOLD)  # full-width folded to ASCII
    return ch
