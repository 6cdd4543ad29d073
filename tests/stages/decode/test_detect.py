"""Encoding detection: BOMs, UTF-8/GBK/GB18030/Big5 (long and short), U+FFFD
accounting, binary sniffing, and properties over arbitrary bytes."""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.stages.decode.detect import CharModel, Decoded, decode_bytes
from conftest import examples, load_script

REPO = Path(__file__).resolve().parents[3]
DATA_FILE = REPO / "pipeline" / "stages" / "decode" / "data" / "char_freq.tsv"
LABELS = {"utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "gbk", "gb18030", "big5"}

SIMPLIFIED_LONG = (
    "新华社北京4月12日电，国家重点研发计划“智能传感器”专项今天启动，"
    "青岛科学仪器产业园区将承担其中三个课题。\n据介绍，该项目总投资约2.5亿元。"
)
TRADITIONAL_LONG = (
    "中央社臺北4月12日電，國家重點研發計劃「智慧感測器」專案今天啟動，"
    "青島科學儀器產業園區將承擔其中三個課題。\n據介紹，該項目總投資約2.5億元。"
)
SIMPLIFIED_SHORT = ["中文", "新闻", "科技", "报道", "经济", "新华社", "为什么", "国家重点", "人工智能发展"]
TRADITIONAL_SHORT = ["中國", "報導", "臺灣", "經濟", "資訊網", "國家重點", "青島科學儀器", "國家重點研發計劃"]

MODEL = CharModel.load()  # shared: hypothesis tests cannot use function-scoped fixtures


@pytest.fixture
def model() -> CharModel:
    return MODEL


def check(data: bytes, model: CharModel, text: str, encoding: str) -> Decoded:
    got = decode_bytes(data, model)
    assert (got.text, got.encoding) == (text, encoding)
    assert got.replacements == 0
    assert not got.binary
    return got


# --- trivial inputs and BOMs -------------------------------------------------


def test_empty_input(model):
    assert decode_bytes(b"", model) == Decoded("", "utf-8", 1.0, 0, False)


def test_pure_ascii_is_utf8_with_full_confidence(model):
    got = check(b"Reuters, 12 April 2024:\r\n\tmarkets rose 1.5%.", model,
                "Reuters, 12 April 2024:\r\n\tmarkets rose 1.5%.", "utf-8")
    assert got.confidence == 1.0


@pytest.mark.parametrize(
    "bom, codec, label",
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    ],
)
@pytest.mark.parametrize("text", [SIMPLIFIED_LONG, "中文", "A", "𠀀 and ASCII"])
def test_bom_decides_and_is_stripped(model, bom, codec, label, text):
    got = check(bom + text.encode(codec), model, text, label)
    assert got.confidence == 1.0


def test_bom_only_gives_empty_text(model):
    assert decode_bytes(codecs.BOM_UTF16_LE, model).text == ""
    assert decode_bytes(codecs.BOM_UTF8, model).encoding == "utf-8-sig"


# --- UTF-8 / GBK / GB18030 / Big5 without BOM -------------------------------


@pytest.mark.parametrize(
    "text", [SIMPLIFIED_LONG, TRADITIONAL_LONG, *SIMPLIFIED_SHORT, *TRADITIONAL_SHORT]
)
def test_utf8(model, text):
    check(text.encode("utf-8"), model, text, "utf-8")


@pytest.mark.parametrize("text", [SIMPLIFIED_LONG, *SIMPLIFIED_SHORT])
def test_gbk(model, text):
    check(text.encode("gbk"), model, text, "gbk")


@pytest.mark.parametrize("text", ["什么", "学院", "系统", "为什么", "目前学校"])
def test_gbk_that_is_also_valid_utf8(model, text):
    data = text.encode("gbk")
    assert data.decode("utf-8") != text  # strictly valid UTF-8, but gibberish (ʲô, ѧԺ...)
    check(data, model, text, "gbk")


@pytest.mark.parametrize("text", [TRADITIONAL_LONG, *TRADITIONAL_SHORT])
def test_big5(model, text):
    check(text.encode("cp950"), model, text, "big5")


def test_traditional_text_in_gbk_is_gbk(model):
    # GBK can carry traditional characters too; the Big5 reading is garbage.
    check(TRADITIONAL_LONG.encode("gbk"), model, TRADITIONAL_LONG, "gbk")


@pytest.mark.parametrize(
    "text",
    [
        "𠀀",  # U+20000: four-byte GB18030 sequence
        "中文𠀀新闻",
        "欧元符号€出现在价格中",  # € is a GB18030 two-byte code (A2E3) that GBK lacks
        SIMPLIFIED_LONG + "㐀𠀁",
    ],
)
def test_gb18030_label_when_not_strict_gbk(model, text):
    data = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")
    check(data, model, text, "gb18030")


def test_gbk_label_when_gb18030_bytes_are_also_gbk(model):
    data = SIMPLIFIED_LONG.encode("gb18030")
    assert data == SIMPLIFIED_LONG.encode("gbk")
    check(data, model, SIMPLIFIED_LONG, "gbk")


def test_ascii_prefix_does_not_hide_later_encoding(model):
    # Detection looks past ASCII: a long English header must not make it UTF-8.
    text = "Subject: news digest\n" * 400 + SIMPLIFIED_LONG
    check(text.encode("gbk"), model, text, "gbk")


def test_long_text_is_confident(model):
    for data in (SIMPLIFIED_LONG.encode("gbk"), TRADITIONAL_LONG.encode("cp950"),
                 SIMPLIFIED_LONG.encode("utf-8")):
        assert decode_bytes(data, model).confidence > 0.99


# --- replacements -------------------------------------------------------------


def test_truncated_gbk_lead_byte_is_replaced_and_counted(model):
    data = SIMPLIFIED_LONG.encode("gbk") + b"\xd6"  # first byte of 中
    got = decode_bytes(data, model)
    assert got.encoding == "gb18030"  # not strict GBK any more
    assert got.text == SIMPLIFIED_LONG + "\ufffd"
    assert got.replacements == 1


def test_invalid_bytes_in_middle_of_gbk(model):
    half = len(SIMPLIFIED_LONG) // 2
    left, right = SIMPLIFIED_LONG[:half], SIMPLIFIED_LONG[half:]
    got = decode_bytes(left.encode("gbk") + b"\xff" + right.encode("gbk"), model)
    assert got.encoding in {"gbk", "gb18030"}
    assert got.text == left + "\ufffd" + right
    assert got.replacements == 1


def test_invalid_bytes_in_middle_of_big5(model):
    left, right = TRADITIONAL_LONG[:20], TRADITIONAL_LONG[20:]
    got = decode_bytes(left.encode("cp950") + b"\x80" + right.encode("cp950"), model)
    assert got.encoding == "big5"
    assert got.text == left + "\ufffd" + right
    assert got.replacements == 1


def test_invalid_byte_far_beyond_the_sampled_window(model):
    body = (SIMPLIFIED_LONG * 80).encode("utf-8")
    got = decode_bytes(body + b"\xff\xfe" + "完".encode("utf-8"), model)
    assert got.encoding == "utf-8"
    assert got.text == SIMPLIFIED_LONG * 80 + "\ufffd\ufffd完"
    assert got.replacements == 2


def test_genuine_replacement_characters_are_not_counted(model):
    text = SIMPLIFIED_LONG + "\ufffd"
    got = decode_bytes(text.encode("utf-8"), model)
    assert (got.text, got.replacements) == (text, 0)
    got = decode_bytes(text.encode("utf-8") + b"\xc3", model)  # plus one truncated sequence
    assert (got.text, got.replacements) == (text + "\ufffd", 1)


# --- binary sniffing ----------------------------------------------------------


def test_png_is_binary(model):
    rng = random.Random(7)
    png = b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2000))
    got = decode_bytes(png, model)
    assert got.binary
    assert isinstance(got.text, str)


def test_many_nuls_are_binary(model):
    assert decode_bytes(b"ab\x00\x00\x00\x00cd" * 50, model).binary


def test_utf16_without_bom_is_binary_but_with_bom_is_text(model):
    raw = SIMPLIFIED_LONG.encode("utf-16-le")
    assert decode_bytes(raw, model).binary
    assert not decode_bytes(codecs.BOM_UTF16_LE + raw, model).binary


def test_a_stray_nul_in_text_is_not_binary(model):
    raw = ("青岛科学仪器产业园开园典礼在市南区软件园举办。" * 10).encode("utf-8")
    got = decode_bytes(raw[:300] + b"\x00" + raw[300:], model)
    assert not got.binary and got.encoding == "utf-8" and "\x00" in got.text


def test_high_share_of_control_bytes_is_binary(model):
    assert decode_bytes(b"text\x01\x02\x03\x04\x05\x06 more" * 20, model).binary


@pytest.mark.parametrize("codec", ["utf-8", "gbk", "cp950"])
def test_ordinary_text_is_not_binary(model, codec):
    text = "标题\r\n\r\n\t正文第一段。\f\n" if codec != "cp950" else "標題\r\n\r\n\t正文第一段。\f\n"
    text = text * 30 + "\x1b[0m"  # ESC from an ANSI colour reset is still text
    assert not decode_bytes(text.encode(codec), model).binary


# --- speed: only a sample is scored -------------------------------------------


class CountingModel(CharModel):
    __slots__ = ("scored",)

    def score(self, text: str) -> float:
        self.scored.append(len(text))
        return super().score(text)


def test_long_input_scores_only_a_sample():
    counting = CountingModel.load()
    counting.scored = []
    data = (SIMPLIFIED_LONG * 3000).encode("utf-8")  # ~600 kB
    got = decode_bytes(data, counting)
    assert got.text == SIMPLIFIED_LONG * 3000
    assert 0 < sum(counting.scored) < 5000


# --- the character model and its data file -------------------------------------


def test_char_model_orders_characters_sensibly(model):
    assert model.logprob("的") > model.logprob("罕") > model.logprob("\ue000")
    assert model.logprob("，") > model.logprob("Ж")
    # Traditional forms are modelled with a frequency comparable to simplified ones.
    assert abs(model.logprob("國") - model.logprob("国")) < 1.0
    assert model.logprob("灣") > model.logprob("罕")
    assert model.score("中国") == pytest.approx(model.logprob("中") + model.logprob("国"))


def test_char_model_load_from_path(tmp_path):
    path = tmp_path / "tiny.tsv"
    path.write_text("# header\n中\t3\nU+0020\t1\n", encoding="utf-8")
    tiny = CharModel.load(path)
    assert tiny.logprob("中") == pytest.approx(-0.2876820724517809)  # log(3/4)
    assert tiny.logprob(" ") == pytest.approx(-1.3862943611198906)  # log(1/4)
    assert tiny.logprob("国") < tiny.logprob(" ")


def test_data_file_is_compact_sorted_and_documented():
    raw = DATA_FILE.read_bytes()
    assert len(raw) < 1_000_000
    lines = raw.decode("utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    assert any("jieba" in line and "MIT" in line for line in header)
    assert any("scripts/build_char_freq.py" in line for line in header)
    counts = [int(line.split("\t")[1]) for line in lines if not line.startswith("#")]
    assert counts == sorted(counts, reverse=True)
    assert 8000 <= len(counts) <= 12000


@pytest.mark.slow  # rebuilds the data file from jieba's dictionary
def test_build_script_reproduces_data_file():
    script = REPO / "scripts" / "build_char_freq.py"
    build = load_script(str(script.relative_to(REPO)))
    rebuilt = build.render(build.build_table(build.DEFAULT_TOP), build.DEFAULT_TOP)
    assert rebuilt == DATA_FILE.read_text("utf-8")


# --- properties -----------------------------------------------------------------


@settings(max_examples=examples(400), deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    got = decode_bytes(data, MODEL)
    assert isinstance(got.text, str)
    # One label, or several joined by + for a file decoded line by line (gbk+utf-8).
    assert set(got.encoding.split("+")) <= set(LABELS)
    assert 0.0 <= got.confidence <= 1.0
    assert 0 <= got.replacements <= got.text.count("\ufffd")


# Lead bytes, trail bytes, GB18030 four-byte halves, BOMs: cut and spliced anyhow.
FRAGMENTS = [b"\xd6", b"\xd0", b"\xa4", b"\x80", b"\xe4\xb8", b"\xad", b"\x30", b"\x81\x30",
             b"\xff", b"\x00", b"\xa1\x40", b"\xfe\xff", b"\xef\xbb\xbf", "中文".encode()]


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_adversarial_fragments_never_raise(parts):
    got = decode_bytes(b"".join(parts), MODEL)
    assert isinstance(got.text, str) and 0.0 <= got.confidence <= 1.0


@settings(max_examples=examples(100), deadline=None)
@given(st.text(max_size=50), st.sampled_from(["utf-8-sig", "utf-16-le", "utf-16-be"]))
def test_any_text_with_bom_round_trips(text, label):
    codec = {"utf-8-sig": "utf-8"}.get(label, label)
    bom = {
        "utf-8-sig": codecs.BOM_UTF8,
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
    }[label]
    got = decode_bytes(bom + text.encode(codec), MODEL)
    assert (got.text, got.encoding, got.replacements) == (text, label, 0)


# The 500 most common characters (simplified), and their Taiwan-standard forms.
COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
    "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器"
    "压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安"
    "场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集"
    "温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连"
    "断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精"
    "值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属"
    "圆包火住调满县局照参红细引听该铁价严，。"
)
COMMON_TRADITIONAL = opencc.OpenCC("s2tw").convert(COMMON)


@settings(max_examples=examples(150), deadline=None)
@given(st.text(alphabet=COMMON, min_size=6, max_size=60))
def test_common_simplified_round_trips(text):
    for codec, family in (("utf-8", {"utf-8"}), ("gbk", {"gbk", "gb18030"})):
        got = decode_bytes(text.encode(codec), MODEL)
        assert got.text == text and got.encoding in family, (codec, got)


@settings(max_examples=examples(150), deadline=None)
@given(st.text(alphabet=COMMON_TRADITIONAL, min_size=6, max_size=60))
def test_common_traditional_round_trips(text):
    for codec, family in (("utf-8", {"utf-8"}), ("cp950", {"big5"})):
        got = decode_bytes(text.encode(codec), MODEL)
        assert got.text == text and got.encoding in family, (codec, got)

