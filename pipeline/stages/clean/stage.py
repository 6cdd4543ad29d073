"""clean: boilerplate, spam and article metadata.

Keeps the article and only the article. Every removal is an edit whose rule
id names the reason (`edits.parquet`, `pipeline explain`): a whole line with
its line break, or a brand name stuffed inside a sentence. Header metadata
(title, published time, author, source, original title, editor) is lifted
into `doc.meta`; a value given with the input (JSONL title, published_at)
wins, except a given title that reads as spam (the article's headline does). Scores `spam_ratio` and `spun_score` go to `doc.meta`; flags `spam`,
`spun`, `clean_empty`. See README, "The clean stage".
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from pipeline.stages.clean.decide import Cleaner, CleanResult, Settings
from pipeline.stages.clean.examples import clean_cases
from pipeline.stages.clean.ruleset import FIELDS, load_clean_rules
from pipeline.core.document import Document
from pipeline.core.schema import Float, Int, Kind, String
from pipeline.core.stage import Assigns, Stage
from pipeline.stages.repair.charlm import CHAR_LM
from pipeline.stages.repair.charngram import CHAR_NGRAM

RULE_FILE_SETTINGS = ("lines", "metadata", "spam", "spun")
_SETTING_DOCS = {
    "body_min_chars": "a kept line with sentence punctuation and this many characters is an article paragraph",
    "max_title_chars": "the longest line taken as the title",
    "max_meta_chars": "longer lines are never metadata lines",
    "spam_check_max_chars": "longer lines with sentence punctuation skip the spam line check (speed)",
    "spam_threshold": "flag `spam` when spam_ratio is above this",
    "spun_threshold": "flag `spun` when spun_score (the learnt model's probability) reaches this (with spun_min_hits hits)",
    "spun_min_hits": "spun phrases (of the rules and the table; context swaps only weigh in the score) needed for the `spun` flag",
}
# Bounds beyond `minimum=0`. spam_ratio and spun_score are shares (0 to 1): a threshold above 1
# (5 meant as 5%) would silently switch the flag off. With 0 hits a text without a single spun
# phrase could be flagged (spun_threshold 0).
_SETTING_BOUNDS = {"spam_threshold": {"maximum": 1}, "spun_threshold": {"maximum": 1}, "spun_min_hits": {"minimum": 1}}


class CleanStage(Stage):
    name = "clean"
    version = 9  # 4: published_at from the record's url (/20120615/); 5: spun score learnt, context restoration, spam titles lose; 6: both; 7: bylines inside lines, glued names by the dictionary, spun flag needs spun_min_hits phrases; 8: closing signatures on the last line; 9: the body and title never from a line that leaves the text (cleaning twice changes nothing)
    # The header metadata it lifts out of the body (the fields rules/clean/metadata.toml
    # may name; author and editor names joined with 、), every source named (a list) and
    # the document scores.
    assigns = Assigns(layer=True, meta={
        **{k: "string" for k in ("title", *FIELDS)}, "news_sources": "list",
        # The text's own date line, kept when the record gave another published_at.
        "published_at_in_text": "string",
        # Where published_at came from when neither the record nor the text gave it ("url").
        "published_at_source": "string",
        "spam_ratio": "float", "spun_score": "float",
    })
    settings_kind = Kind("settings.clean", "Settings of the clean stage ([stages.clean]).", {
        "lines": String("furniture lines, relative to rules/", default="clean/lines.toml"),
        "metadata": String("metadata fields, relative to rules/", default="clean/metadata.toml"),
        "spam": String("spam lexicons, decisions and inline names, relative to rules/", default="clean/spam.toml"),
        "spun": String("synonym-spun phrases, relative to rules/", default="clean/spun.toml"),
        **{f.name: (Int if isinstance(f.default, int) else Float)(
            _SETTING_DOCS[f.name], default=f.default, **{"minimum": 0, **_SETTING_BOUNDS.get(f.name, {})})
           for f in fields(Settings)},
    })

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        super().__init__(settings, rules_dir, cache_dir)
        values = {f.name: self.settings[f.name] for f in fields(Settings)}
        self.rules = load_clean_rules(rules_dir, *(self.settings[k] for k in RULE_FILE_SETTINGS))
        self.cleaner = Cleaner(self.rules, Settings(**values))

    def rule_files(self) -> tuple[Path, ...]:
        return self.rules.files

    def libraries(self) -> dict[str, str]:
        return dict(self._model_hashes)

    # The repair stage's character models judge spinner words in context (clean/spun.toml
    # [[context]]): their hashes are part of the fingerprint, read once (3 MB).
    @cached_property
    def _model_hashes(self) -> dict[str, str]:
        if self.rules.spun_context is None:
            return {}
        files = resources.files("pipeline.stages.repair")
        return {f: hashlib.sha256(files.joinpath(f).read_bytes()).hexdigest()[:16] for f in (CHAR_LM, CHAR_NGRAM)}

    def example_cases(self, prepare) -> list:
        return clean_cases(self, prepare)

    def run(self, doc: Document) -> tuple[Document, CleanResult]:
        """The cleaned document and the decisions behind it (for goldens and evaluation)."""
        result = self.cleaner.clean(doc.text, doc.meta)
        out = doc.with_edits(self.name, result.edits).with_meta(**result.meta)
        return out.with_flags(**result.flags), result

    def __call__(self, doc: Document) -> Document:
        return self.run(doc)[0]
