"""MinHash signatures: stable, comparable, and estimating what they claim to."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from pipeline.core.document import Document
from pipeline.stages.dedup.minhash import Signature, containment, normalise, shingle_hashes, signature, similarity
from pipeline.stages.dedup.stage import DedupStage

from conftest import RULES

ARTICLE = ("7月18日，青岛科学仪器产业园开园典礼在市南区软件园举办。典礼上，科学仪器产业联盟正式揭牌，"
           "科学仪器产业基金启动，多个项目现场签约入驻。科学仪器是科学研究和技术创新的基石，科学仪器的发展水平"
           "已经成为衡量一个国家科技发展水平的重要标志。然而，科学仪器研发难度大，长期依赖进口。")


def exact_jaccard(a, b, k=4):
    x, y = set(shingle_hashes(a, k).tolist()), set(shingle_hashes(b, k).tolist())
    return len(x & y) / len(x | y)


def test_normalising_drops_what_reposts_change_without_changing_the_article():
    assert normalise("Ａ股 上涨，\n达到 3.5%！") == normalise("Ａ股上涨达到35") == "ａ股上涨达到35"


def test_signature_is_a_pure_function_of_text_and_settings():
    a = signature(ARTICLE, 4, 64, 1)
    assert np.array_equal(a.values, signature(ARTICLE, 4, 64, 1).values)
    assert not np.array_equal(a.values, signature(ARTICLE, 4, 64, 2).values)  # another seed, other functions
    assert a.shingles == len(shingle_hashes(ARTICLE, 4))


def test_the_estimate_follows_the_exact_jaccard_similarity():
    spun = ARTICLE.replace("技术创新", "技能立异").replace("发展", "开展").replace("产业", "工业")
    truncated = ARTICLE[: len(ARTICLE) // 2]
    for other in (spun, truncated):
        est = similarity(signature(ARTICLE, 4, 256, 1), signature(other, 4, 256, 1))
        assert abs(est - exact_jaccard(ARTICLE, other)) < 0.1
    # A truncated copy is found whole in its original.
    assert containment(signature(ARTICLE, 4, 256, 1), signature(truncated, 4, 256, 1)) > 0.85
    unrelated = "湖人队在主场以102比98击败国王队，科比全场得到31分，拜纳姆伤愈复出后表现稳定。"
    assert similarity(signature(ARTICLE, 4, 256, 1), signature(unrelated, 4, 256, 1)) < 0.05


@given(st.text(min_size=1, max_size=200))
def test_encoding_round_trips(text):
    sig = signature(text, 4, 32, 1)
    if sig is None:
        assert normalise(text) == ""
    else:
        back = Signature.decode(sig.encode())
        assert np.array_equal(back.values, sig.values) and back.shingles == sig.shingles
        assert similarity(sig, back) == 1.0


def test_a_lone_surrogate_is_not_a_word_character_and_not_fatal():
    assert signature("股市\ud800上涨", 4, 16, 1).shingles == 1  # "股市上涨"


def test_a_text_shorter_than_a_shingle_is_one_shingle_and_no_words_is_no_signature():
    assert signature("股市", 4, 16, 1).shingles == 1
    assert signature("，。！ \n", 4, 16, 1) is None


def test_the_stage_sets_only_the_signature():
    stage = DedupStage({}, RULES)
    doc = Document("a", "a", original=ARTICLE, text=ARTICLE)
    out = stage(doc)
    stage.assigns.check("dedup", doc, out)
    s = stage.settings
    assert out.meta["minhash"] == signature(ARTICLE, s["shingle"], s["permutations"], s["seed"]).encode()
    assert "cluster_id" not in out.meta
    assert stage(Document("b", "b", original="", text="")).meta["minhash"] is None


def test_bands_must_divide_the_permutations(rules_copy):
    from pipeline.core.rules import RuleError

    with pytest.raises(RuleError, match="multiple of bands"):
        DedupStage({"permutations": 100, "bands": 32}, rules_copy)
