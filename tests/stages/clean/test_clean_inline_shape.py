"""Brand names found by their shape (clean.spam.inline_shape): names no list holds, removed from
sentences when the page shows stuffing; news words of the same shape stay."""

from __future__ import annotations

from pipeline.core.examples import sample_doc
from pipeline.stages.clean.stage import CleanStage

from conftest import RULES

STAGE = CleanStage({}, RULES)
SPAM_LINE = "百家乐 真人视讯 注册送彩金 老虎机"


def clean(text: str):
    doc, result = STAGE.run(sample_doc(text))
    return doc, [e for e in result.edits if e.rule_id == "clean.spam.inline_shape"]


def test_a_repeated_unseen_name_goes_from_each_sentence_and_starts_where_its_repeats_agree():
    text = "今天,雅韵贵宾会由工业和信息化部高新司指导的项目启动会召开。\n我国科学仪器核心关键技术雅韵贵宾会仍受制于人。\n"
    doc, edits = clean(text)
    assert doc.text == "今天,由工业和信息化部高新司指导的项目启动会召开。\n我国科学仪器核心关键技术仍受制于人。\n"
    assert [text[e.start:e.end] for e in edits] == ["雅韵贵宾会", "雅韵贵宾会"]
    assert doc.flags.get("spam")


def test_decorations_go_with_the_name():
    doc, _ = clean("园区将引进一批科技企业沐辰现金网app下载和研发机构。\n")
    assert doc.text == "园区将引进一批科技企业和研发机构。\n"


def test_a_single_bare_name_needs_spam_elsewhere_on_the_page():
    line = "记者了解到,澜亭娱乐城周边道路将于下月完工。"
    assert clean(line + "\n")[0].text == line + "\n"
    doc, edits = clean(f"{SPAM_LINE}\n{line}\n")
    assert doc.text == "记者了解到,周边道路将于下月完工。\n" and len(edits) == 1


def test_gambling_news_keeps_bare_names():
    text = "警方通报,该团伙以澜亭娱乐城为名开设网络赌场。\n澜亭娱乐城网站已被关停,涉案人员被抓获。\n"
    assert clean(text)[0].text == text


def test_words_of_the_same_shape_stay():
    text = (f"{SPAM_LINE}\n近年来各地严查娱乐场所涉毒问题,航空公司贵宾会员人数逐年增长。\n"
            "学校引进国际注册会计师课程,新浪体育官网同步直播。\n")
    doc, edits = clean(text)
    assert edits == []
    assert "娱乐场所" in doc.text and "贵宾会员" in doc.text and "国际注册会计师" in doc.text


def test_a_weak_suffix_needs_its_decoration_and_a_repeat():
    line = "园区将引进一批科技企业鸿运国际官网和研发机构。"
    assert clean(f"{SPAM_LINE}\n{line}\n")[0].text == line + "\n"
    doc, edits = clean(f"{line}\n项目鸿运国际官网今天签约。\n")
    assert doc.text == "园区将引进一批科技企业和研发机构。\n项目今天签约。\n" and len(edits) == 2
