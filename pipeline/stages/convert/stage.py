"""convert: traditional to simplified Chinese with OpenCC, then mainland fix-ups.

OpenCC returns only a string, so its change is aligned back into edits
(`align.diff_edits`); phrase configs such as tw2sp change length
(中介軟體 -> 中间件) and the alignment keeps offsets exact. The fix-up table
runs as a second layer with one rule id per entry, so `explain` shows which
rule made which change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Mapping

import opencc

from pipeline.core.align import diff_edits
from pipeline.core.document import Document, Edit
from pipeline.core.patterns import alternation
from pipeline.core.rules import RuleError, load_rules
from pipeline.core.stage import Assigns, Stage

# Configs that convert to simplified; s2t and friends would undo the stage's purpose.
OPENCC_CONFIGS = ("t2s", "tw2s", "tw2sp", "hk2s")


@dataclass(frozen=True)
class Fixup:
    rule_id: str
    source: str
    target: str
    not_followed_by: str


class ConvertStage(Stage):
    name = "convert"
    version = 1
    assigns = Assigns(layer=True)
    defaults: Mapping[str, Any] = {"config": "t2s", "fixups": "convert/fixups.toml"}

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        super().__init__(settings, rules_dir, cache_dir)
        config = self.settings["config"]
        if config not in OPENCC_CONFIGS:
            raise RuleError(
                rules_dir / "pipeline.toml",
                None,
                f"[stages.convert] config {config!r} is not one of {', '.join(OPENCC_CONFIGS)}",
            )
        self._converter = opencc.OpenCC(config)
        self._rule_id = f"convert.opencc.{config}"
        self._fixups = load_fixups(self._fixup_path())
        self._fixup_pattern = _fixup_pattern(self._fixups)

    def _fixup_path(self) -> Path:
        return self.rules_dir / self.settings["fixups"]

    def rule_files(self) -> tuple[Path, ...]:
        return (self._fixup_path(),)

    def libraries(self) -> dict[str, str]:
        return {"opencc": package_version("opencc")}

    def __call__(self, doc: Document) -> Document:
        converted = self._converter.convert(doc.text)
        if converted == doc.text:
            return doc  # already simplified: untouched, fix-ups included
        edits = diff_edits(doc.text, converted, self._rule_id)
        doc = doc.with_edits(self.name, edits)
        fixups = self.fixup_edits(doc.text)
        doc = doc.with_edits(self.name, fixups)
        return doc.with_flags(converted=len(edits), convert_fixups=len(fixups))

    def fixup_edits(self, text: str) -> list[Edit]:
        if self._fixup_pattern is None:
            return []
        by_source = {f.source: f for f in self._fixups}
        edits = []
        for m in self._fixup_pattern.finditer(text):
            fix = by_source[m.group()]
            nxt = text[m.end() : m.end() + 1]
            if nxt and nxt in fix.not_followed_by:
                continue
            edits.append(Edit(m.start(), m.end(), fix.target, fix.rule_id))
        return edits


def load_fixups(path: Path) -> tuple[Fixup, ...]:
    fixups = []
    seen: dict[str, str] = {}
    for rule in load_rules(path, required=("from", "to")):
        source, target = rule.fields["from"], rule.fields["to"]
        if not (isinstance(source, str) and source and isinstance(target, str)):
            raise RuleError(path, rule.line, f"rule {rule.id}: `from` and `to` must be strings, `from` non-empty")
        if source in seen:
            raise RuleError(path, rule.line, f"rule {rule.id}: `from` {source!r} already used by {seen[source]}")
        seen[source] = rule.id
        fixups.append(Fixup(rule.id, source, target, rule.fields.get("not_followed_by", "")))
    return tuple(fixups)


def _fixup_pattern(fixups: tuple[Fixup, ...]) -> re.Pattern | None:
    if not fixups:
        return None
    # Longest first, so a longer entry wins where two start at the same place.
    return re.compile(alternation(f.source for f in fixups))
