"""Full-width ASCII letters and digits, and invisible characters.

`２０２１` becomes `2021` and `ＡＩ` becomes `AI`, so extractors and search see
one form; full-width punctuation (，。：“”（）％) is the normal form in Chinese
text and stays. Zero-width and format characters (U+200B, U+FEFF inside text,
bidi controls, soft hyphen) and control characters other than tab, newline,
carriage return, vertical tab and form feed are removed: they split words for
every later stage and carry nothing.
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
        edits = [Edit(m.start(), m.end(), "", ZERO_WIDTH_RULE) for m in _ZERO_WIDTH.finditer(text)]
        edits += [Edit(m.start(), m.end(), "", CONTROL_RULE) for m in _CONTROL.finditer(text)]
        edits.sort(key=lambda e: e.start)
        return edits
