"""Build pipeline/stages/decode/data/char_freq.tsv, the unigram character model used by
pipeline.stages.decode.detect to tell GBK, Big5 and UTF-8 apart.

Source: jieba's bundled dictionary (jieba/dict.txt, MIT licence), lines
`word freq pos`. A character's count is the sum over words of freq x its
occurrences in the word. The news corpus is research-use only, so no counts
from it are shipped.

Big5 text is traditional Chinese, so every dictionary word is also converted
with OpenCC (s2t and s2tw, whole words so that context picks the right form,
e.g. 头发 -> 頭髮 but 发展 -> 發展) and its traditional characters counted with
the word's frequency. Hand-set shares cover punctuation, ASCII and whitespace,
which the dictionary barely contains but news text is full of.

Output: `char<TAB>count` lines, most frequent first (ties by code point), so
the file is byte-for-byte reproducible. Whitespace and other non-printable
characters are written as `U+XXXX`.

Usage: python scripts/build_char_freq.py [--top N] [--out PATH]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
from collections import Counter
from pathlib import Path

import jieba
import opencc

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(REPO))

from pipeline.core.chars import is_han, to_fullwidth  # noqa: E402

DEFAULT_OUT = REPO / "pipeline" / "stages" / "decode" / "data" / "char_freq.tsv"
DEFAULT_TOP = 10_000  # Han characters kept; rarer ones fall to the model's floor

# Share of all characters in news text that Han characters take; the hand-set
# shares below are fractions of the same whole. Rough figures for mainland
# news; only their order of magnitude matters for telling encodings apart.
HAN_SHARE = 0.80
EXTRA_SHARES: dict[str, float] = {
    # CJK punctuation: the comma alone is ~5% of news characters.
    "，": 0.045, "。": 0.022, "、": 0.007, "“": 0.005, "”": 0.005,
    "：": 0.003, "；": 0.001, "！": 0.001, "？": 0.001, "（": 0.002,
    "）": 0.002, "《": 0.002, "》": 0.002, "【": 0.0005, "】": 0.0005,
    "—": 0.001, "…": 0.0005, "·": 0.0005, "‘": 0.0002, "’": 0.0002,
    "％": 0.0002, "．": 0.0001, "～": 0.0001, "「": 0.0003, "」": 0.0003,
    "『": 0.00005, "』": 0.00005, "〈": 0.00005, "〉": 0.00005,
    "\u3000": 0.001,  # ideographic space, common in indented Chinese text
    "℃": 0.00005, "×": 0.00005, "°": 0.00005, "●": 0.00005, "■": 0.00003,
    "★": 0.00003, "◆": 0.00003, "→": 0.00003, "÷": 0.00001, "±": 0.00001,
    "①": 0.00002, "②": 0.00002, "③": 0.00002, "④": 0.00001, "⑤": 0.00001,
    "\ufeff": 0.00001,  # stray BOMs inside crawled text
    "\xa0": 0.0005,  # no-break space from HTML &nbsp;, common in crawled pages
    # Whitespace.
    " ": 0.01, "\n": 0.003, "\r": 0.001, "\t": 0.0002,
}
ASCII_DIGIT_SHARE = 0.002  # each of 0-9: dates and figures are everywhere
ASCII_LETTER_SHARE = 0.0003  # each of A-Z, a-z
ASCII_PUNCT_SHARE = 0.0001  # each printable ASCII symbol
FULLWIDTH_SHARE = 0.00001  # each fullwidth ASCII variant not listed above


def dictionary_path() -> Path:
    return Path(jieba.__file__).resolve().parent / "dict.txt"


def read_words(path: Path) -> list[tuple[str, int]]:
    words = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                words.append((parts[0], int(parts[1])))
    return words


def count_chars(words: list[tuple[str, int]]) -> Counter:
    counts: Counter = Counter()
    for word, freq in words:
        for ch in word:
            counts[ch] += freq
    return counts


def convert_words(words: list[tuple[str, int]], config: str) -> list[tuple[str, int]]:
    # One call for the whole list (OpenCC is fast on big inputs, slow per
    # call); dictionary words contain no newlines, so lines stay aligned.
    converted = opencc.OpenCC(config).convert("\n".join(w for w, _ in words)).split("\n")
    if len(converted) != len(words):
        raise RuntimeError(f"OpenCC {config} changed the number of lines")
    return [(t, f) for t, (_, f) in zip(converted, words)]


def han_counts(words: list[tuple[str, int]]) -> Counter:
    simplified = count_chars(words)
    # s2t and s2tw disagree on some forms (爲/為, 裏/裡): count both at half
    # weight, so the traditional side totals about the simplified one and the
    # result is an even mixture of a simplified and a traditional model.
    traditional = count_chars(convert_words(words, "s2t"))
    traditional.update(count_chars(convert_words(words, "s2tw")))
    merged: Counter = Counter()
    for ch in set(simplified) | set(traditional):
        if is_han(ch):
            merged[ch] = 2 * simplified[ch] + traditional[ch]
    return merged


def extra_shares() -> dict[str, float]:
    shares: dict[str, float] = {}
    for cp in range(0x21, 0x7F):
        ch = chr(cp)
        if ch.isdigit():
            shares[ch] = ASCII_DIGIT_SHARE
        elif ch.isalpha():
            shares[ch] = ASCII_LETTER_SHARE
        else:
            shares[ch] = ASCII_PUNCT_SHARE
        shares.setdefault(to_fullwidth(ch), FULLWIDTH_SHARE)
    shares.update(EXTRA_SHARES)
    return shares


def build_table(top: int) -> list[tuple[str, int]]:
    han = han_counts(read_words(dictionary_path()))
    kept = sorted(han.items(), key=lambda kv: (-kv[1], ord(kv[0])))[:top]
    unit = sum(c for _, c in kept) / HAN_SHARE  # count of "all characters"
    table = dict(kept)
    for ch, share in extra_shares().items():
        table[ch] = max(1, round(share * unit))
    return sorted(table.items(), key=lambda kv: (-kv[1], ord(kv[0])))


def format_char(ch: str) -> str:
    if ch.isprintable() and not ch.isspace() and ch != "\ufeff":
        return ch
    return f"U+{ord(ch):04X}"


def render(table: list[tuple[str, int]], top: int) -> str:
    jieba_version = importlib.metadata.version("jieba")
    opencc_version = importlib.metadata.version("opencc")
    header = [
        f"# Character unigram counts. Source: jieba {jieba_version} dict.txt (MIT licence), "
        f"plus traditional forms via OpenCC {opencc_version} s2t/s2tw (Apache-2.0) and "
        "hand-set shares for punctuation, ASCII and whitespace.",
        f"# Built by: python scripts/build_char_freq.py --top {top}",
        "# Format: char<TAB>count; non-printable characters as U+XXXX.",
    ]
    body = [f"{format_char(ch)}\t{count}" for ch, count in table]
    return "\n".join(header + body) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--top", type=int, default=DEFAULT_TOP, help="Han characters to keep")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    text = render(build_table(args.top), args.top)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.out} ({len(text.encode('utf-8'))} bytes)")


if __name__ == "__main__":
    main()
