"""Quality floors pinned in eval/floors.toml hold (trafilatura's gate).

Each evaluation reads ../shared/data, which CI has beside the checkout;
without it the gate is skipped with a message rather than silently passing.
"""

import subprocess
import sys

import pytest

from conftest import ROOT

# runs the eval scripts against eval/floors.toml: not in `make quick`.
pytestmark = pytest.mark.gate

SHARED = ROOT.parent / "shared" / "data"


@pytest.mark.skipif(not (SHARED / "news" / "news_zh.jsonl").is_file(),
                    reason="../shared/data not beside the checkout")
@pytest.mark.parametrize("script,extra", [
    ("decode", []),
    ("repair", []),
    ("clean", ["--show", "0"]),
    ("extract", []),
    ("ner", []),
    ("ner", ["--news"]),  # news_dev: the hand-annotated news, no ../shared needed
    ("dedup", ["--show", "0"]),
])
def test_evaluation_meets_its_floors(script, extra):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "eval" / f"{script}.py"), "--check", *extra],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "check: ok" in proc.stdout
