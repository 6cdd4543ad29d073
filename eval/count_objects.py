"""Score the count extractor's `object` on hand-labelled counts of real news.

    .venv/bin/python eval/count_objects.py [--check] [--errors] [--heldout-errors]

Reads eval/data/extract/count_objects.txt (160 counts of ../shared/data/news/news_zh.jsonl, one an
article, labelled by hand; convention in eval/data/extract/README.md, "Count objects"), runs each
article through the stages a pipeline run gives the extractor (repair, convert, clean, segment,
extract: the object is read from the segment stage's words) and compares the object of the count
fact at the labelled span (in the original text's offsets) with the label. Per split (by article:
`heldout` when sha1(article id) % 3 == 0, else `dev`):

- precision: objects given that equal the label, of objects given (on counts labelled as counts);
- recall: objects given that equal the label, of counts whose label states an object;
- accuracy: counts whose object (or its absence) equals the label;
- found: labelled counts the extractor still gives (a rule change may drop one);
- not counts: counts labelled `X` (no count) the extractor still gives (lower is better).

The held-out split's errors are listed only with --heldout-errors: rules are tuned on dev.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core.document import Document  # noqa: E402
from pipeline.inspect.floors import finish_floors, floor_options  # noqa: E402
from pipeline.stages.registry import configured_stage  # noqa: E402

TABLE = ROOT / "eval" / "data" / "extract" / "count_objects.txt"
NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
FLOORS = ROOT / "eval" / "floors.toml"
SECTION = "count_objects"
STAGES = ("repair", "convert", "clean", "segment", "extract")


def split_of(doc_id: str) -> str:
    return "heldout" if int(hashlib.sha1(doc_id.encode("utf-8")).hexdigest(), 16) % 3 == 0 else "dev"


def load_table(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        doc_id, start, surface, label = line.split("\t")
        rows.append({"id": doc_id, "start": int(start), "end": int(start) + len(surface), "surface": surface,
                     "label": label, "split": split_of(doc_id)})
    return rows


def count_facts(rows: list[dict], news: Path) -> dict[str, list]:
    """The count facts of each labelled article, after the stages a pipeline run gives the extractor."""
    wanted = {r["id"] for r in rows}
    stages = [configured_stage(name, ROOT / "rules") for name in STAGES]
    out: dict[str, list] = {}
    with news.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["id"] not in wanted:
                continue
            doc = Document(doc_id=row["id"], source="news", original=row["text"], text=row["text"], meta={})
            for stage in stages:
                doc = stage(doc)
            for r in rows:
                if r["id"] == row["id"]:
                    # The labels' offsets are the original text's: a wrong offset fails here, not silently.
                    assert row["text"][r["start"]:r["end"]] == r["surface"], (r["id"], r["surface"])
            out[row["id"]] = [f for f in doc.facts if f.type == "count"]
    return out


def score(rows: list[dict], facts: dict[str, list]) -> tuple[dict[str, float], list[tuple]]:
    given = right = stated = exact = found = labelled = not_counts = still = 0
    errors = []
    for r in rows:
        fact = next((f for f in facts.get(r["id"], ()) if (f.orig_start, f.orig_end) == (r["start"], r["end"])), None)
        if r["label"] == "X":
            not_counts += 1
            still += fact is not None
            if fact is not None:
                errors.append((r, "still a count", None))
            continue
        labelled += 1
        if fact is None:
            errors.append((r, "count not found", None))
            stated += r["label"] != "-"
            continue
        found += 1
        got = fact.value.get("object")
        want = None if r["label"] == "-" else r["label"]
        stated += want is not None
        given += got is not None
        right += got is not None and got == want
        exact += got == want
        if got != want:
            errors.append((r, got, fact))
    figures = {
        "precision": right / given if given else 1.0,
        "recall": right / stated if stated else 1.0,
        "accuracy": exact / labelled if labelled else 1.0,
        "found": found / labelled if labelled else 1.0,
    }
    counts = {"labelled": labelled, "stated": stated, "given": given, "right": right,
              "not_counts": not_counts, "not_counts_still_given": still}
    return figures, [counts, *errors]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", type=Path, default=NEWS)
    ap.add_argument("--table", type=Path, default=TABLE)
    ap.add_argument("--errors", action="store_true", help="list the dev split's errors")
    ap.add_argument("--heldout-errors", action="store_true", help="also list the held-out split's errors")
    floor_options(ap, SECTION, FLOORS)
    args = ap.parse_args()
    if not args.news.is_file():
        print(f"eval: {args.news} not found (it lives in ../shared/data/news/)", file=sys.stderr)
        return 2
    rows = load_table(args.table)
    facts = count_facts(rows, args.news)
    figures: dict[str, float] = {}
    for split in ("dev", "heldout"):
        part = [r for r in rows if r["split"] == split]
        split_figures, (counts, *errors) = score(part, facts)
        figures.update({f"{split}_{k}": v for k, v in split_figures.items()})
        print(f"{split}: {len({r['id'] for r in part})} articles, {counts['labelled']} counts "
              f"({counts['stated']} with an object stated), objects given {counts['given']}, right {counts['right']}; "
              + " ".join(f"{k} {v:.3f}" for k, v in split_figures.items())
              + f"; labelled no count {counts['not_counts']}, still given {counts['not_counts_still_given']}")
        if (args.errors and split == "dev") or args.heldout_errors:
            for r, got, fact in errors:
                print(f"  {r['id']} {r['surface']!r}: got {got!r}, label {r['label']!r}")
    return finish_floors(figures, args, SECTION)


if __name__ == "__main__":
    sys.exit(main())
