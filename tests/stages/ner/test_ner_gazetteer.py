"""rules/ner/orgs.jsonl (built from the gazetteers), weak evidence, value.canonical, and the
one-character place abbreviations of rules/ner/abbreviations.toml.

No trained model: rule matches run through the span_ruler, abbreviations through their finder,
both on the segment stage's words.
"""

from pathlib import Path

import pytest

from pipeline.stages.ner.abbrev import load_abbreviations
from pipeline.stages.ner.examples import abbreviation_cases
from pipeline.stages.ner.merge import Span, merge, without_shapes
from pipeline.stages.ner.rulefile import load_name_rules
from pipeline.stages.ner.ruler import NameRuler
from pipeline.stages.ner.values import canonical_names, name_value
from pipeline.stages.segment.stage import SegmentStage

from conftest import load_script

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "rules"
GAZ = ROOT.parent / "shared" / "data" / "gazetteers"
ORGS = load_name_rules([RULES / "ner" / "orgs.jsonl"])
BY_PATTERN = {r.pattern: r for r in ORGS}
ABBREV, ABBREV_EXAMPLES = load_abbreviations(RULES / "ner" / "abbreviations.toml")
SEGMENT = SegmentStage({}, RULES)


def words(text):
    return [(w.start, w.end, w.pos) for w in SEGMENT.words(text)]


def found(rule_patterns, text):
    ruler = NameRuler([BY_PATTERN[p] for p in rule_patterns])
    return [text[s:e] for s, e, _, _ in ruler.find(text, words(text))]


def abbreviations(text):
    return [(text[s:e], name, text[a:b]) for s, e, name, a, b in ABBREV.find(text, words(text))]


def test_bodies_by_short_name_and_party_congresses_are_orgs():
    assert found(["港府", "区议会"], "港府回应区议会的质询") == ["港府", "区议会"]
    assert BY_PATTERN["港府"].canonical == "香港特别行政区政府" and BY_PATTERN["国会"].canonical is None
    assert found(["十九大", "中共十八大"], "十九大报告和中共十八大以来") == ["十九大", "中共十八大"]
    assert BY_PATTERN["十五大"].canonical == "中国共产党第十五次全国代表大会"


def test_team_nicknames_need_a_game_report_around_them_and_leagues_are_orgs():
    assert BY_PATTERN["火箭"].canonical == "休斯顿火箭" and BY_PATTERN["火箭"].near_sentence is False
    assert found(["火箭"], "麦基为火箭带来了什么？上半场他抢下12个篮板。") == ["火箭"]
    assert found(["火箭"], "长征二号火箭发射成功，将卫星送入轨道。") == []
    assert found(["湖人队", "洛杉矶湖人"], "洛杉矶湖人和湖人队") == ["洛杉矶湖人", "湖人队"]
    assert found(["NBA"], "NBA季后赛") == ["NBA"] and BY_PATTERN["CBA"].label == "ORG"


def test_orgs_hold_the_kinds_asked_for_with_their_full_names():
    assert len(ORGS) > 10000 and len({r.id for r in ORGS}) == len(ORGS)
    assert all(r.label == "ORG" and isinstance(r.pattern, str) for r in ORGS)
    for short, full in [("中石化", "中国石油化工集团有限公司"), ("世卫组织", "世界卫生组织"), ("发改委", None),
                        ("新华社", "新华通讯社"), ("北大", "北京大学"), ("万科", "万科企业股份有限公司")]:
        assert short in BY_PATTERN, short
        if full:
            assert BY_PATTERN[short].canonical == full
    # Delisting and ST marks are not names to match.
    assert not any(p.endswith("退") or p.startswith(("ST", "*ST")) for p in BY_PATTERN)


@pytest.mark.skipif(not (GAZ / "README.md").is_file(), reason="no ../shared/data/gazetteers")
def test_the_build_is_reproducible(tmp_path):
    module = load_script("scripts/build_ner_gazetteer.py")
    assert module.main(["--out", str(tmp_path / "orgs.jsonl")]) == 0
    assert (tmp_path / "orgs.jsonl").read_bytes() == (RULES / "ner" / "orgs.jsonl").read_bytes()


def test_a_short_name_that_is_an_ordinary_word_needs_stock_context_in_its_sentence():
    assert BY_PATTERN["太阳能"].near is not None and BY_PATTERN["中关村"].near is not None
    assert found(["太阳能"], "太阳能是清洁能源。") == []
    assert found(["太阳能"], "太阳能(000591)股价大涨。") == ["太阳能"]
    assert found(["太阳能"], "太阳能发布公告称") == ["太阳能"]
    # Context in the sentence before says nothing of this one.
    assert found(["太阳能"], "公司股价大涨。太阳能是清洁能源。") == []
    # A name jieba knows as a name is strong: no context needed.
    assert BY_PATTERN["中石化"].near is None and found(["中石化"], "中石化在青岛建厂") == ["中石化"]


def test_short_names_stand_only_on_word_boundaries():
    assert BY_PATTERN["北大"].whole_words
    assert found(["北大"], "北大教授") == ["北大"]
    assert found(["北大"], "东北大学") == []


def test_canonical_comes_from_the_surface_whoever_found_it():
    canonical = canonical_names(ORGS)
    assert name_value("世卫 组织", "ORG", canonical) == {"name": "世卫组织", "canonical": "世界卫生组织"}
    assert name_value("联合国", "ORG", canonical) == {"name": "联合国"}
    assert name_value("北大", "LOC", canonical) == {"name": "北大"}
    assert name_value("美", "LOC", canonical, "美国") == {"name": "美国", "abbr": True}


@pytest.mark.parametrize("case", abbreviation_cases(ABBREV, ABBREV_EXAMPLES, SEGMENT), ids=lambda c: c.label)
def test_abbreviation_examples(case):
    assert case.run() is None


@pytest.mark.parametrize("text, want", [
    ("中日韩三国", [("中", "中国", "中日韩"), ("日", "日本", "中日韩"), ("韩", "韩国", "中日韩")]),
    ("赴美留学", [("美", "美国", "赴美")]),
    ("日军侵华", [("日", "日本", "日军"), ("华", "中国", "侵华")]),
    ("中法两国", [("中", "中国", "中法"), ("法", "法国", "中法")]),
    ("巴以冲突", [("巴", "巴勒斯坦", "巴以"), ("以", "以色列", "巴以")]),
    ("粤港澳大湾区", [("粤", "广东", "粤港澳"), ("港", "香港", "粤港澳"), ("澳", "澳门", "粤港澳")]),
    ("台商在大陆", [("台", "台湾", "台商")]),
    # A bare list, every item an abbreviation; a run's names hold in a list too (澳 is 澳门 with 港).
    ("英、美、法三国", [("英", "英国", "英、美、法"), ("美", "美国", "英、美、法"), ("法", "法国", "英、美、法")]),
    ("港、澳、台地区", [("港", "香港", "港、澳、台"), ("澳", "澳门", "港、澳、台"), ("台", "台湾", "港、澳、台")]),
    # 中外 (the guide, after MSRA), in an idiom too; 对/全 before one; heads of government.
    ("中外合作", [("中", "中国", "中外")]),
    ("古今中外", [("中", "中国", "中外")]),
    ("对华政策", [("华", "中国", "对华")]),
    ("全美第一", [("美", "美国", "全美")]),
    ("俄总统", [("俄", "俄罗斯", "俄总统")]),
    ("沪基指开盘", [("沪", "上海", "沪基指")]),
    # A verb before a run leaves the run whole (对沪深300; jieba's 访中/v 美).
    ("对沪深300", [("沪", "上海", "沪深"), ("深", "深圳", "沪深")]),
    ("访中美", [("中", "中国", "中美"), ("美", "美国", "中美")]),
    ("中罗关系", [("中", "中国", "中罗"), ("罗", "罗马尼亚", "中罗")]),
])
def test_abbreviations_in_their_shapes(text, want):
    assert abbreviations(text) == want


@pytest.mark.parametrize("text", [
    "美丽的中心", "日前", "美元汇率", "中英文版本", "中美洲国家", "美加州", "其中日本", "中华民族",
    "依法治国", "德国队", "美人", "新股发行", "法德", "日以继夜", "在中国", "来日方长", "港口",
    # 中 "in" before a preposition; a full name is not a run (俄罗斯, 陕西, 中|葡萄牙, 日|中国).
    "过程中以任何形式", "图中以浓浓的色调", "俄罗斯外交部", "陕西公安厅", "战争中葡萄牙派出", "20日中国足协",
    # Lists of other things; ordinary words; index names (the guide: 深证 is not marked).
    "工、医、文、法、哲", "海、陆、空", "中、英文", "美白洗面奶", "日新月异", "深证100ETF", "对日常生活",
    "两罚全中", "全日制", "西方国家",
    # A weak one without its country in the text stands in no prefix or suffix shape.
    "赴德留学", "罗方表示",
])
def test_no_abbreviation_outside_a_shape_or_inside_an_ordinary_word(text):
    assert abbreviations(text) == []


def test_a_weak_abbreviation_stands_where_the_text_names_its_country():
    # Evidence: 德 in 赴德 is Germany in a text naming 德国; 阿 is the country the text names.
    assert abbreviations("德国大学免学费，赴德留学") == [("德", "德国", "赴德")]
    assert abbreviations("罗马尼亚总统说，罗方愿意") == [("罗", "罗马尼亚", "罗方")]
    assert abbreviations("中阿合作论坛") == [("中", "中国", "中阿"), ("阿", "阿拉伯国家", "中阿")]
    assert abbreviations("阿根廷总统访华，中阿关系") == [("华", "中国", "访华"), ("中", "中国", "中阿"), ("阿", "阿根廷", "中阿")]
    # Not in a run of weak ones: 马新一届政府 names no pair even in a text naming both.
    assert abbreviations("马来西亚和新加坡。马新一届政府") == []


def test_every_abbreviation_has_a_full_name():
    for ch in ABBREV.strong | ABBREV.weak:
        assert len(ABBREV.names[ch]) >= 2


def test_a_model_name_inside_an_abbreviation_shape_gives_way():
    # 美方 read as an organisation is the shape 美 + 方; 美方代表团 reaching beyond it stands.
    model = [Span(0, 2, "ORG", "model", "ner.model", None, 0.85), Span(3, 8, "ORG", "model", "ner.model", None, 0.85)]
    abbr = [Span(0, 1, "LOC", "rule", ABBREV.id, 1, 0.9), Span(3, 4, "LOC", "rule", ABBREV.id, 1, 0.9)]
    kept = without_shapes(model, [(0, 2), (3, 5)])
    assert kept == [model[1]]
    assert [(s.start, s.end, s.label) for s in merge(kept, abbr)] == [(0, 1, "LOC"), (3, 8, "ORG")]


def _completion():
    from pipeline.stages.ner.rulefile import load_completion

    return load_completion(RULES / "ner" / "org_suffixes.toml")[0]


@pytest.mark.parametrize("text, name, kept", [
    ("国?9?资委发布", "资委", False),      # repair left ?9? before it
    ("演员徐若?表示", "徐若", False),       # the name's last character was lost
    ("演员徐若\ufffd表示", "徐若", False),
    ("马\ufffd置地公馆", "置地公馆", False),
    ("有什么影响呢?康家祥说", "康家祥", True),  # a question ends before the name
    ("康家祥说", "康家祥", True),
])
def test_names_touching_damaged_text_are_dropped(text, name, kept):
    start = text.index(name)
    span = Span(start, start + len(name), "PER", "model", "ner.model", None, 0.8)
    from pipeline.stages.ner.merge import drop_damaged

    assert (drop_damaged([span], text, _completion()) == [span]) is kept


@pytest.mark.parametrize("name, kept", [
    ("powerful", False), ("bei", False), ("terrorist", False), ("match", False),
    ("ESPN", True), ("Tom", True), ("NBA", True), ("iPhone", False), ("Wind资讯", True),
])
def test_lowercase_latin_model_names_are_dropped(name, kept):
    from pipeline.stages.ner.merge import drop_latin_words

    text = f"据{name}报道"
    span = Span(1, 1 + len(name), "ORG", "model", "ner.model", None, 0.8)
    assert (drop_latin_words([span], text, _completion()) == [span]) is kept


@pytest.mark.parametrize("text, name, kept", [
    ("在Tower Records买唱片", "Tower", False),  # a piece of Latin text
    ("新款Multi Touch屏幕", "Touch", False),
    ("You说得对", "You", False),  # an English stop word
    ("The Alliance联盟", "Alliance", False),
    ("据ESPN报道", "ESPN", True), ("佐罗Zorro出场", "Zorro", True), ("Ben Ramsey说", "Ben Ramsey", True),
])
def test_one_latin_word_out_of_latin_text_or_a_stop_word_is_no_name(text, name, kept):
    from pipeline.stages.ner.merge import drop_latin_words

    start = text.index(name)
    span = Span(start, start + len(name), "PER", "model", "ner.model", None, 0.8)
    assert (drop_latin_words([span], text, _completion()) == [span]) is kept


def test_a_question_mark_after_a_name_at_a_line_end_is_no_damage():
    from pipeline.stages.ner.merge import drop_damaged

    text = "国字号项目为何再落青岛?\n在开园典礼上"
    span = Span(9, 11, "LOC", "model", "ner.model", None, 0.9)
    assert drop_damaged([span], text, _completion()) == [span]


@pytest.mark.parametrize("text, name, kept", [
    ("内地房企赴港上市", "内地", False),  # the guide does not mark 内地 (MSRA: none of 73)
    ("香港与内地的合作", "香港", True),
    ("中国内地市场", "中国", True),
])
def test_model_names_the_guide_does_not_mark_are_dropped(text, name, kept):
    from pipeline.stages.ner.merge import drop_not_names

    start = text.index(name)
    span = Span(start, start + len(name), "LOC", "model", "ner.model", None, 0.9)
    assert (drop_not_names([span], text, _completion()) == [span]) is kept


@pytest.mark.parametrize("pattern, text, names", [
    # A foreign university's short form that is also a place stands with school words only.
    ("牛津", "她去年被牛津录取，读经济学", ["牛津"]),
    ("牛津", "牛津是英国南部的一座城市", []),
    ("哈佛", "哈佛的一项调查显示", ["哈佛"]),
    # A club's bare sponsor stands in a game report; a fund company by its name + 基金.
    ("盼盼", "盼盼主场以98:90击败青岛", ["盼盼"]),
    ("盼盼", "熊猫盼盼很可爱", []),
    ("泰达", "泰达荷银品质生活基金首发", []),  # 首发 is a fund's first issue here, not a line-up
    ("华夏基金", "华夏基金旗下产品", ["华夏基金"]),
])
def test_universities_clubs_and_fund_companies_by_short_name(pattern, text, names):
    assert found([pattern], text) == names


@pytest.mark.parametrize("text, names", [
    ("宜家旗下的门店", ["宜家"]), ("三星 股价大跌", ["三星"]), ("MOTO旗下手机", ["MOTO"]),
    ("宜家的门店", []), ("公司旗下的门店", []), ("主力拉高股价出货", []),
])
def test_a_company_is_named_by_what_follows_it(text, names):
    # `then`: a word right after the match (spaces skipped) that only a company has.
    rules = [r for r in load_name_rules([RULES / "ner" / "patterns.jsonl"]) if r.id == "ner.pattern.company_context"]
    got = [text[s:e] for s, e, _, _ in NameRuler(rules).find(text, words(text))]
    assert got == names


def test_weak_names_in_a_list_share_its_context_or_a_firm_neighbour():
    weak = ["云南城投", "中天科技", "光线传媒"]
    assert all(BY_PATTERN[p].near is not None for p in weak)
    # Alone each lacks context (公司 is too far from 宏图高科) ...
    assert found(weak, "分别为云南城投，以及后来的光线传媒") == []
    # ... in a list, the context before the list counts for every item.
    text = "公司定向增发分别为云南城投、中天科技和光线传媒。"
    assert found(weak, text) == weak
    # A firm name in the list (中石化: no context needed) lets its weak neighbours stand.
    assert found(["中石化", "中天科技"], "我们看好中石化和中天科技") == ["中石化", "中天科技"]
    # Not across a comma (a new clause), and one weak name is no list.
    assert found(["中石化", "中天科技"], "我们看好中石化，中天科技") == ["中石化"]
    assert found(["太阳能"], "太阳能和风能都是清洁能源。") == []


def test_a_weak_name_that_stood_once_stands_at_its_other_mentions_in_the_document():
    from pipeline.core.document import Document
    from pipeline.stages.ner.stage import NerStage, RulesPart

    stage = NerStage({}, RULES)
    text = "北新建材发布公告称利润增长。北新建材与远洋中广结为战略合作伙伴。太阳能是清洁能源。"
    doc = SEGMENT(Document(doc_id="t", source="t", original=text, text=text))
    got = [text[s:e] for s, e, label, rid, *_ in RulesPart(stage).run(doc) if label == "ORG"]
    assert got.count("北新建材") == 2 and "太阳能" not in got
    # Without the first mention's context, neither stands.
    text = "北新建材利润增长。北新建材与远洋中广结为战略合作伙伴。"
    doc = SEGMENT(Document(doc_id="t", source="t", original=text, text=text))
    assert "北新建材" not in [text[s:e] for s, e, *_ in RulesPart(stage).run(doc)]


def test_a_company_short_name_with_the_place_its_full_name_starts_with_is_one_name():
    rule = BY_PATTERN["浙江海正药业"]
    assert rule.canonical == "浙江海正药业股份有限公司" and rule.near is None
    text = "浙江海正药业昨日公告"
    ruler = NameRuler([rule, BY_PATTERN["海正药业"]])
    spans = [Span(s, e, label, "rule", rid, 1, 0.9) for s, e, label, rid in ruler.find(text, words(text))]
    # With the model's 浙江 (a place) beside them, the merge keeps the one name.
    model = [Span(0, 2, "LOC", "model", "ner.model", None, 0.9)]
    assert [text[s.start:s.end] for s in merge(model, spans)] == ["浙江海正药业"]
    # Not on a short name that is an ordinary word: 深圳市 + 农产品 is a place and a word.
    assert "深圳市农产品" not in BY_PATTERN and "深圳农产品" not in BY_PATTERN


def test_a_fund_companys_bare_name_is_the_company_before_a_separator_and_a_mask_before_a_product():
    by_id = {r.id: r for r in ORGS}
    bare, product = by_id["ner.org.funds.42.bare"], by_id["ner.org.funds.42.product"]
    assert bare.pattern == product.pattern == "华商" and product.mask and not bare.mask
    assert bare.canonical == "华商基金管理有限公司" and product.canonical is None
    ruler = NameRuler([bare, product])

    def rules_at(text):
        return [(text[s:e], rid.rsplit(".", 1)[1]) for s, e, _, rid in ruler.find(text, words(text))]

    assert rules_at("只有华商与中邮两家公司旗下基金全部跑赢") == [("华商", "bare")]
    assert rules_at("华商盛世成长基金今年以来收益居前") == [("华商", "product")]
    # Without fund news around it, 华商 is neither (Chinese merchants: 华 is a place, the guide).
    assert rules_at("海外华商回国投资创业") == []
    # A company named by another fund company's name plus more (招商银行) is left to the longer name.
    assert [r for r in ORGS if r.id == "ner.org.funds.9.product"][0].then.match("招商银行", 2) is None
    # A name another gazetteer rule gives its full name keeps it (长城 the listed company).
    assert by_id["ner.org.funds.22.bare"].canonical is None
