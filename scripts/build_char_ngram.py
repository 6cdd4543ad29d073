"""Build pipeline/stages/repair/data/char_ngram.tsv.gz: the pruned character 4-gram model
(interpolated Kneser-Ney) the repair stage chooses lost characters with.

A lost GBK byte leaves ~100-190 candidate characters; the bigram model
(`char_lm.tsv.gz`, which still scores whole runs) sees one character on each
side and is sure of the right one too rarely. This model conditions on up to
three characters and is read with three on each side (`CharNgram.choose`).

Sources (text converted with OpenCC t2s; private-use, control and unassigned
characters split the text, as in build_char_lm.py):
- the training split of ../shared/data/news/news_zh.jsonl (`split_of` == train;
  eval/repair.py measures on the rest; U+E40C paragraph marks become line breaks);
- MSRA and PD1998 NER training text (People's Daily; research use) and the
  Resume and Weibo NER training text (CLUENER is left out: it is THUCNews
  sentences, which may overlap the held-out news);
- the gazetteers' names (one line each);
- jieba's dictionary words (one line each, unweighted).

Pruning: n-grams of order 2-4 seen fewer than --min-count times are dropped;
each kept context keeps its unpruned total and number of distinct followers,
so discounting stays right. Output (gzip, mtime 0: byte-for-byte reproducible):
  `#` comments, then `g<TAB>n-gram<TAB>count` (count = raw count at order 4,
  continuation count below) and `c<TAB>context<TAB>total<TAB>types`.
Characters are written as `U+XXXXXX` when not printable, and `U` itself too.

Usage: python scripts/build_char_ngram.py [--min-count N] [--out PATH]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
from collections import Counter
from pathlib import Path

import opencc

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

# The corpus as the bigram model's script reads it (one reader for both).
from build_char_lm import JIEBA_DICT, JUNK, news_texts  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "pipeline" / "stages" / "repair" / "data" / "char_ngram.tsv.gz"
ORDER = 4
DEFAULT_MIN_COUNT = 6
NER_FILES = ("msra_train.jsonl", "pd1998_jan.jsonl", "resume_ner_train.jsonl", "weibo_ner_train.jsonl")
BOUNDARY = "\n"  # lines start and end with a line break, as paragraphs do in news


def texts():
    yield from news_texts(SHARED / "news" / "news_zh.jsonl")
    for name in NER_FILES:
        with (SHARED / "ner" / name).open(encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)["text"]
    for path in sorted((SHARED / "gazetteers").glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                obj = json.loads(line)
                for key in ("name", "short"):
                    if isinstance(obj.get(key), str):
                        yield obj[key]
    with JIEBA_DICT.open(encoding="utf-8") as f:
        for line in f:
            if line.split():
                yield line.split()[0]


def count(min_count: int) -> tuple[list[Counter], dict]:
    t2s = opencc.OpenCC("t2s")
    raw: list[Counter] = [Counter() for _ in range(ORDER + 1)]  # raw[n][ngram]
    for text in texts():
        for part in JUNK.split(t2s.convert(text)):
            s = BOUNDARY + part.strip("\n") + BOUNDARY
            for n in range(1, ORDER + 1):
                raw[n].update(s[i : i + n] for i in range(len(s) - n + 1))
    # Continuation counts for orders below the top: distinct characters before.
    counts: list[Counter] = [Counter() for _ in range(ORDER + 1)]
    counts[ORDER] = raw[ORDER]
    for n in range(1, ORDER):
        cont: Counter = Counter()
        for g in raw[n + 1]:
            cont[g[1:]] += 1
        counts[n] = cont
    # Context stats from the unpruned counts of each order.
    stats: dict[str, tuple[int, int]] = {}
    for n in range(2, ORDER + 1):
        total: Counter = Counter()
        types: Counter = Counter()
        for g, c in counts[n].items():
            total[g[:-1]] += c
            types[g[:-1]] += 1
        for h in total:
            stats[h] = (total[h], types[h])
    kept = [Counter() for _ in range(ORDER + 1)]
    kept[1] = counts[1]
    for n in range(2, ORDER + 1):
        kept[n] = Counter({g: c for g, c in counts[n].items() if raw[n][g] >= min_count})
    contexts = {g[:-1] for n in range(2, ORDER + 1) for g in kept[n]}
    return kept, {h: stats[h] for h in contexts}


def render(kept: list[Counter], stats: dict, min_count: int) -> bytes:
    lines = [
        "# Character 4-gram model, interpolated Kneser-Ney, pruned (simplified Chinese). Sources: news_zh "
        "training split, MSRA/PD1998/Resume/Weibo NER text (research use), gazetteer names, jieba dict words. "
        "See pipeline/stages/repair/data/README.md.",
        f"# Built by: python scripts/build_char_ngram.py --min-count {min_count}",
        "# g<TAB>ngram<TAB>count | c<TAB>context<TAB>total<TAB>types",
    ]
    for n in range(1, ORDER + 1):
        for g, c in sorted(kept[n].items()):
            lines.append(f"g\t{_esc(g)}\t{c}")
    for h, (total, types) in sorted(stats.items()):
        lines.append(f"c\t{_esc(h)}\t{total}\t{types}")
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    return buf.getvalue()


def _esc(s: str) -> str:
    return "".join(ch if ch.isprintable() and not ch.isspace() and ch != "U" else f"U+{ord(ch):06X}" for ch in s)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--min-count", type=int, default=DEFAULT_MIN_COUNT)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    kept, stats = count(args.min_count)
    data = render(kept, stats, args.min_count)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    sizes = ", ".join(f"{n}-grams {len(kept[n])}" for n in range(1, ORDER + 1))
    print(f"wrote {args.out} ({len(data)} bytes; {sizes}; {len(stats)} contexts)")


if __name__ == "__main__":
    main()
