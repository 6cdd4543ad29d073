"""Pinyin readings of GBK characters, and removal of injected pinyin annotations.

Some sites convert simplified text to traditional and put the reading of each
converted character after it: `聯(lián)動`. The fixer removes a parenthesised
single toned syllable right after a character whose reading it is; anything
else in parentheses (`(以下简称“中心”)`, `(试行)`, `(1)`, `(CEO)`, an
untoned `(Li)`) stays.

The table (`pipeline/stages/repair/data/pinyin.tsv`, built by `scripts/build_pinyin_table.py`)
is also the evidence frame-shift repair uses to recover a lost GBK byte.
"""

from __future__ import annotations

import re
import string
import unicodedata
from importlib import resources
from pathlib import Path

from pipeline.core.document import Edit
from pipeline.core.chars import halfwidth_map, is_han, to_fullwidth
from pipeline.stages.repair.base import Fixer

PINYIN_TABLE = "data/pinyin.tsv"
RULE_ID = "repair.pinyin.annotation"
# The longest toned syllable is six letters (zhuàng, shuāng).
_MAX_SYLLABLE = 6
_OPEN = "(（"
_CLOSE = ")）"
_HALF_WIDTH = halfwidth_map(string.ascii_lowercase)


class PinyinTable:
    """char -> readings; (GBK lead byte, reading) -> characters."""

    __slots__ = ("readings", "syllables", "all_syllables", "letters", "_by_lead")

    def __init__(self, readings: dict[str, tuple[str, ...]]):
        self.readings = readings
        # Toned syllables mark an annotation; neutral-tone readings (么 me)
        # still identify a character when a frame shift already says where
        # an annotation was.
        self.all_syllables = frozenset(r for rs in readings.values() for r in rs)
        self.syllables = frozenset(r for r in self.all_syllables if has_tone(r))
        self.letters = frozenset("".join(self.all_syllables))
        by_lead: dict[tuple[int, str], list[str]] = {}
        for ch, rs in readings.items():
            code = ch.encode("gbk")
            for r in rs:
                by_lead.setdefault((code[0], r), []).append(ch)
        self._by_lead = {k: tuple(v) for k, v in by_lead.items()}

    @classmethod
    def load(cls, path: Path | None = None) -> PinyinTable:
        if path is None:
            text = resources.files("pipeline.stages.repair").joinpath(PINYIN_TABLE).read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        readings = {}
        for line in text.splitlines():
            if not line or line.startswith("#"):
                continue
            ch, _, rs = line.partition("\t")
            readings[ch] = tuple(rs.split(","))
        return cls(readings)

    def chars_with_lead(self, lead: int, reading: str) -> tuple[str, ...]:
        """GBK characters whose first byte is `lead` and that can read `reading`."""
        return self._by_lead.get((lead, reading), ())

    def is_annotation(self, ch: str, syllable: str) -> bool:
        """Is `(syllable)` right after `ch` a reading annotation of it?"""
        known = self.readings.get(ch)
        if known is not None:
            return syllable in known
        # A character outside the table (rare extension-B names): any toned
        # syllable right after a Han character is still an annotation.
        return is_han(ch) and syllable in self.syllables


def has_tone(syllable: str) -> bool:
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", syllable))


class PinyinAnnotationFixer(Fixer):
    name = "pinyin"
    rule_ids = (RULE_ID,)

    def __init__(self, table: PinyinTable):
        self._table = table
        # Full-width Latin letters count as their ASCII forms: the width fixer
        # runs later, and the stage must not leave an annotation it would
        # remove on a second pass.
        letters = "".join(sorted(table.letters | {to_fullwidth(c) for c in table.letters if c.isascii()}))
        self._pattern = re.compile(
            f"[{_OPEN}]([{re.escape(letters)}]{{1,{_MAX_SYLLABLE}}})[{_CLOSE}]"
        )

    def edits(self, text: str) -> list[Edit]:
        if "(" not in text and "（" not in text:
            return []
        edits: list[Edit] = []
        for m in self._pattern.finditer(text):
            start = m.start()
            # `聯(lián)(lián)`: a second annotation right after a removed one
            # belongs to the same character.
            anchor = edits[-1].start if edits and edits[-1].end == start else start
            if anchor == 0:
                continue
            syllable = m.group(1).translate(_HALF_WIDTH)
            if self._table.is_annotation(text[anchor - 1], syllable):
                edits.append(Edit(start, m.end(), "", RULE_ID))
        return edits
