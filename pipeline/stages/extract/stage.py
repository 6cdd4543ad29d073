"""extract: rule extractors (money, percent, count, date) turn clean text into facts.

Each extractor reads one rule file (`rules/extract/<name>.toml`) and has its
own name, version and fingerprint (`describe()["extractors"]`). Each is a
*part* of the stage (`parts()`): the runner's cache keeps each extractor's
candidates on their own, so a money-rule edit reruns the money extractor only
and `assemble` redoes the cheap rest. Their candidates go through the
one overlap policy (`pipeline.stages.extract.overlap`), then become `Fact`s with spans
in the clean text, the original text, the sentence index from the segment
stage (None when it did not run) and the rule that made them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from pipeline.stages.extract.base import Candidate, Context, Extractor
from pipeline.stages.extract.count import CountExtractor
from pipeline.stages.extract.date import DateExtractor
from pipeline.stages.extract.money import MoneyExtractor
from pipeline.stages.extract.overlap import resolve_candidates
from pipeline.stages.extract.percent import PercentExtractor
from pipeline.core.document import Document
from pipeline.core.facts import FactMaker, with_own_facts
from pipeline.core.rules import RuleError
from pipeline.core.stage import Assigns, Stage

EXTRACTORS: Mapping[str, type[Extractor]] = {
    cls.name: cls for cls in (MoneyExtractor, PercentExtractor, CountExtractor, DateExtractor)
}
EXTRACTOR_LABEL = "rule"


class ExtractStage(Stage):
    name = "extract"
    version = 1
    assigns = Assigns(facts=("money", "percent", "count", "date"))
    defaults: Mapping[str, Any] = {"extractors": ["money", "percent", "count", "date"], "rules": "extract"}

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        super().__init__(settings, rules_dir, cache_dir)
        names = self.settings["extractors"]
        if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
            raise RuleError(rules_dir / "pipeline.toml", None, "[stages.extract] extractors must be a list of names")
        unknown = [n for n in names if n not in EXTRACTORS]
        if unknown:
            raise RuleError(rules_dir / "pipeline.toml", None,
                            f"[stages.extract] unknown extractor(s) {', '.join(unknown)}; known: {', '.join(EXTRACTORS)}")
        folder = rules_dir / self.settings["rules"]
        self.extractors: tuple[Extractor, ...] = tuple(EXTRACTORS[n](folder / f"{n}.toml") for n in names)
        self._parts = tuple(ExtractorPart(e) for e in self.extractors)

    def rule_files(self) -> tuple[Path, ...]:
        return tuple(e.path for e in self.extractors)

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        # Per extractor, so a cache can rerun only the one whose rules changed.
        info["extractors"] = {e.name: e.describe() for e in self.extractors}
        return info

    def parts(self) -> tuple[ExtractorPart, ...]:
        return self._parts

    def assemble(self, doc: Document, results: Mapping[str, Any]) -> Document:
        """Candidates of every extractor (JSON-able, as cached) -> overlap policy -> facts."""
        candidates = [Candidate(**c) for e in self.extractors for c in results[e.name]]
        return self._facts(doc, candidates)

    def __call__(self, doc: Document) -> Document:
        ctx = context_of(doc)
        return self._facts(doc, [c for e in self.extractors for c in e.find(ctx)])

    def _facts(self, doc: Document, candidates: list[Candidate]) -> Document:
        make = FactMaker(doc)
        facts = [
            make(c.type, c.start, c.end, c.value, c.rule_id, c.rule_version, EXTRACTOR_LABEL, c.confidence)
            for c in resolve_candidates(candidates)
        ]
        return with_own_facts(doc, self.assigns.facts, facts)


class ExtractorPart:
    """One extractor as a cacheable part of the stage: its candidates, as plain data."""

    def __init__(self, extractor: Extractor):
        self.extractor = extractor
        self.name = extractor.name

    def fingerprint(self) -> str:
        return self.extractor.fingerprint()

    def run(self, doc: Document) -> list[dict[str, Any]]:
        return [
            {"type": c.type, "start": c.start, "end": c.end, "value": dict(c.value), "rule_id": c.rule_id,
             "rule_version": c.rule_version, "confidence": c.confidence}
            for c in self.extractor.find(context_of(doc))
        ]


def context_of(doc: Document) -> Context:
    return Context.build(doc.text, published_datetime(doc.meta.get("published_at")), doc.tokens)


def published_datetime(value: Any) -> datetime | None:
    """The article's published date from meta (ISO 8601), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)
