"""Spun copy (伪原创): the table built from spinner word swaps counts spun phrases; a flagged document
gets its restorable phrases back as edits; ordinary text is neither flagged nor changed."""

from __future__ import annotations

import random

from pipeline.core.examples import sample_doc
from pipeline.stages.clean.stage import CleanStage

from conftest import RULES

STAGE = CleanStage({}, RULES)
TABLE = STAGE.rules.spun_table
SPUN = "本文先容了科学仪器有限责任企业的开展水平和技能立异,希翼更多企业参与。\n"
PLAIN = "本文介绍了科学仪器有限责任公司的发展水平和技术创新,希望更多企业参与。\n"


def clean(text: str):
    return STAGE.run(sample_doc(text))


def test_a_spun_paragraph_is_flagged_and_restored_by_edits_of_the_table():
    doc, result = clean(SPUN)
    assert doc.flags.get("spun") and doc.text == PLAIN
    restored = [e for e in result.edits if e.rule_id == TABLE.id]
    assert {SPUN[e.start:e.end]: e.replacement for e in restored} == {
        "先容": "介绍", "有限责任企业": "有限责任公司", "开展水平": "发展水平", "技能立异": "技术创新", "希翼更多": "希望更多"}


def test_the_text_it_came_from_is_left_alone():
    doc, result = clean(PLAIN)
    assert doc.text == PLAIN and not doc.flags.get("spun")
    assert not [e for e in result.edits if e.rule_id == TABLE.id]


def test_one_stray_spun_phrase_is_counted_but_nothing_is_restored():
    text = "会议先容了今年的工作安排,与会代表希望进一步加强合作,推动经济发展和技术创新。\n"
    doc, result = clean(text)
    assert doc.meta["spun_score"] > 0 and not doc.flags.get("spun") and doc.text == text


def test_restorable_table_rows_name_one_standard_phrase_and_differ_from_it():
    assert len(TABLE.phrases) > 1000
    for spun, (standard, restorable) in TABLE.phrases.items():
        assert spun != standard
        if restorable:
            assert len(spun) == len(standard)  # the swaps are word for word


def test_the_eval_spinner_records_its_swaps():
    from eval.clean import spin
    text, swaps = spin("希望介绍发展希望", {"希望": "希翼", "介绍": "先容"}, random.Random(0), 1.0)
    assert text == "希翼先容发展希翼"
    assert [(text[a:b], s) for a, b, s in swaps] == [("希翼", "希望"), ("先容", "介绍"), ("希翼", "希望")]
