"""The ner stage's errors on the TRAIN split of the hand-annotated news, by kind (for rule work).

    .venv/bin/python eval/ner_news_errors.py [--split train] [--kind missed|false|boundary|label]
                                             [--label ORG] [--source rule|model] [--show N] [--counts]
    .venv/bin/python eval/ner_news_errors.py --score      # train-split stage P / R / F1 per label

Rules are tuned on `train` only: news_dev (eval/ner.py --news) is the yardstick and its errors are
not studied. Each gold or predicted name falls in one kind: `missed` (no predicted name overlaps it),
`false` (no gold name overlaps it), `boundary` (overlaps one of the same label, other span), `label`
(overlaps one with another label). Surfaces are counted, so a class of errors shows as a list of
frequent surfaces; --show prints each error with context.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.ner import LABEL_OF, LABELS, NEWS, news_examples, run  # noqa: E402
from pipeline.core.document import Document  # noqa: E402
from pipeline.stages.ner.stage import NerStage  # noqa: E402
from pipeline.stages.segment.stage import SegmentStage  # noqa: E402


def errors(examples: list[dict], stage: NerStage, segment: SegmentStage):
    """(kind, label, surface, source, article id, start, end, text) for every error."""
    for e in examples:
        text = e["text"]
        doc = segment(Document(doc_id=e["id"], source="eval", original=text, text=text))
        out = stage.assemble(doc, {part.name: part.run(doc) for part in stage.parts()})
        pred = {(f.start, f.end, LABEL_OF[f.type]): f.extractor for f in out.facts if f.type in LABEL_OF}
        gold = set(e["spans"])
        for g in gold - set(pred):
            over = [p for p in pred if p[0] < g[1] and g[0] < p[1]]
            kind = "missed" if not over else ("boundary" if any(p[2] == g[2] for p in over) else "label")
            yield kind, g[2], text[g[0]:g[1]], "gold", e["id"], g[0], g[1], text
        for p, source in pred.items():
            if p in gold:
                continue
            if not any(g[0] < p[1] and p[0] < g[1] for g in gold):
                yield "false", p[2], text[p[0]:p[1]], "rule" if source == "rule" else "model", e["id"], p[0], p[1], text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="train", choices=("train",),
                        help="only train: the dev split is the yardstick, its errors are not studied")
    parser.add_argument("--kind", choices=("missed", "false", "boundary", "label"))
    parser.add_argument("--label", choices=("PER", "LOC", "ORG"))
    parser.add_argument("--source", choices=("rule", "model"))
    parser.add_argument("--show", type=int, default=0, help="print N errors with context")
    parser.add_argument("--top", type=int, default=40, help="surfaces listed per kind")
    parser.add_argument("--score", action="store_true",
                        help="print the split's P / R / F1 per label (the figures rules were tuned on)")
    args = parser.parse_args(argv)
    rules = ROOT / "rules"
    stage, segment = NerStage({}, rules), SegmentStage({}, rules)
    # Only train: the calib split (the confidence map's) stays unstudied like news_dev.
    examples = news_examples(NEWS, args.split)
    if args.score:
        # The tuned-on figures, reported beside news_dev's (eval/ner.py --news), never instead of them.
        scores, _, chars = run(examples, stage, segment, 0)
        for system in ("model", "stage"):
            s = scores[(system, "all")]
            for name, label in [("micro", None), *((x, x) for x in LABELS)]:
                p, r, f, n = s.prf(label)
                print(f"  news_{args.split} {system:<5} {name:<6} {p:.4f} {r:.4f} {f:.4f}  ({n})")
        return 0
    found = [x for x in errors(examples, stage, segment)
             if (args.kind is None or x[0] == args.kind) and (args.label is None or x[1] == args.label)
             and (args.source is None or x[3] == args.source)]
    by = defaultdict(Counter)
    for kind, label, surface, source, *_ in found:
        by[(kind, label, source)][surface] += 1
    for key in sorted(by, key=lambda k: -sum(by[k].values())):
        c = by[key]
        print(f"{' '.join(key)}: {sum(c.values())}  " + " ".join(f"{s}×{n}" if n > 1 else s for s, n in c.most_common(args.top)))
    for kind, label, surface, source, doc_id, s, t, text in found[: args.show]:
        print(f"  {kind:8} {label} {source:5} {doc_id} {text[max(0, s - 15):s]}[{surface}]{text[t:t + 15]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
