"""Inside kept lines: related lists glued to the article, untoned reading annotations."""

from __future__ import annotations

from pipeline.core.examples import sample_doc
from pipeline.stages.clean.stage import CleanStage

from conftest import RULES

STAGE = CleanStage({}, RULES)
BODY = "青岛市科技局今天发布消息称，全市高新技术企业数量突破一万家，同比增长百分之二十，创下历史新高。"


def clean(text: str):
    return STAGE.run(sample_doc(text))


def test_a_related_list_glued_to_the_last_sentence_goes_and_no_headline_stays():
    doc, result = clean(f"{BODY}\u00a0\u00a0相关报道：\u00a0\u00a0QDII哀鸿遍野 近百期产品累计亏损愈六成"
                        "\u00a0\u00a0国内首只指数化QDII产品破题\n")
    assert doc.text == f"{BODY}\u00a0\u00a0\n"
    assert {e.rule_id for e in result.edits} == {"clean.related.tail"}


def test_a_sidebar_with_sentences_stays():
    text = f"{BODY}相关链接低风险基金被大举赎回数据显示，两类基金净赎回比例分别为1.83%和0.13%。\n"
    assert clean(text)[0].text == text


def test_a_keyword_line_goes_a_keyword_sentence_stays():
    doc, _ = clean(f"{BODY}\n本文关键词：科学仪器,青岛,产业园\n关键词一：供应量不足，7月住宅批准上市进一步萎缩。\n")
    assert doc.text == f"{BODY}\n关键词一：供应量不足，7月住宅批准上市进一步萎缩。\n"


def test_untoned_readings_go_only_after_the_character_they_read():
    doc, _ = clean("今年青(qing)岛(dao)科技企业数量突破一万家，首席执行官(CEO)表示，公司(ltd)与李(li)先生同比增长两成。\n")
    assert doc.text == "今年青岛科技企业数量突破一万家，首席执行官(CEO)表示，公司(ltd)与李先生同比增长两成。\n"
