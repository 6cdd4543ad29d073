"""The jieba backend's tagger gives exactly jieba.posseg's words and tags (tagger.py)."""

from __future__ import annotations

import json

import jieba
import jieba.posseg as posseg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, examples
from pipeline.stages.segment import tagger as tagger_module
from pipeline.stages.segment.tagger import pos_tokenizer

NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
# Words a user dictionary may add: an ASCII word (jieba-rs joins ASCII runs, so this is the case
# where the route is ambiguous), a name, a word with no frequency (jieba suggests one), a tag.
USER_WORDS = (("5G", 3, "eng"), ("CEO", None, "n"), ("曾赞荣", None, "nr"), ("科学仪器", 500, None),
              ("海信国际中心", None, "nt"))


def tokenizers(tmp_path, user_words):
    """(ours, jieba.posseg's own) over two private tokenizers holding the same user words."""
    made = []
    for _ in range(2):
        tokenizer = jieba.Tokenizer()
        tokenizer.tmp_dir = str(tmp_path)  # jieba's cache, not in the shared temp folder
        tokenizer.initialize()
        for word, freq, tag in user_words:
            tokenizer.add_word(word, freq, tag)
        made.append(tokenizer)
    return pos_tokenizer(posseg, made[0], user_words), posseg.POSTokenizer(made[1])


def tagged(tagger, text):
    return [(p.word, p.flag) for p in tagger.cut(text)]


@pytest.fixture(scope="module")
def pair_of_taggers(tmp_path_factory):
    """Over the shipped user dictionaries and USER_WORDS."""
    from pipeline.stages.segment.stage import load_user_words

    shipped = [w for d in ("words.txt", "organisations.txt") for w in load_user_words(ROOT / "rules" / "segment" / d)]
    return tokenizers(tmp_path_factory.mktemp("jieba"), [*shipped, *USER_WORDS])


@pytest.mark.parametrize("text", [
    "青岛市委书记曾赞荣到任以来，在对科技工作的调研中",  # a name the route leaves as single characters
    "副校长郝跃为青海省大力研究发展晶硅电池",
    "华为5G手机和iPhone12、CEO与C.E.O.在2023年合作，A股+H股#1&2",  # ASCII runs, one a user word
    "海信国际中心召开科学仪器大会",  # user words with and without a frequency
    "虁虂䶮公司会见了鿕龘先生，他说虁虁虁很好。",  # characters neither dictionary nor HMM has seen
    "",
])
def test_same_words_and_tags_as_jieba_posseg(pair_of_taggers, text):
    ours, theirs = pair_of_taggers
    assert tagged(ours, text) == tagged(theirs, text)


ALPHABET = "的一是不了人我在有他这中大来上国个到说们为子和曾赞荣郝跃青岛市委书记科学仪器海信虁龘" + "abcCEO5G12.+#&_ ，。、"


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_same_on_any_mix(pair_of_taggers, text):
    ours, theirs = pair_of_taggers
    assert tagged(ours, text) == tagged(theirs, text)


def test_the_memo_stays_bounded_and_changes_nothing(pair_of_taggers, monkeypatch):
    ours, theirs = pair_of_taggers
    monkeypatch.setattr(tagger_module, "MEMO_SIZE", 2)
    ours._memo.clear()
    text = "曾赞荣、郝跃为、韩彤彤、薛笑飞和年夫顺到任，曾赞荣说。"
    for _ in range(2):
        assert tagged(ours, text) == tagged(theirs, text)
        assert 0 < len(ours._memo) <= 2


def test_same_on_real_news(pair_of_taggers):
    if not NEWS.is_file():
        pytest.skip("../shared/data not beside the checkout")
    ours, theirs = pair_of_taggers
    with NEWS.open(encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for _, line in zip(range(40), f)]
    assert sum(map(len, texts)) > 30_000
    for text in texts:
        assert tagged(ours, text) == tagged(theirs, text)
