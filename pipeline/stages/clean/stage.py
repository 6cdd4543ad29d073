"""clean: boilerplate, spam and article metadata.

Keeps the article and only the article. Every removal is an edit whose rule
id names the reason (`edits.parquet`, `pipeline explain`): a whole line with
its line break, or a brand name stuffed inside a sentence. Header metadata
(title, published time, author, source, original title, editor) is lifted
into `doc.meta`; a value given with the input (JSONL title, published_at)
wins. Scores `spam_ratio` and `spun_score` go to `doc.meta`; flags `spam`,
`spun`, `clean_empty`. See README, "The clean stage".
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any, Mapping

from pipeline.stages.clean.decide import Cleaner, CleanResult, Settings
from pipeline.stages.clean.ruleset import FIELDS, load_clean_rules
from pipeline.core.document import Document
from pipeline.core.rules import RuleError
from pipeline.core.stage import Assigns, Stage

RULE_FILE_SETTINGS = ("lines", "metadata", "spam", "spun")


class CleanStage(Stage):
    name = "clean"
    version = 1
    # The header metadata it lifts out of the body (the fields rules/clean/metadata.toml
    # may name) and the document scores.
    assigns = Assigns(layer=True, meta={
        **{k: "string" for k in ("title", *FIELDS)}, "spam_ratio": "float", "spun_score": "float",
    })
    defaults: Mapping[str, Any] = {
        "lines": "clean/lines.toml",
        "metadata": "clean/metadata.toml",
        "spam": "clean/spam.toml",
        "spun": "clean/spun.toml",
        **{f.name: f.default for f in fields(Settings)},
    }

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        super().__init__(settings, rules_dir, cache_dir)
        values = {}
        for f in fields(Settings):
            value = self.settings[f.name]
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
            if f.type == "int" or isinstance(f.default, int):
                ok = ok and isinstance(value, int)
            if not ok:
                raise RuleError(rules_dir / "pipeline.toml", None,
                                f"[stages.clean] {f.name} must be a {type(f.default).__name__} >= 0, got {value!r}")
            values[f.name] = value
        self.rules = load_clean_rules(rules_dir, *(self.settings[k] for k in RULE_FILE_SETTINGS))
        self.cleaner = Cleaner(self.rules, Settings(**values))

    def rule_files(self) -> tuple[Path, ...]:
        return self.rules.files

    def run(self, doc: Document) -> tuple[Document, CleanResult]:
        """The cleaned document and the decisions behind it (for goldens and evaluation)."""
        result = self.cleaner.clean(doc.text, doc.meta)
        out = doc.with_edits(self.name, result.edits).with_meta(**result.meta)
        return out.with_flags(**result.flags), result

    def __call__(self, doc: Document) -> Document:
        return self.run(doc)[0]
