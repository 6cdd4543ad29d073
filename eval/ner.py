"""Score the ner stage: exact-span precision, recall and F1 per label (PER, LOC, ORG).

    .venv/bin/python eval/ner.py [--data FILE.jsonl ...] [--model NAME|PATH] [--check [--floors PATH]]
                                 [--errors N] [--limit N]

Without --data: our own held-out dev split of ../shared/data/ner/ (MSRA,
People's Daily 1998, CLUENER2020 as combined by scripts/ner_data.py: the same
de-duplication, label mapping and hash split, so these sentences were never
trained on, with the same harmonised labels), scored per source and pooled
(`all`) over the fully annotated sources, MSRA and PD1998: that is the dev
split proper. The CLUENER part (THUCNews sentences) is scored on its own: it
leaves many places unlabelled (ner_data.PARTIAL), so every country the
stage finds there counts as an error. With --data: every sentence of the
given files, pooled, in the shared NER schema ({"text", "entities":
[{"start", "end", "label"}]}; CLUENER-style `fine_label`s are mapped as in
training; no harmonisation: the file's own conventions), e.g. a test set the
model never saw.

Each sentence runs through the segment and ner stages as the pipeline runs
them. Two systems are scored: `model` (the spaCy model's entities alone) and
`stage` (what the stage emits: model + gazetteers/patterns + completion, the
merge policy of pipeline/stages/ner/merge.py). A prediction is right when its start,
end and label equal a gold entity's. Micro figures pool all three labels.
--check compares the dev figures with eval/floors.toml [ner].
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.inspect.floors import check_floors  # noqa: E402
from pipeline.core.document import Document  # noqa: E402
from pipeline.stages.ner.stage import FACT_TYPES, NerStage  # noqa: E402
from pipeline.stages.segment.stage import SegmentStage  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "ner"
FLOORS = ROOT / "eval" / "floors.toml"
SECTION = "ner"
LABELS = ("PER", "LOC", "ORG")
LABEL_OF = {v: k for k, v in FACT_TYPES.items()}


def _ner_data():
    spec = importlib.util.spec_from_file_location("ner_data", ROOT / "scripts" / "ner_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dev_examples(data: Path) -> list[dict]:
    """The held-out dev split, exactly as scripts/ner_data.py makes it."""
    nd = _ner_data()
    examples, _ = nd.combine((source, nd.read_jsonl(data / name)) for source, name in nd.SOURCES.items())
    return [{**e, "pooled": e["source"] not in nd.PARTIAL} for e in examples if e["split"] == "dev"]


def file_examples(path: Path) -> list[dict]:
    nd = _ner_data()
    out = []
    for record in nd.read_jsonl(path):
        text = nd.halfwidth(record.get("text") or "")
        out.append({"source": path.stem, "text": text, "spans": nd.convert_record(record, Counter()), "pooled": True})
    return out


class Scores:
    def __init__(self):
        self.tp, self.fp, self.fn = Counter(), Counter(), Counter()

    def add(self, gold: set, predicted: set) -> None:
        for _, _, label in predicted & gold:
            self.tp[label] += 1
        for _, _, label in predicted - gold:
            self.fp[label] += 1
        for _, _, label in gold - predicted:
            self.fn[label] += 1

    def prf(self, label: str | None = None) -> tuple[float, float, float, int]:
        pick = (lambda c: c[label]) if label else (lambda c: sum(c[x] for x in LABELS))
        tp, fp, fn = pick(self.tp), pick(self.fp), pick(self.fn)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0), tp + fn


def model_setting(model: str | None) -> dict:
    """The stage setting for --model: a folder given on the command line is taken from the cwd."""
    if model is None:
        return {}
    return {"model": str(Path(model).resolve()) if Path(model).exists() else model}


def run(examples: list[dict], stage: NerStage, segment: SegmentStage, errors: int) -> tuple[dict, float, int]:
    """Scores per (system, source) and overall; seconds spent in the ner stage; characters."""
    scores: dict[tuple[str, str], Scores] = {}
    shown = 0
    seconds = 0.0
    chars = 0
    for n, e in enumerate(examples):
        doc = segment(Document(doc_id=str(n), source="eval", original=e["text"], text=e["text"]))
        t0 = time.perf_counter()
        results = {part.name: part.run(doc) for part in stage.parts()}
        out = stage.assemble(doc, results)
        model = {tuple(x) for x in results["model"]}
        seconds += time.perf_counter() - t0
        chars += len(e["text"])
        stage_spans = {(f.start, f.end, LABEL_OF[f.type]) for f in out.facts if f.type in LABEL_OF}
        gold = set(e["spans"])
        for system, predicted in (("model", model), ("stage", stage_spans)):
            for where in ("all", e["source"]) if e["pooled"] else (e["source"],):
                scores.setdefault((system, where), Scores()).add(gold, predicted)
        if shown < errors and stage_spans != gold:
            shown += 1
            text = e["text"]
            print(f"- {text}")
            print(f"    missed: {sorted((text[s:t], lab) for s, t, lab in gold - stage_spans)}")
            print(f"    wrong:  {sorted((text[s:t], lab) for s, t, lab in stage_spans - gold)}")
    return scores, seconds, chars


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, action="append", help="NER JSONL file(s) to score instead of the dev split")
    parser.add_argument("--shared", type=Path, default=DATA, help="folder of the training corpora (for the dev split)")
    parser.add_argument("--model", default=None, help="model name or folder (default: the stage's setting)")
    parser.add_argument("--check", action="store_true", help="compare with the floors (dev split only)")
    parser.add_argument("--floors", type=Path, default=FLOORS)
    parser.add_argument("--errors", type=int, default=0, help="print N sentences the stage gets wrong")
    parser.add_argument("--limit", type=int, default=None, help="score the first N sentences only (a quick look)")
    args = parser.parse_args(argv)
    if args.check and args.data:
        parser.error("--check scores the dev split; leave out --data")

    if args.data:
        examples = [e for path in args.data for e in file_examples(path)]
    else:
        missing = [p for p in (args.shared / n for n in _ner_data().SOURCES.values()) if not p.is_file()]
        if missing:
            print(f"eval/ner: missing {', '.join(map(str, missing))}", file=sys.stderr)
            return 2
        examples = dev_examples(args.shared)
    examples = examples[: args.limit]
    rules = ROOT / "rules"
    stage = NerStage(model_setting(args.model), rules)
    segment = SegmentStage({}, rules)
    t0 = time.perf_counter()
    stage.model.nlp()
    load = time.perf_counter() - t0
    scores, seconds, chars = run(examples, stage, segment, args.errors)

    print(f"model {stage.model.label} ({stage.model.folder}), loaded in {load:.2f} s")
    where = "files " + ", ".join(map(str, args.data)) if args.data else "held-out dev split (all = msra + pd1998)"
    print(f"{len(examples)} sentences, {chars} characters; {where}")
    figures = {}
    sources = sorted({where for _, where in scores if where != "all"})
    for system in ("model", "stage"):
        print(f"\n{system}: exact-span P / R / F1 (gold entities)")
        for where in ["all", *sources]:
            s = scores[(system, where)]
            rows = [("micro", None), *((label, label) for label in LABELS)]
            for name, label in rows:
                p, r, f, n = s.prf(label)
                print(f"  {where:<10} {name:<6} {p:.4f} {r:.4f} {f:.4f}  ({n})")
                key = f"{system}_{name.lower()}_f1" if where == "all" else f"{system}_{where}_{name.lower()}_f1"
                figures[key] = round(f, 4)
    print(f"\nner stage (both parts and the merge, one sentence a call): {chars / seconds:,.0f} chars/s")
    if args.check:
        return check_floors(figures, args.floors, SECTION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
