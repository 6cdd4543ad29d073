"""Train the NER model: data prep (scripts/ner_data.py), `spacy train`, keep model-best.

Steps:
1. scripts/ner_data.py writes build/ner/{train,dev,dev_<source>}.spacy and summary.json
   from ../shared/data/ner/ (research-use corpora; see that script's docstring).
2. `python -m spacy train scripts/ner_config.cfg` with the fixed seed of the config
   (--seed overrides it) into <work>/train-out.
3. model-best is copied to --output (default models/ner-zh; replaced whole), model-last
   is left in <work> and never shipped.
4. `spacy evaluate` of the copied model on the dev split prints P/R/F per label and
   the inference speed; training speed (characters per second of wall time) is printed
   from the character count in summary.json, the epochs run and the wall time.

Quick check of the whole pipeline on a subset (nothing written to models/):
  python scripts/train_ner.py --max-train 3000 --max-dev 500 --work build/ner-smoke \
      --output build/ner-smoke/model --set training.max_epochs=5

Usage: python scripts/train_ner.py [--data DIR] [--work DIR] [--output DIR]
       [--max-train N] [--max-dev N] [--seed N] [--set section.key=value ...]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "scripts" / "ner_config.cfg"
# A row of spaCy's console table: epoch, step, losses, scores.
_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+[\d.]+\s")


def run(cmd: list[str]) -> list[str]:
    """Run cmd, echoing its output, and return the output lines."""
    print("+", " ".join(cmd), flush=True)
    lines = []
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        for line in proc.stdout:
            print(line, end="", flush=True)
            lines.append(line)
    if proc.returncode:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return lines


def epochs_run(log: list[str]) -> int:
    """Epochs started, from the first column of spaCy's training table (spaCy keeps no other record)."""
    rows = [m for m in (_ROW.match(line) for line in log) if m]
    return int(rows[-1].group(1)) + 1 if rows else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "ner")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "ner")
    parser.add_argument("--output", type=Path, default=ROOT / "models" / "ner-zh")
    parser.add_argument("--max-train", type=int, default=None)
    parser.add_argument("--max-dev", type=int, default=None)
    parser.add_argument("--seed", type=int, default=None, help="overrides [system] seed of the config")
    parser.add_argument(
        "--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
        help="config override passed to spacy train, e.g. training.max_epochs=3",
    )
    args = parser.parse_args(argv)

    prep = [sys.executable, str(ROOT / "scripts" / "ner_data.py"), "--data", str(args.data), "--out", str(args.work)]
    if args.max_train is not None:
        prep += ["--max-train", str(args.max_train)]
    if args.max_dev is not None:
        prep += ["--max-dev", str(args.max_dev)]
    run(prep)

    train_out = args.work / "train-out"
    cmd = [
        sys.executable, "-m", "spacy", "train", str(CONFIG),
        "--output", str(train_out),
        "--paths.train", str(args.work / "train.spacy"),
        "--paths.dev", str(args.work / "dev.spacy"),
    ]
    if args.seed is not None:
        cmd += ["--system.seed", str(args.seed)]
    for override in args.set:
        key, sep, value = override.partition("=")
        if not sep:
            parser.error(f"--set needs SECTION.KEY=VALUE, got {override!r}")
        cmd += [f"--{key}", value]
    started = time.perf_counter()
    log = run(cmd)
    seconds = time.perf_counter() - started

    best = train_out / "model-best"
    if args.output.exists():
        shutil.rmtree(args.output)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(best, args.output)

    summary = json.loads((args.work / "summary.json").read_text(encoding="utf-8"))
    train_chars = sum(n for where, n in summary["characters"].items() if where.startswith("train/"))
    meta = json.loads((args.output / "meta.json").read_text(encoding="utf-8"))
    epochs = epochs_run(log)
    print(
        f"trained {epochs} epoch(s) (the last possibly partial) over {train_chars} characters in {seconds:.0f} s "
        f"(wall time, dev evaluations included): {epochs * train_chars / seconds:.0f} chars/s; "
        f"model-best -> {args.output} (dev ents_f {meta.get('performance', {}).get('ents_f')})",
        flush=True,
    )
    run([sys.executable, "-m", "spacy", "evaluate", str(args.output), str(args.work / "dev.spacy")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
