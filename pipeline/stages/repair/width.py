"""Full-width ASCII letters and digits, and invisible characters.

`２０２１` becomes `2021` and `ＡＩ` becomes `AI`, so extractors and search see
one form; full-width punctuation (，。：“”（）％) is the normal form in Chinese
text and stays. Zero-width and format characters (U+200B, U+FEFF inside text,
bidi controls, soft hyphen) and control characters other than tab, newline,
carriage return, vertical tab and form feed are removed: they split words for
every later stage and carry nothing. Except where they are part of the text:
a ZWJ joining emoji into one (👨‍👩‍👧), ZWJ/ZWNJ between letters of a script
that spells with them (Arabic, Persian, the Indic scripts), and bidi controls
on a line with right-to-left letters. Variation selectors are never removed.
"""

from __future__ import annotations

import re

from pipeline.core.chars import ASCII_ALNUM, fullwidth_class, halfwidth_map
from pipeline.core.document import Edit
from pipeline.stages.repair.base import Fixer

WIDTH_RULE = "repair.width.fullwidth_alnum"
ZERO_WIDTH_RULE = "repair.invisible.zero_width"
CONTROL_RULE = "repair.invisible.control"

# Full-width digits and Latin letters (U+FF10-FF19, FF21-FF3A, FF41-FF5A).
_FULLWIDTH_ALNUM = re.compile(f"[{fullwidth_class(ASCII_ALNUM)}]+")
_TO_HALF = halfwidth_map(ASCII_ALNUM)
# Zero-width and invisible format characters: ZWSP, ZWNJ, ZWJ, LRM, RLM,
# bidi embeddings/isolates, word joiner and invisible operators, BOM/ZWNBSP,
# soft hyphen, Mongolian vowel separator, interlinear annotation marks.
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u00ad\u180e\ufff9-\ufffb]+")
# Those that can belong to a sequence: the joiners, and the bidi controls.
_JOINERS = "\u200c\u200d"
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Emoji a ZWJ sequence is made of (Extended_Pictographic, its main blocks),
# and what may follow one before the joiner: variation selectors and skin tones.
_PICTOGRAPHIC = re.compile(
    "[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2"
    "\u25aa-\u25fe\u2600-\u27bf\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299"
    "\U0001f000-\U0001faff]"
)
_EMOJI_MODIFIERS = "\ufe0e\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"
# Scripts in which ZWJ/ZWNJ choose a letter's joined form (Arabic, Syriac, the
# Indic scripts): there they are spelling, not noise.
_JOINING_LETTER = re.compile("[\u0600-\u08ff\u0900-\u0dff]")
# Right-to-left letters: on a line holding them, bidi controls order the text.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# C0 controls but \t \n \v \f \r, DEL, C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]+")


class WidthFixer(Fixer):
    name = "width"
    rule_ids = (WIDTH_RULE,)

    def edits(self, text: str) -> list[Edit]:
        return [
            Edit(m.start(), m.end(), m.group().translate(_TO_HALF), WIDTH_RULE)
            for m in _FULLWIDTH_ALNUM.finditer(text)
        ]


class InvisibleFixer(Fixer):
    name = "invisible"
    rule_ids = (ZERO_WIDTH_RULE, CONTROL_RULE)

    def edits(self, text: str) -> list[Edit]:
        rtl_lines = {} if _RTL.search(text) else None  # line start -> holds RTL letters
        edits = [
            Edit(start, end, "", ZERO_WIDTH_RULE)
            for m in _ZERO_WIDTH.finditer(text)
            for start, end in _removable(text, m.start(), m.end(), rtl_lines)
        ]
        edits += [Edit(m.start(), m.end(), "", CONTROL_RULE) for m in _CONTROL.finditer(text)]
        edits.sort(key=lambda e: e.start)
        return edits


def _removable(text: str, start: int, end: int, rtl_lines: dict | None) -> list[tuple[int, int]]:
    """The spans of the invisible run text[start:end] to delete: all of it, but
    a ZWJ inside an emoji sequence, a joiner between letters of a joining
    script, and bidi controls on a line with right-to-left letters."""
    run = text[start:end]
    joiner = any(c in _JOINERS for c in run)
    bidi = rtl_lines is not None and _BIDI.search(run)
    if not joiner and not bidi:
        return [(start, end)]  # the common case: nothing here can be kept
    # What the run sits between (an emoji's variation selector or skin tone
    # comes before the joiner) and whether its line is right-to-left text.
    before = text[max(0, start - 8) : start].rstrip(_EMOJI_MODIFIERS)[-1:]
    after = text[end : end + 1]
    emoji = _PICTOGRAPHIC.match(before) and _PICTOGRAPHIC.match(after)
    joining = _JOINING_LETTER.match(before) and _JOINING_LETTER.match(after)
    rtl = bidi and _line_is_rtl(text, start, rtl_lines)
    spans: list[tuple[int, int]] = []
    for i in range(start, end):
        ch = text[i]
        if (ch == "\u200d" and emoji) or (ch in _JOINERS and joining) or (rtl and _BIDI.match(ch)):
            continue
        if spans and spans[-1][1] == i:
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans


def _line_is_rtl(text: str, at: int, memo: dict) -> bool:
    line_start = text.rfind("\n", 0, at) + 1
    if line_start not in memo:
        line_end = text.find("\n", at)
        memo[line_start] = _RTL.search(text, line_start, len(text) if line_end < 0 else line_end) is not None
    return memo[line_start]
