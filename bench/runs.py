"""Whole runs on the news set: cold, cached reruns, rule edits, jobs, memory.

    .venv/bin/python bench/runs.py [--news PATH] [--jobs N] [--memory] [--check]

Prints wall-clock seconds for: a cold run; a rerun with nothing changed; a
rerun after editing one money rule; a rerun after editing one boilerplate
rule; `--jobs 1` against `--jobs N`. Each rerun is also shown as a share of
the cold run. `--memory` adds the peak resident memory of a run over the
news set and over ten copies of it. `--check` compares the figures with
`[runs]` in bench/floors.toml (shares are ceilings, speed-up a floor).
Each run is a real `pipeline run` process on a copy of `rules/`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
PIPELINE = [sys.executable, "-m", "pipeline"]

# Which rule file stands for "one money rule" and "one boilerplate rule", in
# order of preference; an edit appends a comment, which changes the file's
# hash (and so the fingerprint) and nothing else.
MONEY_RULES = ("extract/money.toml",)
BOILERPLATE_RULES = ("clean/lines.toml", "clean/boilerplate.toml", "clean/navigation.toml")


def run(args: list[str]) -> tuple[float, dict]:
    t0 = time.perf_counter()
    # --no-report: these figures are about the stages and the cache; the
    # report's own speed is measured by bench/report.py.
    proc = subprocess.run([*PIPELINE, *args, "--quiet", "--no-report"], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"pipeline failed ({proc.returncode}): {proc.stderr[-2000:]}")
    out = Path(args[args.index("--out") + 1])
    return seconds, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def touch_rule(rules: Path, candidates: tuple[str, ...]) -> str | None:
    for rel in candidates:
        path = rules / rel
        if path.is_file():
            with path.open("a", encoding="utf-8") as fh:
                fh.write(f"\n# bench edit {time.time_ns()}\n")
            return rel
    return None


def peak_rss_mb(args: list[str]) -> float:
    """Peak resident memory of one `pipeline run`, measured by a fresh parent of its own.

    RUSAGE_CHILDREN is a maximum over every child a process ever had, so the
    run gets a one-shot parent that reports just that run's peak.
    """
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    cmd = [sys.executable, "-c", probe, *PIPELINE, *args, "--quiet", "--no-report"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return int(out.split()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--memory", action="store_true", help="also measure peak memory (1x and 10x input)")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if not args.news.is_file():
        print(f"bench: {args.news} not found", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="bench-runs-"))
    try:
        rules = work / "rules"
        shutil.copytree(ROOT / "rules", rules)
        news = [str(args.news)]
        out = str(work / "run")
        base = ["run", *news, "--out", out, "--rules", str(rules), "--jobs", "1"]
        figures: dict[str, float] = {}

        cold, m = run(base)
        figures["cold_s"] = cold
        docs = m["counts"]["documents"]
        print(f"{docs} documents, stages {[s['name'] for s in m['stages']]}")
        print(f"cold run                          {cold:8.2f} s")
        again, _ = run(base)
        figures["rerun_unchanged_share"] = again / cold
        print(f"rerun, nothing changed            {again:8.2f} s  {again / cold:6.1%} of cold")
        for label, key, candidates in (("money rule", "rerun_money_share", MONEY_RULES),
                                       ("boilerplate rule", "rerun_boilerplate_share", BOILERPLATE_RULES)):
            rel = touch_rule(rules, candidates)
            if rel is None:
                print(f"rerun after editing a {label:<17} n/a (no {' or '.join(candidates)} yet)")
                continue
            seconds, m = run(base)
            figures[key] = seconds / cold
            reused = ", ".join(f"{k} {v}" for k, v in m["cache"]["reused"].items())
            print(f"rerun after editing a {label:<11} {seconds:8.2f} s  {seconds / cold:6.1%} of cold"
                  f"  ({rel}; reused: {reused})")

        one, _ = run(["run", *news, "--out", str(work / "j1"), "--jobs", "1", "--no-cache", "--rules", str(rules)])
        many, _ = run(["run", *news, "--out", str(work / "jn"), "--jobs", str(args.jobs), "--no-cache",
                       "--rules", str(rules)])
        figures["jobs_speedup"] = one / many
        print(f"--jobs 1 {one:.2f} s, --jobs {args.jobs} {many:.2f} s: {one / many:.2f}x")
        same = all((work / "j1" / f).read_bytes() == (work / "jn" / f).read_bytes()
                   for f in ("documents.parquet", "facts.jsonl", "edits.parquet"))
        print(f"--jobs {args.jobs} output identical to --jobs 1: {same}")

        if args.memory:
            big = work / "news10.jsonl"
            with big.open("w", encoding="utf-8") as fh:
                for copy in range(10):
                    for line in args.news.open(encoding="utf-8"):
                        obj = json.loads(line)
                        obj["id"] = f"{obj['id']}#{copy}"
                        fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
            small_mb = peak_rss_mb(["run", *news, "--out", str(work / "m1"), "--jobs", "1", "--no-cache"])
            big_mb = peak_rss_mb(["run", str(big), "--out", str(work / "m10"), "--jobs", "1", "--no-cache"])
            figures["memory_growth_10x"] = big_mb / small_mb
            print(f"peak memory: news {small_mb:.0f} MB, 10x news {big_mb:.0f} MB ({big_mb / small_mb:.2f}x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if args.check:
        limits = tomllib.loads((ROOT / "bench" / "floors.toml").read_text(encoding="utf-8")).get("runs", {})
        bad = []
        for key, limit in limits.items():
            if key not in figures:
                continue
            ok = figures[key] >= limit if key in ("jobs_speedup",) else figures[key] <= limit
            if not ok:
                bad.append(f"{key} = {figures[key]:.3f} (limit {limit})")
        for line in bad:
            print(f"OUT OF BOUNDS {line}", file=sys.stderr)
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
