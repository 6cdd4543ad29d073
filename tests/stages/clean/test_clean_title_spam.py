"""The title (issue 21): a page title that reads as spam loses to the article's headline, and brand
names stuffed into the lifted title go by their shape as in the text."""

from __future__ import annotations

from pipeline.core.document import Document
from pipeline.stages.clean.stage import CleanStage

from conftest import RULES

STAGE = CleanStage({}, RULES)
P1 = "青岛市科技局今天发布消息称,全市高新技术企业数量突破一万家,同比增长百分之二十,创下历史新高。"
P2 = "据介绍,今年以来全市新增国家级创新平台十二个,技术合同成交额达到三百亿元,较去年同期明显增长。"
HEADLINE = "青岛高新技术企业突破一万家"


def run(text: str, **meta):
    return STAGE.run(Document(doc_id="t", source="t", original=text, text=text, meta=meta))


def test_a_spam_page_title_loses_to_the_headline_which_is_lifted():
    doc, _ = run(f"{HEADLINE}\n{P1}\n{P2}\n", title="澳门金沙娱乐场官网_澳门新葡京网址_百家乐网站")
    assert doc.meta["title"] == HEADLINE
    assert doc.text == f"{P1}\n{P2}\n"


def test_an_ordinary_page_title_still_wins_and_the_headline_stays():
    doc, _ = run(f"{HEADLINE}\n{P1}\n{P2}\n", title="青岛日报:高新企业突破万家")
    assert doc.meta["title"] == "青岛日报:高新企业突破万家"
    assert doc.text.startswith(HEADLINE)


def test_a_spam_page_title_without_a_headline_in_the_text_is_kept_as_given():
    # Nothing better to offer: the stage does not invent a title.
    doc, _ = run(f"{P1}\n{P2}\n", title="澳门金沙娱乐场官网_澳门新葡京网址_百家乐网站")
    assert doc.meta.get("title") == "澳门金沙娱乐场官网_澳门新葡京网址_百家乐网站"


def test_a_brand_name_of_spam_shape_stuffed_into_the_title_goes_from_the_lifted_title():
    text = f"{HEADLINE}金狮贵宾会\n{P1}金狮贵宾会\n{P2}\n"
    doc, result = run(text)
    assert doc.meta["title"] == HEADLINE
    assert "贵宾会" not in doc.text
    assert any(e.rule_id == "clean.spam.inline_shape" for e in result.edits)


def test_a_headline_about_a_casino_keeps_its_words():
    text = f"澳门金狮贵宾会被查处\n{P1}\n{P2}\n"
    doc, _ = run(text)
    assert doc.meta["title"] == "澳门金狮贵宾会被查处"
