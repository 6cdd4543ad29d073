"""ner: organisations, persons and locations from a spaCy model and rules.

Two parts, cached one by one (pipeline/run/runner.py): `model` (the trained model,
pipeline/stages/ner/models/<model>) and `rules` (gazetteers and patterns in rules/ner/*.jsonl,
run by spaCy's span_ruler), so editing a gazetteer does not rerun the model.
`assemble` merges them by one policy (pipeline/stages/ner/merge.py): broken model
names dropped, the longest of overlapping names kept, organisation and
company names completed (rules/ner/org_suffixes.toml). Facts: `org`, `person`, `location` with
value {name}; extractor `ner:<model>@<version>` for what the model found
(rule_id `ner.model`), `rule` for rule matches; a completed name has
the completion rule's id. Confidence: the model's dev precision for the label,
the rule's confidence, the lower of the two for a completed name.

Reads the segment stage's sentences and words (the model was trained on them),
so it cannot run without that stage (`reads`; stage selection says so).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as package_version
from pathlib import Path
from typing import Any, Mapping

from pipeline.core.document import Document, Sentence, Token
from pipeline.core.facts import FactMaker, with_own_facts
from pipeline.stages.ner.merge import Span, complete, complete_left, drop_broken, merge
from pipeline.stages.ner.tagger import ModelError, NerModel, resolve_model
from pipeline.stages.ner.rulefile import load_completion, load_name_rules
from pipeline.stages.ner.ruler import NameRuler
from pipeline.core.rules import RuleError
from pipeline.core.stage import Assigns, Stage

FACT_TYPES = {"PER": "person", "LOC": "location", "ORG": "org"}
MODEL_RULE_ID = "ner.model"


class NerStage(Stage):
    name = "ner"
    # 3: the merge changed (bare suffixes left to the model, half-bracketed names dropped,
    # company names the model began too late grown leftwards) and the model is decoded here.
    version = 3
    assigns = Assigns(facts=tuple(FACT_TYPES.values()))
    reads = ("sentences", "tokens")
    defaults: Mapping[str, Any] = {
        "model": "ner_zh",
        "rules": ["ner/gazetteer.jsonl", "ner/countries.jsonl", "ner/patterns.jsonl"],
        "completion": "ner/org_suffixes.toml",
        "batch_size": 256,
    }

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        super().__init__(settings, rules_dir, cache_dir)
        where = rules_dir / "pipeline.toml"
        files = self.settings["rules"]
        if not (isinstance(files, list) and all(isinstance(f, str) for f in files)):
            raise RuleError(where, None, "[stages.ner] rules must be a list of paths")
        batch = self.settings["batch_size"]
        if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
            raise RuleError(where, None, "[stages.ner] batch_size must be a positive integer")
        self.rule_paths = [rules_dir / f for f in files]
        self.completion_path = rules_dir / self.settings["completion"]
        self.name_rules = {r.id: r for r in load_name_rules(self.rule_paths)}
        self.completion, _ = load_completion(self.completion_path)
        try:
            self.model = NerModel(resolve_model(self.settings["model"], rules_dir), batch)
        except ModelError as exc:
            raise RuleError(where, None, f"[stages.ner] {exc}") from None
        self.ruler = NameRuler(list(self.name_rules.values()))
        self._parts = (ModelPart(self), RulesPart(self))

    def rule_files(self) -> tuple[Path, ...]:
        return (*self.rule_paths, self.completion_path)

    def libraries(self) -> dict[str, str]:
        try:
            spacy = package_version("spacy")
        except PackageNotFoundError:
            spacy = "missing"
        return {"spacy": spacy, "model": f"{self.model.label}:{self.model.digest()}"}

    def parts(self):
        return self._parts

    def sentences(self, doc: Document) -> list[tuple[Sentence, list[Token]]]:
        """The document's sentences with their words (from the segment stage, which `reads` requires)."""
        tokens = doc.tokens
        out, i = [], 0
        for s in doc.sentences:
            while i < len(tokens) and tokens[i].start < s.start:
                i += 1
            j = i
            while j < len(tokens) and tokens[j].end <= s.end:
                j += 1
            out.append((s, list(tokens[i:j])))
            i = j
        return out

    def inputs(self, doc: Document) -> tuple[list[int], list[tuple[str, list[tuple[int, int, str]]]]]:
        """Sentence offsets and (sentence text, words relative to it): what model and ruler read."""
        offsets, items = [], []
        for s, words in self.sentences(doc):
            offsets.append(s.start)
            items.append((doc.text[s.start : s.end], [(w.start - s.start, w.end - s.start, w.pos) for w in words]))
        return offsets, items

    def assemble(self, doc: Document, results: Mapping[str, Any]) -> Document:
        model = [
            Span(s, e, label, "model", MODEL_RULE_ID, None, self.model.precision(label))
            for s, e, label in results["model"]
        ]
        # A cached rules result always belongs to these rules: the part's fingerprint is their files' hash.
        rules = [
            Span(s, e, label, "rule", rule_id, self.name_rules[rule_id].version, self.name_rules[rule_id].confidence)
            for s, e, label, rule_id in results["rules"]
        ]
        tokens = doc.tokens
        spans = merge(drop_broken(model, doc.text, tokens, self.completion), rules)
        spans = complete(spans, doc.text, tokens, self.completion)
        spans = complete_left(spans, doc.text, tokens, self.completion)
        make = FactMaker(doc)
        facts = [
            make(FACT_TYPES[span.label], span.start, span.end, {"name": "".join(doc.text[span.start : span.end].split())},
                 span.rule_id, span.rule_version, self.model.label if span.source == "model" else "rule", span.confidence)
            for span in spans
        ]
        return with_own_facts(doc, self.assigns.facts, facts)


class ModelPart:
    name = "model"

    def __init__(self, stage: NerStage):
        self.stage = stage

    def fingerprint(self) -> str:
        return f"{self.stage.model.label}:{self.stage.model.digest()}"

    def run(self, doc: Document) -> list[list[Any]]:
        offsets, items = self.stage.inputs(doc)
        found = self.stage.model.predict(items)
        return [[off + s, off + e, label] for off, ents in zip(offsets, found) for s, e, label in ents]


class RulesPart:
    name = "rules"

    def __init__(self, stage: NerStage):
        self.stage = stage

    def fingerprint(self) -> str:
        from pipeline.core.rules import file_sha256

        return ",".join(file_sha256(p) for p in self.stage.rule_paths)

    def run(self, doc: Document) -> list[list[Any]]:
        # One Doc for the whole text: the matcher's cost is per Doc as much as per character.
        words = [(w.start, w.end, w.pos) for _, ws in self.stage.sentences(doc) for w in ws]
        return [list(m) for m in self.stage.ruler.find(doc.text, words)]
