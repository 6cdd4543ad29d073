"""Every example and counterexample in rules/repair/*.toml, through the whole repair stage."""

import pytest

from pipeline.core.document import Document
from pipeline.core.rules import RuleError, load_rules
from pipeline.stages.repair.stage import RepairStage

from conftest import RULES

RULE_FILES = ("fixers.toml", "homoglyphs.toml")
RULES_BY_FILE = {name: load_rules(RULES / "repair" / name) for name in RULE_FILES}
CASES = [
    (rule.id, kind, case)
    for rules in RULES_BY_FILE.values()
    for rule in rules
    for kind in ("examples", "counterexamples")
    for case in rule.fields.get(kind, [])
]


@pytest.fixture(scope="module")
def repair():
    return RepairStage({}, RULES)


def run(stage, text):
    return stage(Document(doc_id="t", source="t", original=text, text=text))


@pytest.mark.parametrize("rule_id,kind,case", CASES, ids=[f"{r}-{k}-{i}" for i, (r, k, _) in enumerate(CASES)])
def test_rule_examples_and_counterexamples(repair, rule_id, kind, case):
    source, expected = case
    doc = run(repair, source)
    assert doc.text == expected
    fired = {e.rule_id for layer in doc.layers for e in layer.edits}
    assert (rule_id in fired) == (kind == "examples")


def test_every_rule_has_an_example():
    for rules in RULES_BY_FILE.values():
        assert rules
        assert all(rule.fields.get("examples") for rule in rules)


def test_an_undeclared_rule_id_is_a_rule_error(rules_copy):
    path = rules_copy / "repair" / "fixers.toml"
    text = path.read_text(encoding="utf-8").replace('id = "repair.pinyin.annotation"', 'id = "repair.pinyin.other"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match="repair.pinyin.annotation"):
        RepairStage({}, rules_copy)


def test_fixers_cannot_be_reordered():
    with pytest.raises(RuleError, match="order"):
        RepairStage({"fixers": ["width", "pinyin"]}, RULES)
    with pytest.raises(RuleError, match="unknown fixer"):
        RepairStage({"fixers": ["nonsense"]}, RULES)


def test_a_bad_homoglyph_table_reports_its_line(rules_copy):
    path = rules_copy / "repair" / "homoglyphs.toml"
    path.write_text('[[rule]]\nid = "repair.homoglyph.x"\nversion = 1\nfrom = ""\nto = "最"\n', encoding="utf-8")
    with pytest.raises(RuleError, match=r"homoglyphs.toml:1"):
        RepairStage({}, rules_copy)
