"""One-character place abbreviations (中美, 访华, 美方): a hand-judged set from real news, and its score.

    .venv/bin/python eval/ner_abbrev.py candidates   # the words to judge (first pass)
    .venv/bin/python eval/ner_abbrev.py tokens       # the occurrences of words judged "?" (second pass)
    .venv/bin/python eval/ner_abbrev.py score [--errors] [--check]

The set: ARTICLES articles of ../shared/data/news/news_zh.jsonl, the first by sha1 of their id
among those of at most MAX_CHARS characters (every source), split by article before any result was
looked at: `dev` when int(sha1(id), 16) % 10 < 5, else `train` (the rules were tuned on train's
errors; dev's errors were seen once, in the first scoring). Then `heldout`: the next HELDOUT
articles by hash on news topics (HELDOUT_TOPICS), judged after the rules were frozen and never
tuned on: the figure to trust.
Candidates are every occurrence of a character that is a one-character abbreviation in the gazetteers
(../shared/data/gazetteers: countries' `abbr`, provinces' aliases) or in the stage's list, so recall
counts what the stage's list lacks and every find of the stage is judged. Judging goes by the jieba word holding the
occurrence (`words.tsv`: word, then the indices of its characters that are abbreviations, `-` for
none, `?` to judge each occurrence in `tokens.tsv`: id, offset, 1 or 0). Offsets are in the
article's `text` as in news_zh.jsonl; the guide is eval/ner_guide.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
GAZ = ROOT.parent / "shared" / "data" / "gazetteers"
DATA = ROOT / "eval" / "data" / "ner_abbrev"
ARTICLES = 60
MAX_CHARS = 2500
HELDOUT = 40
HELDOUT_MAX_CHARS = 4000
# Topics where places are abbreviated (international news, Taiwan, the stock market), not shapes.
HELDOUT_TOPICS = re.compile("外交|总统|两岸|国际|股市|指数|访问|政府")


def h(s: str) -> int:
    return int(hashlib.sha1(s.encode("utf-8")).hexdigest(), 16)


def split_of(article: dict) -> str:
    if article.get("heldout"):
        return "heldout"
    return "dev" if h(article["id"]) % 10 < 5 else "train"


def articles(news: Path) -> list[dict]:
    """The first set (ARTICLES by hash, split dev/train), then the held-out set (HELDOUT more by hash
    on news topics, judged after the rules were frozen on the first set's train split)."""
    rows = [json.loads(line) for line in news.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = sorted((r for r in rows if r.get("text")), key=lambda r: h(r["id"]))
    first = [r for r in rows if len(r["text"]) <= MAX_CHARS][:ARTICLES]
    taken = {r["id"] for r in first}
    rest = [r for r in rows if r["id"] not in taken and len(r["text"]) <= HELDOUT_MAX_CHARS
            and HELDOUT_TOPICS.search(r["text"])][:HELDOUT]
    return [*first, *({**r, "heldout": True} for r in rest)]


def abbreviation_chars(gaz: Path) -> set[str]:
    """The gazetteers' one-character abbreviations, and the stage's (so its every find is judged)."""
    from pipeline.stages.ner.abbrev import load_abbreviations

    abbrev, _ = load_abbreviations(ROOT / "rules" / "ner" / "abbreviations.toml")
    chars = set(abbrev.strong | abbrev.weak)
    for line in (gaz / "countries.jsonl").read_text(encoding="utf-8").splitlines():
        chars.update(json.loads(line).get("abbr") or ())
    for line in (gaz / "admin_divisions.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["level"] == "province":
            chars.update(a for a in r.get("aliases") or () if len(a) == 1)
    return chars


def occurrences(news: Path, gaz: Path):
    """(article, offset, jieba word, index in the word, words) for every candidate occurrence."""
    from pipeline.stages.registry import configured_stage

    segment = configured_stage("segment", ROOT / "rules")
    chars = abbreviation_chars(gaz)
    for a in articles(news):
        text = a["text"]
        words = [(w.start, w.end, w.pos) for w in segment.words(text)]
        for s, e, _ in words:
            for k in range(s, e):
                if text[k] in chars:
                    yield a, k, text[s:e], k - s, words


def read_tsv(path: Path) -> list[list[str]]:
    if not path.is_file():
        return []
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def gold(news: Path, gaz: Path) -> tuple[dict[str, set[int]], dict, list]:
    """Gold abbreviation offsets per article; the articles; occurrences not judged yet."""
    verdicts = {row[0]: row[1] for row in read_tsv(DATA / "words.tsv")}
    tokens = {(row[0], int(row[1])): row[2] for row in read_tsv(DATA / "tokens.tsv")}
    out: dict[str, set[int]] = defaultdict(set)
    arts, todo = {}, []
    for a, k, word, idx, _ in occurrences(news, gaz):
        arts[a["id"]] = a
        v = verdicts.get(word)
        if v == "?":
            t = tokens.get((a["id"], k))
            if t is None:
                todo.append((a, k, word))
            elif t == "1":
                out[a["id"]].add(k)
        elif v is None:
            todo.append((a, k, word))
        elif v != "-" and str(idx) in v.split(","):
            out[a["id"]].add(k)
    return out, arts, todo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("candidates", "tokens", "score"))
    parser.add_argument("--errors", action="store_true", help="print each miss and false alarm")
    parser.add_argument("--check", action="store_true", help="compare with eval/floors.toml [ner_abbrev]")
    args = parser.parse_args(argv)
    if args.command == "candidates":
        seen = Counter(word for _, _, word, _, _ in occurrences(NEWS, GAZ))
        judged = {row[0] for row in read_tsv(DATA / "words.tsv")}
        for word, n in seen.most_common():
            if word not in judged:
                print(f"{word}\t{n}")
        return 0
    g, arts, todo = gold(NEWS, GAZ)
    if args.command == "tokens":
        for a, k, word in todo:
            print(f"{a['id']}\t{k}\t{word}\t{a['text'][max(0, k - 12):k]}[{a['text'][k]}]{a['text'][k + 1:k + 12]}")
        return 0
    if todo:
        print(f"eval/ner_abbrev: {len(todo)} occurrences not judged yet (run `tokens`)", file=sys.stderr)
        return 2
    from pipeline.stages.ner.abbrev import load_abbreviations
    from pipeline.stages.registry import configured_stage

    abbrev, _ = load_abbreviations(ROOT / "rules" / "ner" / "abbreviations.toml")
    segment = configured_stage("segment", ROOT / "rules")
    counts = {s: Counter() for s in ("dev", "train", "heldout")}
    for doc_id, a in sorted(arts.items()):
        text = a["text"]
        words = [(w.start, w.end, w.pos) for w in segment.words(text)]
        found = {s for s, _, _, _, _ in abbrev.find(text, words)}
        want = g.get(doc_id, set())
        c = counts[split_of(a)]
        c["articles"] += 1
        c["tp"] += len(found & want)
        c["fp"] += len(found - want)
        c["fn"] += len(want - found)
        if args.errors:
            for k in sorted(found ^ want):
                kind = "false" if k in found else "missed"
                print(f"  {split_of(a):7} {kind:6} {doc_id} {k} {text[max(0, k - 10):k]}[{text[k]}]{text[k + 1:k + 10]}")
    print(f"one-character place abbreviations, {len(arts)} news articles (eval/data/ner_abbrev/)")
    figures = {}
    for split in ("dev", "train", "heldout"):
        c = counts[split]
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        print(f"  {split:7} articles {c['articles']:3}  gold {c['tp'] + c['fn']:4}  found {c['tp'] + c['fp']:4}  "
              f"P {p:.3f}  R {r:.3f}")
        figures[f"{split}_precision"], figures[f"{split}_recall"] = round(p, 4), round(r, 4)
    if args.check:
        from pipeline.inspect.floors import check_floors

        return check_floors(figures, ROOT / "eval" / "floors.toml", "ner_abbrev")
    return 0


if __name__ == "__main__":
    sys.exit(main())
