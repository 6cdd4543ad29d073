"""The learnt spam line classifier: unseen brand shapes go, news-shaped lists stay, the weights
file is checked, the labelled data keeps its split and offsets, the fit learns."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline.core.examples import sample_doc
from pipeline.core.rules import RuleError
from pipeline.stages.clean.ruleset import FEATURES
from pipeline.stages.clean.stage import CleanStage

from conftest import ROOT, RULES

STAGE = CleanStage({}, RULES)
BODY = "青岛市科技局今天发布消息称，全市高新技术企业数量突破一万家，同比增长百分之二十，创下历史新高。"
DATA = ROOT / "eval" / "data" / "clean" / "spam_lines.jsonl"
NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"


def clean(text: str):
    return STAGE.run(sample_doc(text))


# Brands made of characters and endings the generator's vocabulary never holds (雅韵, 沐辰, 会馆 …).
@pytest.mark.parametrize("line", [
    "雅韵贵宾会官网,雅韵贵宾会app下载,雅韵贵宾会登录网址",
    "沐辰现金网 开户 入口 网址 mc7788.com",
    "澜亭娱乐城 首存送100% 开户即送58元",
])
def test_lines_of_unseen_brand_shapes_go_as_spam(line):
    assert STAGE.cleaner.scorer.decide(line) is None  # not one of the precise line rules
    doc, result = clean(f"{BODY}\n{line}\n{BODY}\n")
    assert line not in doc.text and BODY in doc.text
    assert "clean.spam.classifier" in {e.rule_id for e in result.edits}
    assert doc.flags.get("spam")


@pytest.mark.parametrize("line", [
    "首页 > 新闻中心 > 国际 > 正文",
    "国际 | 体育 | 娱乐 | 财经 | 科技 | 汽车 | 房产",
    "2010年南非世界杯 国际足联 体育新闻",
    "中国福利彩票发行管理中心公布本期开奖结果",
    "咨询电话:0532-85912345 网址:www.qdkj.gov.cn",
    "青岛国际啤酒节 开幕式 门票 预订",
])
def test_news_lines_shaped_like_lists_are_not_spam(line):
    assert STAGE.cleaner.classifier.probability(line) < STAGE.cleaner.classifier.rule.threshold


def test_a_brand_shape_needs_more_than_its_suffix():
    clf = STAGE.cleaner.classifier
    assert clf.probability("雅韵贵宾会官网,雅韵贵宾会app下载") > clf.probability("国际贸易,国际金融,国际合作")


def test_the_weights_file_must_weigh_exactly_the_features(rules_copy):
    weights = rules_copy / "clean" / "lexicon" / "spam_line_weights.tsv"
    lines = [l for l in weights.read_text(encoding="utf-8").splitlines() if not l.startswith("odd_domains")]
    weights.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RuleError, match="odd_domains"):
        CleanStage({}, rules_copy)


def test_the_weights_file_names_every_feature_once():
    rows = [l.split("\t")[0] for l in (RULES / "clean" / "lexicon" / "spam_line_weights.tsv")
            .read_text(encoding="utf-8").splitlines() if l and not l.startswith("#")]
    assert sorted(rows) == sorted(FEATURES)


def _rows():
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]


def test_labelled_lines_split_by_article_and_by_vocabulary():
    from scripts.build_spam_lines import Vocab
    rows = _rows()
    assert sum(r["label"] == "spam" for r in rows if r["split"] == "train") >= 1000
    assert len(rows) >= 2000
    parts: dict[str, set] = {}
    for r in rows:
        if not r["source"].startswith("synthetic:"):
            parts.setdefault(r["source"], set()).add(r["split"])
    assert all(len(p) == 1 for p in parts.values())  # no article on both sides
    # The generators' vocabularies: every brand character, suffix, decoration, term, domain and
    # top-level domain on one side only.
    train = Vocab("train", ["三级片", "一本道", "裸聊"], ["688cp.com", "3dc978.cn", "sao96.com"])
    held = Vocab("heldout", ["三级片", "一本道", "裸聊"], ["688cp.com", "3dc978.cn", "sao96.com"])
    for name in ("brand_chars", "suffixes", "decor", "gambling", "porn", "domains", "tlds", "calls", "labels"):
        assert not set(getattr(train, name)) & set(getattr(held, name)), name
    assert held.suffixes and held.gambling and held.brand_chars


@pytest.mark.skipif(not NEWS.is_file(), reason="../shared/data not beside the checkout")
def test_real_lines_are_read_back_at_their_offsets():
    from eval.clean import load_spam_lines
    rows = load_spam_lines(NEWS, DATA)  # asserts each line's head at its offsets
    real = [r for r in rows if "start" in r]
    assert len(real) > 10_000 and all(r["text"] for r in real)


def test_the_fit_learns_the_separating_feature():
    from scripts.fit_spam_classifier import fit
    rng = np.random.default_rng(0)
    x = np.ones((400, len(FEATURES)))
    x[:, 1:] = rng.normal(size=(400, len(FEATURES) - 1))
    y = (x[:, 2] > 0).astype(float)
    w = fit(x, y)
    assert w[2] > 1.0 and w[2] > 3 * np.abs(np.delete(w, [0, 2])).max()
