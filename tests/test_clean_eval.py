"""The clean evaluation meets its pinned floors (eval/floors.toml [clean]).

It reads ../shared/data/news, which CI has beside the checkout; without it the
gate is skipped with a message rather than silently passing.
"""

import subprocess
import sys

import pytest

from conftest import ROOT

NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"


@pytest.mark.skipif(not NEWS.is_file(), reason="../shared/data/news not beside the checkout")
def test_clean_evaluation_meets_its_floors():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "eval" / "clean.py"), "--check", "--show", "0"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "check: ok" in proc.stdout
