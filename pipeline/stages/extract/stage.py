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

from pipeline.stages.extract.approx import load_approx
from pipeline.stages.extract.base import Candidate, Context, Extractor
from pipeline.stages.extract.count import CountExtractor
from pipeline.stages.extract.date import DateExtractor
from pipeline.stages.extract.money import MoneyExtractor
from pipeline.stages.extract.overlap import resolve_candidates
from pipeline.stages.extract.percent import PercentExtractor
from pipeline.stages.extract.region import REGIONS, Region, RegionRules, load_region
from pipeline.core.document import Document
from pipeline.core.facts import FactMaker, with_own_facts
from pipeline.core.examples import ExampleCase, sample_doc
from pipeline.core.schema import Enum, Kind, ListOf, String
from pipeline.core.stage import Assigns, Stage

EXTRACTORS: Mapping[str, type[Extractor]] = {
    cls.name: cls for cls in (MoneyExtractor, PercentExtractor, CountExtractor, DateExtractor)
}
EXTRACTOR_LABEL = "rule"
# In the extractors' rule folder: approximation words for all of them.
APPROX_FILE = "approx.toml"
# In the extractors' rule folder: which region a document is from (a bare 元 in Hong Kong is HKD).
REGION_FILE = "region.toml"
# The published date examples resolve against when their file names none.
EXAMPLES_PUBLISHED = "2021-07-26T11:43"


class ExtractStage(Stage):
    name = "extract"
    version = 2  # 2: the document's region (a bare 元 in a Hong Kong article is HKD)
    assigns = Assigns(facts=("money", "percent", "count", "date"),
                      meta={"region": "string", "region_evidence": "string"})
    settings_kind = Kind("settings.extract", "Settings of the extract stage ([stages.extract]).", {
        # Listed twice, an extractor would run twice: every fact of its type doubled.
        "extractors": ListOf(Enum(tuple(EXTRACTORS), "an extractor"), "which rule extractors run",
                             default=["money", "percent", "count", "date"],
                             check=lambda v: "lists an extractor twice" if len(set(v)) != len(v) else None),
        "rules": String("folder of the extractors' rule files (<name>.toml), relative to rules/", default="extract"),
        "region": Enum(("auto", *REGIONS), "the region of every document (a bare 元 is its currency); auto: "
                       "decided per document from rules/extract/region.toml", default="auto"),
    })
    # Counts read the segment stage's words (the object after the measure word).
    examples_need = ("segment",)

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        super().__init__(settings, rules_dir, cache_dir)
        names = self.settings["extractors"]
        folder = rules_dir / self.settings["rules"]
        # Approximation words around numbers: data every quantity extractor reads.
        self.approx_path = folder / APPROX_FILE
        approx = load_approx(self.approx_path)
        self.region_path = folder / REGION_FILE
        self.region_rules: RegionRules = load_region(self.region_path)
        self.region_setting = None if self.settings["region"] == "auto" else self.settings["region"]
        self.extractors: tuple[Extractor, ...] = tuple(
            EXTRACTORS[n](folder / f"{n}.toml", approx, self.approx_path, self.region_path) for n in names)
        self._parts = tuple(ExtractorPart(e, self.region_of) for e in self.extractors)

    def rule_files(self) -> tuple[Path, ...]:
        return (*(e.path for e in self.extractors), self.approx_path, self.region_path)

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        # Per extractor, so a cache can rerun only the one whose rules changed.
        info["extractors"] = {e.name: e.describe() for e in self.extractors}
        return info

    def example_cases(self, prepare) -> list[ExampleCase]:
        """Each example must give a fact of the extractor's type with surface `match` and a value
        holding `value`, where the rule itself matched; a counterexample no fact of the rule."""
        out = []
        for ex in self.extractors:
            published = getattr(ex, "examples_published", None)
            meta = {"published_at": published.isoformat(timespec="minutes") if published else EXAMPLES_PUBLISHED}
            for rule in ex.rules:
                def check(case, counter, rule=rule, ex=ex, meta=meta) -> str | None:
                    text = case if counter else case.text
                    doc = self(prepare(sample_doc(text, meta)))
                    if counter:
                        fired = [f.text for f in doc.facts if f.rule_id == rule.id]
                        return f"fired on {fired}" if fired else None
                    facts = [f for f in doc.facts if f.text == case.match]
                    if not facts:
                        return f"no fact {case.match!r}; got {[(f.text, f.rule_id) for f in doc.facts]}"
                    fact = facts[0]
                    if fact.type != ex.name:
                        return f"the fact is a {fact.type}"
                    wrong = {k: fact.value.get(k) for k, v in case.value.items() if fact.value.get(k) != v}
                    if wrong:
                        return f"value {dict(fact.value)}: {wrong}"
                    # The rule itself matched there (a range joins two rules' matches).
                    if not any(m.start() < fact.end and fact.start < m.end() for m in rule.regex.finditer(text)):
                        return f"rule did not match there (the fact is {fact.rule_id}'s)"
                    return None

                entry = rule.entry
                for counter, key, cases in ((False, "examples", rule.examples), (True, "counterexamples", rule.counterexamples)):
                    out.extend(ExampleCase(rule.id, entry.path, entry.line_of(key, i), counter, case,
                                           lambda case=case, counter=counter, check=check: check(case, counter))
                               for i, case in enumerate(cases))
        return out

    def parts(self) -> tuple[ExtractorPart, ...]:
        return self._parts

    def assemble(self, doc: Document, results: Mapping[str, Any]) -> Document:
        """Candidates of every extractor (JSON-able, as cached) -> overlap policy -> facts."""
        candidates = [Candidate(**c) for e in self.extractors for c in results[e.name]]
        return self._facts(doc, candidates)

    def __call__(self, doc: Document) -> Document:
        region = self.region_of(doc)
        ctx = context_of(doc, region)
        return self._facts(doc, [c for e in self.extractors for c in e.find(ctx)], region)

    def region_of(self, doc: Document) -> Region:
        """The document's region: its own `region` field, the setting, or the evidence in its text."""
        return self.region_rules.decide(doc.text, int(doc.flags.get("converted", 0) or 0),
                                        doc.meta.get("region"), self.region_setting)

    def _facts(self, doc: Document, candidates: list[Candidate], region: Region | None = None) -> Document:
        region = region or self.region_of(doc)
        doc = doc.with_meta(region=region.region, region_evidence=region.evidence)
        make = FactMaker(doc)
        facts = [
            make(c.type, c.start, c.end, c.value, c.rule_id, c.rule_version, EXTRACTOR_LABEL, c.confidence)
            for c in resolve_candidates(candidates)
        ]
        return with_own_facts(doc, self.assigns.facts, facts)


class ExtractorPart:
    """One extractor as a cacheable part of the stage: its candidates, as plain data."""

    def __init__(self, extractor: Extractor, region_of):
        self.extractor = extractor
        self.name = extractor.name
        self.region_of = region_of

    def fingerprint(self) -> str:
        return self.extractor.fingerprint()

    def run(self, doc: Document) -> list[dict[str, Any]]:
        return [
            {"type": c.type, "start": c.start, "end": c.end, "value": dict(c.value), "rule_id": c.rule_id,
             "rule_version": c.rule_version, "confidence": c.confidence}
            for c in self.extractor.find(context_of(doc, self.region_of(doc)))
        ]


def context_of(doc: Document, region: Region | None = None) -> Context:
    return Context.build(doc.text, published_datetime(doc.meta.get("published_at")), doc.tokens,
                         region.currency if region is not None else None)


def published_datetime(value: Any) -> datetime | None:
    """The article's published date from meta (ISO 8601), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)
