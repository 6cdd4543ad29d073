"""eval/ner.py --news: news_dev from eval/data/ner_news/*.jsonl, and the reliability table."""

import json
from pathlib import Path

import pytest

from conftest import load_script


@pytest.fixture(scope="module")
def ev():
    return load_script("eval/ner.py")


def write(folder: Path, records) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "news_ner.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                                          encoding="utf-8")
    return folder


TEXT = "李强在北京会见世卫组织官员。"
DEV = {"id": "t:1", "split": "dev", "text": TEXT, "entities": [
    {"start": 0, "end": 2, "label": "PER", "text": "李强"}, {"start": 3, "end": 5, "label": "LOC", "text": "北京"},
    {"start": 7, "end": 11, "label": "ORG", "text": "世卫组织"}]}


def test_no_data_is_said_cleanly(ev, tmp_path, capsys):
    assert ev.main(["--news", "--news-dir", str(tmp_path / "missing")]) == 0
    assert "no data" in capsys.readouterr().out
    write(tmp_path / "train_only", [{**DEV, "split": "train"}])
    assert ev.main(["--news", "--news-dir", str(tmp_path / "train_only")]) == 0
    assert "no data" in capsys.readouterr().out


def test_only_reviewed_dev_articles_are_read_and_offsets_are_checked(ev, tmp_path):
    folder = write(tmp_path / "n", [DEV, {**DEV, "id": "t:2", "split": "train"},
                                    {**DEV, "id": "t:3", "reviewed": False}])
    [example] = ev.news_examples(folder)
    assert example["source"] == "news_dev" and example["id"] == "t:1"
    assert set(example["spans"]) == {(0, 2, "PER"), (3, 5, "LOC"), (7, 11, "ORG")}
    bad = {**DEV, "entities": [{"start": 0, "end": 3, "label": "PER", "text": "李强"}]}
    with pytest.raises(ValueError, match="t:1"):
        ev.news_examples(write(tmp_path / "bad", [bad]))


def test_reliability_bins_measure_precision(ev):
    pairs = [(0.95, True), (0.97, False), (0.99, True), (0.99, True), (0.55, False), (0.85, True)]
    rows = {(lo, hi): (n, round(mean, 3), p) for lo, hi, n, mean, p in ev.reliability(pairs)}
    assert rows[(0.95, 1.0)] == (4, 0.975, 0.75)
    assert rows[(0.5, 0.6)] == (1, 0.55, 0.0)
    assert rows[(0.85, 0.9)] == (1, 0.85, 1.0)
    assert sum(n for n, _, _ in rows.values()) == len(pairs)


def test_news_dev_is_scored_per_label_with_a_reliability_table(ev, tmp_path, capsys):
    folder = write(tmp_path / "n", [DEV])
    assert ev.main(["--news", "--news-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "news_dev: 1 articles" in out
    for label in ("micro", "PER", "LOC", "ORG"):
        assert f"news_dev   {label}" in out
    assert "reliability" in out and "[0.9" in out


def test_the_train_split_and_each_rules_precision_on_it(ev, tmp_path, capsys):
    folder = write(tmp_path / "n", [{**DEV, "split": "train"}, {**DEV, "id": "t:2", "split": "calib"}])
    assert ev.main(["--news", "--news-dir", str(folder), "--split", "train", "--rules"]) == 0
    out = capsys.readouterr().out
    assert "news_train: 1 articles" in out and "per rule:" in out
    with pytest.raises(SystemExit):  # the floors are news_dev's
        ev.main(["--news", "--news-dir", str(folder), "--split", "train", "--check"])


def test_a_gazetteers_entries_are_one_family_in_the_rule_table(ev, capsys):
    ev.print_rule_precision([(0.9, True, False, "ner.org.media.382.1"), (0.9, False, False, "ner.org.media.5.1"),
                             (0.8, True, True, "ner.model")])
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()[2:]}
    assert rows["ner.org.media"] == ["2", "1", "0.500", "0.900", "0.500"]
    assert rows["ner.model"] == ["1", "1", "1.000", "0.800", "0.667"]
