"""Each bench script still runs and computes every figure its floors section pins.

A handful of news articles and one pass with --check: whether the figures clear
their floors is not asserted (six articles say nothing about speed), only that the
check ran and found every figure. This catches a script broken by a change in what
it imports, which nothing else runs between benchmark sessions.
"""

import subprocess
import sys
import tomllib

import pytest

from conftest import ROOT

pytestmark = pytest.mark.e2e

NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
FLOORS = tomllib.loads((ROOT / "bench" / "floors.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def few_news(tmp_path_factory):
    if not NEWS.is_file():
        pytest.skip("../shared/data not beside the checkout")
    path = tmp_path_factory.mktemp("bench") / "news.jsonl"
    with NEWS.open(encoding="utf-8") as f:
        path.write_text("".join(next(f) for _ in range(6)), encoding="utf-8")
    return path


@pytest.mark.parametrize("script,section", [
    ("stages", "stages"), ("extract", "extract"), ("repair", "repair"), ("ner", "ner"), ("pipeline", "pipeline"),
])
def test_bench_script_prints_its_figures(script, section, few_news):
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / f"{script}.py"), "--news", str(few_news),
                           "--repeat", "1", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1) and "check: " in proc.stdout, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert FLOORS[section] and "no such figure" not in proc.stdout, proc.stdout
