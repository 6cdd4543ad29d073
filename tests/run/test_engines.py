"""Process pool and Dask give the run folder the local engine gives; a killed run resumes."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pandas as pd
import pytest

from pipeline.cli import main

from conftest import ROOT, SEEDS

# whole runs through processes, Dask and a killed subprocess: not in `make quick`.
pytestmark = pytest.mark.e2e

OUTPUTS = ("documents.parquet", "edits.parquet", "facts.parquet", "facts.jsonl")
TRADITIONAL = "青島科學儀器產業園開園典禮在市南區軟體園舉辦，科學儀器產業聯盟正式揭牌。"


def snapshot(out):
    return {name: (out / name).read_bytes() for name in OUTPUTS}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Enough documents, in several encodings, for work to be split."""
    root = tmp_path_factory.mktemp("corpus")
    for i in range(60):
        text = f"第{i}篇。" + TRADITIONAL * (1 + i % 5)
        encoding = ("utf-8", "gbk", "big5")[i % 3]
        data = text.encode(encoding) if encoding != "gbk" else text.encode("gb18030")
        (root / f"{i:03d}.txt").write_bytes(data)
    (root / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    for f in SEEDS.glob("*.txt"):
        (root / f.name).write_bytes(f.read_bytes())
    return root


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref")
    assert main(["run", str(corpus), "--out", str(out), "--jobs", "1", "--no-cache", "--quiet"]) == 1
    return snapshot(out)


def test_two_processes_give_the_same_run_folder(corpus, reference, tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(corpus), "--out", str(out), "--jobs", "2", "--quiet"]) == 1
    assert snapshot(out) == reference
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["jobs"] == 2
    # The workers filled the shared cache: a rerun reuses every document.
    assert main(["run", str(corpus), "--out", str(out), "--jobs", "2", "--quiet"]) == 1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cache"]["reused"]["convert"] == 65
    assert snapshot(out) == reference


def test_dask_local_cluster_gives_the_same_run_folder(corpus, reference, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    status = main(["run", str(corpus), "--out", str(out), "--engine", "dask", "--jobs", "2", "--quiet"])
    assert status == 1
    assert snapshot(out) == reference
    errors = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(e)["doc_id"] for e in errors] == ["bad.txt"]


def test_killed_run_resumes_to_the_same_result(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(600):
        (src / f"{i:04d}.txt").write_text(f"第{i}篇。" + TRADITIONAL * 40, encoding="utf-8")
    # Two cheap stages keep the test quick; resuming works the same for any stages.
    stages = ["--stages", "decode,convert"]
    ref = tmp_path / "ref"
    assert main(["run", str(src), "--out", str(ref), "--jobs", "1", "--no-cache", "--quiet", *stages]) == 0

    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline", "run", str(src), "--out", str(out), "--jobs", "1", "--quiet", *stages]
    proc = subprocess.Popen(cmd, cwd=ROOT)
    cache = out / "cache.sqlite"
    done = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if cache.exists():
            try:
                with sqlite3.connect(cache, timeout=1) as db:
                    done = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
            except sqlite3.DatabaseError:
                continue
            if done >= 200:  # two rows a document: at least 100 finished
                break
    assert proc.poll() is None, "the run finished before it could be killed; make the input larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "manifest.json").exists()  # it really was cut short

    assert main(["run", str(src), "--out", str(out), "--jobs", "1", "--quiet", *stages]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cache"]["reused"]["convert"] >= 100  # finished documents were not redone
    assert manifest["counts"]["documents"] == 600
    assert snapshot(out) == snapshot(ref)
    assert not list(out.glob(".*.tmp"))
    docs = pd.read_parquet(out / "documents.parquet")
    assert docs.doc_id.is_unique and len(docs) == 600
