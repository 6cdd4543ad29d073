"""ner: organisations, persons and locations from a spaCy model and rules.

Two parts, cached one by one (pipeline/run/runner.py): `model` (the trained model,
pipeline/stages/ner/models/<model>) and `rules` (gazetteers and patterns in rules/ner/*.jsonl,
run by spaCy's span_ruler), so editing a gazetteer does not rerun the model.
`assemble` merges them by one policy (pipeline/stages/ner/merge.py): broken model
names dropped, the longest of overlapping names kept, organisation and
company names completed (rules/ner/org_suffixes.toml). Facts: `org`, `person`, `location` with
value {name}; extractor `ner:<model>@<version>` for what the model found
(rule_id `ner.model`), `rule` for rule matches; a completed name has
the completion rule's id. Confidence: for a model name, the precision measured for
names of its label and model score on held-out news (the model's calibration.json,
pipeline/stages/ner/tagger.py), the rule's confidence for a rule match, the lower of the
two for a completed name.

Reads the segment stage's sentences and words (the model was trained on them),
so it cannot run without that stage (`reads`; stage selection says so).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as package_version
from pathlib import Path
from typing import Any, Iterator, Mapping

from pipeline.core.document import Document, Sentence, Token
from pipeline.core.facts import FactMaker, with_own_facts
from pipeline.stages.ner.merge import (
    Span, complete, complete_left, drop_broken, drop_country_generic, drop_damaged, drop_latin_words, drop_not_names, join_dotted, merge,
    propagate, without_shapes,
)
from pipeline.stages.ner.tagger import ModelError, NerModel, resolve_model
from pipeline.stages.ner.abbrev import load_abbreviations
from pipeline.stages.ner.examples import abbreviation_cases, completion_cases, name_rule_cases
from pipeline.stages.ner.rulefile import load_completion_entries, load_name_rules
from pipeline.stages.ner.ruler import NameRuler
from pipeline.stages.ner.values import canonical_names, name_value
from pipeline.core.rules import RuleError
from pipeline.core.schema import Int, Kind, ListOf, String
from pipeline.core.stage import Assigns, Stage

FACT_TYPES = {"PER": "person", "LOC": "location", "ORG": "org"}
MODEL_RULE_ID = "ner.model"
# Longest text the model or the rules read as one sentence; a longer one is read in pieces. The
# news set's longest sentence is far shorter, so only text without sentence ends (a line of
# digits, a table) is cut.
MAX_PIECE = 2_000
# Characters of whole pieces per rule Doc at most (an article is one Doc).
RULE_CHARS = 50_000
# The shortest weak name that stands at every mention once it stood on its context in a document.
PROPAGATED_CHARS = 3


class NerStage(Stage):
    name = "ner"
    # 3: the merge changed (bare suffixes left to the model, half-bracketed names dropped,
    # company names the model began too late grown leftwards) and the model is decoded here.
    # 4: one-character place abbreviations, value.canonical, names from damaged text and lowercase
    # Latin words dropped.
    # 5: abbreviations in bare lists (英、美、法), after 对/全, 中外, weak ones where the text names
    # their country (pipeline/stages/ner/abbrev.py); a rule that stood on context keeps its label
    # against the model's (merge.py, step 1).
    # 6: words the guide does not mark dropped from the model's names (`[filter] not_names`: 内地);
    # 欧 in 欧美/美欧 (issue 18, conventions counted in MSRA); a rule with `then` (a word right after
    # the name that says what it is) keeps its label against the model's, as `near` rules do.
    # 7: weak names (`near`) in a list share its context; one that stood stands at its other
    # mentions in the document (3+ characters); a company's place + short name is one name.
    # 8: rules that find what is no name (`mask`: a fund product named after its company, 华商盛世成长)
    # take the names inside them away; fund companies' bare short names (华商, 鹏华) in fund news; a
    # country + a common noun from the model is the country (美国大学); a sure name stands at its other
    # mentions (merge.py step 5).
    version = 8
    assigns = Assigns(facts=tuple(FACT_TYPES.values()))
    reads = ("sentences", "tokens")
    settings_kind = Kind("settings.ner", "Settings of the ner stage ([stages.ner]).", {
        "model": String("a model under pipeline/stages/ner/models/, or a path", default="ner_zh"),
        "rules": ListOf(String("a path"), "gazetteers and token patterns (JSONL), relative to rules/",
                        default=["ner/gazetteer.jsonl", "ner/countries.jsonl", "ner/patterns.jsonl", "ner/orgs.jsonl"]),
        "completion": String("organisation-name completion rules, relative to rules/",
                             default="ner/org_suffixes.toml"),
        "abbreviations": String("one-character place abbreviations (中美, 访华), relative to rules/",
                                default="ner/abbreviations.toml"),
        "batch_size": Int("sentences per spaCy batch (speed only)", default=256, minimum=1),
    })
    # Rule examples match on the segment stage's words.
    examples_need = ("segment",)

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        super().__init__(settings, rules_dir, cache_dir)
        where = rules_dir / "pipeline.toml"
        batch = self.settings["batch_size"]
        self.rule_paths = [rules_dir / f for f in self.settings["rules"]]
        self.completion_path = rules_dir / self.settings["completion"]
        self.name_rules = {r.id: r for r in load_name_rules(self.rule_paths)}
        self.completion, self._completion_examples = load_completion_entries(self.completion_path)
        self.abbrev_path = rules_dir / self.settings["abbreviations"]
        self.abbrev, self._abbrev_examples = load_abbreviations(self.abbrev_path)
        try:
            self.model = NerModel(resolve_model(self.settings["model"], rules_dir), batch)
        except ModelError as exc:
            raise RuleError(where, None, f"[stages.ner] {exc}") from None
        self.ruler = NameRuler(list(self.name_rules.values()))
        self.canonical = canonical_names(self.name_rules.values())
        # Rules that stand only with context keep their label against the model's (merge.py, step 1):
        # `near`, or a word right after the name that says what it is (`then`: 宜家 + 旗下 is a company).
        self.firm = frozenset(r.id for r in self.name_rules.values() if r.near is not None or r.then is not None)
        # Rules that find what is no name (`mask`: a fund product named after its company): they win
        # the merge over the names inside them, then go.
        self.masks = frozenset(r.id for r in self.name_rules.values() if r.mask)
        # The countries' names, for a model organisation that is a country + a common noun (美国大学).
        self.countries = frozenset(r.pattern for r in self.name_rules.values() if self.completion.country_rules
                                   and r.id.startswith(self.completion.country_rules) and isinstance(r.pattern, str))
        self._parts = (ModelPart(self), RulesPart(self))

    def rule_files(self) -> tuple[Path, ...]:
        return (*self.rule_paths, self.completion_path, self.abbrev_path)

    def libraries(self) -> dict[str, str]:
        try:
            spacy = package_version("spacy")
        except PackageNotFoundError:
            spacy = "missing"
        return {"spacy": spacy, "model": f"{self.model.label}:{self.model.digest()}"}

    def parts(self):
        return self._parts

    def example_cases(self, prepare) -> list:
        return [*name_rule_cases(list(self.name_rules.values()), prepare, self.ruler),
                *completion_cases(self.completion, self._completion_examples, prepare),
                *abbreviation_cases(self.abbrev, self._abbrev_examples, prepare)]

    def sentences(self, doc: Document) -> list[tuple[Sentence, list[Token]]]:
        """The document's sentences with their words (from the segment stage, which `reads` requires)."""
        return list(self._sentences(doc))

    def _sentences(self, doc: Document) -> Iterator[tuple[Sentence, list[Token]]]:
        tokens = doc.tokens
        i = 0
        for s in doc.sentences:
            while i < len(tokens) and tokens[i].start < s.start:
                i += 1
            j = i
            while j < len(tokens) and tokens[j].end <= s.end:
                j += 1
            yield s, list(tokens[i:j])
            i = j

    def pieces(self, doc: Document) -> Iterator[tuple[int, int, list[tuple[int, int, str]]]]:
        """(start, end, words) for each sentence, a sentence longer than MAX_PIECE cut into pieces
        (at word boundaries, a longer word cut too): no model input or rule Doc grows with the
        document. A generator, so the document's pieces are never all held at once."""
        for s, words in self._sentences(doc):
            spans = [(w.start, w.end, w.pos) for w in words]
            if s.end - s.start <= MAX_PIECE:
                yield s.start, s.end, spans
                continue
            start, current = s.start, []
            for a, b, pos in spans:
                while b - start > MAX_PIECE:
                    if a > start:  # cut before this word
                        yield start, a, current
                        start, current = a, []
                    else:  # a word longer than a piece: cut inside it
                        yield start, start + MAX_PIECE, [(start, start + MAX_PIECE, pos)]
                        start = a = start + MAX_PIECE
                current.append((a, b, pos))
            yield start, s.end, current

    def inputs(self, doc: Document, offsets: list[int]) -> Iterator[tuple[str, list[tuple[int, int, str]]]]:
        """(piece text, words relative to it), what the model reads, one piece at a time; each
        piece's offset is appended to `offsets` as it is read."""
        for start, end, words in self.pieces(doc):
            offsets.append(start)
            yield doc.text[start:end], [(a - start, b - start, pos) for a, b, pos in words]

    def assemble(self, doc: Document, results: Mapping[str, Any]) -> Document:
        # A row is [start, end, label, score] (a result cached before scores were kept has no score).
        model = [
            Span(s, e, label, "model", MODEL_RULE_ID, None, self.model.confidence(label, score[0] if score else None))
            for s, e, label, *score in results["model"]
        ]
        # A cached rules result always belongs to these rules: the part's fingerprint is their files' hash.
        # Abbreviations come as [start, end, LOC, id, full name, shape start, shape end].
        rules, abbr_names, shapes = [], {}, []
        for s, e, label, rule_id, *abbr in results["rules"]:
            if abbr:
                abbr_names[s] = abbr[0]
                shapes.append((abbr[1], abbr[2]))
                rules.append(Span(s, e, label, "rule", rule_id, self.abbrev.version, self.abbrev.confidence))
            else:
                rule = self.name_rules[rule_id]
                rules.append(Span(s, e, label, "rule", rule_id, rule.version, rule.confidence))
        tokens = doc.tokens
        text, c = doc.text, self.completion
        model = drop_not_names(drop_latin_words(drop_damaged(without_shapes(model, shapes), text, c), text, c), text, c)
        model = drop_country_generic(model, self.countries, text, c)
        spans = merge(drop_broken(model, text, tokens, c), drop_damaged(rules, text, c), self.firm)
        masked = [(s.start, s.end) for s in spans if s.rule_id in self.masks]
        spans = [s for s in spans if s.rule_id not in self.masks]
        spans = complete(spans, doc.text, tokens, self.completion)
        spans = complete_left(spans, doc.text, tokens, self.completion)
        spans = join_dotted(spans, doc.text, self.completion, tokens)
        spans = propagate(spans, doc.text, tokens, self.completion, masked)
        make = FactMaker(doc)
        facts = [
            make(FACT_TYPES[span.label], span.start, span.end,
                 name_value(doc.text[span.start : span.end], span.label, self.canonical,
                            abbr_names.get(span.start) if span.rule_id == self.abbrev.id else None),
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
        offsets: list[int] = []
        found = self.stage.model.predict(self.stage.inputs(doc, offsets))
        return [[off + s, off + e, label, score] for off, ents in zip(offsets, found) for s, e, label, score in ents]


class RulesPart:
    name = "rules"

    def __init__(self, stage: NerStage):
        self.stage = stage

    def fingerprint(self) -> str:
        from pipeline.core.rules import file_sha256

        return ",".join(file_sha256(p) for p in (*self.stage.rule_paths, self.stage.abbrev_path))

    def run(self, doc: Document) -> list[list[Any]]:
        # Few large Docs: the matcher's cost is per Doc as much as per character. But bounded
        # (RULE_CHARS, whole pieces), so a huge document does not become one huge Doc.
        found: list[list[Any]] = []
        pending: list[tuple[int, int, str, str]] = []
        start = end = None
        words: list[tuple[int, int, str]] = []
        for a, b, piece_words in self.stage.pieces(doc):
            if start is not None and b - start > RULE_CHARS:
                found.extend(self._window(doc.text, words, start, end, pending))
                start, words = None, []
            if start is None:
                start = a
            words.extend(piece_words)
            end = b
        if start is not None:
            found.extend(self._window(doc.text, words, start, end, pending))
        # A weak name (a company's short name that is also a word) that stood on its context once in
        # the document stands at its other mentions too: the article is about that company. Not a
        # name of two characters: those are everyday words (长城, 国王, 文化) whose other mentions
        # are often the word, or inside a product's name (长城品牌优选基金).
        # Not a mask (what is no name): it stands on its own context only.
        masks = self.stage.masks
        stood = {(doc.text[m[0]:m[1]], m[2]) for m in found if m[3] not in masks}
        found.extend(list(m) for m in pending if m[3] not in masks
                     and m[1] - m[0] >= PROPAGATED_CHARS and (doc.text[m[0]:m[1]], m[2]) in stood)
        return found

    def _window(self, text: str, words: list[tuple[int, int, str]], start: int, end: int,
                pending: list) -> list[list[Any]]:
        abbrev = self.stage.abbrev
        return [*(list(m) for m in self.stage.ruler.find(text, words, start, end, pending)),
                *([s, e, "LOC", abbrev.id, name, a, b] for s, e, name, a, b in abbrev.find(text, words, start, end))]
