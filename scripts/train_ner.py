"""Train the NER model shipped as pipeline/stages/ner/models/ner_zh, and write its model card.

Steps:
1. scripts/ner_data.py writes build/ner/{train,dev,dev_<source>}.spacy and summary.json
   from ../shared/data/ner/ (research-use corpora; see that script's docstring).
2. `python -m spacy train scripts/ner_config.cfg --code scripts/ner_corpus.py` (the reader
   that gives the model its word features) with the fixed seed of the config (--seed
   overrides it) into <work>/train-out.
3. model-best (the best dev score seen) is copied to --output (replaced whole; it must stay
   under 50 MB), its meta.json gets the model's name, version, licence and sources.
4. scripts/calibrate_ner.py writes <output>/calibration.json (the confidence map, fitted on
   the news calibration set, split calib).
5. eval/ner.py (dev split), eval/ner.py --news (news_dev) and bench/ner.py (news, speed) run
   on the copied model and their output goes into the model card, <output>/README.md, with
   the training time.

Quick check of the whole path on a subset (nothing written to pipeline/stages/ner/models/):
  python scripts/train_ner.py --max-train 3000 --max-dev 500 --work build/ner-smoke \
      --output build/ner-smoke/model --set training.max_epochs=1 --skip-card

Usage: python scripts/train_ner.py [--data DIR] [--work DIR] [--output DIR] [--version V]
       [--max-train N] [--max-dev N] [--seed N] [--set section.key=value ...] [--skip-card]
       [--backend jieba|rjieba] [--reuse-data] [--blis]
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
MAX_BYTES = 50 * 1024 * 1024
LICENSE = (
    "Research use only: trained on MSRA (SIGHAN 2006), People's Daily January 1998 (PKU) and "
    "CLUENER2020, which are distributed for research use, and on this project's hand-annotated news "
    "(eval/data/ner_news, THUCNews and SogouCS articles, research use)."
)
# `python -m spacy` with numpy's BLAS for the network's matrix products: thinc multiplies with
# blis by default, at a quarter of numpy's speed on this model's shapes here (the ner stage runs
# the same way, pipeline/stages/ner/tagger.py). The ops must be current before spaCy builds the
# model; every layer takes the current ops when it is made.
SPACY_NUMPY_OPS = (
    "import sys; from thinc.api import NumpyOps, set_current_ops; set_current_ops(NumpyOps(use_blis=False)); "
    "sys.argv[0] = 'spacy'; from spacy.cli import setup_cli; setup_cli()"
)
# Hash embedding rows of the lexicon feature: its tags are a few dozen (B/M/E/S of ORG, LOC, LOC+ORG).
LEXICON_ROWS = 200
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


def train(args, parser, train_out: Path) -> tuple[list[str], float]:
    """Steps 1 and 2; the spaCy log and the wall time, also kept in <work>/train.log and train.json."""
    prep = [sys.executable, str(ROOT / "scripts" / "ner_data.py"), "--data", str(args.data), "--out", str(args.work)]
    if args.backend is not None:
        prep += ["--backend", args.backend]
    if args.max_train is not None:
        prep += ["--max-train", str(args.max_train)]
    if args.max_dev is not None:
        prep += ["--max-dev", str(args.max_dev)]
    if args.no_news:
        prep += ["--no-news"]
    if args.news_repeat is not None:
        prep += ["--news-repeat", str(args.news_repeat)]
    if not args.reuse_data:
        run(prep)
    spacy = [sys.executable, "-m", "spacy"] if args.blis else [sys.executable, "-c", SPACY_NUMPY_OPS]
    cmd = [
        *spacy, "train", str(CONFIG),
        "--code", str(ROOT / "scripts" / "ner_corpus.py"),
        "--output", str(train_out),
        "--paths.train", str(args.work / "train.spacy"),
        "--paths.dev", str(args.work / "dev.spacy"),
    ]
    if args.seed is not None:
        cmd += ["--system.seed", str(args.seed)]
    if args.lexicon:
        # The lexicon tags (pipeline/stages/ner/features.py, Lexicon) as a fifth embedded attribute.
        cmd += ["--paths.lexicon", str(args.work / "lexicon.tsv"),
                "--components.tagger.model.tok2vec.embed.attrs", json.dumps(["ORTH", "NORM", "TAG", "LEMMA", "DEP"]),
                "--components.tagger.model.tok2vec.embed.rows", json.dumps([8000, 40000, 2000, 20000, LEXICON_ROWS])]
    for override in args.set:
        key, sep, value = override.partition("=")
        if not sep:
            parser.error(f"--set needs SECTION.KEY=VALUE, got {override!r}")
        cmd += [f"--{key}", value]
    started = time.perf_counter()
    log = run(cmd)
    seconds = time.perf_counter() - started
    (args.work / "train.log").write_text("".join(log), encoding="utf-8")
    (args.work / "train.json").write_text(json.dumps({"seconds": seconds}) + "\n", encoding="utf-8")
    return log, seconds


def architecture(model: Path) -> str:
    """The network in words, from the shipped folder's config.cfg."""
    from spacy.util import load_config

    tok2vec = load_config(model / "config.cfg")["components"]["tagger"]["model"]["tok2vec"]
    encode, embed = tok2vec["encode"], tok2vec["embed"]
    return (
        f"hash embeddings of {', '.join(embed['attrs'])} (rows {', '.join(map(str, embed['rows']))}), "
        f"a maxout window encoder of width {encode['width']}, depth {encode['depth']}, window "
        f"{encode['window_size']}, {encode['maxout_pieces']} maxout pieces, and a softmax layer over the "
        "BILUO tags of the three labels"
    )


def reproduce_args(argv: list[str]) -> list[str]:
    """The arguments that shape the model, without where it was written or shipped from."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--work", "--output", "--version", "--bench-repeat"):
            skip = True
        elif arg not in ("--reuse", "--reuse-data", "--skip-card", "--blis") and not arg.startswith(("--work=", "--output=", "--version=", "--bench-repeat=")):
            out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "ner")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "ner")
    parser.add_argument("--output", type=Path, default=ROOT / "pipeline" / "stages" / "ner" / "models" / "ner_zh")
    parser.add_argument("--version", default="2.1.0", help="the model's version (bump on every retraining that ships)")
    parser.add_argument("--skip-card", action="store_true", help="do not run eval/bench nor write README.md")
    parser.add_argument("--reuse", action="store_true",
                        help="skip data and training: ship <work>/train-out/model-best of an earlier run "
                             "(its log and time in <work>/train.log and train.json)")
    parser.add_argument("--bench-repeat", type=int, default=3, help="bench/ner.py passes (best of N) for the card")
    parser.add_argument("--reuse-data", action="store_true",
                        help="train on <work>'s data of an earlier run (same data options) without rebuilding it")
    parser.add_argument("--backend", default=None, help="segment tokenizer for the word features (jieba, rjieba; "
                        "default: rules/pipeline.toml's, which the ner stage reads at run time)")
    parser.add_argument("--lexicon", action="store_true", help="give the model the gazetteer lexicon feature "
                        "(<work>/lexicon.tsv of scripts/ner_data.py, shipped in the model folder)")
    parser.add_argument("--blis", action="store_true", help="thinc's default blis gemm instead of numpy's "
                        "(4x slower here; for comparison)")
    parser.add_argument("--max-train", type=int, default=None)
    parser.add_argument("--max-dev", type=int, default=None)
    parser.add_argument("--no-news", action="store_true", help="leave out the hand-annotated news (train articles)")
    parser.add_argument("--news-repeat", type=int, default=None, help="times each news sentence is trained on "
                        "(scripts/ner_data.py's default when not given)")
    parser.add_argument("--seed", type=int, default=None, help="overrides [system] seed of the config")
    parser.add_argument(
        "--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
        help="config override passed to spacy train, e.g. training.max_epochs=3",
    )
    args = parser.parse_args(argv)

    train_out = args.work / "train-out"
    if args.reuse:
        log = (args.work / "train.log").read_text(encoding="utf-8").splitlines()
        seconds = json.loads((args.work / "train.json").read_text(encoding="utf-8"))["seconds"]
    else:
        log, seconds = train(args, parser, train_out)

    best = train_out / "model-best"
    size = sum(p.stat().st_size for p in best.rglob("*") if p.is_file())
    if size > MAX_BYTES:
        raise SystemExit(f"model-best is {size / 2**20:.1f} MB, over the 50 MB the repository allows")
    if args.output.exists():
        shutil.rmtree(args.output)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(best, args.output)
    if args.lexicon:  # read at run time by pipeline/stages/ner/tagger.py (NerModel)
        shutil.copy(args.work / "lexicon.tsv", args.output / "lexicon.tsv")
    summary = json.loads((args.work / "summary.json").read_text(encoding="utf-8"))
    meta_path = args.output / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(
        name=args.output.name,
        version=args.version,
        description="Chinese news NER (PER, LOC, ORG) on character tokens with jieba word features; "
        "see README.md",
        license=LICENSE,
        sources=[
            {"name": "MSRA NER (SIGHAN 2006)", "license": "research use"},
            {"name": "People's Daily January 1998 (PKU)", "license": "research use"},
            {"name": "CLUENER2020", "url": "https://github.com/CLUEbenchmark/CLUENER2020", "license": "research use"},
            *([] if summary.get("news_repeat", 0) == 0 else [
                {"name": "eval/data/ner_news (train articles, this project's annotations of THUCNews and SogouCS)",
                 "license": "research use"}]),
        ],
    )
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    # News sentences are in train.spacy news_repeat times.
    train_chars = sum(n * (summary.get("news_repeat") or 1 if where == "train/news" else 1)
                      for where, n in summary["characters"].items() if where.startswith("train/"))
    epochs = epochs_run(log)
    training = (
        f"trained {epochs} epoch(s) over {train_chars:,} characters in {seconds / 60:.0f} min "
        f"(wall time, dev evaluations included): {epochs * train_chars / seconds:,.0f} chars/s"
    )
    print(f"{training}; model-best -> {args.output} (spaCy dev ents_f {meta.get('performance', {}).get('ents_f')})")
    model = str(args.output.resolve())
    # Scored with the words it was trained on (the segment backend), like the stage will run it.
    backend = [] if args.backend is None else ["--backend", args.backend]
    # The confidence map beside the model, fitted on the news calib split (never trained on).
    calibration = run([sys.executable, str(ROOT / "scripts" / "calibrate_ner.py"), "--model", model, *backend])
    if not args.skip_card:
        dev = run([sys.executable, str(ROOT / "eval" / "ner.py"), "--model", model, *backend])
        news = run([sys.executable, str(ROOT / "eval" / "ner.py"), "--news", "--model", model, *backend])
        speed = run([sys.executable, str(ROOT / "bench" / "ner.py"), "--model", model, "--repeat", str(args.bench_repeat)])
        card = (ROOT / "scripts" / "ner_model_card.md").read_text(encoding="utf-8").format(
            name=args.output.name, version=args.version, license=LICENSE, training=training,
            command=" ".join(["python", "scripts/train_ner.py", *reproduce_args(argv if argv is not None else sys.argv[1:])]),
            summary=json.dumps({k: summary.get(k) for k in ("sentences", "entities", "dropped", "unannotated_words",
                                                             "jieba_cut")}, ensure_ascii=False, indent=1),
            architecture=architecture(args.output),
            size=f"{size / 2**20:.1f} MB", dev="".join(dev),
            backend=summary.get("segment_backend", "jieba"),
            lexicon=("- Lexicon feature (`DEP`): each character's place (B/M/E/S) in the longest name of "
                     "`lexicon.tsv` in this folder around it, with that name's label (`B-ORG`, `E-LOC`; `-` "
                     f"outside), {summary.get('lexicon', 0):,} names from `../shared/data/gazetteers` (companies, "
                     "SOEs, government bodies, media, universities as ORG; administrative divisions and countries "
                     "and cities as LOC; `scripts/ner_data.py`, lexicon_entries): evidence, not a decision.\n"
                     if args.lexicon else ""),
            calibration_method=json.loads((args.output / "calibration.json").read_text(encoding="utf-8"))["method"], speed="".join(speed), news="".join(news),
            calibration="".join(line for line in calibration if not line.startswith("+ ")),
        )
        (args.output / "README.md").write_text(card, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
