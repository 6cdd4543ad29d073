"""Crafted lines against every shipped rule regex: the slowest search, in milliseconds.

    .venv/bin/python bench/regex.py [--check]

Issue 22: a crafted line against every shipped rule must finish in under 10 ms. The lines are the
shapes that made the old patterns backtrack exponentially (a long run of units before a currency
that is not there, separators that could also be part of a name) and a few variations. Every
extract rule (money, percent, count, date, ...) and every clean line rule with a pattern is
searched in each line; `--check` compares the slowest with the [regex] floor in bench/floors.toml
(`crafted_searches_per_s`: 1 / the slowest search's seconds, so 100 means 10 ms).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.inspect.floors import check_floors  # noqa: E402
from pipeline.stages.registry import configured_stage  # noqa: E402

SECTION = "regex"

# Each was minutes or more with the patterns before issue 22 (24 万: over five minutes; 40 `a/`: never).
EXTRACT_LINES = (
    "公司投资一" + "万" * 24 + "X元",
    "公司投资一" + "万" * 24 + "X%",
    "公司投资一" + "万" * 24 + "X个百分点",
    "公司投资一" + "万" * 24 + "X块",
    "百分之一" + "万" * 24 + "X",
    "投资1" + "万一" * 12 + "X元",
    "投资一" + "万余" * 12 + "X元",
    "投资一" + "万1" * 12 + "X元",
    "投资一点" + "一" * 24 + "X元",
)
CLEAN_LINES = (
    "a/" * 40 + ",",
    "首页/" * 30 + ",",
    "a·" * 40 + ",",
    "a | " * 25 + ",",
    "首页 国内 " * 12 + ",",
    "a->" * 30 + "a" * 41,
    "首页-->" * 16 + "a" * 41,
)


def slowest(patterns, lines) -> tuple[float, str, str]:
    """The slowest (seconds, rule id, line) over every pattern searched in every line."""
    worst = (0.0, "", "")
    for rule_id, regex in patterns:
        for line in lines:
            t = time.perf_counter()
            for _ in regex.finditer(line):
                pass
            worst = max(worst, (time.perf_counter() - t, rule_id, line))
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail below bench/floors.toml [regex]")
    args = parser.parse_args()
    rules = ROOT / "rules"
    extract = [(r.id, r.regex) for e in configured_stage("extract", rules).extractors for r in e.rules]
    clean = [(r.id, r.pattern) for r in configured_stage("clean", rules).rules.lines if r.pattern is not None]
    figures = {}
    for name, patterns, lines in (("extract", extract, EXTRACT_LINES), ("clean", clean, CLEAN_LINES)):
        seconds, rule_id, line = slowest(patterns, lines)
        print(f"{name}: {len(patterns)} rules x {len(lines)} lines, slowest {seconds * 1000:.3f} ms "
              f"({rule_id} on {line[:24]}…)")
        figures[f"{name}_crafted_searches_per_s"] = 1 / max(seconds, 1e-9)
    figures["crafted_searches_per_s"] = min(figures.values())
    if args.check:
        return check_floors(figures, ROOT / "bench" / "floors.toml", SECTION)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
