"""Score the ner stage: exact-span precision, recall and F1 per label (PER, LOC, ORG).

    .venv/bin/python eval/ner.py [--data FILE.jsonl ...] [--model NAME|PATH] [--check [--floors PATH]]
                                 [--errors N] [--limit N]
    .venv/bin/python eval/ner.py --news [--news-dir DIR]

Without --data: our own held-out dev split of ../shared/data/ner/ (MSRA,
People's Daily 1998, CLUENER2020 as combined by scripts/ner_data.py: the same
de-duplication, label mapping and hash split, so these sentences were never
trained on, with the same harmonised labels: no one-character place or organisation, so none the
stage gives (中 in 中美: rules/ner/abbreviations.toml) is scored there), scored per source and pooled
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

--news scores `news_dev`, the project's hand-annotated news (eval/data/ner_news/*.jsonl, records
{"id", "text", "entities": [{"start", "end", "label", "text"}], "split": "dev"|"train"}, guide
eval/ner_guide.md): the dev articles only (the train ones may be trained on), per label, and a
reliability table: the stage's names binned by their confidence, each bin's measured precision
(a calibrated bin's precision is close to its confidences). Until that data exists it says so and
exits 0. Articles marked `"reviewed": false` are left out.
`--news --split train` scores the train articles instead (never `calib`: the confidences are fitted
there); `--rules` adds each rule's measured precision there (names it gives, right ones, the
confidence it states, and (right + 1) / (names + 2)): what a rule's `confidence` should say,
measured on the split rule work studies rather than on news_dev.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
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
from pipeline.stages.registry import configured_stage  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "ner"
NEWS = ROOT / "eval" / "data" / "ner_news"
# Confidence bins of the reliability table: [lower, upper).
BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.01)
# Issue 18's calibration target: in every bin of MIN_BIN names or more, precision within GAP of the bin.
MIN_BIN, GAP = 30, 0.07
FLOORS = ROOT / "eval" / "floors.toml"
SECTION = "ner"
NEWS_SECTION = "ner_news"  # --news --check: news_dev, the hand-annotated yardstick
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
    return [{**e, "pooled": e["source"] not in nd.PARTIAL, "harmonised": True} for e in examples if e["split"] == "dev"]


def file_examples(path: Path) -> list[dict]:
    nd = _ner_data()
    out = []
    for record in nd.read_jsonl(path):
        text = nd.halfwidth(record.get("text") or "")
        out.append({"source": path.stem, "text": text, "spans": nd.convert_record(record, Counter()), "pooled": True})
    return out


def news_examples(folder: Path, split: str = "dev") -> list[dict]:
    """The `split` articles of the hand-annotated news; offsets checked against each entity's text."""
    import json

    out = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            r = json.loads(line)
            # An article not reviewed yet (scripts/ner_news.py marks it) may lack names: not scored.
            if r.get("split") != split or r.get("reviewed") is False:
                continue
            text, spans = r["text"], []
            for e in r["entities"]:
                if "text" in e and text[e["start"] : e["end"]] != e["text"]:
                    raise ValueError(f"{path}:{n}: {r['id']}: {e} does not match the text")
                spans.append((e["start"], e["end"], e["label"]))
            out.append({"source": f"news_{split}", "text": text, "spans": spans, "pooled": True, "id": r["id"]})
    return out


def reliability(pairs: list[tuple[float, bool]]) -> list[tuple[float, float, int, float, float]]:
    """(lower, upper, names, mean confidence, precision) per non-empty confidence bin."""
    rows = []
    for lo, hi in zip(BINS, BINS[1:]):
        inside = [(c, ok) for c, ok in pairs if lo <= c < hi]
        if inside:
            rows.append((lo, min(hi, 1.0), len(inside), sum(c for c, _ in inside) / len(inside),
                         sum(ok for _, ok in inside) / len(inside)))
    return rows


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


def _single(span: tuple[int, int, str]) -> bool:
    return span[1] - span[0] == 1 and span[2] != "PER"


def model_setting(model: str | None) -> dict:
    """The stage setting for --model: a folder given on the command line is taken from the cwd."""
    if model is None:
        return {}
    return {"model": str(Path(model).resolve()) if Path(model).exists() else model}


def run(examples: list[dict], stage: NerStage, segment: SegmentStage, errors: int,
        confidences: list | None = None) -> tuple[dict, float, int]:
    """Scores per (system, source) and overall; seconds spent in the ner stage; characters.
    `confidences`, if given, gets (confidence, right, from the model alone, rule id) for every name the
    stage gives."""
    scores: dict[tuple[str, str], Scores] = {}
    shown = 0
    seconds = 0.0
    chars = 0
    for n, e in enumerate(examples):
        doc = segment(Document(doc_id=str(n), source="eval", original=e["text"], text=e["text"]))
        t0 = time.perf_counter()
        results = {part.name: part.run(doc) for part in stage.parts()}
        out = stage.assemble(doc, results)
        model = {tuple(x[:3]) for x in results["model"]}
        seconds += time.perf_counter() - t0
        chars += len(e["text"])
        stage_spans = {(f.start, f.end, LABEL_OF[f.type]) for f in out.facts if f.type in LABEL_OF}
        gold = set(e["spans"])
        if e.get("harmonised"):
            # The dev split's gold has no one-character place or organisation (ner_data.harmonise makes
            # 中 in 中美 plain text), so the stage's abbreviations (eval/ner_abbrev.py measures them) are
            # left out of this comparison, as the same rule left them out of the gold.
            model = {x for x in model if not _single(x)}
            stage_spans = {x for x in stage_spans if not _single(x)}
        if confidences is not None:
            confidences.extend((f.confidence, (f.start, f.end, LABEL_OF[f.type]) in gold, f.rule_id == "ner.model",
                                f.rule_id) for f in out.facts if f.type in LABEL_OF)
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
    parser.add_argument("--news", action="store_true", help="score news_dev (eval/data/ner_news) and its reliability")
    parser.add_argument("--news-dir", type=Path, default=NEWS, help="folder of the hand-annotated news (*.jsonl)")
    parser.add_argument("--split", choices=("dev", "train"), default="dev",
                        help="with --news: the articles scored (news_dev by default)")
    parser.add_argument("--rules", action="store_true", help="with --news: each rule's measured precision")
    parser.add_argument("--backend", default=None, help="the segment stage's tokenizer (jieba, rjieba) instead of "
                        "rules/pipeline.toml's: a model is scored with the words it was trained on")
    args = parser.parse_args(argv)
    if args.news and args.check and args.split != "dev":
        parser.error("--news --check checks news_dev: leave out --split")
    if args.news:
        return news_main(args)
    if args.check and args.data:  # (--news --check checks news_dev against [ner_news])
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
    stage = configured_stage("ner", rules, **model_setting(args.model))
    segment = configured_stage("segment", rules, **({} if args.backend is None else {"backend": args.backend}))
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


def news_main(args) -> int:
    """--news: news_dev (or --split) per label for model and stage, and the stage's reliability table."""
    name = f"news_{args.split}"
    examples = news_examples(args.news_dir, args.split) if args.news_dir.is_dir() else []
    if not examples:
        print(f"{name}: no data ({args.news_dir}/*.jsonl holds no {args.split} article yet)")
        return 0
    examples = examples[: args.limit]
    rules = ROOT / "rules"
    stage = configured_stage("ner", rules, **model_setting(args.model))
    segment = configured_stage("segment", rules, **({} if args.backend is None else {"backend": args.backend}))
    pairs: list[tuple[float, bool, bool, str]] = []
    scores, _, chars = run(examples, stage, segment, args.errors, pairs)
    print(f"{name}: {len(examples)} articles, {chars} characters ({args.news_dir}); model {stage.model.label}")
    for system in ("model", "stage"):
        print(f"\n{system}: exact-span P / R / F1 (gold entities)")
        s = scores[(system, "all")]
        for label in (None, *LABELS):
            p, r, f, n = s.prf(label)
            print(f"  {name:<10} {label or 'micro':<6} {p:.4f} {r:.4f} {f:.4f}  ({n})")
    # Calibrated when, in every bin of MIN_BIN names or more, precision is within GAP of the confidences.
    for title, chosen in (("stage names", pairs), ("model names (rule_id ner.model)", [p for p in pairs if p[2]])):
        print(f"\nreliability ({title} by confidence): bin, names, mean confidence, precision")
        off = 0
        for lo, hi, n, mean, precision in reliability([(c, ok) for c, ok, _, _ in chosen]):
            flag = n >= MIN_BIN and abs(precision - mean) > GAP
            off += flag
            print(f"  [{lo:.2f}, {hi:.2f})  {n:6}  {mean:.3f}  {precision:.3f}{'  off by more than %.2f' % GAP if flag else ''}")
        print(f"  bins of {MIN_BIN}+ names off by more than {GAP:.2f}: {off}")
    if args.rules:
        print_rule_precision(pairs)
    if args.check:
        s = scores[("stage", "all")]
        figures = {f"stage_{(label or 'micro').lower()}_f1": s.prf(label)[2] for label in (None, *LABELS)}
        return check_floors(figures, args.floors, NEWS_SECTION)
    return 0


def print_rule_precision(pairs: list[tuple[float, bool, bool, str]]) -> None:
    """Per rule (a gazetteer's entries, ner.org.media.382.1, as one family: ner.org.media): names, right
    ones, precision, the mean confidence given, (right + 1) / (names + 2)."""
    by_rule: dict[str, list[tuple[float, bool]]] = {}
    for confidence, ok, _, rule_id in pairs:
        by_rule.setdefault(re.sub(r"(\.\d+)+$", "", rule_id), []).append((confidence, ok))
    print("\nper rule: names, right, precision, mean confidence given, (right + 1) / (names + 2)")
    for rule_id, rows in sorted(by_rule.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        n, right = len(rows), sum(ok for _, ok in rows)
        given = sum(c for c, _ in rows) / n
        print(f"  {rule_id:<44} {n:5} {right:5}  {right / n:.3f}  {given:.3f}  {(right + 1) / (n + 2):.3f}")


if __name__ == "__main__":
    sys.exit(main())
