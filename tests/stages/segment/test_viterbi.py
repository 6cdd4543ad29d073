"""The segment stage's HMM decoder gives exactly jieba.posseg's result, unseen characters included."""

from __future__ import annotations

import jieba
import jieba.posseg as posseg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jieba.posseg.viterbi import viterbi as jieba_viterbi

from pipeline.stages.segment.tagger import pos_tokenizer
from pipeline.stages.segment.viterbi import PosViterbi

# Characters the HMM knows (few states each), Han characters it has never seen (every
# state possible: the slow, tie-heavy case) and non-Han text between them.
KNOWN = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长"
UNSEEN = "虁虂䶮鿕龘鸓靐"
TABLES = (posseg.char_state_tab_P, posseg.start_P, posseg.trans_P, posseg.emit_P)


@pytest.fixture(scope="module")
def decode():
    return PosViterbi(*TABLES)


@pytest.mark.parametrize("text", ["虁" * 40, "虁的" * 20, "中华人民共和国虁虁", "我", "虁", "龘鸓靐虁虂"])
def test_same_route_as_jieba(decode, text):
    assert decode(text) == jieba_viterbi(text, *TABLES)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # jieba's own decoder is the slow side
@given(st.text(alphabet=KNOWN + UNSEEN, min_size=1, max_size=30))
def test_same_route_as_jieba_on_any_mix(decode, text):
    assert decode(text) == jieba_viterbi(text, *TABLES)


def test_tagger_gives_jiebas_words_and_tags(tmp_path):
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path)  # jieba's cache, not in the shared temp folder
    ours, theirs = pos_tokenizer(posseg, tokenizer, fast_route=False), posseg.POSTokenizer(tokenizer)
    text = "蔡英文在虁虂䶮公司会见了鿕龘先生，他说虁虁虁很好。Intel和ABC在2023年合作"
    assert [(p.word, p.flag) for p in ours.cut(text)] == [(p.word, p.flag) for p in theirs.cut(text)]
