"""Fit the NER model's confidence calibration: <model>/calibration.json.

A model name's score is the model's own probability (pipeline/stages/ner/tagger.py,
span_score); its confidence should be the precision of names like it. This script runs
the segment and ner stages over the calibration slice of the hand-annotated news
(eval/data/ner_news: train articles whose id hash puts them in scripts/ner_data.py's
news_part "calib"; never trained on, and never a news_dev article), takes the names
the stage keeps from the model (rule_id ner.model; completed and rule names carry
their rules' confidence), and per label:

1. sorts them by score and cuts them into bins of equal count (--bins, at least
   --min-bin names each), each bin's point being (mean score, precision);
2. makes the points non-decreasing by pooling adjacent violators (weighted by
   names): isotonic regression on the bins;
3. writes the points; the stage interpolates linearly between them and is flat beyond.

A higher score then never means a lower confidence, and a bin of names with
confidence c was right about c of the time on the calibration slice. `eval/ner.py --news`
prints the reliability on news_dev, which this script never reads.

Usage: python scripts/calibrate_ner.py [--model NAME|PATH] [--news FILE] [--bins N] [--min-bin N]
       [--out FILE] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import ner_data  # noqa: E402
from pipeline.core.document import Document  # noqa: E402
from pipeline.stages.ner.stage import FACT_TYPES, MODEL_RULE_ID, NerStage  # noqa: E402
from pipeline.stages.ner.tagger import CALIBRATION  # noqa: E402
from pipeline.stages.segment.stage import SegmentStage  # noqa: E402

LABEL_OF = {v: k for k, v in FACT_TYPES.items()}


def scored_names(stage: NerStage, segment: SegmentStage, articles) -> list[tuple[str, float, bool]]:
    """(label, model score, right) for every name the stage keeps from the model."""
    out = []
    for n, record in enumerate(articles):
        text = record["text"]
        gold = {(e["start"], e["end"], e["label"]) for e in record["entities"]}
        doc = segment(Document(doc_id=str(n), source="calib", original=text, text=text))
        results = {part.name: part.run(doc) for part in stage.parts()}
        score = {(s, e, label): sc for s, e, label, sc in results["model"]}
        for f in stage.assemble(doc, results).facts:
            if f.type in LABEL_OF and f.rule_id == MODEL_RULE_ID:
                key = (f.start, f.end, LABEL_OF[f.type])
                out.append((key[2], score[key], key in gold))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="ner_zh", help="model name or folder (default: the shipped ner_zh)")
    parser.add_argument("--news", type=Path, default=ner_data.NEWS)
    parser.add_argument("--bins", type=int, default=8, help="bins per label at most")
    parser.add_argument("--min-bin", type=int, default=50, help="names per bin at least")
    parser.add_argument("--out", type=Path, default=None, help=f"default: <model>/{CALIBRATION}")
    parser.add_argument("--dry-run", action="store_true", help="print the fit, write nothing")
    args = parser.parse_args(argv)

    rules = ROOT / "rules"
    model = str(Path(args.model).resolve()) if Path(args.model).exists() else args.model
    stage = NerStage({"model": model}, rules)
    segment = SegmentStage({}, rules)
    articles = list(ner_data.news_articles(args.news, "calib"))
    names = scored_names(stage, segment, articles)
    curves, report = {}, {}
    for label in ("PER", "LOC", "ORG"):
        mine = [(s, ok) for lab, s, ok in names if lab == label]
        if not mine:
            continue
        blocks = fit(mine, args.bins, args.min_bin)
        curves[label] = [[round(x, 4), round(y, 4)] for x, y, _ in blocks]
        report[label] = {"names": len(mine), "precision": round(sum(ok for _, ok in mine) / len(mine), 4),
                         "points_names": [int(w) for _, _, w in blocks]}
        print(f"{label}: {len(mine)} names, precision {report[label]['precision']:.3f}; "
              "score -> precision (names): "
              + ", ".join(f"{x:.3f} -> {y:.3f} ({int(w)})" for x, y, w in blocks))
    data = {
        "method": f"isotonic: per label, names sorted by score in up to {args.bins} bins of equal count "
                  f"(at least {args.min_bin} names), adjacent violators pooled; linear between points",
        "score": "span_score: the geometric mean of the probabilities of the decoded tags of the name's characters and "
                 "the character either side (pipeline/stages/ner/tagger.py)",
        "fitted_on": f"{len(articles)} articles of eval/data/ner_news, split train, news_part calib "
                     "(scripts/ner_data.py), names the ner stage keeps from the model",
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
