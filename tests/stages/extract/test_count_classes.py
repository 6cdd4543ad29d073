"""Count classes of issue 19 (h19e): nouns that count themselves, 二人 against 二次, level comparisons
before a count, with and without the segment stage's tokens (the facts must not depend on them)."""

from __future__ import annotations

import pytest

from pipeline.core.document import Document


def counts(extract, segment, text: str, tokens: bool) -> list[tuple[str, dict]]:
    d = Document(doc_id="d", source="d", original=text, text=text, meta={})
    out = extract(segment(d) if tokens else d)
    return [(f.text, f.value) for f in out.facts if f.type == "count"]


@pytest.mark.parametrize("tokens", [False, True])
@pytest.mark.parametrize("text,surface,value,unit", [
    ("两国演员出演主要角色。", "两国", 2, "国"),
    ("沪深两市基指涨跌互现。", "两市", 2, "市"),
    ("合作提出四方面建议。", "四方面", 4, "方面"),
    ("房价是由四部分组成。", "四部分", 4, "部分"),
    ("胡锦涛等九常委为侨界代表颁奖。", "九常委", 9, "常委"),
    ("桂林两城市的出租车。", "两城市", 2, "城市"),
])
def test_a_noun_counting_itself_is_its_own_object(extract, segment, text, surface, value, unit, tokens):
    # The object is the noun, never what follows it (两国演员 counts countries, not actors).
    assert counts(extract, segment, text, tokens) == [
        (surface, {"value": value, "unit": unit, "approx": "exact", "object": unit})]


@pytest.mark.parametrize("text", ["一部分是土地成本。", "是第三方面的问题。", "这是大部分人的看法。"])
def test_the_article_or_an_ordinal_before_such_a_noun_is_no_count(extract, segment, text):
    assert counts(extract, segment, text, True) == []


@pytest.mark.parametrize("tokens", [False, True])
def test_er_counts_people_but_erci_is_secondary(extract, segment, tokens):
    assert [s for s, _ in counts(extract, segment, "当夜二人又是一番争执。", tokens)] == ["二人"]
    for text in ("进行二次开发。", "抢下前场篮板二次进攻命中。", "专家呼吁二次房改。"):
        assert counts(extract, segment, text, tokens) == []
    # Twice is written 两次, and counts.
    assert [s for s, _ in counts(extract, segment, "已经两次审议。", tokens)] == ["两次"]


@pytest.mark.parametrize("tokens", [False, True])
def test_a_level_comparison_is_no_approximation_of_the_things_compared_with(extract, segment, tokens):
    [(surface, value)] = counts(extract, segment, "涨幅也低于8个重点城市一季度的涨幅。", tokens)
    assert surface == "8个" and value["approx"] == "exact" and "max" not in value
    # Nothing counted after it: the word bounds the count.
    [(surface, value)] = counts(extract, segment, "企业数量低于300家。", tokens)
    assert surface == "低于300家" and value["approx"] == "under" and value["max"] == 300
    # A quantity comparison bounds the count whatever follows.
    [(surface, value)] = counts(extract, segment, "不少于10个篮板。", tokens)
    assert surface == "不少于10个" and value["approx"] == "over" and value["min"] == 10
