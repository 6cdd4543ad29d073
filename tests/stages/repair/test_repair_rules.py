"""Every example and counterexample in rules/repair/*.toml, through the whole repair stage."""

import pytest

from pipeline.core.rules import RuleError
from pipeline.stages.repair.stage import RepairStage

from conftest import RULES

STAGE = RepairStage({}, RULES)
CASES = STAGE.example_cases(lambda doc: doc)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_rule_examples_and_counterexamples(case):
    assert case.run() is None


def test_every_rule_has_an_example():
    rules = [*STAGE._rules, *STAGE._homoglyph_rules]
    assert len(rules) > 2
    assert all(rule["examples"] for rule in rules)


def test_an_undeclared_rule_id_is_a_rule_error(rules_copy):
    path = rules_copy / "repair" / "fixers.toml"
    text = path.read_text(encoding="utf-8").replace('id = "repair.pinyin.annotation"', 'id = "repair.pinyin.other"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match="repair.pinyin.annotation"):
        RepairStage({}, rules_copy)


def test_fixers_cannot_be_reordered():
    with pytest.raises(RuleError, match="order"):
        RepairStage({"fixers": ["width", "pinyin"]}, RULES)
    with pytest.raises(RuleError, match="`fixers` item 1: .nonsense. is not one of"):
        RepairStage({"fixers": ["nonsense"]}, RULES)


def test_a_bad_homoglyph_table_reports_its_line(rules_copy):
    path = rules_copy / "repair" / "homoglyphs.toml"
    path.write_text('[[rule]]\nid = "repair.homoglyph.x"\nversion = 1\nfrom = ""\nto = "最"\n', encoding="utf-8")
    with pytest.raises(RuleError, match=r"homoglyphs.toml:4: rule repair.homoglyph.x: `from` must not be empty"):
        RepairStage({}, rules_copy)


def test_a_misspelt_key_in_the_homoglyph_table_is_an_error_not_a_silent_default(rules_copy):
    # `not_folowed_by` used to be ignored, turning 蕞尔小国 into 最尔小国.
    path = rules_copy / "repair" / "homoglyphs.toml"
    text = path.read_text(encoding="utf-8")
    line = text.splitlines().index('not_followed_by = "尔爾"       # 蕞尔小国 "a tiny state"') + 1
    path.write_text(text.replace("not_followed_by =", "not_folowed_by ="), encoding="utf-8")
    with pytest.raises(RuleError, match=rf"homoglyphs.toml:{line}: rule repair.homoglyph.zui: "
                                        r"unknown key `not_folowed_by` \(did you mean `not_followed_by`\?\)"):
        RepairStage({}, rules_copy)
