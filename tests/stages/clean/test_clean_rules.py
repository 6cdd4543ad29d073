"""Every clean rule's examples and counterexamples, run through the stage
(pipeline/stages/clean/examples.py says how each kind of rule is tried)."""

from __future__ import annotations

import pytest

from pipeline.stages.clean.stage import CleanStage

from conftest import RULES

STAGE = CleanStage({}, RULES)
RULES_BY_ID = STAGE.rules.by_id()
CASES = STAGE.example_cases(lambda doc: doc)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_rule_examples_and_counterexamples(case):
    assert case.run() is None


def test_every_rule_that_can_have_examples_has_one():
    missing = [
        r.id for r in RULES_BY_ID.values()
        if not r.examples and getattr(r, "kind", "") not in ("duplicate", "layout", "list_after")
        and r.id not in ("clean.hotline.token",)
    ]
    assert missing == []


def test_every_kind_of_clean_rule_has_cases():
    kinds = {type(RULES_BY_ID[c.rule_id]).__name__ for c in CASES}
    assert kinds == {"LineRule", "FieldRule", "BylineRule", "TitleRule", "SpamLineRule", "ClassifierRule", "InlineRule", "InlineShapeRule", "Lexicon", "SpunTable", "SpunContext",
                     "SpunRule"}
