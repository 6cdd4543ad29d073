"""Lines of a document and the normalised view of a line that rules match.

A rule author writes patterns against one canonical form of a line: full-width
ASCII folded to ASCII (：→:), runs of whitespace one space, no leading or
trailing space, and pinyin annotations after a Chinese character (联(lián))
left out, so rules work before and after the repair stage has removed them.
Values lifted from a line are taken from `plain`, the same text without the
folding (full-width punctuation in a title stays as written). What counts as
an annotation and as a sentence mark is rule data (the `[view]` of lines.toml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core.chars import IDEOGRAPHIC_SPACE, halfwidth_map
from pipeline.stages.clean.ruleset import ViewRules

_SPACE = re.compile(r"\s+")
# Full-width ASCII variants and ideographic space to ASCII: one character for one.
FOLD = halfwidth_map(spaces=IDEOGRAPHIC_SPACE + "\u00a0")


@dataclass(frozen=True)
class Line:
    """One line: `start`-`end` its text, `stop` past its line break (== end on the last line)."""

    index: int
    start: int
    end: int
    stop: int
    raw: str
    plain: str
    view: str

    @property
    def blank(self) -> bool:
        return not self.view


class LineView:
    """Reads text as lines and their views, by the `[view]` rules."""

    def __init__(self, rules: ViewRules):
        self._pinyin = rules.pinyin_annotation
        self._marks = rules.sentence_marks

    def plain(self, raw: str) -> str:
        return _SPACE.sub(" ", self._pinyin.sub("", raw)).strip()

    def split(self, text: str) -> list[Line]:
        lines = []
        pos = 0
        for index, chunk in enumerate(text.splitlines(keepends=True)):
            body = chunk.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
            plain = self.plain(body)
            lines.append(Line(index, pos, pos + len(body), pos + len(chunk), body, plain, plain.translate(FOLD)))
            pos += len(chunk)
        return lines

    def sentence_marks(self, view: str) -> int:
        return len(self._marks.findall(view))
