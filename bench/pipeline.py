"""End-to-end throughput of the whole pipeline on real news, single process.

    .venv/bin/python bench/pipeline.py [--news PATH] [--limit N] [--repeat N] [--check]

Reads ../shared/data/news/news_zh.jsonl as `pipeline run` reads it and runs every stage of rules/pipeline.toml on each article in this
one process, as `pipeline run --jobs 1` does without writing tables. Prints:
- load seconds: each stage's constructor, then what loads on first use (jieba's
  dictionary, the NER model, the NER rules' matcher), outside the timed passes;
- characters per second of the clean text end to end (`total_chars_per_s`, best
  of N passes) and per stage, with each stage's share of the time;
- each stage's CPU time (`time.process_time`, this process's threads) and share of it:
  on a shared machine the wall-clock figures are low by the share other processes take,
  the CPU ones much less so;
- the load average, so a reader knows how busy the machine was.
Characters are those of the documents' clean text (what segment and ner read).
`--check` compares with the [pipeline] floors in bench/floors.toml.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.inspect.floors import check_floors  # noqa: E402
from pipeline.run.config import load_config  # noqa: E402
from pipeline.run.inputs import InputRecord, expand, read_inputs  # noqa: E402
from pipeline.run.threads import use_one_blas_thread  # noqa: E402
from pipeline.stages.registry import KNOWN_STAGES  # noqa: E402
from stages import best_of  # noqa: E402  bench/stages.py: the same best-of-N timing loop

DEFAULT_NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
SECTION = "pipeline"


def load_records(path: Path, limit: int | None) -> list[InputRecord]:
    """The articles as `pipeline run` reads them (ids, metadata, bytes)."""
    records = [r for r in read_inputs(expand([path])) if isinstance(r, InputRecord)]
    return records[:limit] if limit is not None else records


class CpuTimed:
    """A stage whose calls add their CPU time to `cpu[name]` (the runner times wall clock)."""

    def __init__(self, stage, cpu: dict[str, float]):
        self._stage, self._cpu = stage, cpu

    def __getattr__(self, name):
        return getattr(self._stage, name)

    def __call__(self, doc):
        c0 = time.process_time()
        try:
            return self._stage(doc)
        finally:
            name = self._stage.name
            self._cpu[name] = self._cpu.get(name, 0.0) + time.process_time() - c0


def load_stages(config) -> tuple[list, dict[str, float], dict[str, float]]:
    """The configured stages, with what each took to load (constructor and first-use loads), in
    seconds and in CPU seconds."""
    stages, seconds, cpu = [], {}, {}
    for name in config.stages:
        t0, c0 = time.perf_counter(), time.process_time()
        stage = KNOWN_STAGES[name](config.settings.get(name, {}), config.rules_dir)
        seconds[name], cpu[name] = time.perf_counter() - t0, time.process_time() - c0
        stages.append(stage)
        # What the stages load lazily, timed here rather than inside the first document.
        for label, load in (("jieba", getattr(stage, "tagger", None)),
                            ("models", getattr(stage, "load_data", None)),
                            ("ner model", getattr(getattr(stage, "model", None), "nlp", None)),
                            ("ner rules", getattr(getattr(stage, "ruler", None), "nlp", None))):
            if load is not None:
                t0, c0 = time.perf_counter(), time.process_time()
                load()
                seconds[f"{name}: {label}"] = time.perf_counter() - t0
                cpu[f"{name}: {label}"] = time.process_time() - c0
    return stages, seconds, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--repeat", type=int, default=1, help="best of N passes")
    parser.add_argument("--check", action="store_true", help="fail below bench/floors.toml [pipeline]")
    args = parser.parse_args()
    if not args.news.is_file():
        print(f"bench: {args.news} not found (it lives in ../shared/data/news/)", file=sys.stderr)
        return 2
    if args.check and args.limit is not None:
        parser.error("--check measures the whole news set (no --limit)")

    use_one_blas_thread()  # as `pipeline run` does (pipeline/run/threads.py)
    config = load_config(ROOT / "rules", tuple(KNOWN_STAGES))
    stages, load_seconds, load_cpu = load_stages(config)
    records = load_records(args.news, args.limit)

    cpu: dict[str, float] = {}
    best, chars, failed = best_of(records, [CpuTimed(s, cpu) for s in stages], args.repeat)
    # CPU seconds summed over the passes, per pass.
    cpu = {name: seconds / args.repeat for name, seconds in cpu.items()}
    cpu["total"] = sum(cpu.values())

    print(f"{len(records)} articles ({failed} failed), {chars:,} characters of clean text, "
          f"best of {args.repeat}, one process")
    print(f"load average (1, 5, 15 min) after the runs: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs")
    print(f"{'load':<28} {'seconds':>8} {'CPU s':>8}")
    for name, seconds in load_seconds.items():
        print(f"  {name:<26} {seconds:>8.2f} {load_cpu[name]:>8.2f}")
    print(f"  {'total':<26} {sum(load_seconds.values()):>8.2f} {sum(load_cpu.values()):>8.2f}")
    print(f"{'stage':<16} {'seconds':>9} {'share':>7} {'chars/s':>14} {'CPU s':>9} {'CPU share':>10} {'CPU chars/s':>14}")
    for name, seconds in best.items():
        c = cpu.get(name, 0.0)
        print(f"{name:<16} {seconds:>9.2f} {seconds / best['total']:>7.1%} {chars / seconds:>14,.0f} "
              f"{c:>9.2f} {c / cpu['total']:>10.1%} {chars / c if c else 0:>14,.0f}")
    figures = {f"{name}_chars_per_s": chars / s for name, s in best.items()}
    if args.check:
        return check_floors(figures, ROOT / "bench" / "floors.toml", SECTION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
