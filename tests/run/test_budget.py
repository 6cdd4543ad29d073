"""Time budgets, dead and overrunning workers: one document fails, the batch goes on."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from dataclasses import dataclass

import pytest

from conftest import RULES
from pipeline.core.document import Edit
from pipeline.core.stage import Assigns, Stage
from pipeline.run import engines
from pipeline.run.budget import DocumentTimeout, time_budget
from pipeline.run.inputs import InputError, InputRecord
from pipeline.run.runner import Pipeline
from pipeline.stages.decode.stage import DecodeStage


def test_the_budget_stops_a_catastrophic_regex_on_the_main_thread():
    t0 = time.perf_counter()
    with pytest.raises(DocumentTimeout, match="0.3 s"):
        with time_budget(0.3):
            re.search(r"(?:a+)+b", "a" * 40)  # exponential: would run for hours
    assert time.perf_counter() - t0 < 5


def test_the_budget_stops_python_code_on_another_thread():
    caught = []

    def work():
        try:
            with time_budget(0.3):
                while True:
                    pass
        except DocumentTimeout as exc:
            caught.append(str(exc))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert not thread.is_alive()
    assert caught and "0.3 s" in caught[0]


@pytest.mark.parametrize("on_thread", [False, True])
def test_a_finished_block_leaves_no_timer_behind(on_thread):
    errors = []

    def work():
        try:
            with time_budget(0.2):
                pass
            time.sleep(0.5)  # past the budget: nothing may fire now
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    if on_thread:
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    else:
        work()
    assert errors == []


def test_no_budget_means_no_limit():
    with time_budget(None):
        time.sleep(0.05)
    with time_budget(0):
        time.sleep(0.05)


class Stuck(Stage):
    """Loops forever on a document holding 卡; with 死, kills its own process (an OOM kill, a crash
    in a C library); with 聋, also deaf to the budget's alarm (stuck in a C call)."""

    name = "stuck"
    version = 1
    assigns = Assigns(layer=True)

    def __call__(self, doc):
        if "死" in doc.text:
            os.kill(os.getpid(), signal.SIGKILL)
        if "聋" in doc.text:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(3600)
        while "卡" in doc.text:
            pass
        return doc.with_edits(self.name, [Edit(0, 0, "+", "stuck.mark")])


def records(*texts):
    return [InputRecord(f"d{i}", f"d{i}.txt", t.encode()) for i, t in enumerate(texts)]


def test_a_document_over_budget_is_recorded_with_its_stage_and_the_rest_run():
    pipeline = Pipeline([DecodeStage({}, RULES), Stuck({}, RULES)], timeout=0.5)
    outcomes = [pipeline.process_one(r) for r in records("第一篇", "卡住了", "第三篇")]
    assert [o.document.text if o.document else None for o in outcomes] == ["+第一篇", None, "+第三篇"]
    error = outcomes[1].error
    assert (error.doc_id, error.stage, error.error) == ("d1", "stuck", "DocumentTimeout")
    assert "0.5 s" in error.message


@dataclass(frozen=True)
class StuckSpec:
    """What engines.run_pool needs of a spec: a timeout, and a pipeline built in each worker."""

    timeout: float | None

    def build(self) -> Pipeline:
        return Pipeline([DecodeStage({}, RULES), Stuck({}, RULES)], timeout=self.timeout)


def run_pool(spec, items, jobs=2):
    t0 = time.perf_counter()
    outcomes = list(engines.run_pool(spec, items, jobs))
    return outcomes, time.perf_counter() - t0


def test_a_worker_that_dies_is_replaced_and_its_document_recorded():
    items = records(*[f"第{i}篇" for i in range(6)], "死了", *[f"第{i}篇" for i in range(6, 12)])
    items.insert(3, InputError("bad", "bad.txt", "NotReadable", "cannot read bad.txt"))
    outcomes, _ = run_pool(StuckSpec(timeout=None), items)
    assert len(outcomes) == len(items)
    ids = [o.document.doc_id if o.document else o.error.doc_id for o in outcomes]
    assert ids == [i.doc_id for i in items]  # input order, every input accounted for
    failed = {o.error.doc_id: o.error for o in outcomes if o.error}
    assert set(failed) == {"bad", "d6"}
    assert failed["d6"].error == "WorkerDied" and "signal 9" in failed["d6"].message
    assert all(o.document.text.startswith("+") for o in outcomes if o.document)


def test_a_worker_deaf_to_its_budget_is_killed_and_the_run_goes_on(monkeypatch):
    monkeypatch.setattr(engines, "HARD_GRACE", 1.0)
    items = records("第一篇", "聋了", "第三篇", "卡住了", "第五篇")
    outcomes, seconds = run_pool(StuckSpec(timeout=0.5), items)
    assert seconds < 60
    errors = {o.error.doc_id: o.error for o in outcomes if o.error}
    assert set(errors) == {"d1", "d3"}
    # The alarm stopped the ordinary loop inside its stage; the deaf one was killed from outside.
    assert (errors["d3"].error, errors["d3"].stage) == ("DocumentTimeout", "stuck")
    assert (errors["d1"].error, errors["d1"].stage) == ("DocumentTimeout", "pipeline")
    assert "was killed" in errors["d1"].message
    assert [o.document.text for o in outcomes if o.document] == ["+第一篇", "+第三篇", "+第五篇"]


@dataclass(frozen=True)
class BrokenSpec:
    timeout: float | None = None

    def build(self) -> Pipeline:
        raise RuntimeError("no model here")


def test_workers_that_cannot_start_fail_the_run_with_the_reason():
    with pytest.raises(engines.WorkerStartError, match="no model here"):
        run_pool(BrokenSpec(), records("第一篇", "第二篇", "第三篇"))


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in os.listdir("/proc"):
        if stat.isdigit():
            try:
                with open(f"/proc/{stat}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(stat))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@pytest.mark.e2e
def test_killing_a_worker_of_a_real_run_loses_at_most_its_document(tmp_path):
    import json
    import subprocess
    import sys

    corpus = tmp_path / "in"
    corpus.mkdir()
    for i in range(200):
        (corpus / f"{i:03d}.txt").write_text(f"第{i}篇。" + "新华社北京电，公司收入100万元，增长5%。" * 20, encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out), "--jobs", "2",
                            "--no-cache", "--no-report", "--quiet"], stderr=subprocess.PIPE, text=True)
    workers: list[int] = []
    for _ in range(600):  # until both workers hold a pipeline (they use more than 150 MB then)
        time.sleep(0.2)
        workers = [p for p in _descendants(run.pid) if _rss_mb(p) > 150]
        if len(workers) >= 2 or run.poll() is not None:
            break
    assert workers, "no worker started"
    time.sleep(1.0)
    os.kill(workers[0], signal.SIGKILL)
    stderr = run.communicate(timeout=600)[1]
    assert run.returncode in (0, 1), stderr
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(e["error"] == "WorkerDied" for e in errors) and len(errors) <= 1, errors
    documents = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]["documents"]
    assert documents + len(errors) == 200


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            line = next(x for x in f if x.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0.0
    return int(line.split()[1]) / 1024
