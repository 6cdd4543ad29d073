"""Throughput of the repair stage on real news, single process.

    .venv/bin/python bench/repair.py [--news PATH] [--repeat N] [--check]

Reads ../shared/data/news/news_zh.jsonl and runs the repair stage on every
article twice over: as it is (undamaged text: the fixers' triggers find
nothing or nearly nothing, the case the stage must be fast for, at least
1 MB/s) and with one damage of each kind from the corruption generator per
article (the fixers do real work). Prints characters per second and UTF-8
megabytes per second for both; `--check` compares with the [repair] floors
in bench/floors.toml and exits 1 when a figure falls below its floor.

What the stage loads on first use (pinyin table, bigram and 4-gram models)
is loaded before the timed passes and its seconds printed apart: counted
inside the first document it made the stage look twenty times slower on a
30-article run (issue 20).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.inspect.floors import check_floors  # noqa: E402
from pipeline.core.document import Document  # noqa: E402
from pipeline.stages.repair import corrupt  # noqa: E402
from pipeline.stages.repair.stage import RepairStage  # noqa: E402
from pipeline.stages.registry import configured_stage  # noqa: E402

DEFAULT_NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
SECTION = "repair"
SEED = 20240604


def load_texts(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return sorted((str(r["id"]), r["text"]) for r in rows if r.get("text"))


def damaged(texts: list[tuple[str, str]], stage: RepairStage) -> list[str]:
    out = []
    table = stage._table
    for doc_id, text in texts:
        rng = random.Random(f"{SEED}:{doc_id}")
        for damage in (
            lambda t: corrupt.annotate(t, rng, table),
            lambda t: corrupt.straddle(t, rng, table),
            lambda t: corrupt.lost_byte(t, rng),
            lambda t: corrupt.silent_deletion(t, rng, "gbk", "lead"),
            lambda t: corrupt.utf8_as_gbk(t, rng),
            lambda t: corrupt.gbk_as_latin1(t, rng),
        ):
            text = damage(text) or text
        out.append(text)
    return out


def timed(stage: RepairStage, texts: list[str], repeat: int) -> tuple[float, float]:
    """Best wall-clock and best process CPU seconds of `repeat` passes (on a shared
    machine the CPU seconds say more about the code, the wall seconds are what floors check)."""
    docs = [Document(doc_id=str(i), source="bench", original=t, text=t) for i, t in enumerate(texts)]
    best = cpu = float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        for doc in docs:
            stage(doc)
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return best, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    parser.add_argument("--repeat", type=int, default=3, help="best of N passes")
    parser.add_argument("--check", action="store_true", help="fail below bench/floors.toml [repair]")
    args = parser.parse_args()
    if not args.news.is_file():
        print(f"bench: {args.news} not found (it lives in ../shared/data/news/)", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    stage = configured_stage("repair", ROOT / "rules")
    load_seconds = time.perf_counter() - t0
    data_seconds = stage.load_data()
    rows = load_texts(args.news)
    clean = [t for _, t in rows]
    dirty = damaged(rows, stage)
    figures = {}
    for name, texts in (("clean", clean), ("damaged", dirty)):
        seconds, cpu = timed(stage, texts, args.repeat)
        chars = sum(map(len, texts))
        nbytes = sum(len(t.encode("utf-8")) for t in texts)
        figures[f"{name}_chars_per_s"] = chars / seconds
        figures[f"{name}_mb_per_s"] = nbytes / seconds / 1e6
        print(f"{name:<8} {len(texts)} documents, {chars:,} characters: "
              f"{chars / seconds:>12,.0f} chars/s  {nbytes / seconds / 1e6:6.2f} MB/s (UTF-8); "
              f"CPU time: {chars / cpu:,.0f} chars/s")
    loads = ", ".join(f"{name} {sec:.2f} s" for name, sec in data_seconds.items())
    print(f"load time, outside the passes: stage {load_seconds:.2f} s; on first use: {loads}")
    if args.check:
        return check_floors(figures, ROOT / "bench" / "floors.toml", SECTION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
