"""The convert stage: OpenCC plus the fix-up table, with exact offsets."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.document import Document, apply_edits
from pipeline.core.rules import RuleError
from pipeline.stages.convert.stage import ConvertStage

from conftest import RULES, examples


def make_doc(text: str) -> Document:
    return Document(doc_id="t", source="t", original=text, text=text)


@pytest.fixture(scope="module")
def t2s():
    return ConvertStage({}, RULES)


@pytest.fixture(scope="module")
def tw2sp():
    return ConvertStage({"config": "tw2sp"}, RULES)


FIXUP_CASES = ConvertStage({}, RULES).example_cases(lambda doc: doc)


@pytest.mark.parametrize("case", FIXUP_CASES, ids=lambda c: c.label)
def test_fixup_examples_and_counterexamples(case):
    assert case.run() is None


def test_every_fixup_rule_has_an_example():
    stage = ConvertStage({}, RULES)
    assert stage._entries
    assert all(rule["examples"] for rule in stage._entries)


def test_simplified_text_passes_untouched(t2s):
    text = "青岛科学仪器产业园:助力科学仪器加速国产替代。著名学者说甚么?部份"
    doc = t2s(make_doc(text))
    assert doc.text == text and doc.layers == () and "converted" not in doc.flags


def test_traditional_text_is_converted_with_per_character_edits(t2s):
    doc = t2s(make_doc("部市聯動 推動青島"))
    assert doc.text == "部市联动 推动青岛"
    edits = [e for layer in doc.layers for e in layer.edits]
    assert [(e.start, e.replacement) for e in edits] == [(2, "联"), (3, "动"), (6, "动"), (8, "岛")]
    assert {e.rule_id for e in edits} == {"convert.opencc.t2s"}
    assert doc.flags["converted"] == 4


def test_tw2sp_changes_length_and_keeps_offsets_exact(tw2sp):
    source = "這個中介軟體使用SQL隱碼攻擊"
    doc = tw2sp(make_doc(source))
    assert doc.text == "这个中间件使用SQL注入"
    spans = {w: (doc.text.index(w), doc.text.index(w) + len(w)) for w in ("中间件", "SQL", "注入", "这个")}
    assert source.__getitem__(slice(*doc.to_original(*spans["中间件"]))) == "中介軟體"
    assert source.__getitem__(slice(*doc.to_original(*spans["注入"]))) == "隱碼攻擊"
    assert source.__getitem__(slice(*doc.to_original(*spans["SQL"]))) == "SQL"
    assert source.__getitem__(slice(*doc.to_original(*spans["这个"]))) == "這個"
    assert doc.from_original(2, 6) == spans["中间件"]


@settings(max_examples=examples(200), deadline=None)
@given(st.text("這個中介軟體使用隱碼攻擊著力甚麼部份「」臺灣週末乾淨SQL\n ，。", max_size=50))
def test_layers_reproduce_the_conversion(tw2sp, text):
    doc = tw2sp(make_doc(text))
    rebuilt = text
    for layer in doc.layers:
        rebuilt = apply_edits(rebuilt, layer.edits)
    assert rebuilt == doc.text
    assert len(doc.layers) <= 2


def test_unknown_opencc_config_is_a_rule_error():
    with pytest.raises(RuleError, match="s2t"):
        ConvertStage({"config": "s2t"}, RULES)


def test_duplicate_fixup_source_is_reported_with_line(rules_copy):
    path = rules_copy / "convert" / "fixups.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[[rule]]\nid = "convert.fixup.again"\nversion = 1\nfrom = "著力"\nto = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match=r"fixups.toml:\d+: rule convert.fixup.again: `from` '著力' already used"):
        ConvertStage({}, rules_copy)
