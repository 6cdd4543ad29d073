from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
SEEDS = ROOT / "seeds"


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
