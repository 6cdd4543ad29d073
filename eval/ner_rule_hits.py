"""Precision of the ner rules on real news, judged by hand: sample what a rule family fires on.

    .venv/bin/python eval/ner_rule_hits.py sample RUN_FOLDER [--prefix ner.org.] [--n 120]   # write the sample
    .venv/bin/python eval/ner_rule_hits.py score                                              # precision
    .venv/bin/python eval/ner_rule_hits.py sample RUN --fresh --out eval/data/ner_rules/org_hits_2.tsv --n 100
    .venv/bin/python eval/ner_rule_hits.py score --file eval/data/ner_rules/org_hits_2.tsv

`sample` takes the facts of a `pipeline run` over ../shared/data/news/news_zh.jsonl whose rule id
starts with one of the prefixes (what the product emits, after the merge), picks N by sha1 of
(doc id, start) (at most 3 per document, so one article does not dominate), and writes
eval/data/ner_rules/org_hits.tsv with the context; the `ok` column (1 right, 0 wrong, per
eval/ner_guide.md: the span and label must both be right) is filled in by hand. `score` prints the
precision overall, for weak-evidence (near) rules and per source file of the rule.
Every sample leaves out the articles of news_dev and of the calibration split (eval/data/ner_news's
`dev` and `calib`): reading the rules' hits there would be studying the sets the model and the
confidences are measured on. `--fresh` leaves out the rest of the hand-annotated news too (its
`train` articles, studied for the rules) and every sample already in eval/data/ner_rules/ (judged
before), and draws with another salt: a sample of text the rules were not tuned on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "eval" / "data" / "ner_rules" / "org_hits.tsv"
PREFIXES = ("ner.org.", "ner.pattern.outlet_in_title_marks", "ner.pattern.magazine_in_title_marks")
PER_DOC = 3


def held_out_articles() -> set[str]:
    """The hand-annotated articles that rule work must not read: news_dev and the calibration split."""
    path = ROOT / "eval" / "data" / "ner_news" / "news_ner.jsonl"
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {r["id"] for r in rows if r["split"] in ("dev", "calib")}


def seen_articles() -> set[str]:
    """Articles studied or judged already: the hand-annotated news and the earlier samples."""
    out = set()
    for path in (ROOT / "eval" / "data" / "ner_news").glob("*.jsonl"):
        out.update(json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    for path in OUT.parent.glob("*.tsv"):
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            if line and not line.startswith("#"):
                out.add(line.split("\t")[1])
    return out


def sample(run: Path, prefixes: tuple[str, ...], n: int, fresh: bool = False) -> list[dict]:
    import pandas as pd

    texts = dict(pd.read_parquet(run / "documents.parquet", columns=["doc_id", "text"]).itertuples(index=False))
    facts = [json.loads(line) for line in (run / "facts.jsonl").read_text(encoding="utf-8").splitlines()]
    skip = held_out_articles() | (seen_articles() if fresh else set())
    hits = [f for f in facts if f["rule_id"].startswith(prefixes) and f["doc_id"] not in skip]
    salt = "fresh:" if fresh else ""
    key = lambda f: hashlib.sha1(f"{salt}{f['doc_id']}:{f['start']}".encode()).hexdigest()
    out, per_doc = [], Counter()
    for f in sorted(hits, key=key):
        if per_doc[f["doc_id"]] >= PER_DOC:
            continue
        per_doc[f["doc_id"]] += 1
        t = texts[f["doc_id"]]
        ctx = f"{t[max(0, f['start'] - 15):f['start']]}[{t[f['start']:f['end']]}]{t[f['end']:f['end'] + 15]}"
        out.append({"doc_id": f["doc_id"], "start": f["start"], "end": f["end"], "text": f["text"],
                    "type": f["type"], "rule_id": f["rule_id"], "canonical": (f.get("value") or {}).get("canonical", ""),
                    "context": " ".join(ctx.split())})
        if len(out) == n:
            break
    print(f"{len(hits)} facts from these rules in {run}; sampled {len(out)}", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample")
    s.add_argument("run", type=Path)
    s.add_argument("--prefix", action="append")
    s.add_argument("--n", type=int, default=120)
    s.add_argument("--fresh", action="store_true", help="not the annotated news nor an earlier sample's articles")
    s.add_argument("--out", type=Path, default=OUT)
    sc = sub.add_parser("score")
    sc.add_argument("--file", type=Path, default=OUT)
    args = parser.parse_args(argv)
    cols = ["ok", "doc_id", "start", "end", "text", "type", "rule_id", "canonical", "context"]
    if args.command == "sample":
        rows = sample(args.run, tuple(args.prefix or PREFIXES), args.n, args.fresh)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        lines = ["\t".join([*cols, "note"])] + ["\t".join(["?", *(str(r[c]) for c in cols[1:]), ""]) for r in rows]
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return 0
    path = args.file.resolve()
    body = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    rows = [dict(zip(cols, line.split("\t"))) for line in body[1:]]
    judged = [r for r in rows if r["ok"] in ("0", "1")]
    if len(judged) < len(rows):
        print(f"eval/ner_rule_hits: {len(rows) - len(judged)} hits not judged yet", file=sys.stderr)
    groups = defaultdict(list)
    for r in judged:
        groups["all"].append(r["ok"] == "1")
        groups[r["rule_id"].split(".")[2] if r["rule_id"].startswith("ner.org.") else "outlet_in_marks"].append(r["ok"] == "1")
    print(f"ner rule hits on news, judged by hand ({path.relative_to(ROOT) if path.is_relative_to(ROOT) else path})")
    for g, oks in sorted(groups.items(), key=lambda x: (x[0] != "all", x[0])):
        print(f"  {g:<16} {sum(oks):4} / {len(oks):4}  precision {sum(oks) / len(oks):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
