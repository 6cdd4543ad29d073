"""The repair stage and its fixers: real examples, counterexamples, properties."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.document import Document
from pipeline.stages.repair.pinyin import PinyinAnnotationFixer, PinyinTable
from pipeline.stages.repair.width import InvisibleFixer, WidthFixer
from pipeline.stages.repair.stage import RepairStage

from conftest import RULES, examples


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


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS)
def test_repair_never_raises_and_is_idempotent(repair, text):
    once = run(repair, text)
    twice = run(repair, once.text)
    assert twice.text == once.text


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
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


# --- precision: lost characters are never punctuation ------------------------------------

_PARAGRAPHS = [
    "　　新华社北京电，国务院总理今天在人民大会堂会见了来访的客人。",
    "　　双方就两国关系和共同关心的国际问题交换了意见。",
    "　　记者了解到，青岛市科技局今天发布了新的扶持政策。",
    "　　高新技术企业数量比去年增长了两成。",
]


@pytest.mark.parametrize("decoder", ["gb2312", "gbk"])
def test_lost_paragraph_mark_never_becomes_a_full_stop(repair, decoder):
    # Sogou dumps mark paragraphs with FDA3 (U+E40C), a user-defined code a strict
    # decoder turns into `?`; its trail byte A3 then shifts the paragraph's start.
    raw = bytes.fromhex("fda3").join(p.encode("gbk") for p in _PARAGRAPHS)
    damaged = raw.decode(decoder, "replace").replace("\ufffd", "?")
    assert damaged.count("?") >= 3
    out = run(repair, damaged).text
    assert "。。" not in out
    assert out.count("。") == sum(p.count("。") for p in _PARAGRAPHS)
    assert "新华社北京电" in out and "方就两国关系" in out  # the runs realigned


@pytest.mark.parametrize("decoder", ["gb2312", "gbk", "gb18030"])
@pytest.mark.parametrize("which", [0, 1])  # the lead or the trail byte
@pytest.mark.parametrize("at", [0, 1, 2])  # the first `　`, the second, the first Han character
def test_paragraph_initial_byte_loss_synthesises_no_punctuation(repair, decoder, which, at):
    before = "\n".join(_PARAGRAPHS)
    text = "上一段结束了。\n" + before
    raw = bytearray()
    cut = None
    for k, ch in enumerate(text):
        if k == len("上一段结束了。\n") + at:
            cut = len(raw) + which
        raw += ch.encode("gbk")
    damaged = (raw[:cut] + raw[cut + 1 :]).decode(decoder, "replace").replace("\ufffd", "?")
    out = run(repair, damaged).text
    assert "。。" not in out
    # Punctuation read back exactly from a shifted run's bytes is the text's own;
    # none may be added beyond what the undamaged text had.
    punct = "，。、；：？！“”（）《》"
    assert all(out.count(c) <= text.count(c) for c in punct), out


class _Pick:
    """An rng whose choice is the k-th place: the damage lands where the test says."""

    def __init__(self, k):
        self.k = k

    def choice(self, seq):
        return seq[self.k]


def test_silent_deletion_generator_reproduces_real_damage():
    from pipeline.stages.repair.corrupt import silent_deletion

    # The example: the lead byte of 技 lost, a strict decoder realigns at `?`.
    text = "青岛市科技局今天发布了新的扶持政策"
    assert silent_deletion(text, _Pick(4), "gb2312", "lead") == "青岛市科季纸裉旆⒉剂诵碌姆龀终?策"
    assert silent_deletion(text, _Pick(4), "gbk", "lead") == "青岛市科季纸裉旆⒉剂诵碌姆龀终?策"
    # The trail byte of 科 (BF C6): its lead stays and pairs with the lead of 技 (BC).
    assert silent_deletion(text, _Pick(3), "gb2312", "trail").startswith("青岛市" + b"\xbf\xbc".decode("gb2312"))
    # GB18030 reads the user-defined codes and runs on to the end (no ASCII byte to realign at).
    out = silent_deletion(text + "。2012年", _Pick(4), "gb18030", "lead")
    assert "?" not in out[:-6] and out.endswith("?2012年")
    assert silent_deletion("繁體", _Pick(0), "gb2312", "lead") is None  # not GB2312: no such page


@pytest.mark.parametrize("decoder", ["gb2312", "gbk", "gb18030"])
@pytest.mark.parametrize("byte", ["lead", "trail"])
def test_silent_deletion_is_repaired_from_the_end_or_left(repair, decoder, byte):
    import random

    from pipeline.stages.repair.corrupt import silent_deletion

    text = "记者了解到，青岛市科技局今天发布了新的扶持政策，高新技术企业数量比去年增长了两成。"
    recovered = 0
    for seed in range(10):
        damaged = silent_deletion(text, random.Random(seed), decoder, byte)
        out = run(repair, damaged).text
        # Never a wrong character: repaired (U+FFFD where unsure) or left as it was.
        assert _recovered(out, text) or out == damaged, (damaged, out)
        recovered += _recovered(out, text)
    assert recovered >= 6, recovered


@pytest.mark.parametrize("decoder", ["gb2312", "gbk"])
def test_a_run_of_two_characters_ending_at_a_mark_is_repaired(repair, decoder):
    from pipeline.stages.repair.corrupt import silent_deletion

    # The lead byte of 处 lost: 处's trail and 绿's lead read β, 绿's trail and
    # 化's lead 袒, and 化's trail before 带 is no pair (`?`). One character
    # (绿) comes back exactly; 处 and 化 are the model's to choose or mark.
    text = "小区居民楼前多处绿化带属于监控盲区。"
    damaged = silent_deletion(text, _Pick(7), decoder, "lead")
    assert damaged == "小区居民楼前多β袒?带属于监控盲区。"
    out = run(repair, damaged).text
    assert _recovered(out, text) and "绿" in out, out


@pytest.mark.parametrize(
    "text",
    [
        # One character lost, nothing realigned: the clean text before it is no
        # run (read as one, 首发的 became 首发�母�).
        "另外一位晋升首发的戈?特则更令人眼前一亮",
        "他们为何屡战屡败?一曰急躁浮躁。",  # a real question mark
        "人气女王徐若?在抵达大连机场时",  # a character the site's charset lacked
    ],
)
def test_a_mark_after_clean_text_leaves_that_text_alone(repair, text):
    assert run(repair, text).text == text


@pytest.mark.parametrize(
    "text",
    [
        "业的消费者真的没有忠诚度可言吗?其实，并不是的。地板",  # looked at as a run, not repaired
        "有网友说:“我光要房不要人行吗?”◎网友发帖",
    ],
)
def test_a_rejected_run_asks_nothing_of_the_4gram_model(text):
    # Runs are compared under the bigram model; the 4-gram model (seconds to
    # load) is asked only what a repair that is made shows.
    stage = RepairStage({}, RULES)
    assert run(stage, text).text == text
    assert "_ngram" not in stage.__dict__


def test_load_data_loads_what_otherwise_loads_on_first_use():
    stage = RepairStage({}, RULES)
    seconds = stage.load_data()
    assert set(seconds) == {"table", "lm", "fixers", "ngram"}
    assert {"_table", "_lm", "_fixers", "_ngram"} <= set(stage.__dict__)
    # Without a fixer that chooses characters, there is no model to load.
    assert set(RepairStage({"fixers": ["width"]}, RULES).load_data()) == {"table", "lm", "fixers"}


def test_a_user_defined_code_is_a_line_break_only_where_a_paragraph_can_end():
    from pipeline.stages.repair.frameshift import _scored

    private = "\ue40c"
    cands = ("口", private, "\ue40d")
    # Inside a word: no candidate (a line break after 户 would outscore 户口住址).
    assert _scored("4、户", cands, "住址\n") == ("口",)
    # After end punctuation or before white space: the paragraph mark it may be.
    assert _scored("了解到。", cands, "新华社") == ("口", "\n")
    assert _scored("了解到", cands, "\u3000\u3000新") == ("口", "\n")
    assert _scored("户", (private,), "住") == ("\n",)  # nothing else to choose



def test_a_lost_character_beside_a_user_defined_candidate_is_chosen(repair):
    # 资 (D7 CA) lost a byte: its candidates include user-defined codes
    # (private use after decoding) which, scored as line breaks, outweighed
    # 资 in 价值投_在 (the model learnt a break after any word).
    from pipeline.stages.repair.corrupt import silent_deletion

    text = "记者：这是否意味着价值投资在中国没有市场？"
    for byte in ("lead", "trail"):
        out = run(repair, silent_deletion(text, _Pick(text.index("资")), "gb2312", byte)).text
        assert out == text, out


@pytest.mark.parametrize("decoder", ["gb2312", "gbk"])
def test_a_lost_comma_the_model_is_sure_of_comes_back(repair, decoder):
    from pipeline.stages.repair.corrupt import silent_deletion

    # ，(A3AC) losing its lead leaves one `?` (AC pairs with no lead) and no run.
    text = "有关负责人表示，弹性退休方案将分步实施，但这也不能一刀切。"
    k = text.index("，", 8)
    damaged = silent_deletion(text, _Pick(k), decoder, "lead")
    assert damaged == text.replace("施，但", "施?但")
    assert run(repair, damaged).text == text


def test_lone_marks_are_chosen_only_when_sure():
    from pipeline.stages.repair.frameshift import FrameshiftLMFixer

    stage = RepairStage({}, RULES)
    fixer = next(f for f in stage._fixers if isinstance(f, FrameshiftLMFixer))
    # 满 (C2 FA): FA pairs with no GB2312 lead, so 满 is a candidate before 魅 (C3).
    assert "满" in fixer._lone_candidates("魅".encode("gbk")[0])
    assert "的" not in fixer._lone_candidates("魅".encode("gbk")[0])  # B5 C4 both pair with C3
    # A question mark, and a character the page's charset lacked (赵文瑄): left.
    for text in ("他们为何屡战屡败?一曰急躁浮躁。", "台湾演员赵文?将继续扮演这一角色。"):
        assert run(stage, text).text == text


def test_a_run_of_one_character_is_repaired_only_when_both_are_shown(repair):
    # 需要 (D0 E8, D2 AA) lost the lead of 需: E8 D2 read 枰, and AA with the
    # lead of 购 is no pair (`?`). Both characters are chosen; the model is sure.
    assert run(repair, "人群大部分枰?购买2居").text == "人群大部分需要购买2居"
    # Not sure of 核 (审核，合格): the text stays as it was, no U+FFFD.
    assert run(repair, "试用报告提交后需经过编辑审耍?合格的试用报告").text == "试用报告提交后需经过编辑审耍?合格的试用报告"


def test_quiet_deletion_generator_leaves_no_mark():
    from pipeline.stages.repair.corrupt import silent_deletion

    text = "青岛市科技局今天发布了新的扶持政策。"
    # The lead of 技 lost; where [B2][D5] (the trail of 持, the lead of 政) made
    # no pair, the strict decoder dropped B2 without a `?` and realigned.
    assert silent_deletion(text, _Pick(4), "gb2312", "lead", marks=False) == "青岛市科季纸裉旆⒉剂诵碌姆龀终策。"
    # GB18030 keeps the user-defined codes; the byte before the line end goes.
    out = silent_deletion(text + "\n", _Pick(4), "gb18030", "lead", marks=False)
    assert "?" not in out and "\ufffd" not in out and out.endswith("\n") and len(out) == len(text) + 1 - 1


@pytest.mark.parametrize("decoder", ["gb2312", "gbk", "gb18030"])
@pytest.mark.parametrize("byte", ["lead", "trail"])
def test_a_run_with_no_mark_is_repaired_or_left(repair, decoder, byte):
    import random

    from pipeline.stages.repair.corrupt import silent_deletion

    text = "记者了解到，青岛市科技局今天发布了新的扶持政策，高新技术企业数量比去年增长了两成。\n"
    recovered = 0
    for seed in range(10):
        damaged = silent_deletion(text, random.Random(seed), decoder, byte, marks=False)
        out = run(repair, damaged).text
        # Never a wrong character: repaired (U+FFFD where unsure) or left as it was.
        assert _recovered(out, text) or out == damaged, (damaged, out)
        recovered += _recovered(out, text)
    assert recovered >= 5, recovered


@pytest.mark.parametrize(
    "text",
    [
        "人气女王徐若瑄在抵达大连机场时",  # a rare name character among clean text
        "深圳今后将设地铁ＶＩＰ头等车厢，设坐票",
        "姓名\ue40c姓名\ue40c２、性别\ue40c性别\ue40c３、民族",  # Sogou paragraph marks
        "收费\ue40c调整情况\ue40c青岛\ue40c无\ue40c南昌\ue40c无\ue40c大连\ue40c无\ue40c",
    ],
)
def test_clean_text_around_rare_characters_is_no_quiet_run(repair, text):
    doc = run(repair, text)
    assert not [e for layer in doc.layers for e in layer.edits if e.rule_id.startswith("repair.frameshift.")]


def test_a_short_quiet_run_is_repaired_only_with_a_lost_character_shown(repair):
    # Two shifted characters, one recovered exactly between the two lost ones.
    doc = run(repair, "问题。”他介芩担针对非公")
    assert doc.text == "问题。”他介绍说，针对非公"
    assert [e.rule_id for layer in doc.layers for e in layer.edits] == ["repair.frameshift.quiet"]
    # One lost character shown, the other U+FFFD: still a repair.
    assert run(repair, "信是信达澳银唤鹁营理念和").text == "信是信达澳银基金\ufffd营理念和"
    # Neither shown: no telling it from a rare word in clean text.
    assert run(repair, "房价就像一批拖缰的野马没有约束").text == "房价就像一批拖缰的野马没有约束"


def test_a_lost_character_beside_name_characters_needs_a_stricter_share(repair):
    # Seed 000: 海克斯康 with 海 and 康 lost. The 4-gram model is 98.3% sure of
    # 福 (福克斯, a common name): beside name characters that is not enough.
    assert run(repair, "聚??怂箍?的").text == "聚\ufffd克斯\ufffd的"


def test_the_4gram_choice_gives_the_floats_of_its_probabilities(repair):
    # `CharNgram.choose` inlines `prob` for speed; the reference sums prob's logs.
    import math
    import random

    from pipeline.core.chars import unseen_cost
    from pipeline.stages.repair.charngram import _SIDE
    from pipeline.stages.repair.gbkshift import GbkCodes

    ngram, codes = repair._ngram, GbkCodes()

    def prob(history, ch):
        # The formula as written: every context length looked up (the model
        # stops at the first missing one, relying on suffix-closed contexts).
        p = ngram._uni.get(ch) or ngram._floor * math.exp(-unseen_cost(ch))
        for k in range(1, min(len(history), _SIDE) + 1):
            h = history[-k:]
            if h in ngram._ctx:
                total, types = ngram._ctx[h]
                p = max(ngram._grams.get(h + ch, 0) - 0.75, 0) / total + 0.75 * types / total * p
        return p

    def reference(before, cands, after):
        before, after = before[-_SIDE:], after[:_SIDE]
        simple = repair._lm.simplify(before + "".join(cands) + after)
        b, a = simple[: len(before)], simple[len(simple) - len(after) :] if after else ""
        scores = []
        for c in simple[len(before) : len(simple) - len(after)]:
            text = b + c + a
            j_range = range(len(b), len(text))
            assert all(prob(text[max(0, j - _SIDE) : j], text[j]) == ngram.prob(text[max(0, j - _SIDE) : j], text[j]) for j in j_range)
            scores.append(sum(math.log(prob(text[max(0, j - _SIDE) : j], text[j])) for j in j_range))
        top = max(scores)
        return cands[scores.index(top)], 1.0 / sum(math.exp(s - top) for s in scores)

    text = "记者了解到，青岛市科技局今天发布了新的扶持政策，高新技术企业数量比去年增长了两成。2012年"
    rng = random.Random(7)
    for _ in range(60):
        i = rng.randrange(1, len(text) - 1)
        code = text[i].encode("gbk")
        cands = codes.with_lead(code[0])[: rng.choice((3, 40, 190))] if len(code) == 2 else ("的", "地", "得")
        before, after = text[max(0, i - rng.randrange(4)) : i], text[i + 1 : i + 1 + rng.randrange(4)]
        assert ngram.choose(before, cands, after) == reference(before, cands, after)


def test_the_4gram_contexts_are_suffix_closed(repair):
    # `CharNgram.prob` and `choose` stop at the first context the model lacks:
    # right only if every context's shorter suffixes are held too.
    contexts = repair._ngram._ctx
    assert contexts
    assert [h for h in contexts if len(h) > 1 and h[1:] not in contexts] == []


def test_the_bigram_choice_gives_the_floats_of_logprob(repair):
    # `CharLM.choose` inlines `logprob` for speed; the reference sums logprob's values.
    import math
    import random

    from pipeline.stages.repair.gbkshift import GbkCodes

    lm, codes = repair._lm, GbkCodes()

    def reference(before, cands, after):
        simple = lm.simplify(before + "".join(cands) + after)
        b, a = (simple[0] if before else ""), (simple[-1] if after else "")
        body = simple[1 if before else 0 : len(simple) - (1 if after else 0)]
        scores = [lm.logprob(b, c) + (lm.logprob(c, a) if a else 0.0) for c in body]
        top = max(scores)
        return cands[scores.index(top)], 1.0 / sum(math.exp(s - top) for s in scores)

    text = "记者了解到，青岛市科技局今天发布了新的扶持政策，高新技术企业数量比去年增长了两成。2012年"
    rng = random.Random(11)
    for _ in range(80):
        i = rng.randrange(len(text))
        code = text[i].encode("gbk")
        cands = codes.with_lead(code[0]) if len(code) == 2 else ("的", "\ue40c", "\n", "\ufffd", "?")
        # Unseen characters on either side and among the candidates.
        before = rng.choice([text[max(0, i - 1) : i], "", "\ufffd", "\ue40c"])
        after = rng.choice([text[i + 1 : i + 2], "", "\ufffd", "Ω"])
        assert lm.choose(before, cands + ("\U00020000",), after) == reference(before, cands + ("\U00020000",), after)


def test_the_two_byte_code_table_answers_as_the_options(repair):
    # `FrameshiftLMFixer._codes2` reads a table built from `GbkCodes.options`.
    from pipeline.stages.repair.gbkshift import GbkCodes

    codes = GbkCodes()
    two = codes.two_byte_codes()
    for ch in "青岛市科技局\ue40c？A?　，。€":
        options = codes.options(ch)
        expected = options[0] if options and len(options[0]) == 2 and not ch.isascii() else None
        assert two.get(ch) == expected
    assert two["青"] == tuple("青".encode("gbk")) and "A" not in two


def test_a_chooser_forgets_its_choices_between_texts(repair):
    # Choices kept for one text are dropped at the next (memory bounded by a document),
    # and a text repaired twice gives the same output.
    damaged = "青岛市科季纸裉旆⒉剂诵碌姆龀终?策"
    first = run(repair, damaged).text
    fixer = next(f for f in repair._fixers if f.name == "frameshift_lm")
    assert fixer.edits(damaged) and fixer._chooser._firsts
    fixer.edits("今天天气很好。")
    assert not fixer._chooser._firsts
    assert run(repair, damaged).text == first
