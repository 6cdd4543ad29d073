"""Spun copy (伪原创): the table built from spinner word swaps counts spun phrases, the character model
judges spinner words in context, learnt weights flag the document; a flagged document gets its
restorable phrases and context swaps back as edits; ordinary text is neither flagged nor changed."""

from __future__ import annotations

import random

from pipeline.core.examples import sample_doc
from pipeline.stages.clean.stage import CleanStage

from conftest import RULES

STAGE = CleanStage({}, RULES)
TABLE = STAGE.rules.spun_table
CONTEXT = STAGE.rules.spun_context
SPUN = "本文先容了科学仪器有限责任企业的开展水平和技能立异,希翼更多企业参与。\n"
PLAIN = "本文介绍了科学仪器有限责任公司的发展水平和技术创新,希望更多企业参与。\n"


def clean(text: str):
    return STAGE.run(sample_doc(text))


def test_a_spun_paragraph_is_flagged_and_restored_by_edits_of_the_table_and_the_context_model():
    doc, result = clean(SPUN)
    assert doc.flags.get("spun") and doc.text == PLAIN
    table = {SPUN[e.start:e.end]: e.replacement for e in result.edits if e.rule_id == TABLE.id}
    context = {SPUN[e.start:e.end]: e.replacement for e in result.edits if e.rule_id == CONTEXT.id}
    assert table == {"有限责任企业": "有限责任公司", "开展水平": "发展水平", "技能立异": "技术创新", "希翼更多": "希望更多"}
    # 先容 alone is a word of jieba's dictionary, so the table does not restore it; in context
    # the model finds 介绍 far likelier.
    assert context == {"先容": "介绍"}


def test_the_text_it_came_from_is_left_alone():
    doc, result = clean(PLAIN)
    assert doc.text == PLAIN and not doc.flags.get("spun")
    assert not [e for e in result.edits if e.rule_id == TABLE.id]


def test_one_stray_spun_phrase_is_counted_but_nothing_is_restored():
    text = "会议先容了今年的工作安排,与会代表希望进一步加强合作,推动经济发展和技术创新。\n"
    doc, result = clean(text)
    assessed = STAGE.cleaner.spun.assess(text)
    # 先容 is a table phrase (先容 alone, counted, not restored) and a context swap: it counts once.
    assert assessed.hits == 1 and assessed.phrases == 1 and STAGE.cleaner.spun.swaps(text, 0.0)[0].standard == "介绍"
    # Fewer hits than spun_min_hits: score 0 (the weights are not learnt on such texts), nothing changed.
    assert doc.meta["spun_score"] == 0.0 and not doc.flags.get("spun") and doc.text == text


def test_restorable_table_rows_name_one_standard_phrase_and_differ_from_it():
    assert len(TABLE.phrases) > 1000
    for spun, (standard, restorable) in TABLE.phrases.items():
        assert spun != standard
        if restorable:
            assert len(spun) == len(standard)  # the swaps are word for word


def test_an_ordinary_use_of_a_spinner_word_stays_in_a_flagged_document():
    # 开展 is the spinner's word for 发展, and an ordinary verb: 开展活动 stays while 开展水平 goes back.
    text = SPUN.rstrip("\n") + "学校每年开展志愿服务活动。\n"
    doc, _ = clean(text)
    assert doc.flags.get("spun") and doc.text == PLAIN.rstrip("\n") + "学校每年开展志愿服务活动。\n"


def test_the_context_gain_prefers_the_standard_word_only_where_the_spinner_put_its_word():
    model = STAGE.cleaner.spun
    spun_at = SPUN.index("开展")
    assert model.gain(SPUN, spun_at, spun_at + 2, "发展") > CONTEXT.restore_margin
    ordinary = "学校每年开展志愿服务活动。"
    assert model.gain(ordinary, 4, 6, "发展") < CONTEXT.restore_margin


def test_the_stage_knows_the_fit_half_of_the_swaps_only():
    from scripts.spun_data import read_pairs
    fit, heldout = read_pairs("fit"), read_pairs("heldout")
    assert fit and heldout and not set(fit) & set(heldout)
    assert dict(CONTEXT.words) == {spun: standard for standard, spun in fit.items()}
    assert not set(heldout.values()) & set(CONTEXT.words)


def test_the_eval_spinner_records_its_swaps():
    from scripts.spun_data import spin
    text, swaps = spin("希望介绍发展希望", {"希望": "希翼", "介绍": "先容"}, random.Random(0), 1.0)
    assert text == "希翼先容发展希翼"
    assert [(text[a:b], s) for a, b, s in swaps] == [("希翼", "希望"), ("先容", "介绍"), ("希翼", "希望")]


def test_one_phrase_with_context_swaps_is_not_enough_to_rewrite_real_text():
    # thucnews_cnews_val:698 (real news): one table phrase (完成经济, as its writer meant it) and a
    # context swap the 1998-trained model misjudges (持续下滑); it used to be flagged and rewritten.
    text = ("国泰基金认为，外围经济的不景气导致的出口持续下滑和收入持续萎缩引起的消费增速开始回落，"
            "中国在这次经济调整中迄今并未显示出完成经济结构转型的迹象，从而股市和债市都很难呈现出完全的单边走势。\n")
    model = STAGE.cleaner.spun
    phrases, _, swaps = model.evidence(text)
    assert phrases == 1 and swaps  # the evidence is there ...
    doc, result = clean(text)
    assert model.assess(text).score == 0.0 and not doc.flags.get("spun")  # ... but one phrase is not enough
    assert doc.text == text and not [e for e in result.edits if e.rule_id in (TABLE.id, CONTEXT.id)]
