"""Build the spun-phrase table from the spinner word swaps and ordinary news.

    .venv/bin/python scripts/build_spun_table.py [--shared PATH]

Reads rules/clean/lexicon/spun_pairs_own.tsv (standard word, the word a synonym
spinner writes for it) and the background corpora of ../shared/data/ner/ (People's
Daily 1998, MSRA, CLUENER: ordinary text, not the news sample eval/clean.py measures
on). For each pair it takes the standard word with two or four characters of context on one
side as ordinary text writes it (at least MIN_STANDARD times: 有限责任公司, 发展水平,
技术创新) and swaps the word; a swapped phrase that the background never holds is
evidence of spinning (有限责任企业, 开展水平, 技能立异), and so is the spun word alone
when the background never holds it (先容, restorable) or holds it at most RARE times per
standard word (现已 for 已经; counted, not restored). Writes rules/clean/lexicon/spun_table.tsv:
spun, standard, whether de-spinning may restore it (1: one standard phrase gives it;
0: two do, so the restoration would be a guess), and the standard phrase's background
count.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.core.chars import HAN  # noqa: E402
from pipeline.core.patterns import alternation  # noqa: E402

PAIRS = ROOT / "rules" / "clean" / "lexicon" / "spun_pairs_own.tsv"
OUT = ROOT / "rules" / "clean" / "lexicon" / "spun_table.tsv"
CORPORA = ("msra_train.jsonl", "pd1998_jan.jsonl", "cluener2020_train.jsonl")
MIN_STANDARD = 4  # a context seen this often in ordinary text is how writers use the word
PER_PAIR = 400  # the most frequent contexts of each pair
RARE = 0.02  # a spun word alone counts when ordinary text writes it at most this often per standard word
CONTEXTS = (2, 4)  # characters of context on one side (科技发展, 有限责任公司)
_HAN = re.compile(f"^[{HAN}]+$")


def read_pairs(path: Path = PAIRS) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            standard, spun = line.split("\t")
            pairs.append((standard, spun))
    return pairs


def background(shared: Path) -> str:
    texts = []
    for name in CORPORA:
        with (shared / "data" / "ner" / name).open(encoding="utf-8") as fh:
            texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    return "\n".join(texts)


def build(pairs: list[tuple[str, str]], bg: str) -> list[tuple[str, str, int, int]]:
    candidates: dict[str, set[str]] = defaultdict(set)  # spun phrase -> standard phrases
    rare: dict[str, str] = {}  # spun word -> standard word
    standard_count: Counter = Counter()
    for standard, spun in pairs:
        contexts: Counter = Counter()
        for m in re.finditer(re.escape(standard), bg):
            for width in CONTEXTS:
                left = bg[max(0, m.start() - width):m.start()]
                right = bg[m.end():m.end() + width]
                if len(left) == width and _HAN.match(left):
                    contexts[left + standard] += 1
                if len(right) == width and _HAN.match(right):
                    contexts[standard + right] += 1
        for phrase, n in contexts.most_common(PER_PAIR):
            if n < MIN_STANDARD:
                break
            # The swap of this pair, and every swap a spinner would make in the phrase (技术创新 → 技能立异).
            every = phrase
            for a, b in pairs:
                every = every.replace(a, b)
            for version in {phrase.replace(standard, spun), every}:
                candidates[version].add(phrase)
            standard_count[phrase] = n
        candidates[spun].add(standard)
        standard_count[standard] = bg.count(standard)
        # The spun word alone, where ordinary text all but never writes it for the standard one
        # (现已 against 已经): evidence, not restored (the few ordinary uses would be changed).
        if bg.count(spun) <= RARE * standard_count[standard]:
            rare[spun] = standard
    seen: Counter = Counter(m.group() for m in re.finditer(alternation(list(candidates), trie=True), bg))
    rows = []
    for spun, standards in sorted(candidates.items()):
        if spun in rare and (seen[spun] or bg.count(spun)):
            rows.append((spun, rare[spun], 0, standard_count[rare[spun]]))
            continue
        if seen[spun] or bg.count(spun):
            continue  # ordinary text writes it: no evidence
        standard = max(standards, key=lambda s: standard_count[s])
        rows.append((spun, standard, int(len(standards) == 1), standard_count[standard]))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    pairs = read_pairs()
    rows = build(pairs, background(args.shared))
    header = ("# Spun phrases (伪原创) and the standard phrase each replaced, written by scripts/build_spun_table.py\n"
              "# from rules/clean/lexicon/spun_pairs_own.tsv and ordinary text (../shared/data/ner: People's Daily\n"
              "# 1998, MSRA, CLUENER): phrases that text never holds. despin 1: one standard phrase gives it.\n"
              "# spun<TAB>standard<TAB>despin<TAB>standard_count\n")
    args.out.write_text(header + "".join(f"{a}\t{b}\t{c}\t{d}\n" for a, b, c, d in rows), encoding="utf-8")
    print(f"{len(pairs)} pairs -> {len(rows)} spun phrases ({sum(r[2] for r in rows)} restorable) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
