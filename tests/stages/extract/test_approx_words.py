"""Approximation words as a class: every word of rules/extract/approx.toml, before or after an
amount of each quantity type, gives its kind, and over/under give the bound (min/max)."""

from __future__ import annotations

import pytest

from pipeline.core.document import Document
from pipeline.stages.extract.approx import load_approx

from conftest import RULES

WORDS = load_approx(RULES / "extract" / "approx.toml")
BOUND = {"over": "min", "under": "max"}
# One amount per quantity type: (text, fact type, value key, number).
AMOUNTS = [("300家", "count", "value", 300), ("5万元", "money", "amount", 50000), ("20%", "percent", "value", 20.0)]


def only_fact(extract, text: str):
    out = extract(Document(doc_id="d", source="d", original=text, text=text, meta={})).facts
    assert len(out) == 1, (text, [(f.type, f.text) for f in out])
    return out[0]


def check(fact, kind: str, ftype: str, key: str, number, surface: str, word: str = "") -> None:
    assert (fact.type, fact.text) == (ftype, surface)
    assert fact.value["approx"] == kind and fact.value[key] == number
    for k in ("min", "max"):
        # A bound only where the word sets one: over -> min, under -> max, about -> neither.
        assert fact.value.get(k) == (number if BOUND.get(kind) == k else None), (surface, fact.value)
        # Beside each bound, whether it includes the number: as approx.toml's [inclusive] says.
        want = (word in WORDS.inclusive) if BOUND.get(kind) == k else None
        assert fact.value.get(k + "_inclusive") == want, (surface, fact.value)


@pytest.mark.parametrize("word,kind", sorted(WORDS.before.items()))
@pytest.mark.parametrize("amount,ftype,key,number", AMOUNTS)
def test_word_before_the_amount(extract, word, kind, amount, ftype, key, number):
    # After a comma, so no character before the word can make it the end of another word (签约).
    check(only_fact(extract, f"其中，{word}{amount}。"), kind, ftype, key, number, word + amount, word)


@pytest.mark.parametrize("word,kind", sorted(WORDS.after.items()))
@pytest.mark.parametrize("amount,ftype,key,number", AMOUNTS)
def test_word_after_the_amount(extract, word, kind, amount, ftype, key, number):
    check(only_fact(extract, f"其中，{amount}{word}。"), kind, ftype, key, number, amount + word, word)


@pytest.mark.parametrize("text,surface,approx", [("最近几家银行", "几家", "range"), ("附近3家医院", "3家", "exact"),
                                                  ("签约7个项目", "7个", "exact")])
def test_a_word_that_ends_another_word_is_no_approximation(extract, text, surface, approx):
    fact = only_fact(extract, text)
    assert fact.text == surface and fact.value["approx"] == approx
    assert approx == "range" or not {"min", "max"} & set(fact.value)


def test_a_range_keeps_its_own_bounds(extract):
    fact = only_fact(extract, "新筹建1至2家省实验室")
    assert fact.value == {"value": None, "unit": "家", "approx": "range", "min": 1, "max": 2,
                          "min_inclusive": True, "max_inclusive": True}


def test_the_legal_convention_on_bounds(extract):
    # 以上、以下、以内 include the number (刑法 第99条); 超过, 不满/不足, 多 and 余 do not.
    def bound(text):
        v = only_fact(extract, text).value
        return [(k, v[k]) for k in ("min", "max", "min_inclusive", "max_inclusive") if k in v]
    assert bound("其中，30家以上。") == [("min", 30), ("min_inclusive", True)]
    assert bound("其中，20人以下。") == [("max", 20), ("max_inclusive", True)]
    assert bound("其中，超过30家。") == [("min", 30), ("min_inclusive", False)]
    assert bound("其中，不足20人。") == [("max", 20), ("max_inclusive", False)]
    assert bound("其中，300多家。") == [("min", 300), ("min_inclusive", False)]
    assert bound("其中，不少于10%。") == [("min", 10.0), ("min_inclusive", True)]
    assert bound("总价不超过10万元。") == [("max", 100000), ("max_inclusive", True)]
    assert bound("总价突破10万元。") == [("min", 100000), ("min_inclusive", False)]
