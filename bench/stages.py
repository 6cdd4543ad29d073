"""Throughput of each stage on real news, single process.

    .venv/bin/python bench/stages.py [--news PATH] [--repeat N] [--check]

Reads ../shared/data/news/news_zh.jsonl, feeds every article to the pipeline
as bytes (UTF-8 as crawled, plus a GBK copy and a traditional-Chinese copy so
decode and convert do real work), and prints characters per second for each
stage and for the whole run. `--check` compares with the floors in
bench/floors.toml and exits 1 when a figure falls below its floor.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.inspect.floors import check_floors  # noqa: E402
from pipeline.run.config import load_config  # noqa: E402
from pipeline.run.inputs import InputRecord  # noqa: E402
from pipeline.run.runner import Timings, process  # noqa: E402
from pipeline.stages.registry import KNOWN_STAGES, build_stages  # noqa: E402

DEFAULT_NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"


def load_records(path: Path) -> list[InputRecord]:
    to_trad = opencc.OpenCC("s2t")
    records = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            text = obj["text"]
            records.append(InputRecord(obj["id"], "utf8", text.encode("utf-8")))
            records.append(InputRecord(obj["id"] + "#gbk", "gbk", text.encode("gbk", errors="replace")))
            trad = to_trad.convert(text)
            records.append(InputRecord(obj["id"] + "#trad", "trad", trad.encode("utf-8")))
    return records


def best_of(records: list[InputRecord], stages: list, repeat: int) -> tuple[dict[str, float], int, int]:
    """Seconds per stage and in total (the best of `repeat` passes, one process), characters of
    clean text, documents failed."""
    best: dict[str, float] = {}
    chars = failed = 0
    for _ in range(repeat):
        timings = Timings()
        t0 = time.perf_counter()
        outcomes = list(process(records, stages, timings))
        total = time.perf_counter() - t0
        chars = sum(len(o.document.text) for o in outcomes if o.document)
        failed = sum(o.error is not None for o in outcomes)
        for name, seconds in {**timings.seconds, "total": total}.items():
            best[name] = min(best.get(name, float("inf")), seconds)
    return best, chars, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    parser.add_argument("--repeat", type=int, default=3, help="best of N passes")
    parser.add_argument("--check", action="store_true", help="fail below bench/floors.toml")
    args = parser.parse_args()
    if not args.news.is_file():
        print(f"bench: {args.news} not found (it lives in ../shared/data/news/)", file=sys.stderr)
        return 2

    config = load_config(ROOT / "rules", tuple(KNOWN_STAGES))
    t0 = time.perf_counter()
    stages = build_stages(config, config.stages)
    load_seconds = time.perf_counter() - t0
    records = load_records(args.news)

    best, chars, failed = best_of(records, stages, args.repeat)

    figures = {f"{name}_chars_per_s": chars / s for name, s in best.items()}
    print(f"{len(records)} documents ({failed} failed), {chars:,} characters, best of {args.repeat}")
    print(f"stage load time: {load_seconds:.2f} s")
    for name, value in figures.items():
        print(f"{name:<28} {value:>14,.0f}")
    if args.check:
        return check_floors(figures, ROOT / "bench" / "floors.toml", "stages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
