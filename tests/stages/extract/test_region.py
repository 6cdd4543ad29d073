"""The document's region (rules/extract/region.toml): a bare 元 in a Hong Kong, Macau or Taiwan
article is that region's money, decided from evidence in the text, a setting or an input field."""

from pathlib import Path

import pytest

from pipeline.core.document import Document
from pipeline.stages.extract.region import load_region
from pipeline.stages.extract.stage import ExtractStage

RULES = Path(__file__).resolve().parents[3] / "rules"
REGION = load_region(RULES / "extract" / "region.toml")


def doc(text: str, **meta) -> Document:
    return Document(doc_id="d", source="t", original=text, text=text, meta=meta)


def money(stage: ExtractStage, d: Document) -> list[tuple[str, str]]:
    return [(f.text, f.value["currency"]) for f in stage(d).facts if f.type == "money"]


@pytest.fixture(scope="module")
def stage():
    return ExtractStage({}, RULES)


def test_hong_kong_evidence_makes_bare_yuan_hkd(stage):
    d = doc("香港消息 港府表示，立法会昨日通过拨款，死者家属可获100万元赔偿，另有人民币5万元。")
    assert money(stage, d) == [("100万元", "HKD"), ("人民币5万元", "CNY")]
    out = stage(d)
    assert out.meta["region"] == "HK" and "港府" in out.meta["region_evidence"]


def test_currency_names_are_no_evidence(stage):
    # A mainland case naming 港币 and a mainland firm listing in Hong Kong: 元 stays CNY.
    d = doc("深圳检方指控他受贿人民币822.98万元、港币3万元，情妇使用410万元受贿款。恒大在港交所上市，销售额127亿元。")
    assert ("410万元", "CNY") in money(stage, d) and ("127亿元", "CNY") in money(stage, d)
    assert stage(d).meta.get("region") is None


def test_one_word_is_not_enough(stage):
    d = doc("他在新界长大，后来到北京工作，月薪8000元。")
    assert money(stage, d) == [("8000元", "CNY")]


def test_macau_words_outweigh_the_shared_ones():
    # 立法会 and 特首 are Hong Kong's and Macau's; 澳门特区 and 澳门政府 decide for Macau.
    r = REGION.decide("澳门特区政府第三届行政长官选举，特首参选人，立法会议员，澳门政府开支")
    assert (r.region, r.currency) == ("MO", "MOP")


def test_traditional_script_counts_as_evidence():
    text = "港府今日宣布，补贴5000元。"
    assert REGION.decide(text).region is None
    assert REGION.decide(text, converted=REGION.traditional_chars).region == "HK"
    assert REGION.decide(text, converted=REGION.traditional_chars - 1).region is None
    # A tie between two regions decides nothing, traditional or not (立法会 is Hong Kong's and Macau's).
    assert REGION.decide("立法会今日开会", converted=REGION.traditional_chars).region is None


def test_input_field_then_setting_then_evidence():
    text = "港府宣布，屋苑成交价1000万元。"
    assert REGION.decide(text).region == "HK"
    assert REGION.decide(text, setting="TW").region == "TW"
    assert REGION.decide(text, given="CN", setting="TW").region == "CN"
    assert REGION.decide(text, given="CN").currency is None  # CN: 元 stays CNY


def test_setting_applies_to_every_document():
    stage = ExtractStage({"region": "TW"}, RULES)
    d = doc("房价每坪50万元。")
    assert money(stage, d) == [("50万元", "TWD")]
    assert stage(d).meta["region"] == "TW" and stage(d).meta["region_evidence"] == "setting"


def test_region_changes_the_money_fingerprint_only_through_its_file(tmp_path):
    # The region file is part of every extractor's fingerprint (a cached run must rerun money).
    a = ExtractStage({}, RULES)
    assert all(e.region_path == RULES / "extract" / "region.toml" for e in a.extractors)
    assert a.region_path in a.rule_files()


def test_a_jsonl_region_field_reaches_the_extract_stage(tmp_path):
    # The input's `region` (pipeline/run/inputs.py) is the document's, before any evidence: a text with
    # no Hong Kong word still reads 元 as HKD; a record without the field is decided from its text.
    import json

    from pipeline.run.config import load_config
    from pipeline.run.inputs import expand, read_inputs
    from pipeline.run.runner import Pipeline
    from pipeline.stages.registry import KNOWN_STAGES, build_stages

    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "hk", "text": "公司去年赚了100万元。", "region": "HK"},
        {"id": "cn", "text": "公司去年赚了100万元。"},
    ]) + "\n", encoding="utf-8")
    config = load_config(RULES, tuple(KNOWN_STAGES))
    pipeline = Pipeline(build_stages(config, ["decode", "convert", "extract"]))
    out = {}
    for record in read_inputs(expand([f])):
        d = pipeline.process_one(record).document
        out[d.doc_id] = (d.meta.get("region"), d.meta.get("region_evidence"),
                         [f.value["currency"] for f in d.facts if f.type == "money"])
    assert out == {"hk": ("HK", "input", ["HKD"]), "cn": (None, None, ["CNY"])}
