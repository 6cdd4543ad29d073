"""Count objects and counts inside words (issue 19, h19f): the object before the number when nothing
counted follows the measure word, quoted objects, and names or idioms the segmenter reads as one word."""

from __future__ import annotations

import pytest

from pipeline.core.document import Document


def counts(extract, segment, text: str, tokens: bool = True) -> dict[str, dict]:
    d = Document(doc_id="d", source="d", original=text, text=text, meta={})
    out = extract(segment(d) if tokens else d)
    return {f.text: f.value for f in out.facts if f.type == "count"}


@pytest.mark.parametrize("text,surface,obj", [
    ("其中中国留学生17934名，位居第一。", "17934名", "中国留学生"),
    ("警方共出动警力6534人，走访房屋中介所2663家；", "6534人", "警力"),
    ("经济适用住房1.6万套，限价商品住房2.5万套。", "2.5万套", "商品住房"),
    ("参赛队伍共12支。", "12支", "参赛队伍"),
    ("主力名单中的基金数量则有39家，持有5958万股。", "39家", "基金"),
    ("甲型H1N1流感累计病例已达68例，共有26名患者。", "68例", "病例"),
    ("该公司管理的基金份额合计68.52亿份。", "68.52亿份", "基金份额"),
    # What follows the measure word wins: 现场签约7个合作项目 counts projects.
    ("现场签约7个合作项目。", "7个", "合作项目"),
])
def test_the_object_before_the_number_when_the_count_ends_its_clause(extract, segment, text, surface, obj):
    assert counts(extract, segment, text)[surface]["object"] == obj


@pytest.mark.parametrize("text,surface", [
    ("浙江队6人得分上双。", "6人"),  # the clause goes on: six players of the team, not six teams
    ("成交量为2272.5万手。", "2272.5万手"),  # an amount noun names no thing counted
    ("持股数为5.38亿股。", "5.38亿股"),
    ("易方达科讯增持华电国际713.94万股。", "713.94万股"),  # shares of a company, not companies
    ("全市共配备执法车3900辆。", "3900辆"),  # a one-character object (车) is left out
    ("上述土地划拨归王东桥等四人使用。", "四人"),
    ("上海报告9例，广东报告7例。", "7例"),  # 报告 is the verb here, though jieba tags it a noun
    ("视频观看人次达19.4亿次，", "19.4亿次"),  # a measure word names the amount
])
def test_no_object_before_the_number(extract, segment, text, surface):
    assert "object" not in counts(extract, segment, text)[surface]


def test_a_quoted_object_but_not_a_quoted_modifier(extract, segment):
    assert counts(extract, segment, "至今，这七位“大佬”中，剩下的只有王亚伟。")["七位"]["object"] == "大佬"
    assert "object" not in counts(extract, segment, "金鹰、金基，这三家“金”字辈的企业成为地王。")["三家"]


@pytest.mark.parametrize("text", ["七匹狼2008年净利润同比增长72.5%。", "接下来便是三棵树的婚房漆。",
                                  "当初是语惊四座。", "新官上任三把火，锡伯杜把火烧向防守。",
                                  "以邓小平理论和“三个代表”重要思想为指导。"])
def test_a_name_or_idiom_holding_a_count_is_none(extract, segment, text):
    assert counts(extract, segment, text) == {}


@pytest.mark.parametrize("text,surface", [("这两项措施已经出台。", "两项"), ("东北三省的农民。", "三省"),
                                          ("八国集团峰会开幕。", "八国")])
def test_a_word_ending_at_the_measure_word_or_an_organisation_still_counts(extract, segment, text, surface):
    assert surface in counts(extract, segment, text)


def test_without_the_segmenter_a_name_is_counted_and_no_object_is_given(extract, segment):
    # The words come from the segment stage: without it the extractor cannot tell 七匹狼 from 七匹马.
    assert counts(extract, segment, "七匹狼2008年净利润同比增长72.5%。", tokens=False) == {
        "七匹": {"value": 7, "unit": "匹", "approx": "exact"}}
