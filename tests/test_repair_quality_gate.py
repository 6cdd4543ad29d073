"""Repair quality floors pinned in eval/floors.toml [repair] hold.

eval/repair.py reads ../shared/data/news; without it the gate is skipped with a
message rather than silently passing.
"""

import subprocess
import sys

import pytest

from conftest import ROOT

NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"


@pytest.mark.skipif(not NEWS.is_file(), reason="../shared/data/news not beside the checkout")
def test_repair_evaluation_meets_its_floors():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "eval" / "repair.py"), "--check"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "check: ok" in proc.stdout
