"""convert: traditional to simplified Chinese with OpenCC, then mainland fix-ups.

OpenCC returns only a string, so its change is aligned back into edits
(`align.diff_edits`); phrase configs such as tw2sp change length
(中介軟體 -> 中间件) and the alignment keeps offsets exact. The fix-up table
runs as a second layer with one rule id per entry, so `explain` shows which
rule made which change.
"""

from __future__ import annotations

from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Mapping

import opencc

from pipeline.core.align import diff_edits
from pipeline.core.document import Document, Edit
from pipeline.core.examples import pair_cases
from pipeline.core.literal import LiteralReplacer, load_literals
from pipeline.core.schema import Enum, Kind, String
from pipeline.core.stage import Assigns, Stage

# Configs that convert to simplified; s2t and friends would undo the stage's purpose.
OPENCC_CONFIGS = ("t2s", "tw2s", "tw2sp", "hk2s")


class ConvertStage(Stage):
    name = "convert"
    version = 1
    assigns = Assigns(layer=True)
    settings_kind = Kind("settings.convert", "Settings of the convert stage ([stages.convert]).", {
        "config": Enum(OPENCC_CONFIGS, "OpenCC configuration", default="t2s"),
        "fixups": String("fix-up table (literal replacements), relative to rules/", default="convert/fixups.toml"),
    })

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        super().__init__(settings, rules_dir, cache_dir)
        config = self.settings["config"]
        self._converter = opencc.OpenCC(config)
        self._rule_id = f"convert.opencc.{config}"
        self._entries, fixups = load_literals(self._fixup_path())
        self._replacer = LiteralReplacer(fixups)

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
        return self._replacer.edits(text)

    def example_cases(self, prepare) -> list:
        """[traditional input, expected output]: the rule fires on examples only."""
        return pair_cases(self._entries, self, prepare)
