"""Issue 19's later quantity forms: ranges of whole amounts, fuzzy-ended ranges, an approximation
after a rate, fractions as percent."""

from __future__ import annotations

import pytest

from pipeline.core.document import Document


def facts(extract, text, kind):
    d = Document(doc_id="d", source="d", original=text, text=text, meta={})
    return [(f.text, dict(f.value)) for f in extract(d).facts if f.type == kind]


@pytest.mark.parametrize("text, surface", [
    ("价格在五元六角-五元七毛八分之间", "五元六角-五元七毛八分"),
    ("五块六到五块七毛八", "五块六到五块七毛八"),
])
def test_two_whole_amounts_joined_by_a_range_word_are_one_range(extract, text, surface):
    assert facts(extract, text, "money") == [
        (surface, {"amount": None, "currency": "CNY", "approx": "range", "min": 5.6, "max": 5.78,
                    "min_inclusive": True, "max_inclusive": True})]


def test_amounts_of_two_currencies_are_no_range(extract):
    assert [s for s, _ in facts(extract, "5美元到30欧元", "money")] == ["5美元", "30欧元"]
    assert all(v["approx"] != "range" for _, v in facts(extract, "从5美元到3美元", "money"))


def test_fuzzy_ended_ranges(extract):
    assert facts(extract, "其余均净申购数千万至一两亿份不等。", "count") == [
        ("数千万至一两亿份", {"value": None, "unit": "份", "approx": "range", "min": 20000000, "max": 200000000,
                                "min_inclusive": True, "max_inclusive": True})]


@pytest.mark.parametrize("text, surface, approx", [
    ("最高单价要4万元/平方米左右，", "4万元", "about"),
    ("单价在30000元/平方米以上的房源", "30000元", "over"),
    ("售价500元每吨以下", "500元", "under"),
    ("年费100万元/年，", "100万元", "exact"),
])
def test_an_approximation_after_a_rate_belongs_to_the_amount(extract, text, surface, approx):
    [(got, value)] = facts(extract, text, "money")
    assert got == surface and value["approx"] == approx


@pytest.mark.parametrize("text, surface, value, approx", [
    ("匡威几乎比鳄鱼便宜了三分之一。", "三分之一", 100 / 3, "exact"),
    ("偏股型基金占了四分之三。", "四分之三", 75.0, "exact"),
    ("有接近三分之一的基金经理", "接近三分之一", 100 / 3, "under"),
    ("占课程的十二分之一以上", "十二分之一以上", 100 / 12, "over"),
])
def test_fractions_are_percent(extract, text, surface, value, approx):
    [(got, v)] = facts(extract, text, "percent")
    assert got == surface and v["value"] == pytest.approx(value) and v["approx"] == approx


@pytest.mark.parametrize("text", ["三分之四的", "比分1/3", "三分球1/3", "罚球2/4", "百万分之五", "采用1/2.3英寸CCD",
                                  "1/6英寸的CMOS", "每秒60/50帧", "在提出90/70政策要求后", "(8/14促销延期", "活动1/4：礼包"])
def test_no_fraction_above_a_whole_nor_in_scores_dates_or_sizes(extract, text):
    assert facts(extract, text, "percent") == []


@pytest.mark.parametrize("text, surface, value, approx", [
    ("约有1/3的人身兼两只以上", "1/3", 100 / 3, "about"),
    ("占到了沪市总流通市值的1/4以上", "1/4以上", 25.0, "over"),
    ("若超过2/3业主同意", "超过2/3", 200 / 3, "over"),
    ("1/2买股票型基金", "1/2", 50.0, "exact"),
])
def test_digit_fractions_are_percent(extract, text, surface, value, approx):
    [(got, v)] = facts(extract, text, "percent")
    assert got == surface and v["value"] == pytest.approx(value) and v["approx"] == approx
