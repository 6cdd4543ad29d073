"""eval/ner_rule_hits.py sample: rule work never reads news_dev or the calibration articles."""

import json
from pathlib import Path

import pandas as pd

from conftest import load_script

ROOT = Path(__file__).resolve().parents[3]


def test_a_sample_leaves_out_the_dev_and_calibration_articles(tmp_path):
    hits = load_script("eval/ner_rule_hits.py")
    rows = [json.loads(line) for line in (ROOT / "eval" / "data" / "ner_news" / "news_ner.jsonl").open(encoding="utf-8")]
    by_split = {}
    for r in rows:
        by_split.setdefault(r["split"], r["id"])
    assert set(by_split) == {"train", "dev", "calib"}
    ids = [*by_split.values(), "outside:1"]
    pd.DataFrame({"doc_id": ids, "text": ["中国石化公司发布公告。"] * len(ids)}).to_parquet(tmp_path / "documents.parquet")
    facts = [{"doc_id": i, "start": 0, "end": 6, "text": "中国石化公司", "type": "org", "rule_id": "ner.org.x"} for i in ids]
    (tmp_path / "facts.jsonl").write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in facts), encoding="utf-8")
    assert {r["doc_id"] for r in hits.sample(tmp_path, ("ner.org.",), 10)} == {by_split["train"], "outside:1"}
    # --fresh: not the studied train articles either.
    assert {r["doc_id"] for r in hits.sample(tmp_path, ("ner.org.",), 10, fresh=True)} == {"outside:1"}
