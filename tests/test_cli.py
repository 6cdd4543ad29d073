"""The command line end to end: run folders, failures, determinism, explain."""

import json
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.run.outputs import DOCUMENT_SCHEMA, EDIT_SCHEMA, FACT_SCHEMA

from conftest import ROOT, SEEDS
from report_runs import seeds_run

# `pipeline run` over the seeds and the module entry point: not in `make quick`.
pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00" + bytes(range(256)) * 4


@pytest.fixture
def mixed_folder(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "good.txt").write_text("青島科學儀器產業園著力發展。", encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "image.txt").write_bytes(PNG)
    (src / "sub" / "gbk.txt").write_bytes("青岛科学仪器产业园开园典礼在市南区软件园举办。".encode("gbk"))
    (src / "notes.md").write_text("not picked up from a folder", encoding="utf-8")
    return src


def run(*args, stages="decode,convert"):
    # Most expectations below are for decode and convert; other stages have
    # their own tests. stages=None runs everything configured.
    selection = ["--stages", stages] if stages else []
    return main(["run", *map(str, args), "--quiet", *selection])


def test_every_document_ends_up_in_documents_or_errors(mixed_folder, tmp_path):
    out = tmp_path / "out"
    status = run(mixed_folder, "--out", out)
    assert status == 1  # the binary file failed
    docs = pd.read_parquet(out / "documents.parquet")
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(docs.doc_id) == ["empty.txt", "good.txt", "sub/gbk.txt"]
    assert [(e["doc_id"], e["stage"], e["error"]) for e in errors] == [("image.txt", "decode", "BinaryInputError")]
    by_id = docs.set_index("doc_id")
    assert by_id.loc["good.txt", "text"] == "青岛科学仪器产业园着力发展。"
    assert by_id.loc["good.txt", "original"] == "青島科學儀器產業園著力發展。"
    assert by_id.loc["sub/gbk.txt", "encoding"] == "gbk"
    assert by_id.loc["sub/gbk.txt", "text"].startswith("青岛科学仪器产业园")
    assert by_id.loc["sub/gbk.txt", "edits_convert"] == 0
    assert json.loads(by_id.loc["empty.txt", "flags"]) == {"empty": 1}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"documents": 3, "failed": 1, "facts": 0, "edits": 8}
    assert [s["name"] for s in manifest["stages"]] == ["decode", "convert"]
    assert set(manifest["timings"]["stages"]) == {"decode", "convert"}
    assert manifest["rule_files"]["convert/fixups.toml"] == manifest["stages"][1]["rule_files"]["convert/fixups.toml"]


def test_output_schemas_are_fixed_even_without_facts(mixed_folder, tmp_path):
    out = tmp_path / "out"
    run(mixed_folder, "--out", out)
    assert pq.read_schema(out / "documents.parquet").remove_metadata() == DOCUMENT_SCHEMA
    assert pq.read_schema(out / "facts.parquet").remove_metadata() == FACT_SCHEMA
    assert pq.read_schema(out / "edits.parquet").remove_metadata() == EDIT_SCHEMA
    assert (out / "facts.jsonl").read_text(encoding="utf-8") == ""
    assert not list(out.glob(".*.tmp"))  # no temporary files left behind


def test_same_input_and_rules_give_byte_identical_outputs(tmp_path, tmp_path_factory):
    a, b = tmp_path / "a", seeds_run(tmp_path_factory)  # b: the session's one-process run of seeds/
    run(SEEDS, "--out", a, stages=None)
    for name in ("documents.parquet", "edits.parquet", "facts.parquet", "facts.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_edits_table_maps_back_to_the_original(tmp_path_factory):
    out = seeds_run(tmp_path_factory)
    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    edits = pd.read_parquet(out / "edits.parquet")
    assert len(edits) > 1000
    for row in edits.itertuples():
        original = docs.loc[row.doc_id, "original"]
        if row.layer == 0:  # first layer: its coordinates are the original's
            assert original[row.start : row.end] == row.before
        assert 0 <= row.orig_start <= row.orig_end <= len(original)


def test_stage_selection_on_the_command_line(tmp_path, capsys):
    out = tmp_path / "out"
    assert run(SEEDS, "--out", out, "--skip", "convert") == 0
    docs = pd.read_parquet(out / "documents.parquet")
    assert (docs.text == docs.original).all()
    assert docs.edits_convert.isna().all()
    assert main(["run", str(SEEDS), "--out", str(out), "--stages", "decode,nosuch"]) == 2
    err = capsys.readouterr().err
    assert "unknown stage 'nosuch'" in err and "known stages: decode, " in err


def test_jsonl_input_with_published_at(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "n1", "text": "臺灣新聞", "published_at": "2021-07-26 11:43", "title": "標題"}, ensure_ascii=False)
        + "\n" + json.dumps({"id": "n2", "text": "新闻", "published_at": "yesterday"}) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert run(src, "--out", out) == 0
    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert docs.loc["n1", "text"] == "台湾新闻"
    assert docs.loc["n1", "published_at"] == "2021-07-26T11:43"
    assert docs.loc["n1", "title"] == "標題" and docs.loc["n1", "source"] == f"{src.as_posix()}:1"
    assert pd.isna(docs.loc["n2", "published_at"])
    assert json.loads(docs.loc["n2", "flags"]) == {"published_at_invalid": 1}


def test_explain_prints_each_edit_with_its_rule(capsys):
    assert main(["explain", str(SEEDS / "000_2c325e8d09d6b9da.txt"), "--stages", "decode,convert"]) == 0
    out = capsys.readouterr().out
    assert "[convert] layer 0:" in out and "[convert] layer 1: 2 edits" in out
    assert "convert.opencc.t2s  '聯' -> '联'" in out
    assert "convert.fixup.zhuoli  '著力' -> '着力'" in out


def test_module_entry_point_reports_failure_status(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(PNG)
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert proc.returncode == 1
    assert "1 failed" in proc.stderr and "errors.jsonl" in proc.stderr


def test_importing_the_package_does_no_work_and_prints_nothing():
    proc = subprocess.run(
        [sys.executable, "-c", "import pipeline, pipeline.cli, pipeline.run.batch, pipeline.stages, pipeline.stages.decode.detect"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == ""


def test_limits_are_settings_with_clear_refusals(tmp_path, capsys):
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "big.txt").write_bytes("新闻".encode() * 1000)  # 6,000 bytes
    (corpus / "small.txt").write_bytes("新闻".encode())
    out = tmp_path / "out"
    assert main(["run", str(corpus), "--out", str(out), "--max-doc-mb", "0.005", "--no-cache", "--quiet",
                 "--no-report", "--jobs", "1"]) == 1
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["doc_id"], e["error"]) for e in errors] == [("big.txt", "TooLarge")]
    assert pd.read_parquet(out / "documents.parquet").doc_id.tolist() == ["small.txt"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["max_bytes"] == 5000 and manifest["engine"]["timeout"] == 300
    for bad in (["--timeout", "-1"], ["--max-doc-mb", "0"], ["--timeout", "nan"]):
        assert main(["run", str(corpus), "--out", str(tmp_path / "o2"), *bad]) == 2
        assert "--timeout must be at least 0" in capsys.readouterr().err
