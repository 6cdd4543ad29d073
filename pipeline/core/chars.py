"""Character classes every stage shares: Han characters and full-width ASCII.

One definition each, so that the stages agree on what a Han character is and
on how a full-width form maps to ASCII. Tables are read-only mappings for
`str.translate`.

>>> "（ＡＩ）２０２１".translate(halfwidth_map())
'(AI)2021'
>>> is_han("中"), is_han("a")
(True, False)
"""

from __future__ import annotations

import os
import re
import string
import unicodedata
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

# Han ideographs: CJK Unified Ideographs, extension A, the compatibility
# ideographs, and planes 2-3 (extensions B and later).
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))
# The same ranges as the body of a regex character class: f"[{HAN}]".
HAN = "".join(f"{chr(a)}-{chr(b)}" for a, b in HAN_RANGES)

# Printable ASCII (! to ~) has a full-width form at a fixed distance (！ to ～).
FULLWIDTH_SHIFT = 0xFEE0
FULLWIDTH_FIRST, FULLWIDTH_LAST = 0xFF01, 0xFF5E
ASCII_ALNUM = string.digits + string.ascii_uppercase + string.ascii_lowercase
IDEOGRAPHIC_SPACE = "\u3000"


_HAN_CHAR = re.compile(f"[{HAN}]")


def is_han(ch: str) -> bool:
    return _HAN_CHAR.fullmatch(ch) is not None


def unseen_cost(ch: str) -> float:
    """For character models (decode's frequencies, repair's bigrams): how many nats
    below the rarest known character a character the model has not seen scores, by
    how plausible it is in Chinese news. A rare hanzi (names, places) costs little;
    foreign letters and symbols more; controls, private use, unassigned code
    points, planes above the Han ones and U+FFFD most."""
    if is_han(ch):
        return 1.0
    if ord(ch) > 0x3FFFF or ch == "\ufffd" or unicodedata.category(ch)[0] == "C":
        return 12.0
    return 4.0


def is_fullwidth_ascii(ch: str) -> bool:
    return FULLWIDTH_FIRST <= ord(ch) <= FULLWIDTH_LAST


def to_fullwidth(ch: str) -> str:
    """The full-width form of a printable ASCII character (`A` -> `Ａ`)."""
    if not "!" <= ch <= "~":
        raise ValueError(f"{ch!r} has no full-width form")
    return chr(ord(ch) + FULLWIDTH_SHIFT)


def halfwidth_map(ascii_chars: Iterable[str] | None = None, spaces: str = "") -> Mapping[int, int]:
    """A `str.translate` table from full-width forms to ASCII, one character for one.

    `ascii_chars` limits it to the forms of those characters (default: every
    printable ASCII character); each character of `spaces` maps to a space.
    """
    chars = (chr(cp - FULLWIDTH_SHIFT) for cp in range(FULLWIDTH_FIRST, FULLWIDTH_LAST + 1)) \
        if ascii_chars is None else ascii_chars
    table = {ord(to_fullwidth(c)): ord(c) for c in chars}
    table.update((ord(s), 0x20) for s in spaces)
    return MappingProxyType(table)


def fullwidth_class(ascii_chars: str) -> str:
    """The body of a regex character class matching the full-width forms of `ascii_chars`."""
    return re.escape("".join(to_fullwidth(c) for c in ascii_chars))


def replace_lone_surrogates(text: str) -> tuple[str, int]:
    r"""`text` with each unpaired surrogate (valid in JSON, not in UTF-8) as U+FFFD, and how many.

    >>> replace_lone_surrogates("a\ud800b")
    ('a�b', 1)
    """
    if text.isascii() or not any("\ud800" <= c <= "\udfff" for c in text):
        return text, 0
    # Through UTF-16, where a high and a low surrogate in order make one character again.
    fixed = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return fixed, fixed.count("\ufffd") - text.count("\ufffd")


def path_text(path) -> str:
    r"""A path as text that is always valid UTF-8: bytes of a file name that are not
    UTF-8 (a GBK-named file from a crawl dump) appear as `\xNN` escapes.

    >>> path_text(Path(os.fsdecode(b"/in/\xd6\xd0.txt")))
    '/in/\\xd6\\xd0.txt'
    """
    return os.fsencode(Path(path).as_posix()).decode("utf-8", "backslashreplace")
