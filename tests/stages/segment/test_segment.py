"""The segment stage: sentences and POS-tagged words with clean-text offsets, a private jieba."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.document import Document, Sentence
from pipeline.core.rules import RuleError
from pipeline.stages.segment.stage import SegmentStage, load_sentence_rules, split_sentences

from conftest import RULES, examples

PUNCT = load_sentence_rules(RULES / "segment" / "sentences.toml")


def doc(text: str) -> Document:
    return Document(doc_id="t", source="t", original=text, text=text)


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text, PUNCT)]


@pytest.fixture(scope="module")
def stage(tmp_path_factory):
    return SegmentStage({}, RULES, tmp_path_factory.mktemp("run") / ".cache")


@pytest.mark.parametrize("text,expected", [
    ("今天开会。明天放假！后天呢？", ["今天开会。", "明天放假！", "后天呢？"]),
    ("他说：“我们进过很多实验室。”原科技部司长说。", ["他说：“我们进过很多实验室。”", "原科技部司长说。"]),
    ("联盟（成立于2020年。总部在青岛）正式揭牌。", ["联盟（成立于2020年。总部在青岛）正式揭牌。"]),
    ("First sentence. Second one! 第三句", ["First sentence.", "Second one!", "第三句"]),
    ("版本2.0发布。", ["版本2.0发布。"]),
    ("标题\n\n  正文第一句。  \n", ["标题", "正文第一句。"]),
    ("真的吗？！好。", ["真的吗？！", "好。"]),
    ("", []),
    ("   \n \n", []),
])
def test_sentences(text, expected):
    assert sentences(text) == expected


@settings(max_examples=examples(300), deadline=None)
@given(st.text(alphabet="今天开会。！？!?.“”（）()\n 2a", max_size=60))
def test_sentences_are_ordered_trimmed_and_never_empty(text):
    spans = split_sentences(text, PUNCT)
    prev = 0
    for s in spans:
        assert isinstance(s, Sentence)
        assert prev <= s.start < s.end <= len(text)
        piece = text[s.start : s.end]
        assert piece.strip() == piece and piece
        prev = s.end
    # Nothing but whitespace falls between sentences' coverage.
    covered = set()
    for s in spans:
        covered.update(range(s.start, s.end))
    assert all(text[i].isspace() or i in covered for i in range(len(text)) if text[i] != "\n")


@pytest.fixture(scope="module")
def rjieba_stage():
    return SegmentStage({"backend": "rjieba"}, RULES)


@pytest.mark.parametrize("backend", ["jieba", "rjieba"])
def test_tokens_carry_clean_text_offsets_and_tags(request, backend):
    stage = request.getfixturevalue("stage" if backend == "jieba" else "rjieba_stage")
    text = "2024年，青岛市科技局支持7个合作项目。\n科学仪器产业园开园。"
    out = stage(doc(text))
    assert [text[s.start : s.end] for s in out.sentences] == ["2024年，青岛市科技局支持7个合作项目。", "科学仪器产业园开园。"]
    assert out.tokens and all(text[t.start : t.end] == t.word and t.pos for t in out.tokens)
    words = [t.word for t in out.tokens]
    assert "青岛市科技局" in words and "合作项目" in words and "科学仪器" in words  # from rules/segment/
    assert next(t.pos for t in out.tokens if t.word == "青岛市科技局") == "nt"


@settings(max_examples=examples(200), deadline=None)
@given(st.text(alphabet="青岛市科技局开园。 \n\u3000\t2a，", max_size=40))
def test_rjieba_tokens_tile_each_sentence_but_its_spaces(rjieba_stage, text):
    out = rjieba_stage(doc(text))
    assert all(text[t.start : t.end] == t.word and t.pos for t in out.tokens)
    for s in out.sentences:
        words = "".join(t.word for t in out.tokens if s.start <= t.start < s.end)
        assert words == "".join(c for c in text[s.start : s.end] if not c.isspace())


def _reference_split(text: str) -> list[tuple[int, int]]:
    """The stage's first sentence splitter, character by character: the fast one must agree with it."""
    end, closing = PUNCT["end"], PUNCT["closing"]
    opening_b, closing_b, ascii_end = PUNCT["opening_brackets"], PUNCT["closing_brackets"], PUNCT["ascii_end"]
    spans, start, depth, i, n = [], 0, 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            spans.append((start, i))
            start, depth = i + 1, 0
        elif c in opening_b:
            depth += 1
        elif c in closing_b:
            depth = max(0, depth - 1)
        elif depth == 0 and (c in end or (c in ascii_end and (c != "." or i + 1 >= n or text[i + 1].isspace()))):
            j = i + 1
            while j < n and (text[j] in end or text[j] in ascii_end or text[j] in closing):
                j += 1
            spans.append((start, j))
            start = i = j
            continue
        i += 1
    spans.append((start, n))
    out = []
    for s, e in spans:
        piece = text[s:e]
        s += len(piece) - len(piece.lstrip())
        e -= len(piece) - len(piece.rstrip())
        if s < e:
            out.append((s, e))
    return out


@settings(max_examples=examples(500), deadline=None)
@given(st.text(alphabet="今天。！？!?.“”（）()【】\n 2a", max_size=80))
def test_sentence_splitter_agrees_with_the_character_by_character_reference(text):
    assert [(s.start, s.end) for s in split_sentences(text, PUNCT)] == _reference_split(text)


def test_empty_text_has_no_sentences_or_tokens(stage):
    out = stage(doc(""))
    assert out.sentences == () and out.tokens == ()


@pytest.mark.slow  # builds jieba's dictionary cache
def test_jieba_is_private_and_caches_in_the_run_folder(tmp_path):
    import jieba

    cache = tmp_path / ".cache"
    stage = SegmentStage({}, RULES, cache)
    before = sorted(Path(tempfile.gettempdir()).glob("jieba*.cache"))
    stage(doc("青岛科学仪器产业园开园。"))
    assert (cache / "segment" / "jieba.cache").is_file()
    assert sorted(Path(tempfile.gettempdir()).glob("jieba*.cache")) == before
    assert stage.tagger().tokenizer is not jieba.dt
    assert "青岛市科技局" not in jieba.dt.FREQ  # the user dictionary did not leak into the global one


@pytest.mark.slow  # builds jieba's dictionary cache
def test_without_a_run_folder_the_stage_owns_a_temporary_cache():
    stage = SegmentStage({}, RULES)
    stage(doc("科学仪器。"))
    folder = Path(stage.tagger().tokenizer.tmp_dir)
    assert folder.is_dir() and folder.name.startswith("pipeline-segment-")
    assert (folder / "jieba.cache").is_file()


@pytest.mark.parametrize("settings_,message", [
    ({"backend": "spacy"}, "`backend` 'spacy' is not one of 'jieba', 'jieba_fast', 'rjieba'"),
    ({"dictionaries": "segment/words.txt"}, "`dictionaries` must be a list"),
])
def test_bad_settings_are_rule_errors(settings_, message):
    with pytest.raises(RuleError, match=message):
        SegmentStage(settings_, RULES)


def test_bad_user_dictionary_line_is_reported_with_its_line(rules_copy):
    path = rules_copy / "segment" / "words.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + ["坏词 12x n"]) + "\n", encoding="utf-8")
    with pytest.raises(RuleError, match=rf"words.txt:{len(lines) + 1}:"):
        SegmentStage({}, rules_copy)
