"""Build pipeline/stages/repair/data/char_lm.tsv.gz, the character bigram model of the repair stage.

The repair stage chooses between readings of damaged text (a lost GBK byte,
a round trip through another encoding) by how plausible each is as Chinese
news. A unigram model cannot tell `專家出席會議` from `专家出鱿会议`-like
garbage made of ordinary characters; a bigram model can.

Sources, all in simplified Chinese (the model scores text after OpenCC t2s):
- jieba 0.42.1's dictionary (dict.txt, MIT licence): for each word, its
  characters and the bigrams inside it, weighted by the word's frequency.
- The news sample in ../shared/data/news/news_zh.jsonl (THUCNews and SogouCS,
  research use): characters and bigrams of running text, punctuation
  included, which the dictionary lacks; private-use and control characters
  are dropped (they are damage, not text). Only the training split is used:
  articles whose id hashes to 0-7 mod 10 (`pipeline.stages.repair.corrupt.split_of`); eval/repair.py
  measures on the rest.
News counts are scaled so that news and dictionary carry equal weight.

Output (gzip, mtime 0, so it is byte-for-byte reproducible):
  `#` comment lines, then
  `1<TAB>char<TAB>count<TAB>history<TAB>types` for each character: its count,
      the total count of bigrams it starts and how many distinct ones (before
      pruning, so discounting stays right after pruning);
  `2<TAB>bigram<TAB>count` for bigrams whose scaled count is at least
      --min-count.
Characters are written as `U+XXXXXX` (six hex digits) when not printable, and `U` itself too.

Usage: python scripts/build_char_lm.py [--news PATH] [--min-count N] [--out PATH]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.metadata
import io
import json
import re
import sys
from collections import Counter
from pathlib import Path

import jieba
import opencc

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.stages.repair.corrupt import split_of  # noqa: E402  (eval/repair.py uses the same split)

DEFAULT_NEWS = REPO.parent / "shared" / "data" / "news" / "news_zh.jsonl"
DEFAULT_OUT = REPO / "pipeline" / "stages" / "repair" / "data" / "char_lm.tsv.gz"
DEFAULT_MIN_COUNT = 40


# Private-use, control, unassigned and surrogate characters are damage, not
# Chinese: crawled news has PUA bullets, and a model that knows them would
# prefer them. Text is split at them so they make no bigrams either.
# (scripts/build_char_ngram.py reads its corpus with JUNK, JIEBA_DICT and news_texts too.)
JUNK = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd\U000f0000-\U0010ffff]+")
# The Sogou records mark paragraph breaks with U+E40C: kept as line breaks, so
# the model knows what ends a paragraph (`。` before a line break).
_PARAGRAPH = re.compile("\ue40c")
JIEBA_DICT = Path(jieba.__file__).resolve().parent / "dict.txt"


def news_texts(path: Path = DEFAULT_NEWS):
    """The texts of the training split's articles, paragraph marks as line breaks."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            obj = json.loads(line)
            text = obj.get("text") or ""
            if text and split_of(str(obj["id"])) == "train":
                yield _PARAGRAPH.sub("\n", text)


def dictionary_counts() -> tuple[Counter, Counter]:
    path = JIEBA_DICT
    uni: Counter = Counter()
    bi: Counter = Counter()
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2 or not parts[1].isdigit():
                continue
            word, freq = parts[0], int(parts[1])
            for ch in word:
                uni[ch] += freq
            for a, b in zip(word, word[1:]):
                bi[a + b] += freq
    return uni, bi


def news_counts(path: Path) -> tuple[Counter, Counter]:
    to_simplified = opencc.OpenCC("t2s")
    uni: Counter = Counter()
    bi: Counter = Counter()
    for text in news_texts(path):
        for part in JUNK.split(to_simplified.convert(text)):
            uni.update(part)
            bi.update(a + b for a, b in zip(part, part[1:]))
    return uni, bi


def combine(dict_counts: tuple[Counter, Counter], news: tuple[Counter, Counter]) -> tuple[Counter, Counter]:
    d_uni, d_bi = dict_counts
    n_uni, n_bi = news
    scale = sum(d_bi.values()) / max(1, sum(n_bi.values()))
    uni = Counter({k: round(v) for k, v in d_uni.items()})
    for k, v in n_uni.items():
        uni[k] += round(v * scale)
    bi = Counter(d_bi)
    for k, v in n_bi.items():
        bi[k] += round(v * scale)
    return uni, bi


def render(uni: Counter, bi: Counter, min_count: int) -> bytes:
    history: Counter = Counter()
    types: Counter = Counter()
    for pair, count in bi.items():
        history[pair[0]] += count
        types[pair[0]] += 1
    kept = sorted(((p, c) for p, c in bi.items() if c >= min_count), key=lambda kv: (-kv[1], kv[0]))
    lines = [
        f"# Character bigram model (simplified Chinese). Sources: jieba "
        f"{importlib.metadata.version('jieba')} dict.txt (MIT) and the training split of the "
        "THUCNews/SogouCS news sample (research use). See pipeline/stages/repair/data/README.md.",
        f"# Built by: python scripts/build_char_lm.py --min-count {min_count}",
        "# 1<TAB>char<TAB>count<TAB>history<TAB>types | 2<TAB>bigram<TAB>count",
    ]
    for ch, count in sorted(uni.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"1\t{_esc(ch)}\t{count}\t{history[ch]}\t{types[ch]}")
    for pair, count in kept:
        lines.append(f"2\t{_esc(pair[0])}{_esc(pair[1])}\t{count}")
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    return buf.getvalue()


def _esc(ch: str) -> str:
    return ch if ch.isprintable() and not ch.isspace() and ch != "U" else f"U+{ord(ch):06X}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    ap.add_argument("--min-count", type=int, default=DEFAULT_MIN_COUNT)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    uni, bi = combine(dictionary_counts(), news_counts(args.news))
    data = render(uni, bi, args.min_count)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    kept = sum(1 for c in bi.values() if c >= args.min_count)
    print(f"wrote {args.out} ({len(data)} bytes; {len(uni)} characters, {kept} of {len(bi)} bigrams)")


if __name__ == "__main__":
    main()
