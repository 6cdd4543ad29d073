"""Every clean rule's examples and counterexamples, run through the stage.

Line examples are placed in a document where the rule may fire: between two
article paragraphs for rules allowed anywhere, before them for head rules,
after them for tail rules. Counterexamples are tried in every zone.
"""

from __future__ import annotations

import pytest

from pipeline.stages.clean.scores import spun_counts
from pipeline.core.document import Document
from pipeline.stages.clean.stage import CleanStage

from conftest import RULES

P1 = "青岛市科技局今天发布消息称,全市高新技术企业数量突破一万家,同比增长百分之二十,创下历史新高。"
P2 = "据介绍,今年以来全市新增国家级创新平台十二个,技术合同成交额达到三百亿元,较去年同期明显增长。"

STAGE = CleanStage({}, RULES)
RULES_BY_ID = STAGE.rules.by_id()


def place(text: str, zone: str) -> str:
    if zone == "head":
        return f"{text}\n{P1}\n{P2}\n"
    if zone == "tail":
        return f"{P1}\n{P2}\n{text}\n"
    return f"{P1}\n{text}\n{P2}\n"


def run(text: str, meta: dict | None = None):
    doc = Document(doc_id="t", source="t", original=text, text=text, meta=meta or {})
    return STAGE.run(doc)


def fired(result) -> set[str]:
    return {e.rule_id for e in result.edits}


def zones_of(rule) -> list[str]:
    zones = getattr(rule, "zones", frozenset({"any"}))
    return ["body"] if "any" in zones else sorted(zones - {"body"}) or ["body"]


def cases(kind: str, select):
    out = []
    for rule in RULES_BY_ID.values():
        if select(rule):
            for case in getattr(rule, kind):
                out.append(pytest.param(rule, case, id=f"{rule.id}-{str(case)[:30]}"))
    return out


LINE_RULES = [r for r in STAGE.rules.lines if r.kind in ("pattern", "tokens", "island", "list_after", "duplicate")]


@pytest.mark.parametrize("rule,case", cases("examples", lambda r: r in LINE_RULES))
def test_line_rule_examples(rule, case):
    zone = "tail" if rule.kind in ("island", "list_after", "duplicate") else zones_of(rule)[0]
    _, result = run(place(case, zone))
    assert rule.id in fired(result), {i: r.rule_id for i, r in result.removed.items()}


@pytest.mark.parametrize("rule,case", cases("counterexamples", lambda r: r in LINE_RULES))
def test_line_rule_counterexamples(rule, case):
    for zone in ("head", "body", "tail"):
        _, result = run(place(case, zone))
        assert rule.id not in fired(result), zone


def test_every_rule_that_can_have_examples_has_one():
    missing = [
        r.id for r in RULES_BY_ID.values()
        if not r.examples and getattr(r, "kind", "") not in ("duplicate", "layout", "list_after")
        and r.id not in ("clean.hotline.token",)
    ]
    assert missing == []


FIELD_RULES = list(STAGE.rules.fields)
META_IDS = {r.id for r in FIELD_RULES} | {STAGE.rules.header_line_id}


@pytest.mark.parametrize("rule,case", cases("examples", lambda r: r in FIELD_RULES))
def test_metadata_examples(rule, case):
    line, value = case
    doc, result = run(place(line, "head"))
    assert doc.meta.get(rule.field) == value
    assert fired(result) & META_IDS
    assert line.split(":")[-1][:2] not in doc.text.split("\n")[0] or P1 in doc.text.split("\n")[0]


@pytest.mark.parametrize("rule,case", cases("counterexamples", lambda r: r in FIELD_RULES))
def test_metadata_counterexamples(rule, case):
    for zone in ("head", "body", "tail"):
        doc, result = run(place(case, zone))
        assert not fired(result) & META_IDS, zone
        assert rule.field not in doc.meta, zone


@pytest.mark.parametrize("case", STAGE.rules.title.examples, ids=lambda c: str(c)[:20])
def test_title_examples(case):
    line, value = case
    doc, result = run(place(line, "head"))
    assert doc.meta["title"] == value
    assert STAGE.rules.title.id in fired(result)


@pytest.mark.parametrize("case", STAGE.rules.title.counterexamples)
def test_title_counterexamples(case):
    doc, _ = run(place(case, "head"))
    assert "title" not in doc.meta


SPAM_LINE_RULES = list(STAGE.rules.spam_lines)


@pytest.mark.parametrize("rule,case", cases("examples", lambda r: r in SPAM_LINE_RULES))
def test_spam_line_examples(rule, case):
    _, result = run(place(case, "body"))
    removed = [r for r in result.removed.values() if r.cls == "spam"]
    assert removed, "line kept"
    assert rule.id in {r.id for r in SPAM_LINE_RULES if STAGE.cleaner.scorer.decide(case) is not None}


@pytest.mark.parametrize("rule,case", cases("counterexamples", lambda r: r in SPAM_LINE_RULES))
def test_spam_line_counterexamples(rule, case):
    for zone in ("head", "body", "tail"):
        doc, result = run(place(case, zone))
        assert not [r for r in result.removed.values() if r.cls == "spam"], zone
        assert "spam" not in doc.flags


INLINE_RULES = list(STAGE.rules.inline)


@pytest.mark.parametrize("rule,case", cases("examples", lambda r: r in INLINE_RULES))
def test_inline_examples(rule, case):
    line, after = case
    doc, result = run(place(line, "body"))
    assert doc.text.split("\n")[1] == after
    assert rule.id in fired(result)
    assert doc.flags.get("spam")


@pytest.mark.parametrize("rule,case", cases("counterexamples", lambda r: r in INLINE_RULES))
def test_inline_counterexamples(rule, case):
    doc, result = run(place(case, "body"))
    assert doc.text.split("\n")[1] == case
    assert not fired(result)


@pytest.mark.parametrize("rule", STAGE.rules.lexicons, ids=lambda r: r.id)
def test_lexicon_examples_and_counterexamples(rule):
    scorer = STAGE.cleaner.scorer
    for word in rule.examples:
        assert scorer.evidence(word).weight > 0, word
    for word in rule.counterexamples:
        assert scorer.evidence(word).weight < 1.0, word


def test_domain_list_examples():
    rule = RULES_BY_ID["clean.lexicon.spam_domains"]
    scorer = STAGE.cleaner.scorer
    assert all(scorer._is_spam_domain(d) for d in rule.examples)
    assert not any(scorer._is_spam_domain(d) for d in rule.counterexamples)


@pytest.mark.parametrize("rule", STAGE.rules.spun, ids=lambda r: r.id)
def test_spun_examples_and_counterexamples(rule):
    for text in rule.examples:
        assert spun_counts(text, (rule,))[0] >= 1, text
    for text in rule.counterexamples:
        assert spun_counts(text, (rule,))[0] == 0, text
