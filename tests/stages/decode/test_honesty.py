"""Decode honesty (issue 22): valid UTF-8 in other scripts stays UTF-8, files
mixing encodings are decoded line by line or flagged, and the stage records it."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.document import Document
from pipeline.stages.decode.detect import CharModel, decode_bytes
from pipeline.stages.decode.stage import DecodeStage

from conftest import RULES, examples

MODEL = CharModel.load()

GBK_LINES = ["新华社北京4月12日电，国家重点研发计划专项今天启动。", "据介绍，该项目总投资约2.5亿元。"]
UTF8_LINES = ["青岛科学仪器产业园开园典礼在市南区软件园举办。", "中央社臺北電，記者會上表示。"]


@pytest.fixture(scope="module")
def stage():
    return DecodeStage({}, RULES)


def decode_doc(stage, data: bytes) -> Document:
    return stage(Document(doc_id="t", source="t", raw=data))


# --- valid UTF-8 in alphabetic scripts stays UTF-8 ------------------------------
# Each of these read as GBK with confidence 1.0 before: two-byte UTF-8 sequences
# (lead C2-DF) are GB2312 hanzi, which the Chinese character model knows.


@pytest.mark.parametrize("text", [
    "Le président a déclaré à la presse française : « élection réussie ».",
    "Tiếng Việt là ngôn ngữ chính thức của Việt Nam.",
    unicodedata.normalize("NFD", "Tiếng Việt là ngôn ngữ chính thức của Việt Nam."),
    "Z\u0334\u0321\u0322\u031b\u0317\u0318\u0319\u031c\u031d\u031e\u031f\u0320\u0324a\u0300\u0301\u0302l\u0303\u0304go",
    "Müller über Straße, Wałęsa, Türkiye Cumhurbaşkanı İstanbul'da.",
    "La città è più bella.",  # accents ending words, a one-letter word
    "Президент России заявил журналистам в Москве.",
    "Η Ελλάδα είναι χώρα της νότιας Ευρώπης.",
    "ראש הממשלה אמר היום",
    "قال الرئيس في مؤتمر صحفي اليوم",
    "新华社报道：越南领导人 Nguyễn Phú Trọng 访华，法国总统（Président Élysée）致电。",
])
def test_text_in_alphabetic_scripts_stays_utf8(text):
    got = decode_bytes(text.encode("utf-8"), MODEL)
    assert (got.text, got.encoding) == (text, "utf-8")
    assert got.confidence > 0.99


@pytest.mark.parametrize("text", ["什么", "目前学校", "LOF指", "IT girl十"])
def test_gbk_that_reads_as_stray_letters_stays_gbk(text):
    # Valid UTF-8 by accident (ʲô, ...; a hanzi after ASCII letters reads as one
    # accented letter): a word in another script must not be started that cheaply.
    data = text.encode("gbk")
    data.decode("utf-8")  # strictly valid UTF-8
    got = decode_bytes(data, MODEL)
    assert (got.text, got.encoding) == (text, "gbk")


# --- files mixing encodings -------------------------------------------------------


def test_gbk_and_utf8_lines_are_each_decoded_in_their_encoding():
    lines = [GBK_LINES[0], UTF8_LINES[0], GBK_LINES[1], UTF8_LINES[1], "ASCII only"]
    codecs_ = ["gbk", "utf-8", "gbk", "utf-8", "ascii"]
    data = b"".join((line + "\n").encode(c) for line, c in zip(lines, codecs_))
    got = decode_bytes(data, MODEL)
    assert got.text == "".join(line + "\n" for line in lines)
    assert got.encoding == "gbk+utf-8"  # two lines each: ties go by name
    assert (got.mixed_lines, got.replacements) == (2, 0)


def test_a_gbk_line_in_a_utf8_file_is_not_a_replacement():
    # The whole-file reading is UTF-8 here (the first lines decide); the GBK
    # line was U+FFFD before, or the whole file GB18030 mojibake.
    text_lines = [UTF8_LINES[0]] * 3 + [GBK_LINES[0]]
    data = b"".join((line + "\r\n").encode("gbk" if i == 3 else "utf-8") for i, line in enumerate(text_lines))
    got = decode_bytes(data, MODEL)
    assert got.text == "".join(line + "\r\n" for line in text_lines)
    assert (got.encoding, got.mixed_lines, got.replacements) == ("utf-8+gbk", 1, 0)


def test_a_line_that_cannot_be_decided_makes_the_document_uncertain(stage):
    # A line holding only C3 A0: UTF-8 à or GBK 脿, nothing to choose by.
    data = (GBK_LINES[0] + "\n").encode("gbk") + (UTF8_LINES[0] + "\n").encode() + "à".encode()
    got = decode_bytes(data, MODEL)
    assert got.mixed_lines == 1 and got.encoding in {"gbk+utf-8", "utf-8+gbk"}
    assert got.confidence < 0.9  # the least sure line's, not the long lines' 1.0
    doc = decode_doc(stage, data)
    assert doc.flags["encoding_uncertain"] == 1
    assert doc.meta["encoding_confidence"] == round(got.confidence, 4)


def test_a_single_encoding_file_is_not_split_into_lines():
    # Every line of a GBK file fails UTF-8 and every line of a UTF-8 file is
    # valid, and short GBK lines that are valid UTF-8 by accident read as GBK.
    gbk = "\n".join(GBK_LINES + ["什么", "目前学校"] + GBK_LINES).encode("gbk")
    got = decode_bytes(gbk, MODEL)
    assert (got.encoding, got.mixed_lines) == ("gbk", 0)
    utf8 = "\n".join(UTF8_LINES * 3).encode()
    assert decode_bytes(utf8, MODEL).encoding == "utf-8"


def test_stage_records_mixed_lines_in_meta_and_flags(stage):
    data = (GBK_LINES[0] + "\n").encode("gbk") + (UTF8_LINES[0] + "\n").encode()
    doc = decode_doc(stage, data)
    assert doc.original == GBK_LINES[0] + "\n" + UTF8_LINES[0] + "\n"
    assert doc.meta["encoding"] == "gbk+utf-8"
    assert doc.flags["encoding_mixed"] == 1
    # A plain file has no such flag (absent means 0).
    assert "encoding_mixed" not in decode_doc(stage, (GBK_LINES[0] * 3).encode("gbk")).flags


COMMON = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自，。"


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(st.tuples(st.text(alphabet=COMMON, min_size=8, max_size=30), st.sampled_from(["gbk", "utf-8"])),
                min_size=2, max_size=8))
def test_any_interleaving_of_gbk_and_utf8_lines_comes_back_exactly(lines):
    data = b"".join((text + "\n").encode(codec) for text, codec in lines)
    got = decode_bytes(data, MODEL)
    assert got.text == "".join(text + "\n" for text, _ in lines)
    assert got.replacements == 0
    assert (got.mixed_lines > 0) == (len({codec for _, codec in lines}) == 2)
