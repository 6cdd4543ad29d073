"""The calib split of the hand-annotated news (issue 18): its own batches, never trained on, never in
news_dev, and what scripts/calibrate_ner.py fits the confidence map on."""

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import load_script

ROOT = Path(__file__).resolve().parents[3]
NEWS_DIR = ROOT / "eval" / "data" / "ner_news"
NEWS = NEWS_DIR / "news_ner.jsonl"


@pytest.fixture(scope="module")
def nn():
    return load_script("scripts/ner_news.py")


@pytest.fixture(scope="module")
def nd():
    sys.path.insert(0, str(ROOT / "scripts"))
    return load_script("scripts/ner_data.py")


@pytest.fixture(scope="module")
def ev():
    return load_script("eval/ner.py")


@pytest.fixture(scope="module")
def records():
    return [json.loads(line) for line in NEWS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_split_of_gives_calib_to_the_calib_batches_whatever_the_hash(nn):
    ids = [f"thucnews_cnews_val:{i}" for i in range(60)]
    assert all(nn.split_of(i, f"batch_{nn.CALIB_FIRST_BATCH:02d}") == "calib" for i in ids)
    assert all(nn.split_of(i, "batch_37") == "calib" for i in ids)
    before = [nn.split_of(i, f"batch_{nn.CALIB_FIRST_BATCH - 1:02d}") for i in ids]
    assert set(before) == {"dev", "train"} and before == [nn.split_of(i) for i in ids]


def test_the_shipped_calib_set_is_whole_reviewed_and_apart(nn, records):
    calib = [r for r in records if r["split"] == "calib"]
    assert len(calib) >= 60 and sum(len(r["text"]) for r in calib) >= 50_000
    assert all(r["reviewed"] for r in calib)
    assert {r["batch"] for r in calib} == {r["batch"] for r in records if int(r["batch"][6:]) >= nn.CALIB_FIRST_BATCH}
    assert len({r["id"] for r in records}) == len(records)  # no article in two batches
    assert Counter(r["id"].rsplit(":", 1)[0] for r in calib).keys() == {
        "thucnews_cnews_val", "thucnews_cnews_b_val", "thucnews_cnews_b_test", "sogoucs_smarty"}
    for r in calib:
        for e in r["entities"]:
            assert r["text"][e["start"] : e["end"]] == e["text"] and e["label"] in ("PER", "LOC", "ORG")


def _sentences(text):
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch in "。！？":
            out.append((start, i + 1))
            start = i + 1
    return out + ([(start, len(text))] if start < len(text) else [])


def test_no_calib_article_is_trained_on_or_in_news_dev(nd, ev, records):
    calib = {r["id"] for r in records if r["split"] == "calib"}
    assert calib
    assert {r["id"] for r in nd.news_articles(NEWS, "calib")} == calib
    assert not calib & {r["id"] for r in nd.news_articles(NEWS, "train")}
    examples = nd.news_examples(NEWS, _sentences, set(), Counter())
    assert examples and not calib & {e["id"].split("#")[0] for e in examples}
    calib_keys = {nd.normal_key(nd.halfwidth(r["text"])[s:e]) for r in records if r["id"] in calib
                  for s, e in _sentences(r["text"])} - {""}
    assert not calib_keys & {nd.normal_key(e["text"]) for e in examples}
    dev = ev.news_examples(NEWS_DIR)
    assert dev and not calib & {e["id"] for e in dev}
