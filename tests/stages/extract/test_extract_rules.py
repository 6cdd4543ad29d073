"""Every extractor rule's examples and counterexamples, and rule-file validation."""

from __future__ import annotations

import pytest

from pipeline.core.rules import RuleError
from pipeline.stages.extract.stage import EXTRACTORS, ExtractStage
from pipeline.stages.segment.stage import SegmentStage

from conftest import RULES


CASES = ExtractStage({}, RULES).example_cases(SegmentStage({}, RULES))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_rule_examples_and_counterexamples(case):
    assert case.run() is None


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
    line = len(text.splitlines()) + 5
    path.write_text(text + '\n[[rule]]\nid = "percent.broken"\nversion = 1\npattern = "(unclosed"\n'
                    'normaliser = "percent"\n', encoding="utf-8")
    with pytest.raises(RuleError, match=rf"percent.toml:{line}: rule percent.broken: `pattern` does not compile"):
        ExtractStage({}, rules_copy)


@pytest.mark.parametrize("entry,message", [
    ('id = "percent.x"\nversion = 1\npattern = "{NOPE}"\nnormaliser = "percent"', "unknown fragment"),
    ('id = "percent.x"\nversion = 1\npattern = "a"\nnormaliser = "nope"', "`normaliser` 'nope' is not one of 'percent'"),
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
    with pytest.raises(RuleError, match="`extractors` item 2: 'ner' is not one of 'money'"):
        ExtractStage({"extractors": ["money", "ner"]}, RULES)
