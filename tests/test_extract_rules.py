"""Every extractor rule's examples and counterexamples, and rule-file validation."""

from __future__ import annotations

import json

import pytest

from pipeline.core.document import Document
from pipeline.core.rules import RuleError
from pipeline.stages.extract.stage import EXTRACTORS, ExtractStage
from pipeline.stages.segment.stage import SegmentStage

from conftest import RULES

DEFAULT_PUBLISHED = "2021-07-26T11:43"


@pytest.fixture(scope="module")
def segment():
    return SegmentStage({}, RULES)


@pytest.fixture(scope="module")
def extract():
    return ExtractStage({}, RULES)


def run(segment, extract, text, published=DEFAULT_PUBLISHED):
    doc = Document(doc_id="t", source="t", original=text, text=text,
                   meta={"published_at": published} if published else {})
    return extract(segment(doc))


def _cases():
    stage = ExtractStage({}, RULES)
    for ex in stage.extractors:
        for rule in ex.rules:
            for example in rule.examples:
                yield pytest.param(ex.name, rule.id, "example", example, id=f"{rule.id}-ex-{example.text[:12]}")
            for counter in rule.counterexamples:
                yield pytest.param(ex.name, rule.id, "counter", counter, id=f"{rule.id}-counter-{counter[:12]}")


CASES = list(_cases())


@pytest.mark.parametrize("extractor,rule_id,kind,case", CASES)
def test_rule_examples_and_counterexamples(segment, extract, extractor, rule_id, kind, case):
    if kind == "counter":
        doc = run(segment, extract, case)
        fired = [(f.text, f.rule_id) for f in doc.facts if f.rule_id == rule_id]
        assert not fired, f"{rule_id} fired on counterexample {case!r}: {fired}"
        return
    doc = run(segment, extract, case.text)
    facts = [f for f in doc.facts if f.text == case.match]
    assert facts, f"no fact {case.match!r} in {case.text!r}; got {[(f.text, f.rule_id) for f in doc.facts]}"
    fact = facts[0]
    assert fact.type == extractor
    for key, expected in case.value.items():
        assert fact.value.get(key) == expected, f"{key}: {json.dumps(dict(fact.value), ensure_ascii=False)}"
    # The rule itself matched there (a range joins two rules' matches; context may lie outside the fact).
    rule = next(r for e in extract.extractors for r in e.rules if r.id == rule_id)
    assert any(m.start() < fact.end and fact.start < m.end() for m in rule.regex.finditer(case.text))


def test_every_rule_has_an_example(extract):
    for ex in extract.extractors:
        for rule in ex.rules:
            assert rule.examples, rule.id


def test_each_extractor_has_its_own_fingerprint_that_follows_its_file(rules_copy):
    before = ExtractStage({}, rules_copy).describe()["extractors"]
    assert set(before) == set(EXTRACTORS)
    money = rules_copy / "extract" / "money.toml"
    money.write_text(money.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after = ExtractStage({}, rules_copy).describe()["extractors"]
    changed = {name for name in before if before[name]["fingerprint"] != after[name]["fingerprint"]}
    assert changed == {"money"}


def test_a_pattern_that_does_not_compile_is_reported_with_its_line(rules_copy):
    path = rules_copy / "extract" / "percent.toml"
    text = path.read_text(encoding="utf-8")
    line = len(text.splitlines()) + 2
    path.write_text(text + '\n[[rule]]\nid = "percent.broken"\nversion = 1\npattern = "(unclosed"\n'
                    'normaliser = "percent"\n', encoding="utf-8")
    with pytest.raises(RuleError, match=rf"percent.toml:{line}: rule percent.broken: pattern does not compile"):
        ExtractStage({}, rules_copy)


@pytest.mark.parametrize("entry,message", [
    ('id = "percent.x"\nversion = 1\npattern = "{NOPE}"\nnormaliser = "percent"', "unknown fragment"),
    ('id = "percent.x"\nversion = 1\npattern = "a"\nnormaliser = "nope"', "unknown normaliser"),
    ('id = "money.x"\nversion = 1\npattern = "a"\nnormaliser = "percent"', "ids in this file start with"),
    ('id = "percent.x"\nversion = 1\npattern = "a"\nnormaliser = "percent"\n'
     'examples = [{ text = "abc", match = "x" }]', "is not in"),
])
def test_rule_validation(rules_copy, entry, message):
    path = rules_copy / "extract" / "percent.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[[rule]]\n" + entry + "\n", encoding="utf-8")
    with pytest.raises(RuleError, match=message):
        ExtractStage({}, rules_copy)


def test_unknown_extractor_is_a_rule_error():
    with pytest.raises(RuleError, match="unknown extractor.*ner.*known: money"):
        ExtractStage({"extractors": ["money", "ner"]}, RULES)
