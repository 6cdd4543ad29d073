"""The extract stage: facts, the overlap policy, offsets, dates against the published date."""

from __future__ import annotations


from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.stages.extract.base import Candidate
from pipeline.stages.extract.overlap import resolve_candidates
from pipeline.core.document import Document, Fact
from pipeline.stages.convert.stage import ConvertStage

from conftest import RULES, examples


def doc(text: str, published: str | None = None) -> Document:
    return Document(doc_id="d", source="d", original=text, text=text,
                    meta={"published_at": published} if published else {})


def facts(extract, text, published=None):
    return [(f.type, f.text) for f in extract(doc(text, published)).facts]


def test_overlap_policy_money_percent_and_dates_are_not_counts(extract):
    assert facts(extract, "投资300万元") == [("money", "300万元")]
    assert facts(extract, "提高5个百分点") == [("percent", "5个百分点")]
    assert facts(extract, "2024年4月25日") == [("date", "2024年4月25日")]
    assert facts(extract, "净增300家、达到4600家") == [("count", "300家"), ("count", "4600家")]


def test_overlap_policy_longest_wins_then_type_order():
    c = lambda t, s, e, r="x.y": Candidate(t, s, e, {}, r, 1, 0.9)  # noqa: E731
    kept = resolve_candidates([c("count", 0, 3), c("money", 0, 5), c("date", 4, 8), c("percent", 10, 12),
                               c("money", 10, 12), c("count", 20, 22)])
    assert [(k.type, k.start) for k in kept] == [("money", 0), ("money", 10), ("count", 20)]


def test_facts_follow_the_schema_and_map_to_the_original(extract, segment):
    source = "青島科學儀器產業園\n2018年，出口額約為714.7億美元。"
    d = ConvertStage({}, RULES)(doc(source))
    out = extract(segment(d))
    money = next(f for f in out.facts if f.type == "money")
    assert money.text == "714.7亿美元" and money.value == {"amount": 71470000000, "currency": "USD", "approx": "about"}
    assert source[money.orig_start : money.orig_end] == "714.7億美元"
    assert money.sentence == 1 and money.extractor == "rule" and money.rule_id == "money.number_currency"
    assert money.rule_version == 5 and 0 < money.confidence <= 1
    assert money.fact_id == Fact.make_id("d", "money", money.start, money.end, money.rule_id)


def test_without_segment_the_sentence_is_none(extract):
    assert extract(doc("投资300万元")).facts[0].sentence is None


def test_dates_resolve_against_the_published_date_never_the_clock(extract):
    out = extract(doc("7月18日开园，今年上半年，去年", "2021-07-26T11:43")).facts
    values = {f.text: dict(f.value) for f in out}
    assert values["7月18日"] == {"start": "2021-07-18", "end": "2021-07-18", "granularity": "day",
                                 "resolved": "published_at"}
    assert values["今年上半年"]["start"] == "2021-01-01" and values["今年上半年"]["end"] == "2021-06-30"
    assert values["去年"]["start"] == "2020-01-01"
    # A December date in an early-January article is last year's.
    dec = extract(doc("12月20日", "2022-01-05")).facts[0]
    assert dec.value["start"] == "2021-12-20"


def test_without_a_published_date_no_year_is_invented(extract):
    out = {f.text: dict(f.value) for f in extract(doc("7月27至28日，今年")).facts}
    assert out["7月27至28日"] == {"start": "--07-27", "end": "--07-28", "granularity": "day", "resolved": "unresolved"}
    assert out["今年"] == {"start": None, "end": None, "granularity": "year", "resolved": "unresolved"}


def test_next_step_is_not_a_date(extract):
    assert facts(extract, "下一步，市科技局将聚力", "2024-04-25") == []


def test_parts_assemble_to_the_same_facts_as_a_direct_call(extract, segment):
    d = segment(doc("2024年，研发投入增长11%以上，新建至少20家市重点实验室，成交额突破700亿元。", "2024-02-25"))
    results = {p.name: p.run(d) for p in extract.parts()}
    assert extract.assemble(d, results).facts == extract(d).facts
    assert {p.name for p in extract.parts()} == {"money", "percent", "count", "date"}


def test_rerun_keeps_facts_from_other_extractors(extract):
    ner = Fact("d", "x", "org", "科技部", {"name": "科技部"}, 0, 3, 0, 3, None, "ner.x", None, "ner:m@1", 0.8)
    d = extract(Document(doc_id="d", source="d", original="科技部投资3亿元", text="科技部投资3亿元", facts=(ner,)))
    assert d.facts[0] is ner and [f.type for f in d.facts] == ["org", "money"]


def test_describe_lists_each_extractor_fingerprint(extract):
    info = extract.describe()
    assert set(info["extractors"]) == {"money", "percent", "count", "date"}
    assert all(len(e["fingerprint"]) == 16 for e in info["extractors"].values())


TEXTS = st.text(alphabet="0123456789.,，%％万亿元美元年月日号至到-约近逾余多以上左右百分之个家项人第一二两三十百千今去明天上半年成折 。\n",
                max_size=40)


@settings(max_examples=examples(300), deadline=None)
@given(TEXTS, st.sampled_from([None, "2021-07-26T11:43", "2024-01-01"]))
def test_extract_never_raises_and_facts_never_overlap(extract, text, published):
    out = extract(doc(text, published))
    last_end = 0
    for f in out.facts:
        assert last_end <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.text
        last_end = f.end
    assert extract(out).facts == out.facts  # idempotent
