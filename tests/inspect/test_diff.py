"""`pipeline diff`: facts added, removed and changed, documents whose text changed."""

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.run.outputs import FACT_SCHEMA

from conftest import SEEDS
from report_runs import reseal, seeds_run


# runs the pipeline on the seeds twice: not in `make quick`.
pytestmark = pytest.mark.e2e


def fact(doc, fid, type_, rule, value, conf=0.9):
    return {"doc_id": doc, "fact_id": fid, "type": type_, "text": "x", "value": json.dumps(value),
            "start": 0, "end": 1, "orig_start": 0, "orig_end": 1, "sentence": 0,
            "rule_id": rule, "rule_version": 1, "extractor": "rule", "confidence": conf}


def write_facts(run, facts):
    pq.write_table(pa.Table.from_pylist(facts, schema=FACT_SCHEMA), run / "facts.parquet")
    reseal(run)


def test_diff_counts_and_details(tmp_path, tmp_path_factory, rules_copy, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(seeds_run(tmp_path_factory), a)  # a copy: its facts are rewritten below
    fix = rules_copy / "convert" / "fixups.toml"
    fix.write_text(fix.read_text(encoding="utf-8").replace('to = "着力"', 'to = "着力!"'), encoding="utf-8")
    assert main(["run", str(SEEDS), "--out", str(b), "--quiet", "--jobs", "1", "--rules", str(rules_copy)]) == 0
    write_facts(a, [fact("d1", "f1", "money", "extract.money.a", {"amount": 1}),
                    fact("d1", "f2", "money", "extract.money.a", {"amount": 2}),
                    fact("d1", "f3", "percent", "extract.percent.a", {"value": 5})])
    write_facts(b, [fact("d1", "f1", "money", "extract.money.a", {"amount": 1}),
                    fact("d1", "f3", "percent", "extract.percent.a", {"value": 6}),
                    fact("d2", "f4", "date", "extract.date.a", {"start": "2021"})])

    assert main(["diff", str(a), str(b), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["counts"] == {"facts_added": 1, "facts_removed": 1, "facts_changed": 1,
                                "documents_text_changed": 1, "documents_only_in_a": 0, "documents_only_in_b": 0}
    assert result["by_type_and_rule"]["removed"] == {"money extract.money.a": 1}
    assert result["details"]["facts_changed"][0]["fields"] == {"value": [{"value": 5}, {"value": 6}]}
    assert result["details"]["documents_text_changed"] == ["000_2c325e8d09d6b9da.txt"]

    assert main(["diff", str(a), str(b)]) == 0
    text = capsys.readouterr().out
    assert "facts: +1 added, -1 removed, ~1 changed" in text and "--details" in text
    assert "d2 date" not in text
    assert main(["diff", str(a), str(b), "--details"]) == 0
    text = capsys.readouterr().out
    assert "+ d2 date extract.date.a" in text and "text changed: 000_2c325e8d09d6b9da.txt" in text


def test_diff_of_identical_runs_is_empty_and_bad_folder_is_an_error(tmp_path, tmp_path_factory, capsys):
    a = seeds_run(tmp_path_factory)
    assert main(["diff", str(a), str(a), "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)["counts"].values()) == {0}
    assert main(["diff", str(a), str(tmp_path / "nope")]) == 2
    assert "not a run folder" in capsys.readouterr().err
