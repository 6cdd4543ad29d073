"""Fit the spun-copy model's weights (logistic regression, numpy) on the tune articles.

    .venv/bin/python scripts/fit_spun_classifier.py [--news PATH]

First the spinner words: how often each one's ordinary uses (CLUENER train, which the character
model never read, and the tune articles unspun) reach the evidence margin; words past MAX_FALSE are
no evidence (rules/clean/lexicon/spun_context_words.tsv). Then the weights. Positives: the `tune` articles (scripts/spun_data.py) spun with the `fit` half of the swaps only
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
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "scripts"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from fit_spam_classifier import fit_logistic  # noqa: E402
from spun_data import articles, read_pairs, spun_copies  # noqa: E402
from pipeline.stages.clean.ruleset import SPUN_FEATURES  # noqa: E402
from pipeline.stages.clean.stage import CleanStage  # noqa: E402

DEFAULT_NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
OUT = ROOT / "rules" / "clean" / "lexicon" / "spun_weights.tsv"
WORDS_OUT = ROOT / "rules" / "clean" / "lexicon" / "spun_context_words.tsv"
CALIBRATION = ROOT.parent / "shared" / "data" / "ner" / "cluener2020_train.jsonl"
MAX_FALSE = 0.15  # a spinner word whose ordinary uses look swapped more often than this is no evidence
PRIOR = (0.5, 5)  # pseudo-counts (false hits, uses) for the share: a word seen twice is not judged on two
SEED = 20240521
L2 = 1e-3
STEPS = 6000
RATE = 0.5
MARGINS = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)


def features(model, text: str) -> tuple[list[float], int]:
    """The features and the hits (spun phrases: the stage's gate counts only those) of one text."""
    phrases, standard, swaps = model.evidence(text)
    x = model.features(text, phrases, standard, swaps)
    return [x[f] for f in SPUN_FEATURES], phrases  # the stage's gate: spun_min_hits phrases


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


def calibrate(model, texts: list[str], out: Path) -> None:
    """Writes, per spinner word of the fit half, how many of its ordinary uses in `texts` reach the
    evidence margin; a word past MAX_FALSE (smoothed by PRIOR) is marked no evidence."""
    from collections import Counter

    uses, false = Counter(), Counter()
    for text in texts:
        for s in model.swaps(text, float("-inf")):
            word = text[s.start:s.end]
            uses[word] += 1
            false[word] += s.gain >= model.context.evidence_margin
    rows = []
    for word, standard in sorted(model.context.words.items()):
        share = (false[word] + PRIOR[0]) / (uses[word] + PRIOR[1])
        rows.append(f"{word}\t{standard}\t{uses[word]}\t{false[word]}\t{int(share <= MAX_FALSE)}\n")
    out.write_text("# Spinner words of the fit half (rules/clean/lexicon/spun_pairs_own.tsv) and how often their\n"
                   "# ordinary uses reach the context model's evidence margin, written by scripts/fit_spun_classifier.py\n"
                   "# on ordinary text the character model never read (CLUENER train, the tune articles unspun);\n"
                   f"# evidence 0: (false_hits + {PRIOR[0]}) / (uses + {PRIOR[1]}) > {MAX_FALSE}.\n"
                   "# spun<TAB>standard<TAB>uses<TAB>false_hits<TAB>evidence\n" + "".join(rows), encoding="utf-8")
    print(f"calibration: {len(texts)} texts; no evidence: " + ", ".join(
        r.split("\t")[0] for r in rows if r.rstrip("\n").endswith("\t0")))


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    # Each text counts once: real articles outnumber spun copies, as in a crawl, and a real
    # article rewritten costs more than a spun one left alone.
    return fit_logistic(x, y, SPUN_FEATURES.index("bias"), steps=STEPS, rate=RATE, l2=L2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--words-out", type=Path, default=WORDS_OUT)
    args = ap.parse_args(argv)
    tune = articles(args.news, "tune")
    with CALIBRATION.open(encoding="utf-8") as fh:
        ordinary = [json.loads(line)["text"] for line in fh if line.strip()]
    calibrate(CleanStage({}, ROOT / "rules").cleaner.spun,
              ordinary + [r["text"].replace("\ue40c", "\n") for r in tune], args.words_out)
    cleaner = CleanStage({}, ROOT / "rules").cleaner  # with the words just written
    model, min_hits = cleaner.spun, cleaner.settings.spun_min_hits
    copies = list(spun_copies(tune, read_pairs("fit"), SEED))
    print(f"tune: {len(tune)} articles, {len(copies)} spun copies (fit swaps)")
    margins(model, copies)
    rows = [(*features(model, spun), 1.0) for _, _, spun, _ in copies]
    rows += [(*features(model, r["text"].replace("\ue40c", "\n")), 0.0) for r in tune]
    rows += [(*features(model, r["text"].replace("\ue40c", "\n")), 0.0) for r in articles(args.news, "train")]
    # Learnt on every text with a spun phrase (with spun_min_hits hits alone too few real articles
    # are left to learn from); the stage scores only texts with a phrase and spun_min_hits hits.
    print(f"texts without a spun phrase: spun copies {sum(1 for r in rows if r[2] and not r[1])}, "
          f"real articles {sum(1 for r in rows if not r[2] and not r[1])}; with fewer than {min_hits} hits "
          f"(never flagged): spun copies {sum(1 for r in rows if r[2] and r[1] < min_hits)}, "
          f"real articles {sum(1 for r in rows if not r[2] and r[1] < min_hits)}")
    rows = [r for r in rows if r[1]]
    x, y = np.array([r[0] for r in rows]), np.array([r[2] for r in rows])
    gate = np.array([r[1] >= min_hits for r in rows])
    w = fit(x, y)
    p = 1 / (1 + np.exp(-np.clip(x @ w, -30, 30)))
    print(f"fit on {int(y.sum())} spun copies, {int((1 - y).sum())} real articles with a spun phrase; flagged: "
          f"the threshold reached with {min_hits}+ hits")
    for t in (0.3, 0.5, 0.7, 0.8, 0.9, 0.95):
        tp, fp = int(((p >= t) & gate & (y == 1)).sum()), int(((p >= t) & gate & (y == 0)).sum())
        print(f"  threshold {t:.2f}: precision {tp / max(1, tp + fp):.4f} recall {tp / y.sum():.4f} real flagged {fp}")
    header = ("# Spun-copy model weights (pipeline/stages/clean/spun.py SPUN_FEATURES), written by\n"
              "# scripts/fit_spun_classifier.py: logistic regression on the tune articles spun with the fit\n"
              f"# half of the swaps ({int(y.sum())}) against real articles ({int((1 - y).sum())}: the tune ones unspun,"
              f" the train split), texts with a spun phrase, L2 {L2}, {STEPS} steps.\n# feature<TAB>weight\n")
    args.out.write_text(header + "".join(f"{n}\t{v:.4f}\n" for n, v in zip(SPUN_FEATURES, w)), encoding="utf-8")
    print("weights: " + ", ".join(f"{n} {v:+.3f}" for n, v in zip(SPUN_FEATURES, w)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
