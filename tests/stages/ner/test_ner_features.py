"""make_doc builds the features a word at a time (features._feature_ids); it must give the model exactly
what the former string-per-character build gave (kept here as the reference), on real news and on the
edge cases of word lists: gaps, empty and overlapping words, long words, the |o look-ahead's reach."""

from __future__ import annotations

import json
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.attrs import DEP, LEMMA, NORM, ORTH, TAG
from spacy.strings import get_string_id
from spacy.tokens import Doc

from pipeline.stages.ner.features import (ORG_LOOKAHEAD, Lexicon, bigrams, char_features, feature_rows, halfwidth,
                                          make_doc)

ROOT = Path(__file__).resolve().parents[3]
NEWS = ROOT / "eval" / "data" / "ner_news" / "news_ner.jsonl"


def reference_make_doc(vocab, text, words, for_model=True, strings=True, lexicon=None):
    """make_doc as it was before the word-at-a-time build (commit 3f84b21), lexicon added."""
    chars = halfwidth(text)
    tags, lemmas = char_features(chars, words, lookahead=for_model)
    doc = Doc(vocab, words=list(chars), spaces=[False] * len(text))
    if text:
        add = vocab.strings.add if strings else get_string_id
        attrs, columns = ([TAG, LEMMA, NORM], (tags, lemmas, bigrams(chars))) if for_model else ([TAG, LEMMA], (tags, lemmas))
        if for_model and lexicon is not None:
            attrs, columns = [*attrs, DEP], (*columns, lexicon.tags(chars))
        ids = []
        for column in columns:
            hashes = {x: add(x) for x in dict.fromkeys(column)}
            ids.append([hashes[x] for x in column])
        doc.from_array(attrs, numpy.array(ids, dtype="uint64").T.copy())
    return doc


ATTRS = [TAG, LEMMA, NORM, DEP]


def assert_same(text, words, **options):
    vocab_a, vocab_b = spacy.blank("zh").vocab, spacy.blank("zh").vocab
    new = make_doc(vocab_a, text, list(words), **options)
    old = reference_make_doc(vocab_b, text, list(words), **options)
    assert [t.text for t in new] == [t.text for t in old]
    assert numpy.array_equal(new.to_array(ATTRS), old.to_array(ATTRS)), text[:60]
    if options.get("strings", True):  # the strings the rules' matcher reads back
        assert [(t.tag_, t.lemma_, t.norm_) for t in new] == [(t.tag_, t.lemma_, t.norm_) for t in old]
    if options.get("for_model", True):  # what the ner stage gives the model instead of the Doc
        rows = feature_rows(text, list(words), options.get("lexicon"))
        model_attrs = [ORTH, NORM, TAG, LEMMA, DEP]
        assert len(rows) == len(new)
        assert numpy.array_equal(rows.to_array(model_attrs), new.to_array(model_attrs)), text[:60]
        assert numpy.array_equal(rows.to_array(["ORTH", "NORM"]), new.to_array(["ORTH", "NORM"]))


LEXICON = Lexicon([("中国石化", "ORG"), ("北京", "LOC"), ("北京大学", "ORG"), ("中关村", "ORG"), ("中关村", "LOC")])


@pytest.mark.parametrize("text,words", [
    ("", []),
    ("青岛市 科技局", [(0, 3, "ns"), (4, 6, "n"), (6, 7, "n")]),  # a gap (the space)
    ("ＡＢ青岛", [(0, 2, "eng"), (2, 4, "ns")]),  # full-width folded
    ("北京大学在北京", [(0, 4, "nt"), (4, 5, "p"), (5, 7, "ns")]),
    ("在北京石景山发电总厂工作", [(0, 1, "p"), (1, 3, "ns"), (3, 6, "ns"), (6, 8, "vn"), (8, 10, "n"), (10, 12, "v")]),
    ("一二三四五六七八九十一二三四五六七八九研究所", [(i, i + 1, "m") for i in range(19)] + [(19, 22, "n")]),
    ("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉公司", [(0, 20, "n"), (20, 22, "n")]),  # a long word, |o reaching into it
    ("中国石化，中关村", [(0, 4, "nt"), (4, 5, "x"), (5, 8, "ns")]),  # punctuation ends the clause
    ("ab", [(0, 0, "x"), (0, 2, "eng")]),  # an empty word
    ("甲乙丙丁", [(0, 3, "n"), (2, 4, "nt")]),  # overlapping words
    ("甲乙丙丁", []),  # no words at all
    ("1" * 3000 + "局", [(0, 3000, "m"), (3000, 3001, "n")]),
])
@pytest.mark.parametrize("options", [{}, {"strings": False}, {"for_model": False}, {"lexicon": LEXICON}])
def test_make_doc_same_as_the_string_per_character_build(text, words, options):
    assert_same(text, words, **options)


def test_the_look_ahead_reach_is_the_same_at_every_distance():
    for gap in range(ORG_LOOKAHEAD + 4):
        text = "甲" * gap + "某某公司"
        words = [(i, i + 1, "n") for i in range(gap)] + [(gap, gap + 4, "nt")]
        assert_same(text, words)
        assert_same(text, words, strings=False)


@pytest.mark.skipif(not NEWS.is_file(), reason="no eval/data/ner_news")
def test_make_doc_same_on_real_news():
    from pipeline.stages.registry import configured_stage

    segment = configured_stage("segment", ROOT / "rules")
    records = [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines()[:40]]
    for record in records:
        text = record["text"]
        words = [(w.start, w.end, w.pos) for w in segment.words(text)]
        assert_same(text, words, strings=False)
        assert_same(text, words, lexicon=LEXICON)


@pytest.mark.skipif(not NEWS.is_file(), reason="no eval/data/ner_news")
def test_the_model_reads_feature_rows_as_it_reads_docs():
    from pipeline.stages.ner.tagger import NerModel, resolve_model
    from pipeline.stages.registry import configured_stage

    segment = configured_stage("segment", ROOT / "rules")
    tagger = NerModel(resolve_model("ner_zh")).nlp().get_pipe("tagger")
    texts = [json.loads(line)["text"][:300] for line in NEWS.read_text(encoding="utf-8").splitlines()[:8]]
    words = [[(w.start, w.end, w.pos) for w in segment.words(text)] for text in texts]
    docs = [make_doc(tagger.vocab, t, w, strings=False) for t, w in zip(texts, words)]
    rows = [feature_rows(t, w) for t, w in zip(texts, words)]
    for a, b in zip(tagger.model.predict(docs), tagger.model.predict(rows)):
        assert numpy.array_equal(a, b)


def test_lexicon_tags_the_longest_name_from_the_left():
    lexicon = Lexicon([("北京", "LOC"), ("北京大学", "ORG"), ("大学生", "ORG"), ("中", "LOC"), ("中关村", "ORG"),
                       ("中关村", "LOC")])
    assert lexicon.size == 4  # one character is left to the abbreviation rules
    text = "北京大学生在中关村和北京"
    tags = lexicon.tags(text)
    assert tags[:4] == ["B-ORG", "M-ORG", "M-ORG", "E-ORG"]  # 北京大学, not 北京, and 大学生 is not reached
    assert tags[4:6] == ["-", "-"]  # 生, 在: 中 alone is no name here
    assert tags[6:9] == ["B-LOC+ORG", "M-LOC+ORG", "E-LOC+ORG"]  # a name under two labels says so
    assert tags[10:] == ["B-LOC", "E-LOC"]
    assert Lexicon([]).tags("北京") == ["-", "-"] and lexicon.tags("") == []


def test_lexicon_file_round_trip(tmp_path):
    path = tmp_path / "lexicon.tsv"
    path.write_text("中国石化\tORG\tsoes.jsonl\n北京\tLOC\tadmin_divisions.jsonl\n", encoding="utf-8")
    assert Lexicon.load(path).tags("中国石化在北京") == ["B-ORG", "M-ORG", "M-ORG", "E-ORG", "-", "B-LOC", "E-LOC"]
