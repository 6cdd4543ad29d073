"""`pipeline.load_run`: a run folder as typed DataFrames, and clear errors for what is not one."""

import json
import subprocess
import sys
from datetime import datetime

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import pipeline
from pipeline.inspect.load import RunFolderError, RunSchemaError, load_run
from pipeline.run.outputs import DOCUMENT_SCHEMA, EDIT_SCHEMA, FACT_SCHEMA

from conftest import ROOT
from report_runs import XSS_ID, add_document_columns, as_older_run, reseal, seeds_run, write_run


@pytest.fixture
def run(tmp_path):
    return write_run(tmp_path / "run")


@pytest.mark.slow  # a fresh interpreter
def test_import_pipeline_stays_cheap_and_load_run_is_exported():
    code = "import sys, pipeline; print('pandas' in sys.modules); pipeline.load_run; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.split() == ["False", "True"]
    assert pipeline.load_run is load_run
    with pytest.raises(AttributeError):
        pipeline.no_such_thing  # noqa: B018


def test_documents_have_documented_dtypes(run):
    r = load_run(run)
    d = r.documents
    assert list(d["doc_id"]) == [XSS_ID, "doc00001.txt", "doc00002.txt", "doc00003.txt"]
    for f in DOCUMENT_SCHEMA:
        expected = {pa.string(): "string", pa.int64(): "Int64", pa.float64(): "float64",
                    pa.list_(pa.string()): "object"}[f.type]
        if f.name in ("published_at", "flags"):
            continue
        assert str(d[f.name].dtype) == expected, f.name
    assert str(d["published_at"].dtype) == "datetime64[ns]"
    assert d["published_at"][0] == pd.Timestamp("2024-04-25T11:36")
    assert d["published_at_text"][0] == "2024-04-25T11:36"
    # edits_* are nullable integers, not floats, even when all null
    assert d["edits_clean"].tolist() == [2, 3, 2, 2]


def test_flags_are_expanded_into_integer_columns(run):
    d = load_run(run).documents
    assert d["flags"][1] == {"clean_spam_lines": 1, "converted": 1}
    assert d["flag_spun"].tolist() == [0, 0, 1, 0]
    assert d["flag_repair_unrecoverable"].tolist() == [0, 0, 0, 2]
    assert str(d["flag_converted"].dtype) == "Int64"


def test_fact_values_are_expanded_per_type(run):
    f = load_run(run).facts
    assert len(f) == 32
    money = f[f["type"] == "money"].iloc[0]
    assert money["value"] == {"amount": 71470000000, "approx": "exact", "currency": "USD"}
    assert money["value_amount"] == 71470000000.0 and money["value_currency"] == "USD"
    assert pd.isna(money["value_name"])
    date = f[f["type"] == "date"].iloc[0]
    assert date["value_start"] == pd.Timestamp("2024-07-18") and date["value_granularity"] == "day"
    count = f[f["type"] == "count"].iloc[0]
    assert (count["value_value"], count["value_unit"], count["value_object"]) == (35.0, "家", "企业")
    assert set(f.loc[f["type"] == "location", "value_name"]) == {"青岛"}
    assert str(f["value_start"].dtype) == "datetime64[ns]"
    assert str(f["value_amount"].dtype) == "float64"
    assert str(f["rule_version"].dtype) == "Int64" and f["rule_version"].isna().sum() == 16
    for c in FACT_SCHEMA.names:
        assert c in f.columns


def test_edits_and_errors(run):
    r = load_run(run)
    e = r.edits
    assert list(e.columns[: len(EDIT_SCHEMA)]) == EDIT_SCHEMA.names
    removed = e[(e["stage"] == "clean")]
    assert set(removed["kind"]) == {"delete"}
    assert set(e.loc[e["stage"] == "convert", "kind"]) == {"replace"}
    assert r.errors.to_dict("records") == [{
        "doc_id": "broken<i>.txt", "source": "synthetic/broken<i>.txt", "stage": "decode",
        "error": "BinaryInputError", "message": "binary input <script>alert(2)</script>"}]
    assert r.manifest["run_id"] == "20240425T000000Z-synthetic"
    assert "4 documents, 1 failed, 32 facts" in repr(r)
    assert r.document("doc00002.txt")["flags"] == {"converted": 1, "spun": 1}
    with pytest.raises(KeyError):
        r.document("nope")


def test_empty_facts_still_have_value_columns(tmp_path):
    run = write_run(tmp_path / "run", 1)
    pq.write_table(FACT_SCHEMA.empty_table(), run / "facts.parquet")
    f = load_run(reseal(run)).facts
    assert f.empty and str(f["value_amount"].dtype) == "float64" and str(f["value_start"].dtype) == "datetime64[ns]"


def test_columns_added_by_later_stages_are_kept(run):
    add_document_columns(run, {"lead_paragraph": ["a", "b", None, "d"], "quality": [0.5, 0.25, None, 1.0]})
    d = load_run(run).documents
    assert str(d["lead_paragraph"].dtype) == "string" and d["quality"].tolist()[:2] == [0.5, 0.25]


def test_older_run_without_some_columns_loads(run):
    path = run / "documents.parquet"
    table = pq.read_table(path)
    keep = [c for c in table.column_names if c not in ("url", "edits_clean", "spam_ratio", "flags", "published_at")]
    pq.write_table(table.select(keep), path)
    edits = pq.read_table(run / "edits.parquet")
    pq.write_table(edits.drop_columns(["orig_start", "orig_end"]), run / "edits.parquet")
    (run / "facts.parquet").unlink()
    (run / "errors.jsonl").unlink()
    r = load_run(as_older_run(run))
    assert r.documents["url"].isna().all() and str(r.documents["edits_clean"].dtype) == "Int64"
    assert r.documents["flags"].tolist() == [{}] * 4
    assert r.edits["orig_start"].isna().all() and r.facts.empty and r.errors.empty


def test_not_a_run_folder(tmp_path):
    with pytest.raises(RunFolderError, match="not a run folder: no such folder"):
        load_run(tmp_path / "missing")
    (tmp_path / "documents.parquet").write_bytes(b"")
    with pytest.raises(RunFolderError, match="manifest.json missing"):
        load_run(tmp_path)


@pytest.mark.parametrize("damage,message", [
    (lambda run: pq.write_table(pq.read_table(run / "documents.parquet").drop_columns(["text"]),
                                run / "documents.parquet"), "required column"),
    (lambda run: pq.write_table(pa.table({"doc_id": ["a"], "stage": ["x"], "rule_id": ["r"],
                                          "start": ["0"], "end": [1]}), run / "edits.parquet"),
     "column 'start' is string, expected int64"),
    (lambda run: (run / "facts.parquet").write_bytes(b"not parquet"), "not a readable parquet file"),
    (lambda run: (run / "manifest.json").write_text("{", encoding="utf-8"), "manifest.json: not JSON"),
    (lambda run: (run / "errors.jsonl").write_text('{"doc_id": "a"}\nnope\n', encoding="utf-8"),
     "errors.jsonl:2: not JSON"),
])
def test_unknown_schema_is_a_clear_error(run, damage, message):
    as_older_run(run)  # the tables as the manifest records them: only their schema is wrong
    damage(run)
    with pytest.raises(RunSchemaError, match=message):
        load_run(run)


def test_dates_are_parsed_as_written(tmp_path):
    from pipeline.inspect.load import _iso

    assert _iso("2024-04-25T11:36:00+08:00") == datetime(2024, 4, 25, 11, 36)
    assert _iso("2024-04-25T03:36:00Z") == datetime(2024, 4, 25, 3, 36)
    assert _iso("2024") == datetime(2024, 1, 1) and _iso("2024-07") == datetime(2024, 7, 1)
    for bad in ("", "yesterday", "2024-13", "0001-01-01", None, 5):
        assert _iso(bad) is None


@pytest.mark.e2e
def test_loads_the_seeds_run(tmp_path_factory):
    out = seeds_run(tmp_path_factory)
    r = load_run(out)
    assert len(r.documents) == 5 and r.errors.empty
    assert len(r.facts) == r.manifest["counts"]["facts"] and len(r.edits) == r.manifest["counts"]["edits"]
    assert r.documents["chars"].tolist() == r.documents["text"].str.len().tolist()
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]["documents"] == 5
