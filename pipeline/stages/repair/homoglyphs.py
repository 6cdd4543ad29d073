"""Homoglyphs written to dodge advertising law: 蕞大化 for 最大化.

China's advertising law forbids superlatives (最佳, 最大, 第一), so copy
writers swap in a look-alike character (蕞 for 最). The table lives in
`rules/repair/homoglyphs.toml`; each entry can name the characters that,
right after or right before it, mean the look-alike is the real word
(蕞尔 "tiny" must survive).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.document import Edit
from pipeline.core.patterns import alternation
from pipeline.stages.repair.base import Fixer
from pipeline.core.rules import RuleError, load_rules


@dataclass(frozen=True)
class Homoglyph:
    rule_id: str
    source: str
    target: str
    not_followed_by: str
    not_preceded_by: str


def load_homoglyphs(path: Path) -> tuple[Homoglyph, ...]:
    entries = []
    seen: dict[str, str] = {}
    for rule in load_rules(path, required=("from", "to")):
        source, target = rule.fields["from"], rule.fields["to"]
        if not (isinstance(source, str) and source and isinstance(target, str) and target):
            raise RuleError(path, rule.line, f"rule {rule.id}: `from` and `to` must be non-empty strings")
        if source in seen:
            raise RuleError(path, rule.line, f"rule {rule.id}: `from` {source!r} already used by {seen[source]}")
        for key in ("not_followed_by", "not_preceded_by"):
            if not isinstance(rule.fields.get(key, ""), str):
                raise RuleError(path, rule.line, f"rule {rule.id}: `{key}` must be a string of characters")
        seen[source] = rule.id
        entries.append(
            Homoglyph(
                rule.id, source, target,
                rule.fields.get("not_followed_by", ""), rule.fields.get("not_preceded_by", ""),
            )
        )
    return tuple(entries)


class HomoglyphFixer(Fixer):
    name = "homoglyphs"

    def __init__(self, entries: tuple[Homoglyph, ...]):
        self._entries = {e.source: e for e in entries}
        self.rule_ids = tuple(e.rule_id for e in entries)
        # Longest first, so a longer entry wins where two start at the same place.
        self._pattern = re.compile(alternation(self._entries)) if self._entries else None

    def edits(self, text: str) -> list[Edit]:
        if self._pattern is None:
            return []
        edits = []
        for m in self._pattern.finditer(text):
            entry = self._entries[m.group()]
            nxt = text[m.end() : m.end() + 1]
            prev = text[m.start() - 1 : m.start()] if m.start() else ""
            if (nxt and nxt in entry.not_followed_by) or (prev and prev in entry.not_preceded_by):
                continue
            edits.append(Edit(m.start(), m.end(), entry.target, entry.rule_id))
        return edits
