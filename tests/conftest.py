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


def pytest_collection_modifyitems(items):
    """End-to-end runs and quality gates are slow: `-m "not slow"` (make quick) leaves them out."""
    for item in items:
        if item.get_closest_marker("e2e") or item.get_closest_marker("gate"):
            item.add_marker(pytest.mark.slow)


class BackgroundGates:
    """The quality gates' evaluations, run one after another on a thread beside the rest of the suite.

    Each gate is a subprocess taking 10–70 s of one core while pytest itself uses one; started when
    collection ends, they are done by the time their tests (collected last) ask for the result.
    """

    def __init__(self, jobs: list[tuple[str, list[str]]]):
        self.results: dict[str, Future] = {nodeid: Future() for nodeid, _ in jobs}
        self._jobs = jobs
        self._proc: subprocess.Popen | None = None
        self._stopped = threading.Event()
        threading.Thread(target=self._work, name="quality-gates", daemon=True).start()

    def _work(self) -> None:
        for nodeid, cmd in self._jobs:
            if self._stopped.is_set():
                self.results[nodeid].cancel()
                continue
            try:
                self._proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                              text=True)
                out, err = self._proc.communicate(timeout=900)
                self.results[nodeid].set_result(
                    subprocess.CompletedProcess(cmd, self._proc.returncode, out, err))
            except Exception as exc:  # a timeout or a failed start is the gate's failure, reported there
                if self._proc is not None and self._proc.poll() is None:
                    self._proc.kill()
                self.results[nodeid].set_exception(exc)

    def stop(self) -> None:
        """Leave nothing running when the session ends early (`-x`, Ctrl-C)."""
        self._stopped.set()
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()


GATES = pytest.StashKey[BackgroundGates]()


def pytest_collection_finish(session):
    jobs = [(item.nodeid, item.module.gate_command(**item.callspec.params)) for item in session.items
            if item.get_closest_marker("gate") and hasattr(item.module, "gate_command")
            and not any(m.args and m.args[0] for m in item.iter_markers("skipif"))]
    if jobs:
        session.config.stash[GATES] = BackgroundGates(jobs)


def pytest_sessionfinish(session):
    gates = session.config.stash.get(GATES, None)
    if gates is not None:
        gates.stop()


@pytest.fixture
def gate_result(request) -> subprocess.CompletedProcess:
    """The finished evaluation of this gate test (see BackgroundGates)."""
    return request.config.stash[GATES].results[request.node.nodeid].result()


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
