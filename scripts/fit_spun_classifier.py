"""Fit the spun-copy model's weights (logistic regression, numpy) on the tune articles.

    .venv/bin/python scripts/fit_spun_classifier.py [--news PATH]

Positives: the `tune` articles (scripts/spun_data.py) spun with the `fit` half of the swaps only
(the `heldout` half is never read here). Negatives: the same articles unspun and every `train`
article as it is (real news, as the stage meets it). Features are the stage's own
(pipeline/stages/clean/spun.py, SPUN_FEATURES) with the margins of rules/clean/spun.toml; fitted by
full-batch gradient descent on the log loss with an L2 penalty (not on the bias), positives and
negatives weighted to count the same. Prints, on the tune articles, how the context margins split
spinner swaps from ordinary uses (choose `evidence_margin`/`restore_margin` from these) and the
fit's precision/recall at a few thresholds; writes rules/clean/lexicon/spun_weights.tsv.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "scripts"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from spun_data import articles, read_pairs, spun_copies  # noqa: E402
from pipeline.stages.clean.ruleset import SPUN_FEATURES  # noqa: E402
from pipeline.stages.clean.scores import spun_counts  # noqa: E402
from pipeline.stages.clean.stage import CleanStage  # noqa: E402

DEFAULT_NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
OUT = ROOT / "rules" / "clean" / "lexicon" / "spun_weights.tsv"
SEED = 20240521
L2 = 1e-3
STEPS = 6000
RATE = 0.5
MARGINS = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)


def features(model, text: str) -> tuple[list[float], int]:
    """The features and the hits (phrases and context swaps) of one text."""
    phrases, standard = spun_counts(text, model.rules, model.table)
    swaps = model.swaps(text, model.context.evidence_margin)
    x = model.features(text, phrases, standard, len(swaps))
    return [x[f] for f in SPUN_FEATURES], phrases + len(swaps)


def margins(model, copies) -> None:
    """How many spinner swaps and ordinary uses of the fit words reach each margin (tune articles)."""
    swapped, ordinary = [], []
    for _, plain, spun, swaps in copies:
        at = {(a, b) for a, b, _ in swaps}
        for s in model.swaps(spun, float("-inf")):
            (swapped if (s.start, s.end) in at else ordinary).append(s.gain)
        ordinary += [s.gain for s in model.swaps(plain, float("-inf"))]
    for m in MARGINS:
        print(f"  margin {m:.1f}: spinner swaps reaching it {sum(g >= m for g in swapped) / max(1, len(swapped)):.3f} "
              f"of {len(swapped)}; ordinary uses {sum(g >= m for g in ordinary)} of {len(ordinary)}")


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # Each text counts once: real articles outnumber spun copies, as in a crawl, and a real
    # article rewritten costs more than a spun one left alone.
    sample = np.ones_like(y)
    w = np.zeros(x.shape[1])
    penalty = np.ones_like(w)
    penalty[SPUN_FEATURES.index("bias")] = 0.0
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
        w -= RATE * (x.T @ ((p - y) * sample) / len(y) + L2 * penalty * w)
    return w


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    cleaner = CleanStage({}, ROOT / "rules").cleaner
    model, min_hits = cleaner.spun, cleaner.settings.spun_min_hits
    tune = articles(args.news, "tune")
    copies = list(spun_copies(tune, read_pairs("fit"), SEED))
    print(f"tune: {len(tune)} articles, {len(copies)} spun copies (fit swaps)")
    margins(model, copies)
    rows = [(*features(model, spun), 1.0) for _, _, spun, _ in copies]
    rows += [(*features(model, r["text"].replace("\ue40c", "\n")), 0.0) for r in tune]
    rows += [(*features(model, r["text"].replace("\ue40c", "\n")), 0.0) for r in articles(args.news, "train")]
    # Only texts with spun_min_hits hits can be flagged: the weights are learnt on those.
    print(f"texts with fewer than {min_hits} hits (never flagged): spun copies "
          f"{sum(1 for r in rows if r[2] and r[1] < min_hits)}, real articles {sum(1 for r in rows if not r[2] and r[1] < min_hits)}")
    rows = [r for r in rows if r[1] >= min_hits]
    x, y = np.array([r[0] for r in rows]), np.array([r[2] for r in rows])
    w = fit(x, y)
    p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
    print(f"fit on {int(y.sum())} spun copies, {int((1 - y).sum())} real articles with {min_hits}+ hits")
    for t in (0.3, 0.5, 0.7, 0.9):
        tp, fp = int(((p >= t) & (y == 1)).sum()), int(((p >= t) & (y == 0)).sum())
        print(f"  threshold {t:.1f}: precision {tp / max(1, tp + fp):.4f} recall {tp / y.sum():.4f} real flagged {fp}")
    header = ("# Spun-copy model weights (pipeline/stages/clean/spun.py SPUN_FEATURES), written by\n"
              "# scripts/fit_spun_classifier.py: logistic regression on the tune articles spun with the fit\n"
              f"# half of the swaps ({int(y.sum())}) against real articles ({int((1 - y).sum())}: the tune ones unspun,"
              f" the train split), texts with {min_hits}+ hits, L2 {L2}, {STEPS} steps.\n# feature<TAB>weight\n")
    args.out.write_text(header + "".join(f"{n}\t{v:.4f}\n" for n, v in zip(SPUN_FEATURES, w)), encoding="utf-8")
    print("weights: " + ", ".join(f"{n} {v:+.3f}" for n, v in zip(SPUN_FEATURES, w)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
