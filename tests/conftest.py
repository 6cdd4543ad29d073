import os
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
