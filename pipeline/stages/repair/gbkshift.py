"""Reading a GBK frame-shifted run back into the text it was.

When a GBK byte stream loses one byte (or gets one inserted between the two
bytes of a character), a decoder pairs every trail byte with the next lead
byte and the text stays shifted until a single-byte character realigns it
(`../shared/DESIGN.md` works through the seeds byte by byte). Given where the
lost byte was, the bytes of the run are still there: re-encode the shifted
characters, put the lost byte in front, decode again.

This module enumerates the readings of the text after a lost byte. What makes
it more than one reading:
- an ASCII character in the run may be itself (it then realigns the run) or a
  full-width form the site folded to ASCII afterwards (`<` for A3BC);
- a `?` (or U+FFFD) is a byte the site's decoder could not use: it stands for
  one unknown byte, or for a folded `？` (A3BF);
- `?` followed by `pinyin)` is an unknown byte that swallowed the `(` of the
  annotation of the very character it completes (`日?qǐng)?bào)` for 日報): the
  reading narrows the unknown byte to the characters having it.
Each reading ends where the stream realigns; after that the text is right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.stages.repair.pinyin import PinyinTable

LEADS = tuple(range(0x81, 0xFF))
TRAILS = tuple(b for b in range(0x40, 0xFF) if b != 0x7F)
QUESTION = "?\ufffd"
# Readings explored per lost byte, and characters a run may span: real runs
# realign within a few characters; the caps bound the work on unlucky text.
MAX_READINGS = 48
MAX_RUN = 1000
# An unknown byte after a lead narrowed to this many values is still worth a
# choice by the model; after a wholly unknown lead it is not.
_MAX_UNKNOWN_LEADS = 4


@dataclass(frozen=True)
class Reading:
    """One way to read the run: characters (tuples of candidates) and where it ends."""

    items: tuple[tuple[str, ...], ...]  # one tuple per character; several = still to choose
    end: int  # index in the text just after the run
    folds: int  # ASCII characters read as full-width forms


class GbkCodes:
    """Two-byte GB18030 codes as tables, built once: the search asks millions of times."""

    __slots__ = ("_pair", "_with_lead", "_options")

    def __init__(self) -> None:
        self._pair: dict[tuple[int, int], str] = {}
        for lead in LEADS:
            for trail in TRAILS:
                try:
                    ch = bytes((lead, trail)).decode("gb18030")
                except UnicodeDecodeError:
                    continue
                if len(ch) == 1:
                    self._pair[lead, trail] = ch
        self._with_lead = {
            lead: tuple(c for t in TRAILS if (c := self._pair.get((lead, t))) is not None) for lead in LEADS
        }
        # Byte strings a character of a shifted run may have been decoded from.
        self._options: dict[str, tuple[tuple[int, ...], ...]] = {
            ch: ((lead, trail),) for (lead, trail), ch in self._pair.items()
        }
        for o in range(0x80):
            # ASCII is itself, or (printable) a full-width form folded to ASCII.
            self._options[chr(o)] = ((o,), (0xA3, o + 0x80)) if 0x21 <= o <= 0x7E else ((o,),)

    def pairs(self, leads: tuple[int, ...], trail: int) -> tuple[str, ...]:
        """The characters [lead][trail] for each possible lead."""
        get = self._pair.get
        return tuple(ch for lead in leads if (ch := get((lead, trail))) is not None)

    def with_lead(self, lead: int) -> tuple[str, ...]:
        """Every character whose first byte is `lead`."""
        return self._with_lead.get(lead, ())

    def two_byte(self) -> tuple[str, ...]:
        """Every character of a two-byte code."""
        return tuple(self._pair.values())

    def with_ascii_trail(self) -> tuple[str, ...]:
        """Every character whose second byte is ASCII (0x40-0x7E)."""
        return tuple(ch for (_, trail), ch in self._pair.items() if trail < 0x80)

    def two_byte_codes(self) -> dict[str, tuple[int, int]]:
        """Each non-ASCII character of a two-byte code, with its (lead, trail)
        (the first of its options, as `options` gives them)."""
        return {ch: opts[0] for ch, opts in self._options.items() if len(opts[0]) == 2 and not ch.isascii()}  # type: ignore[misc]

    def options(self, ch: str) -> tuple[tuple[int, ...], ...]:
        return self._options.get(ch, ())


class ShiftReader:
    """Enumerates the readings of text that follows a lost byte."""

    def __init__(self, table: PinyinTable, codes: GbkCodes):
        self._table = table
        self._codes = codes
        letters = "".join(sorted(table.letters))
        self._annotation = re.compile(f"[(（]?([{re.escape(letters)}]{{1,6}})[)）]")

    def readings(self, text: str, start: int, leads: tuple[int, ...]) -> list[Reading]:
        """Readings of `text[start:]` when one of `leads` is the byte lost before it."""
        found: list[Reading] = []
        # Depth-first over (position, possible pending lead bytes, items, folds);
        # an explicit stack, since a run may be hundreds of characters long.
        stack = [(start, leads, (), 0)]
        while stack and len(found) < MAX_READINGS:
            i, leads, items, folds = stack.pop()
            if len(items) >= MAX_RUN:
                continue
            if i >= len(text):
                # The text ends inside a character: its trail byte is unknown.
                if len(leads) == 1 and items:
                    found.append(Reading(items + (self._codes.with_lead(leads[0]),), i, folds))
                continue
            ch = text[i]
            if ch in QUESTION:
                self._unknown_byte(text, i, leads, items, folds, found)
            nexts = []
            for option in self._codes.options(ch):
                if ch in QUESTION and len(option) == 1:
                    continue  # a literal `?` cannot complete a character
                cands = self._codes.pairs(leads, option[0])
                if not cands:
                    continue
                fold = folds + (len(option) == 2 and ch.isascii())
                if len(option) == 1:
                    found.append(Reading(items + (cands,), i + 1, fold))
                elif option[1] < 0x80:
                    # The site paired our trail byte with an ASCII character of
                    # the original: that character ends the run.
                    found.append(Reading(items + (cands, (chr(option[1]),)), i + 1, fold))
                else:
                    nexts.append((i + 1, (option[1],), items + (cands,), fold))
            stack.extend(reversed(nexts))  # first option explored first
        return found

    def _unknown_byte(self, text, i, leads, items, folds, found) -> None:
        m = self._annotation.match(text, i + 1)
        if m and m.group(1) in self._table.all_syllables:
            # `?bào)`: the unknown byte took the annotation's `(` with it.
            cands = tuple(
                c for lead in leads for c in self._table.chars_with_lead(lead, m.group(1))
            )
            if cands:
                found.append(Reading(items + (cands,), m.end(), folds))
                return
        if len(leads) <= _MAX_UNKNOWN_LEADS:  # known lead(s), unknown trail: the model chooses
            cands = tuple(c for lead in leads for c in self._codes.with_lead(lead))
            if cands:
                found.append(Reading(items + (cands,), i + 1, folds))
