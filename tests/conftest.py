import os
import subprocess
import threading
from concurrent.futures import Future
from pathlib import Path

import pytest
from hypothesis import settings

# `make quick` runs property tests with fewer examples. `make test` (CI) runs them derandomized, so a
# submission is judged on the same examples every time; `make fuzz` searches with fresh random ones,
# ten times as many (PIPELINE_FUZZ scales every test's own count, see `examples`).
settings.register_profile("quick", max_examples=10)
settings.register_profile("fixed", derandomize=True, database=None)


def examples(n: int) -> int:
    """A property test's example count: its own `n`, times PIPELINE_FUZZ (`make fuzz`) when set."""
    return n * max(1, int(os.environ.get("PIPELINE_FUZZ", "1")))

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
SEEDS = ROOT / "seeds"


def load_script(relative: str):
    """A script of the repository (eval/, scripts/ are folders of scripts, not packages) imported from
    its path, e.g. load_script("eval/ner.py")."""
    import importlib.util

    path = ROOT / relative
    spec = importlib.util.spec_from_file_location("_".join(Path(relative).with_suffix("").parts), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pytest_collection_modifyitems(items):
    """End-to-end runs and quality gates are slow: `-m "not slow"` (make quick) leaves them out."""
    for item in items:
        if item.get_closest_marker("e2e") or item.get_closest_marker("gate"):
            item.add_marker(pytest.mark.slow)


class BackgroundGates:
    """The quality gates' evaluations, run in subprocesses beside the rest of the suite.

    Each gate is a subprocess taking 10-150 s of one core. Started when collection ends, they run
    one at a time while pytest itself uses the other core; the gate tests are collected last, and
    when the first of them asks for its result pytest has nothing else to do, so a second runner
    starts and the gates left run two at a time (`make test` is otherwise as long as the gates' tail).
    """

    def __init__(self, jobs: list[tuple[str, list[str]]]):
        self.results: dict[str, Future] = {nodeid: Future() for nodeid, _ in jobs}
        self._jobs = list(jobs)
        self._lock = threading.Lock()
        self._procs: list[subprocess.Popen] = []
        self._stopped = threading.Event()
        self._runners = 0
        self._start_runner()

    def _start_runner(self) -> None:
        with self._lock:
            if self._runners >= 2 or not self._jobs:
                return
            self._runners += 1
        threading.Thread(target=self._work, name=f"quality-gates-{self._runners}", daemon=True).start()

    def _next(self) -> tuple[str, list[str]] | None:
        with self._lock:
            return self._jobs.pop(0) if self._jobs else None

    def _work(self) -> None:
        while (job := self._next()) is not None:
            nodeid, cmd = job
            if self._stopped.is_set():
                self.results[nodeid].cancel()
                continue
            proc = None
            try:
                proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                with self._lock:
                    self._procs.append(proc)
                out, err = proc.communicate(timeout=900)
                self.results[nodeid].set_result(subprocess.CompletedProcess(cmd, proc.returncode, out, err))
            except Exception as exc:  # a timeout or a failed start is the gate's failure, reported there
                if proc is not None and proc.poll() is None:
                    proc.kill()
                self.results[nodeid].set_exception(exc)

    def result(self, nodeid: str) -> subprocess.CompletedProcess:
        """The gate's finished evaluation; asking means the rest of the suite is done: run two at a time."""
        self._start_runner()
        return self.results[nodeid].result()

    def stop(self) -> None:
        """Leave nothing running when the session ends early (`-x`, Ctrl-C)."""
        self._stopped.set()
        with self._lock:
            procs = list(self._procs)
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


GATES = pytest.StashKey[BackgroundGates]()


def pytest_collection_finish(session):
    if session.config.option.collectonly:
        return
    jobs = [(item.nodeid, item.module.gate_command(**item.callspec.params)) for item in session.items
            if item.get_closest_marker("gate") and hasattr(item.module, "gate_command")
            and not any(m.args and m.args[0] for m in item.iter_markers("skipif"))]
    if jobs:
        session.config.stash[GATES] = BackgroundGates(jobs)


def pytest_runtest_logreport(report):
    """A failure's one-line summary as it happens, not only at the end: a CI log that is cut short
    (or a run that hangs later) still says what failed first and why."""
    if report.failed and report.longrepr is not None:
        crash = getattr(report.longrepr, "reprcrash", None)
        reason = crash.message.splitlines()[0][:300] if crash and crash.message else str(report.longrepr)[-300:]
        print(f"\n{report.when.upper()} FAILED {report.nodeid}: {reason}", flush=True)


def pytest_sessionfinish(session):
    gates = session.config.stash.get(GATES, None)
    if gates is not None:
        gates.stop()


@pytest.fixture
def gate_result(request) -> subprocess.CompletedProcess:
    """The finished evaluation of this gate test (see BackgroundGates)."""
    return request.config.stash[GATES].result(request.node.nodeid)


@pytest.fixture(scope="session")
def extract():
    """The extract stage with the shipped rules, built once for every test that reads facts."""
    from pipeline.stages.extract.stage import ExtractStage

    return ExtractStage({}, RULES)


@pytest.fixture(scope="session")
def segment():
    """The segment stage with the shipped rules (jieba's dictionary loads once per session)."""
    from pipeline.stages.segment.stage import SegmentStage

    return SegmentStage({}, RULES)


@pytest.fixture(scope="session")
def config():
    from pipeline.run.config import load_config
    from pipeline.stages.registry import KNOWN_STAGES

    return load_config(RULES, tuple(KNOWN_STAGES))


@pytest.fixture
def rules_copy(tmp_path):
    """A private copy of rules/ that a test may edit."""
    import shutil

    dst = tmp_path / "rules"
    shutil.copytree(RULES, dst)
    return dst
