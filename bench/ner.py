"""Throughput of the ner stage on real news, single process; model load time separately.

    .venv/bin/python bench/ner.py [--news PATH] [--repeat N] [--model NAME|PATH] [--check]

Reads ../shared/data/news/news_zh.jsonl, runs the segment stage first (not
timed: the pipeline has already paid for it when ner runs), then times, best
of N passes over all documents:
- `ner_chars_per_s`: the whole stage as the pipeline calls it (the model on
  each document's sentences, the span_ruler rules, the merge and completion);
- `model_chars_per_s`: the model part alone.
`--check` compares with the [ner] floors in bench/floors.toml.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.extract import DEFAULT_NEWS, load_docs, timed  # noqa: E402
from eval.ner import model_setting  # noqa: E402
from pipeline.inspect.floors import check_floors  # noqa: E402
from pipeline.stages.registry import configured_stage  # noqa: E402

SECTION = "ner"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    parser.add_argument("--repeat", type=int, default=3, help="best of N passes")
    parser.add_argument("--model", default=None, help="model name or folder (default: the stage's setting)")
    parser.add_argument("--check", action="store_true", help="fail below bench/floors.toml [ner]")
    args = parser.parse_args()
    if not args.news.is_file():
        print(f"bench: {args.news} not found (it lives in ../shared/data/news/)", file=sys.stderr)
        return 2
    rules = ROOT / "rules"
    segment = configured_stage("segment", rules)
    docs = [segment(d) for d in load_docs(args.news)]
    chars = sum(len(d.text) for d in docs)

    t0 = time.perf_counter()
    stage = configured_stage("ner", rules, **model_setting(args.model))
    stage.model.nlp()
    stage.ruler.nlp()
    load = time.perf_counter() - t0
    model_part = stage.parts()[0]
    model_seconds, model_cpu, _ = timed(model_part.run, docs, args.repeat)
    seconds, cpu, out = timed(stage, docs, args.repeat)
    names = sum(1 for d in out for f in d.facts if f.type in ("org", "person", "location"))

    figures = {"ner_chars_per_s": chars / seconds, "model_chars_per_s": chars / model_seconds}
    print(f"{len(docs)} documents, {chars:,} characters, {names:,} names, best of {args.repeat}")
    # Timings on a shared machine are low by about the share others take: say how busy it was.
    print(f"load average (1, 5, 15 min) after the runs: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} CPUs")
    print(f"load: model {stage.model.label} and rules {load:.2f} s")
    cpu_figures = {"ner_chars_per_s": chars / cpu, "model_chars_per_s": chars / model_cpu}
    for name, value in figures.items():
        print(f"{name:<28} {value:>14,.0f}   (CPU time: {cpu_figures[name]:,.0f})")
    if args.check:
        return check_floors(figures, ROOT / "bench" / "floors.toml", SECTION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
