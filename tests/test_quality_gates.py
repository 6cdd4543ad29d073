"""Quality floors pinned in eval/floors.toml hold (trafilatura's gate).

Each evaluation reads ../shared/data, which CI has beside the checkout;
without it the gate is skipped with a message rather than silently passing.
"""

import sys

import pytest

from conftest import ROOT

# runs the eval scripts against eval/floors.toml: not in `make quick`.
pytestmark = pytest.mark.gate

SHARED = ROOT.parent / "shared" / "data"


def gate_command(script: str, extra: list[str]) -> list[str]:
    """The evaluation a gate runs; conftest starts them all in the background when collection ends."""
    return [sys.executable, str(ROOT / "eval" / f"{script}.py"), "--check", *extra]


@pytest.mark.skipif(not (SHARED / "news" / "news_zh.jsonl").is_file(),
                    reason="../shared/data not beside the checkout")
@pytest.mark.parametrize("script,extra", [
    ("repair", []),  # the slowest first: it has the longest to overlap with the rest of the suite
    ("ner", []),
    ("dedup", ["--show", "0"]),
    ("ner", ["--news"]),  # news_dev: the hand-annotated news, no ../shared needed
    ("decode", []),
    ("clean", ["--show", "0"]),
    ("extract", []),
    ("count_objects", []),
])
def test_evaluation_meets_its_floors(script, extra, gate_result):
    assert gate_result.returncode == 0, gate_result.stdout[-3000:] + gate_result.stderr[-2000:]
    assert "check: ok" in gate_result.stdout
