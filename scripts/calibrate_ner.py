"""Fit the NER model's confidence calibration: <model>/calibration.json.

A model name's score is the model's own probability (pipeline/stages/ner/tagger.py,
span_score); its confidence should be the precision of names like it. This script runs
the segment and ner stages over the calibration set of the hand-annotated news
(eval/data/ner_news, split `calib`: articles chosen and annotated for this alone, never
trained on, never studied by rule work, never a news_dev article; scripts/ner_news.py
select --calib), takes the names
the stage keeps from the model (rule_id ner.model; completed and rule names carry
their rules' confidence), and per label fits precision against score by one of two methods
(--method):

- platt (the default): precision = sigmoid(a * logit(score) + b), a logistic regression of
  right/wrong on the score's log-odds (two numbers a label, weakly pulled towards a = 1,
  b = 0), written out as points at fixed scores (PLATT_GRID);
- isotonic: the names sorted by score and cut into bins of equal count (--bins, at least
  --min-bin names each), each bin's point (mean score, precision), made non-decreasing by
  pooling adjacent violators (weighted by names).

The stage interpolates linearly between the points and is flat beyond. Either way a higher
score never means a lower confidence. Isotonic bins of 50 names follow the slice's noise and
stay flat below the lowest bin (model 2.2.0: names scored 0.3 got the 0.52 of the bin at 0.78,
and news_dev's bins below 0.85 were 0.14-0.19 overconfident); the logistic curve has two
parameters and keeps falling there. Both are cross-checked on the calibration set itself (five folds by
article, out-of-fold reliability and Brier score, printed), so the choice needs no news_dev:
`eval/ner.py --news` prints the reliability on news_dev, which this script never reads.

Usage: python scripts/calibrate_ner.py [--model NAME|PATH] [--news FILE] [--method platt|isotonic]
       [--bins N] [--min-bin N] [--backend B] [--out FILE] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import ner_data  # noqa: E402
from pipeline.core.document import Document  # noqa: E402
from pipeline.stages.ner.stage import FACT_TYPES, MODEL_RULE_ID, NerStage  # noqa: E402
from pipeline.stages.registry import configured_stage  # noqa: E402
from pipeline.stages.ner.tagger import CALIBRATION  # noqa: E402
from pipeline.stages.segment.stage import SegmentStage  # noqa: E402

LABEL_OF = {v: k for k, v in FACT_TYPES.items()}


def scored_names(stage: NerStage, segment: SegmentStage, articles) -> list[tuple[str, float, bool, int]]:
    """(label, model score, right, article number) for every name the stage keeps from the model."""
    out = []
    for n, record in enumerate(articles):
        text = record["text"]
        gold = {(e["start"], e["end"], e["label"]) for e in record["entities"]}
        doc = segment(Document(doc_id=str(n), source="calib", original=text, text=text))
        results = {part.name: part.run(doc) for part in stage.parts()}
        score = {(s, e, label): sc for s, e, label, sc in results["model"]}
        for f in stage.assemble(doc, results).facts:
            key = (f.start, f.end, LABEL_OF.get(f.type))
            # Only the model's own spans: one the merge cut back (美国大学 -> 美国, [filter]) keeps the
            # model's id but was never scored as such.
            if f.rule_id == MODEL_RULE_ID and key in score:
                out.append((key[2], score[key], key in gold, n))
    return out


def pool_adjacent_violators(points: list[list[float]]) -> list[list[float]]:
    """[score, precision, weight] blocks, merged until precision never falls as score rises."""
    blocks: list[list[float]] = []
    for x, y, w in points:
        blocks.append([x, y, w])
        while len(blocks) > 1 and blocks[-2][1] > blocks[-1][1]:
            (x1, y1, w1), (x2, y2, w2) = blocks[-2], blocks.pop()
            blocks[-1] = [(x1 * w1 + x2 * w2) / (w1 + w2), (y1 * w1 + y2 * w2) / (w1 + w2), w1 + w2]
    return blocks


def fit(names: list[tuple[float, bool]], bins: int, min_bin: int) -> list[list[float]]:
    """[score, precision, names] points of one label, ascending (see the module docstring)."""
    names = sorted(names)
    k = max(1, min(bins, len(names) // min_bin))
    edges = [round(i * len(names) / k) for i in range(k + 1)]
    points = []
    for a, b in zip(edges, edges[1:]):
        chunk = names[a:b]
        points.append([sum(s for s, _ in chunk) / len(chunk), sum(ok for _, ok in chunk) / len(chunk), len(chunk)])
    return pool_adjacent_violators(points)


def _logit(score: float) -> float:
    p = min(max(score, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def platt(names: list[tuple[float, bool]], ridge: float = 1.0) -> tuple[float, float]:
    """(a, b) of precision = sigmoid(a * logit(score) + b), the logistic fit of right against the score's
    log-odds (Newton's method), with a weak pull (`ridge`) towards a = 1, b = 0 (confidence = score) that
    keeps it finite when every name of a label is right. Two numbers per label: steadier on a few
    hundred names than bins, and it goes on below the lowest score seen rather than staying flat there."""
    import numpy

    z = numpy.array([_logit(sc) for sc, _ in names])
    sign = numpy.array([1.0 if ok else -1.0 for _, ok in names])

    def loss(a: float, b: float) -> float:  # penalised negative log-likelihood, overflow-free
        return float(numpy.logaddexp(0, -sign * (a * z + b)).sum() + ridge / 2 * ((a - 1) ** 2 + b * b))

    a, b = 1.0, 0.0
    current = loss(a, b)
    for _ in range(100):
        p = 0.5 * (1 + numpy.tanh((a * z + b) / 2))
        y = (sign + 1) / 2
        g = numpy.array([((p - y) * z).sum() + ridge * (a - 1), (p - y).sum() + ridge * b])
        h = p * (1 - p)
        hess = numpy.array([[(h * z * z).sum() + ridge, (h * z).sum()], [(h * z).sum(), h.sum() + ridge]])
        step = numpy.linalg.solve(hess, g)
        t = 1.0
        while loss(a - t * step[0], b - t * step[1]) > current and t > 1e-6:
            t /= 2  # Newton's step can overshoot on a steep curve: halve it until the loss falls
        a, b = a - t * step[0], b - t * step[1]
        previous, current = current, loss(a, b)
        if previous - current < 1e-10:
            break
    return float(a), float(b)


# Scores at which a Platt curve is written out (the stage interpolates between points): dense near 1,
# where most names are and the log-odds move fastest.
PLATT_GRID = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995,
              0.998, 0.999, 0.9995, 0.9999)


def platt_points(a: float, b: float) -> list[list[float]]:
    return [[x, 0.5 * (1 + math.tanh((a * _logit(x) + b) / 2)), 0] for x in PLATT_GRID]


def curve(names: list[tuple[float, bool]], method: str, bins: int, min_bin: int) -> list[list[float]]:
    """[score, precision, names] points of one label by `method` (isotonic bins or platt)."""
    return platt_points(*platt(names)) if method == "platt" else fit(names, bins, min_bin)


# eval/ner.py's reliability bins and its test: a bin of MIN_BIN names or more within GAP of its confidence.
BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.01)
MIN_BIN, GAP = 30, 0.07


def cross_check(names, method: str, bins: int, min_bin: int, folds: int = 5) -> list[str]:
    """The reliability table of out-of-fold confidences on the calibration set: each fold's articles
    (by article number) mapped through a curve fitted on the other folds. Chooses the method without
    news_dev, which nothing here reads."""
    from pipeline.stages.ner.tagger import interpolate

    held = []
    for k in range(folds):
        for label in ("PER", "LOC", "ORG"):
            train = [(sc, ok) for lab, sc, ok, art in names if lab == label and art % folds != k]
            test = [(sc, ok) for lab, sc, ok, art in names if lab == label and art % folds == k]
            if train and test:
                points = [(x, y) for x, y, _ in curve(train, method, bins, min_bin)]
                held += [(interpolate(points, sc), ok) for sc, ok in test]
    lines, off = [], 0
    for lo, hi in zip(BINS, BINS[1:]):
        chunk = [(c, ok) for c, ok in held if lo <= c < hi]
        if chunk:
            mean, precision = sum(c for c, _ in chunk) / len(chunk), sum(ok for _, ok in chunk) / len(chunk)
            flag = len(chunk) >= MIN_BIN and abs(mean - precision) > GAP
            off += flag
            lines.append(f"  [{lo:.2f}, {hi:.2f})  {len(chunk):5}  {mean:.3f}  {precision:.3f}"
                         + ("  off by more than 0.07" if flag else ""))
    brier = sum((c - ok) ** 2 for c, ok in held) / len(held)
    lines.append(f"  bins of {MIN_BIN}+ names off by more than {GAP}: {off}; Brier score {brier:.4f} ({len(held)} names)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="ner_zh", help="model name or folder (default: the shipped ner_zh)")
    parser.add_argument("--news", type=Path, default=ner_data.NEWS)
    parser.add_argument("--bins", type=int, default=8, help="bins per label at most")
    parser.add_argument("--min-bin", type=int, default=50, help="names per bin at least")
    parser.add_argument("--method", choices=("isotonic", "platt"), default="platt",
                        help="the curve written (both are cross-checked on the set and printed)")
    parser.add_argument("--out", type=Path, default=None, help=f"default: <model>/{CALIBRATION}")
    parser.add_argument("--backend", default=None, help="segment tokenizer (default: rules/pipeline.toml's)")
    parser.add_argument("--dry-run", action="store_true", help="print the fit, write nothing")
    args = parser.parse_args(argv)

    rules = ROOT / "rules"
    model = str(Path(args.model).resolve()) if Path(args.model).exists() else args.model
    stage = configured_stage("ner", rules, model=model)
    # As the pipeline runs them (rules/pipeline.toml), the tokenizer overridable like the model.
    segment = configured_stage("segment", rules, **({} if args.backend is None else {"backend": args.backend}))
    articles = list(ner_data.news_articles(args.news, "calib"))
    if not articles:
        parser.error(f"{args.news} holds no reviewed article of split calib")
    names = scored_names(stage, segment, articles)
    for method in ("isotonic", "platt"):
        print(f"{method}, {len(articles)} articles in 5 folds by article: out-of-fold reliability "
              "(bin, names, mean confidence, precision)")
        print("\n".join(cross_check(names, method, args.bins, args.min_bin)))
    curves, report = {}, {}
    for label in ("PER", "LOC", "ORG"):
        mine = [(s, ok) for lab, s, ok, _ in names if lab == label]
        if not mine:
            continue
        blocks = curve(mine, args.method, args.bins, args.min_bin)
        curves[label] = [[round(x, 4), round(y, 4)] for x, y, _ in blocks]
        report[label] = {"names": len(mine), "precision": round(sum(ok for _, ok in mine) / len(mine), 4)}
        if args.method == "isotonic":
            report[label]["points_names"] = [int(w) for _, _, w in blocks]
        else:
            report[label]["platt_a_b"] = [round(x, 4) for x in platt(mine)]
        print(f"{label}: {len(mine)} names, precision {report[label]['precision']:.3f}; "
              "score -> precision" + (" (names)" if args.method == "isotonic" else "") + ": "
              + ", ".join(f"{x:.3f} -> {y:.3f}" + (f" ({int(w)})" if args.method == "isotonic" else "")
                          for x, y, w in blocks))
    data = {
        "method": (f"isotonic: per label, names sorted by score in up to {args.bins} bins of equal count "
                   f"(at least {args.min_bin} names), adjacent violators pooled; linear between points"
                   if args.method == "isotonic" else
                   "platt: per label, precision = sigmoid(a * logit(score) + b) fitted on the names (platt_a_b "
                   "in names), written at fixed scores; linear between points"),
        "score": "span_score: the geometric mean of the probabilities of the decoded tags of the name's characters and "
                 "the character either side (pipeline/stages/ner/tagger.py)",
        "fitted_on": f"{len(articles)} articles of eval/data/ner_news, split calib (never trained on or studied; "
                     "scripts/ner_news.py), names the ner stage keeps from the model",
        "fitted_by": "scripts/calibrate_ner.py",
        "model": stage.model.label,
        "names": report,
        "labels": curves,
    }
    if args.dry_run:
        return 0
    out = args.out or stage.model.folder / CALIBRATION
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
