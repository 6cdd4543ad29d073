"""Huge and hostile single documents through the whole pipeline: time and peak memory.

    .venv/bin/python bench/stress.py [--scale F] [--case NAME ...] [--check]

Each case is one document (one input record) run through every stage in a fresh
process, after the stages have loaded and read a small warm-up document, so its
figures are the document's own:
- article: the seeds repeated to 5 MB, line breaks kept;
- line: the same with line breaks made spaces, one 5 MB line;
- digits: a 1 MB line of digits (one sentence, one word);
- lines: a 1,000,000-line file (the line numbers, 6.9 MB);
- unknown_han: 3,000 × 虁 (a run jieba's HMM tags: every state possible);
- combining: 10 KB of combining marks after a letter;
- split: the article case's text cut into 1,000 documents, run one after the other
  (the issue's yardstick: the 5 MB article may take at most twice as long).
Printed per case: input MB, seconds, seconds per MB, peak resident MB of the process
and its growth over the warmed-up process per MB of input. `--scale 0.1` runs every
case at a tenth of its size (the shapes stay; the 1 GB bound is checked only at full size).
`--check` (every case, full size) compares with the [stress] floors in bench/floors.toml:
input KB/s per case, MB of headroom under 1 GB peak, and split/article time (at least 0.5).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.inspect.floors import check_floors  # noqa: E402

SECTION = "stress"
CASES = ("article", "line", "digits", "lines", "unknown_han", "combining", "split")
PEAK_LIMIT_MB = 1024
MB = 1_000_000


def seed_text() -> str:
    return "".join(p.read_text(encoding="utf-8") + "\n" for p in sorted((ROOT / "seeds").glob("*.txt")))


def repeat_to(text: str, size: int) -> str:
    """`text` repeated to `size` bytes of UTF-8 (cut at a character)."""
    data = text.encode("utf-8")
    return (data * (size // len(data) + 1))[:size].decode("utf-8", errors="ignore")


def inputs(case: str, scale: float) -> list[bytes]:
    """The case's documents as the bytes a user would feed in."""
    if case in ("article", "split"):
        text = repeat_to(seed_text(), int(5 * MB * scale))
        if case == "article":
            return [text.encode("utf-8")]
        n = max(1, int(1000 * scale))
        step = len(text) // n + 1
        return [text[i : i + step].encode("utf-8") for i in range(0, len(text), step)]
    if case == "line":
        return [repeat_to(seed_text().replace("\n", " "), int(5 * MB * scale)).encode("utf-8")]
    if case == "digits":
        return [b"7" * int(MB * scale)]
    if case == "lines":
        return ["\n".join(map(str, range(int(1_000_000 * scale)))).encode("utf-8")]
    if case == "unknown_han":
        return [("虁" * int(3000 * scale)).encode("utf-8")]
    if case == "combining":
        return [("a" + "\u0301" * int(5000 * scale)).encode("utf-8")]  # 2 bytes a mark
    raise ValueError(case)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def child(case: str, scale: float) -> dict:
    """Run one case in this process; the figures as a dict."""
    from pipeline.run.config import load_config
    from pipeline.run.inputs import InputRecord
    from pipeline.run.runner import Pipeline
    from pipeline.stages.registry import KNOWN_STAGES, build_stages

    config = load_config(ROOT / "rules", tuple(KNOWN_STAGES))
    t0 = time.perf_counter()
    pipeline = Pipeline(build_stages(config, config.stages))
    warm = pipeline.process_one(InputRecord("warm", "warm", seed_text()[:3000].encode("utf-8")))
    load_seconds = time.perf_counter() - t0
    if warm.error is not None:
        raise SystemExit(f"warm-up failed: {warm.error}")
    docs = inputs(case, scale)
    size = sum(map(len, docs))
    warm_mb = peak_mb()
    failed, stages = 0, {}
    t0 = time.perf_counter()
    for i, data in enumerate(docs):
        outcome = pipeline.process_one(InputRecord(f"{case}{i}", f"{case}{i}.txt", data))
        failed += outcome.error is not None
        for name, seconds in outcome.timings.items():
            stages[name] = stages.get(name, 0.0) + seconds
    seconds = time.perf_counter() - t0
    peak = peak_mb()
    return {"case": case, "documents": len(docs), "failed": failed, "mb": size / MB, "seconds": seconds,
            "load_seconds": load_seconds, "peak_mb": peak, "warm_mb": warm_mb,
            "stages": {k: round(v, 2) for k, v in stages.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size of every case (1 = as listed)")
    parser.add_argument("--case", action="append", choices=CASES, help="run only these (repeatable)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds a case may take")
    parser.add_argument("--check", action="store_true", help="fail below bench/floors.toml [stress]")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "SCALE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], float(args.child[1]))))
        return 0
    if args.check and (args.scale != 1 or args.case):
        parser.error("--check compares every case at full size (no --scale, no --case)")

    figures: dict[str, float] = {}
    results = {}
    print(f"{'case':<12} {'docs':>5} {'MB':>7} {'seconds':>9} {'s/MB':>8} {'peak MB':>8} {'+MB/MB':>7}  stages (s)")
    for case in args.case or CASES:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", case, str(args.scale)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            print(f"{case:<12} did not finish in {args.timeout:.0f} s")
            continue
        if done.returncode != 0:
            print(f"{case:<12} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        results[case] = r
        growth = (r["peak_mb"] - r["warm_mb"]) / r["mb"]
        print(f"{case:<12} {r['documents']:>5} {r['mb']:>7.2f} {r['seconds']:>9.2f} {r['seconds'] / r['mb']:>8.2f} "
              f"{r['peak_mb']:>8.0f} {growth:>7.1f}  {r['stages']}"
              + (f"  FAILED {r['failed']}" if r["failed"] else ""), flush=True)
        figures[f"{case}_input_kb_per_s"] = r["mb"] * 1000 / r["seconds"]
        if args.scale >= 1:
            figures[f"{case}_mb_under_1gb"] = PEAK_LIMIT_MB - r["peak_mb"]
        if r["failed"]:
            figures[f"{case}_input_kb_per_s"] = 0.0
    if "article" in results and "split" in results:
        ratio = results["split"]["seconds"] / results["article"]["seconds"]
        figures["split_over_article"] = ratio
        print(f"split into {results['split']['documents']} documents / one article: {ratio:.2f} "
              "(the article takes at most twice as long: >= 0.5)")
    if args.check:
        return check_floors(figures, ROOT / "bench" / "floors.toml", SECTION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
