"""Homoglyphs written to dodge advertising law: 蕞大化 for 最大化.

China's advertising law forbids superlatives (最佳, 最大, 第一), so copy
writers swap in a look-alike character (蕞 for 最). The table lives in
`rules/repair/homoglyphs.toml`, a table of literal replacements
(`pipeline.core.literal`): each entry can name the characters that, right
after or right before it, mean the look-alike is the real word (蕞尔 "tiny"
must survive).
"""

from __future__ import annotations

from pipeline.core.document import Edit
from pipeline.core.literal import Literal, LiteralReplacer
from pipeline.stages.repair.base import Fixer


class HomoglyphFixer(Fixer):
    name = "homoglyphs"

    def __init__(self, entries: tuple[Literal, ...]):
        self.rule_ids = tuple(e.rule_id for e in entries)
        self._replacer = LiteralReplacer(entries)

    def edits(self, text: str) -> list[Edit]:
        return self._replacer.edits(text)
