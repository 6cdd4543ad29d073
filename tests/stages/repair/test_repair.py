"""The repair stage and its fixers: real examples, counterexamples, properties."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.document import Document
from pipeline.stages.repair.pinyin import PinyinAnnotationFixer, PinyinTable
from pipeline.stages.repair.width import InvisibleFixer, WidthFixer
from pipeline.stages.repair.stage import RepairStage

from conftest import RULES


@pytest.fixture(scope="module")
def repair():
    return RepairStage({}, RULES)


@pytest.fixture(scope="module")
def table():
    return PinyinTable.load()


def run(stage, text):
    return stage(Document(doc_id="t", source="t", original=text, text=text))


# --- pinyin annotations -------------------------------------------------------

def test_pinyin_table_knows_readings_and_leads(table):
    assert "lián" in table.readings["聯"]
    assert "驅" in table.chars_with_lead(0xF2, "qū")  # 驅 = F2 8C
    assert "請" in table.chars_with_lead(0xD5, "qǐng")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("部市聯(lián)動 推動青島引領(lǐng)打造", "部市聯動 推動青島引領打造"),
        ("聯(lián)(lián)動", "聯動"),  # doubled annotation
        ("聯(ｌｉáｎ)動", "聯動"),  # full-width letters
    ],
)
def test_pinyin_annotations_are_removed(table, text, expected):
    fixer = PinyinAnnotationFixer(table)
    doc = Document(doc_id="t", source="t", original=text, text=text).with_edits("repair", fixer.edits(text))
    assert doc.text == expected


@pytest.mark.parametrize(
    "text",
    [
        "“中国—上海合作组织技术转移中心”(以下简称“中心”)于2020年",
        "《西宁市支持科技创新若干奖励措施(试行)》",
        "中国上合组织技术转移中心(青岛)有限公司",
        "(1)工作进展 (2)取得成效",
        "首席执行官(CEO)表示, 苹果(Apple)公司",
        "(lián)在行首",
        "聯(dòng)",  # a syllable that is not a reading of the character
        "共享单车(ofo)",
    ],
)
def test_non_annotations_in_parentheses_survive(table, text):
    assert PinyinAnnotationFixer(table).edits(text) == []


# --- width and invisible characters ---------------------------------------------

def test_fullwidth_digits_and_letters_become_ascii_one_edit_per_run():
    edits = WidthFixer().edits("２０２１年，ＧＤＰ增长１１％。")
    assert [(e.start, e.end, e.replacement) for e in edits] == [(0, 4, "2021"), (6, 9, "GDP"), (11, 13, "11")]


def test_cjk_punctuation_and_ideographic_space_stay():
    text = "\u3000\u3000他说：“好（的）。”，；！？《》【】％"
    assert WidthFixer().edits(text) == [] and InvisibleFixer().edits(text) == []


def test_zero_width_and_controls_go_but_line_structure_stays():
    text = "新\u200b华社\x00北京\r\n电\t讯\x7f"
    doc = Document(doc_id="t", source="t", original=text, text=text)
    doc = doc.with_edits("repair", InvisibleFixer().edits(text))
    assert doc.text == "新华社北京\r\n电\t讯"


def fix_invisible(text):
    doc = Document(doc_id="t", source="t", original=text, text=text)
    return doc.with_edits("repair", InvisibleFixer().edits(text)).text


@pytest.mark.parametrize("text", [
    "全家福👨\u200d👩\u200d👧\u200d👦。",  # family: four emoji, three joiners
    "❤\ufe0f\u200d🔥",  # a variation selector before the joiner
    "👩🏽\u200d💻工程师",  # a skin tone before the joiner
    "🏳\ufe0f\u200d🌈",
    "1\ufe0f\u20e3 ☺\ufe0e",  # keycap and text-style variation selectors
])
def test_emoji_sequences_keep_their_joiners_and_selectors(text):
    assert fix_invisible(text) == text


def test_joiners_go_where_they_join_nothing():
    # Between hanzi, next to a single emoji, or a ZWSP beside an emoji joiner.
    assert fix_invisible("新\u200d华\u200c社👍\u200d。\u200d👍") == "新华社👍。👍"
    assert fix_invisible("👍\u200b\u200d👍") == "👍\u200d👍"


def test_joiners_in_joining_scripts_and_bidi_marks_in_rtl_lines_stay():
    persian, hindi = "می\u200cخواهم", "क्\u200dष"
    hebrew = "שלום \u200fABC\u200f עולם"
    assert fix_invisible(persian) == persian and fix_invisible(hindi) == hindi
    # The marks stay on the Hebrew line only; the Chinese line loses its own.
    assert fix_invisible(hebrew + "\n\u202b中文\u200f内容\u202c") == hebrew + "\n中文内容"


# --- the stage -------------------------------------------------------------------

def test_undamaged_text_passes_untouched(repair):
    text = "新华社北京4月12日电（记者 王小明）今天，“十四五”规划(试行)发布。\n第二段 AI 2021年。"
    doc = run(repair, text)
    assert doc.text == text and doc.layers == ()
    assert {k for k in doc.flags if k != "repair_question_marks"} == set()


def test_flags_count_each_fixers_edits(repair):
    doc = run(repair, "部市聯(lián)動(dòng)\u200b，蕞佳２０２１?")
    assert doc.text == "部市聯動，最佳2021?"
    assert doc.flags["repair_pinyin"] == 2
    assert doc.flags["repair_invisible"] == 1
    assert doc.flags["repair_homoglyphs"] == 1
    assert doc.flags["repair_width"] == 1
    assert doc.flags["repair_question_marks"] == 1


def test_offsets_map_back_through_the_repair_layers(repair):
    doc = run(repair, "部市聯(lián)動")
    start = doc.text.index("動")
    assert doc.to_original(start, start + 1) == (9, 10)


# --- properties --------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("聯動網領域專家日報區蕞尔最大佳中文新华社北京(（)）?？<;^hIxuqūlián yè dòng 12２０ＡＢ，。：“”")
    + ["\u200b", "\ufeff", "\x00", "\x85", "\ue49e", "\ufffd", "Ã", "©", "ä¸­", "ÖÐÎÄ", "鏂板崕", "&amp;", "\n"]
)
_TEXTS = st.lists(_ALPHABET, max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS)
def test_repair_never_raises_and_is_idempotent(repair, text):
    once = run(repair, text)
    twice = run(repair, once.text)
    assert twice.text == once.text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_repair_never_raises_on_any_text(repair, text):
    doc = run(repair, text)
    assert isinstance(doc.text, str)
    # every layer's edits compose back to the original
    assert doc.to_original(0, len(doc.text))[1] <= len(text)


# --- the corruption generator, undone by the stage -------------------------------------

_SENTENCE = "新华社北京电，国务院总理今天在人民大会堂会见了来访的客人。\n双方就两国关系交换了意见。"


def _recovered(out: str, ref: str) -> bool:
    """Equal, except characters the stage marked U+FFFD because it was not sure."""
    return len(out) == len(ref) and all(a == b or a == "\ufffd" for a, b in zip(out, ref))


@pytest.mark.parametrize("mechanism", ["annotate", "straddle", "lost_byte", "utf8_as_gbk", "gbk_as_latin1"])
def test_generated_damage_is_repaired_or_marked(repair, table, mechanism):
    import random

    from pipeline.stages.repair import corrupt

    marks = 0
    for seed in range(8):
        rng = random.Random(seed)
        args = (table,) if mechanism in ("annotate", "straddle") else ()
        damaged = getattr(corrupt, mechanism)(_SENTENCE, rng, *args)
        assert damaged is not None and damaged != _SENTENCE
        out = run(repair, damaged).text
        assert _recovered(out, _SENTENCE), (damaged, out)
        marks += out.count("\ufffd")
    assert marks <= 16, mechanism  # at most two marked characters a damage


def test_straddle_generator_reproduces_the_seed_garbage():
    from pipeline.stages.repair.corrupt import _site_decode_shifted

    # DESIGN.md: (b'\x8c' + '＜页鱿瘯\ue49eh'.encode('gb18030')).decode('gb18030') == '專家出席會議'
    assert _site_decode_shifted(bytes([0xA3]), "領域專家出席會議。", 3) == ("<页鱿瘯\ue49eh", 8)


# --- the character model ------------------------------------------------------------------

@pytest.fixture(scope="module")
def lm():
    from pipeline.stages.repair.charlm import CharLM

    return CharLM.load()


def test_char_model_prefers_text_to_mojibake(lm):
    assert lm.score("领域专家出席会议") > lm.score("＜页鱿瘯\ue49eh") + 30
    assert lm.score("新华社北京") > lm.score("鏂板崕绀惧寳浜") + 30
    assert lm.score("中文") > lm.score("ÖÐÎÄ") + 30


def test_char_model_scores_traditional_like_simplified(lm):
    assert lm.score("專家出席會議") == pytest.approx(lm.score("专家出席会议"))


def test_char_model_chooses_with_context(lm):
    from pipeline.stages.repair.gbkshift import GbkCodes

    best, share = lm.choose("化", GbkCodes().pairs(tuple(range(0x81, 0xFF)), 0xA3), "活")
    assert best == "。" and share > 0.9
