"""Chinese, Arabic and mixed numerals: one module reads them all (pipeline.stages.extract.numerals)."""

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.stages.extract.approx import load_approx
from pipeline.stages.extract.numerals import (
    FRAGMENTS, NO_APPROX, adjacent_range, fuzzy_range, parse_number, split_approx, to_json_number,
)

from conftest import RULES, examples

WORDS = load_approx(RULES / "extract" / "approx.toml")

VALUES = [
    ("一千零二十", 1020), ("两万三千", 23000), ("十余", 10), ("1.5万", 15000),
    ("七百一十四点七亿", 71470000000), ("３５００", 3500), ("3,500", 3500), ("逾亿", 100000000),
    ("714.7亿", 71470000000), ("11280万", 112800000), ("五百万", 5000000), ("1.2万余", 12000),
    ("一万三", 13000), ("两千四百五", 2450), ("百三", 130), ("九百九", 990), ("一千陆", 1600),
    ("五兆六十二亿四万五千二", 5006200045200), ("4.78万亿", 4780000000000), ("10万万", 1000000000),
    ("四万万", 400000000), ("一百零几万", 1000000), ("二十几万", 200000), ("十 余 万", 100000),
    ("500余万", 5000000), ("二零零四", 2004), ("二〇二三", 2023), ("一百零一万一千", 1011000),
    ("五亿零六", 500000006), ("七十八万五佰零六", 780506), ("倆千两百贰拾二", 2222),
    ("5万4千6百", 54600), ("5亿1万4千6百", 500014600), ("拾万零五十六", 100056), ("半百", 50),
    ("负四十五亿零四百零四万", -4504040000), ("１，２３４", 1234), ("1,050,000,000", 1050000000),
    ("八千三百八十五万二千三百二十六点三三", Decimal("83852326.33")), ("7万5", 75000), ("0.5", Decimal("0.5")),
    ("壹佰伍拾", 150), ("肆佰陸拾", 460), ("十", 10), ("十五", 15), ("一百", 100), ("一万零二百五十", 10250),
    ("四千零五万", 40050000), ("四千万零六千", 40006000), ("１．０７５３", Decimal("1.0753")),
]


@pytest.mark.parametrize("text,value", VALUES, ids=[v[0] for v in VALUES])
def test_values(text, value):
    assert parse_number(text, words=WORDS).value == Decimal(value)


APPROX = [("十余", "over"), ("三十多万", "over"), ("二十几万", "over"), ("1.2万余", "over"), ("逾亿", "over"),
          ("约300", "about"), ("近2000万", "under"), ("1020", "exact"), ("一千零二十", "exact")]


@pytest.mark.parametrize("text,approx", APPROX, ids=[a[0] for a in APPROX])
def test_the_numeral_carries_its_approximation(text, approx):
    assert parse_number(text, words=WORDS).approx == approx


@pytest.mark.parametrize("text", ["", "万", "abc", "二三十", "三四百", "1.2.3", "点五", "元"])
def test_not_numbers_raise_value_error(text):
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize("before,after,kind", [
    ("约", "", "about"), ("", "左右", "about"), ("超过", "", "over"), ("", "以上", "over"),
    ("逾", "", "over"), ("近", "", "under"), ("不到", "", "under"), ("", "以下", "under"), ("", "", "exact"),
    ("突破", "", "exact"),
])
def test_split_approx(before, after, kind):
    assert split_approx(before, after, WORDS) == kind


def test_context_verbs_count_only_as_context():
    assert split_approx("突破", "", WORDS, context=True) == "over"


def test_approximation_words_are_data():
    assert parse_number("约300", words=WORDS).approx == "about"
    with pytest.raises(ValueError):
        parse_number("约300", words=NO_APPROX)  # without the words, 约 is not part of a numeral
    assert split_approx("签约", "", WORDS) == "exact" and split_approx("大约", "", WORDS) == "about"


def test_json_numbers_are_ints_when_whole():
    assert to_json_number(parse_number("714.7亿").value) == 71470000000
    assert isinstance(to_json_number(parse_number("714.7亿").value), int)
    assert to_json_number(parse_number("1.0753").value) == 1.0753


NUM = re.compile(FRAGMENTS["NUM"])


@pytest.mark.parametrize("text", [t for t, _ in VALUES if " " not in t and not t.startswith(("负", "逾"))])
def test_the_num_fragment_matches_what_parse_number_reads(text):
    m = NUM.fullmatch(text)
    assert m is not None, text


@settings(max_examples=examples(300), deadline=None)
@given(st.text(alphabet="零一二两三四五六七八九十百千万亿点余多几半0123456789.,，负约近逾 ", max_size=12))
def test_parse_number_raises_nothing_but_value_error(text):
    try:
        n = parse_number(text)
    except ValueError:
        return
    assert isinstance(n.value, Decimal)
    assert n.approx in {"exact", "about", "over", "under"}


@pytest.mark.parametrize("text,low,high", [
    ("七八亿", 700000000, 800000000), ("三四百", 300, 400), ("二三十万", 200000, 300000),
    ("一两亿", 100000000, 200000000), ("三四", 3, 4), ("六七十", 60, 70),
])
def test_neighbouring_digits_are_a_range(text, low, high):
    assert adjacent_range(text) == (Decimal(low), Decimal(high))


@pytest.mark.parametrize("text", ["七九亿", "三百", "二零零四", "一二三", "九十"])
def test_other_numerals_are_no_neighbour_range(text):
    assert adjacent_range(text) is None


@pytest.mark.parametrize("text,low,high", [
    ("几十万", 200000, 900000), ("数十亿", 2000000000, 9000000000), ("十几", 11, 19),
    ("二十几万", 210000, 290000), ("几百", 200, 900), ("好几千", 2000, 9000), ("几", 2, 9),
])
def test_fuzzy_numbers_are_ranges(text, low, high):
    assert fuzzy_range(text) == (Decimal(low), Decimal(high))


@pytest.mark.parametrize("text", ["十余", "三十多万", "几几", "三"])
def test_numbers_without_a_fuzzy_digit_are_no_fuzzy_range(text):
    assert fuzzy_range(text) is None
