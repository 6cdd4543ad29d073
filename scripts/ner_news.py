"""The hand-annotated news NER set: choose the articles, then build the data from the marked batches.

    python scripts/ner_news.py select   # writes eval/data/ner_news/src/batch_NN.txt (unmarked) once
    python scripts/ner_news.py select --calib   # once more: the calib batches (CALIB_QUOTA), new articles only
    python scripts/ner_news.py build    # marked batches -> eval/data/ner_news/news_ner.jsonl
    python scripts/ner_news.py build --check   # as build, but fail unless every article is reviewed
    python scripts/ner_news.py status 00 01    # per article of these batches: split, marked, reviewed

The conventions are in eval/ner_guide.md. Articles come from ../shared/data/news/news_zh.jsonl
(THUCNews and SogouCS, research use); the annotations are this project's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
DIR = ROOT / "eval" / "data" / "ner_news"
SRC = DIR / "src"
OUT = DIR / "news_ner.jsonl"
LABELS = ("PER", "LOC", "ORG")
PER_BATCH = 10
# How many articles to take from each source, and the length window: whole articles, long enough to
# hold names, short enough that one annotator reads one in a minute.
QUOTA = {
    "thucnews_cnews_val": (200, 400, 1800),
    "thucnews_cnews_b_val": (50, 400, 1800),
    "thucnews_cnews_b_test": (20, 400, 1800),
    "sogoucs_smarty": (40, 150, 1800),
}

# The calibration set (issue 18): articles never trained on and never studied by rule work, so the
# model's confidence map is fitted on text like the text it will meet. Chosen by the same hash order,
# after the articles already in batches; every batch from CALIB_FIRST_BATCH on is split `calib`.
CALIB_QUOTA = {
    "thucnews_cnews_val": (36, 400, 1800),
    "thucnews_cnews_b_val": (12, 400, 1800),
    "thucnews_cnews_b_test": (6, 400, 1800),
    "sogoucs_smarty": (8, 150, 1800),
}
CALIB_FIRST_BATCH = 31
SPLITS = ("dev", "train", "calib")


def _rank(doc_id: str) -> int:
    return int(hashlib.sha1(doc_id.encode("utf-8")).hexdigest(), 16)


def split_of(doc_id: str, batch: str | None = None) -> str:
    """dev or train, by article, fixed before any result was seen (eval/ner_guide.md); `calib` for
    every article of a calib batch (`batch_NN`, NN >= CALIB_FIRST_BATCH), whatever its hash."""
    if batch is not None and int(batch.rsplit("_", 1)[1]) >= CALIB_FIRST_BATCH:
        return "calib"
    return "dev" if _rank(doc_id) % 10 < 3 else "train"


def load_news() -> dict[str, dict]:
    with NEWS.open(encoding="utf-8") as f:
        return {r["id"]: r for r in map(json.loads, f)}


def chosen_articles(news: dict[str, dict], quota: dict, exclude: set[str]) -> list[dict]:
    """Per source, the first `n` articles in the length window by id hash, leaving out `exclude`;
    mixed across sources by a second hash."""
    chosen = []
    for source, (n, lo, hi) in quota.items():
        pool = [r for i, r in news.items() if i.rsplit(":", 1)[0] == source and lo <= len(r["text"]) <= hi
                and i not in exclude]
        pool.sort(key=lambda r: _rank("select:" + r["id"]))
        chosen += pool[:n]
    chosen.sort(key=lambda r: _rank("order:" + r["id"]))  # mix sources across batches
    return chosen


def select(calib: bool = False) -> None:
    existing = sorted(SRC.glob("batch_*.txt"))
    if calib:
        if not existing or any(int(p.stem[6:]) >= CALIB_FIRST_BATCH for p in existing):
            sys.exit(f"the calib batches are chosen once, after batches 00-{CALIB_FIRST_BATCH - 1:02d}")
        first = CALIB_FIRST_BATCH
        exclude = {doc_id for p in existing for doc_id, _, _ in read_batch(p)}
        chosen = chosen_articles(load_news(), CALIB_QUOTA, exclude)
    else:
        if existing:
            sys.exit(f"{SRC} already holds batches: selection is done once (delete them to redo)")
        first = 0
        chosen = chosen_articles(load_news(), QUOTA, set())
    SRC.mkdir(parents=True, exist_ok=True)
    for b in range(0, len(chosen), PER_BATCH):
        blocks = [f"### {r['id']}\n{r['text']}\n" for r in chosen[b : b + PER_BATCH]]
        (SRC / f"batch_{first + b // PER_BATCH:02d}.txt").write_text("\n".join(blocks), encoding="utf-8")
    print(f"{len(chosen)} articles, {sum(len(r['text']) for r in chosen):,} characters, "
          f"{(len(chosen) + PER_BATCH - 1) // PER_BATCH} batches from batch_{first:02d} in {SRC}")


def parse_marked(marked: str) -> tuple[str, list[dict]]:
    """Strip `[[surface|LABEL]]` marks; return the text and the names with their offsets."""
    out: list[str] = []
    entities = []
    pos = 0  # length of the stripped text so far
    i = 0
    while True:
        j = marked.find("[[", i)
        if j < 0:
            out.append(marked[i:])
            break
        out.append(marked[i:j])
        pos += j - i
        k = marked.find("]]", j)
        if k < 0:
            raise ValueError(f"unclosed [[ at {j}")
        inner = marked[j + 2 : k]
        surface, bar, label = inner.rpartition("|")
        if not bar or label not in LABELS or not surface or "[[" in surface:
            raise ValueError(f"bad mark [[{inner}]] at {j}")
        entities.append({"start": pos, "end": pos + len(surface), "label": label, "text": surface})
        out.append(surface)
        pos += len(surface)
        i = k + 2
    text = "".join(out)
    for e in entities:
        assert text[e["start"] : e["end"]] == e["text"]
    return text, entities


def read_batch(path: Path) -> list[tuple[str, bool, str]]:
    """(id, reviewed, marked text) per block of a batch file."""
    blocks = []
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("### "):
            if line.strip():
                raise ValueError(f"{path.name}:{i + 1}: text outside an article block")
            i += 1
            continue
        doc_id = line[4:].strip()
        i += 1
        reviewed = i < len(lines) and lines[i].strip() == "#reviewed"
        if reviewed:
            i += 1
        if i >= len(lines):
            raise ValueError(f"{path.name}: {doc_id} has no text line")
        blocks.append((doc_id, reviewed, lines[i]))
        i += 1
    return blocks


def _first_difference(a: str, b: str) -> int:
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)


def build(check: bool) -> int:
    news = load_news()
    records, problems = [], []
    for path in sorted(SRC.glob("batch_*.txt")):
        for doc_id, reviewed, marked in read_batch(path):
            source = news.get(doc_id)
            if source is None:
                problems.append(f"{path.name}: {doc_id}: not in the news set")
                continue
            try:
                text, entities = parse_marked(marked)
            except ValueError as e:
                problems.append(f"{path.name}: {doc_id}: {e}")
                continue
            if text != source["text"]:
                at = _first_difference(text, source["text"])
                problems.append(f"{path.name}: {doc_id}: text differs from the source at {at}: "
                                f"{text[max(0, at - 10):at + 10]!r} vs {source['text'][max(0, at - 10):at + 10]!r}")
                continue
            records.append({"id": doc_id, "split": split_of(doc_id, path.stem), "reviewed": reviewed,
                            "batch": path.stem, "text": text, "entities": entities})
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    records.sort(key=lambda r: r["id"])
    with OUT.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    annotated = [r for r in records if r["entities"]]
    reviewed = sum(r["reviewed"] for r in records)
    by_label = {lab: sum(e["label"] == lab for r in records for e in r["entities"]) for lab in LABELS}
    per_split = {sp: sum(r["split"] == sp for r in records) for sp in SPLITS}
    print(f"{len(records)} articles ({len(annotated)} with names, {reviewed} reviewed), "
          f"{sum(len(r['text']) for r in records):,} characters; names {by_label}; "
          + ", ".join(f"{sp} {n} articles" for sp, n in per_split.items()) + f" -> {OUT.relative_to(ROOT)}")
    if check and reviewed < len(records):
        print(f"{len(records) - reviewed} articles not reviewed", file=sys.stderr)
        return 1
    return 0


def status(batches: list[str]) -> None:
    for b in batches:
        for doc_id, reviewed, marked in read_batch(SRC / f"batch_{b}.txt"):
            print(f"batch_{b}  {split_of(doc_id, f'batch_{b}'):5}  {'marked' if '[[' in marked else '-':6}  "
                  f"{'reviewed' if reviewed else '-':8}  {len(marked):5}  {doc_id}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=("select", "build", "status"))
    ap.add_argument("batches", nargs="*", help="with status: batch numbers (00, 01, ...)")
    ap.add_argument("--check", action="store_true", help="with build: fail unless every article is reviewed")
    ap.add_argument("--calib", action="store_true", help="with select: choose the calib batches (CALIB_QUOTA)")
    args = ap.parse_args()
    if args.command == "select":
        select(args.calib)
        return 0
    if args.command == "status":
        status(args.batches)
        return 0
    return build(args.check)


if __name__ == "__main__":
    sys.exit(main())
