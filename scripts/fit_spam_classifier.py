"""Fit the spam line classifier's weights (logistic regression, numpy) on the train split.

    .venv/bin/python scripts/fit_spam_classifier.py [--news PATH] [--show N]

Reads eval/data/clean/spam_lines.jsonl (scripts/build_spam_lines.py), keeps the
`train` split only (the held-out split is measured by eval/clean.py, never here),
computes each line's features with the stage's own code
(pipeline/stages/clean/classifier.py, on the line's view, skipping lines the stage
never checks: longer than spam_check_max_chars with sentence marks), and fits
weights by full-batch gradient descent on the log loss with an L2 penalty (not on
the bias), every line weighted the same. Writes
rules/clean/lexicon/spam_line_weights.tsv and prints train precision/recall at a
few thresholds (choose the rule's threshold from these, not from held-out).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval.clean import DEFAULT_NEWS, SPAM_LINES, load_spam_lines  # noqa: E402
from pipeline.stages.clean.ruleset import FEATURES  # noqa: E402
from pipeline.stages.clean.stage import CleanStage  # noqa: E402

OUT = ROOT / "rules" / "clean" / "lexicon" / "spam_line_weights.tsv"
L2 = 1e-3
STEPS = 4000
RATE = 0.5


def matrix(rows: list[dict], stage: CleanStage) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    cleaner = stage.cleaner
    view, limit = cleaner.view, cleaner.settings.spam_check_max_chars
    xs, ys, kept = [], [], []
    for row in rows:
        lines = view.split(row["text"])
        v = lines[0].view if lines else ""
        if not v or (len(v) > limit and view.sentence_marks(v) > 0):
            continue
        xs.append(cleaner.classifier.features(v))
        ys.append(1.0 if row["label"] == "spam" else 0.0)
        kept.append({**row, "view": v})
    return np.array(xs), np.array(ys), kept


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # Each line counts once: ham outnumbering spam about four to one is what a page holds
    # too, and a news line lost costs more than a spam line kept.
    return fit_logistic(x, y, FEATURES.index("bias"), steps=STEPS, rate=RATE, l2=L2)


def fit_logistic(x: np.ndarray, y: np.ndarray, bias: int, steps: int, rate: float, l2: float) -> np.ndarray:
    """Logistic regression by gradient descent, every row weighted alike, L2 on all weights but
    column `bias` (scripts/fit_spun_classifier.py uses it too)."""
    w = np.zeros(x.shape[1])
    penalty = np.ones_like(w)
    penalty[bias] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        w -= rate * (x.T @ (p - y) / len(y) + l2 * penalty * w)
    return w


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--show", type=int, default=0, help="print the N highest-scoring train ham lines")
    args = ap.parse_args(argv)
    stage = CleanStage({}, ROOT / "rules")
    rows = [r for r in load_spam_lines(args.news, SPAM_LINES) if r["split"] == "train"]
    x, y, kept = matrix(rows, stage)
    w = fit(x, y)
    p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
    print(f"train: {int(y.sum())} spam, {int((1 - y).sum())} ham lines (of {len(rows)}; "
          f"{len(rows) - len(y)} long prose lines the stage never checks left out)")
    for t in (0.5, 0.7, 0.8, 0.9, 0.95, 0.98):
        tp = int(((p >= t) & (y == 1)).sum())
        fp = int(((p >= t) & (y == 0)).sum())
        print(f"  threshold {t:.2f}: precision {tp / max(1, tp + fp):.4f} recall {tp / y.sum():.4f} ham removed {fp}")
    if args.show:
        ham = sorted((i for i in range(len(y)) if y[i] == 0), key=lambda i: -p[i])[: args.show]
        for i in ham:
            print(f"  ham {p[i]:.3f} [{kept[i]['kind']}] {kept[i]['source']} {kept[i]['view'][:90]}")
    header = ("# Spam line classifier weights (pipeline/stages/clean/classifier.py FEATURES), written by\n"
              "# scripts/fit_spam_classifier.py: logistic regression on the train split of\n"
              f"# eval/data/clean/spam_lines.jsonl ({int(y.sum())} spam, {int((1 - y).sum())} ham lines), "
              f"L2 {L2}, {STEPS} steps.\n# feature<TAB>weight\n")
    args.out.write_text(header + "".join(f"{name}\t{value:.4f}\n" for name, value in zip(FEATURES, w)),
                        encoding="utf-8")
    print("weights: " + ", ".join(f"{n} {v:+.2f}" for n, v in zip(FEATURES, w)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
