"""Whatever the inputs hold, a batch finishes and every input is a document or an error.

Hypothesis builds folders of files with arbitrary byte names and contents, and JSONL files of
arbitrary lines (valid records with odd values, lone surrogates, deep nesting, huge integers,
non-objects, broken JSON, bytes that are not UTF-8), runs all seven stages over them into a run
folder, and reads the folder back.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import RULES, examples
from pipeline.inspect.load import load_run
from pipeline.run.batch import run_batch
from pipeline.run.config import load_config
from pipeline.stages.registry import KNOWN_STAGES, build_stages

TEXT = st.text(alphabet=st.characters(codec=None), max_size=40) | st.sampled_from(
    ["公司收入100万元，增长5%。", "新華社北京電", "\u0301" * 30, "\ud800", "１２，３４５元", "\ufeff", "?;泼鳎合衷?"])


def jsonl_line() -> st.SearchStrategy[bytes]:
    value = st.one_of(TEXT, st.integers(-10**30, 10**30), st.none(), st.booleans(), st.lists(TEXT, max_size=2))
    record = st.fixed_dictionaries(
        {}, optional={"id": st.one_of(TEXT, st.integers(-10**20, 10**20)), "text": value,
                      "title": value, "published_at": st.one_of(TEXT, st.sampled_from(["2021-07-26", "2021-13-45"])),
                      "url": value})
    good = record.map(lambda r: json.dumps(r, ensure_ascii=True).encode())  # escapes keep lone surrogates
    odd = st.sampled_from([b"[1,2]", b"{", b"\xff\xfe{}", b"[" * 5000, b'{"id": 1' + b"0" * 5000 + b', "text": "x"}',
                           b'{"id": "\\ud800", "text": "\\udfff"}', b"", b"   "])
    return st.one_of(good, odd)


FILE_NAME = st.binary(min_size=1, max_size=12).map(lambda b: b.replace(b"/", b"_").replace(b"\0", b"_"))


@pytest.fixture(scope="module")
def stages():
    config = load_config(RULES, tuple(KNOWN_STAGES))
    return config, build_stages(config, config.stages)


@pytest.mark.e2e  # whole runs: left out of `make quick`
@settings(deadline=None, max_examples=examples(25),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=st.lists(st.tuples(FILE_NAME, st.binary(max_size=200) | TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))),
                      max_size=4, unique_by=lambda f: f[0]),
       lines=st.lists(jsonl_line(), max_size=6))
def test_every_input_ends_up_in_the_run_folder(tmp_path_factory, stages, files, lines):
    config, built = stages
    root = tmp_path_factory.mktemp("fuzz")
    folder = root / "in"
    folder.mkdir()
    for name, data in files:
        with open(os.path.join(os.fsencode(folder), name + b".txt"), "wb") as f:
            f.write(data)
    jsonl = root / "in.jsonl"
    # A first record of its own: a file starting with \xff\xfe is UTF-16 by design (see inputs.jsonl_lines).
    lines = [br'{"id": "first", "text": "\u7b2c\u4e00"}', *lines]
    jsonl.write_bytes(b"\n".join(lines) + b"\n")
    out = root / "out"
    summary = run_batch([str(folder), str(jsonl)], out, config, built, show_progress=False, timeout=60)
    expected = len(files) + sum(1 for line in lines if line.strip())
    assert summary.documents + summary.failed == expected
    run = load_run(out)
    assert len(run.documents) + len(run.errors) == expected
    assert run.documents.doc_id.is_unique
    shutil.rmtree(root)
