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
WORD_FREQ = 100  # a spun word jieba's dictionary counts more often is an ordinary word (疑问 881, 开端 470; 先容 3)
ORDINARY = 0.05  # the spun word next to this context character is ordinary usage (的需求 against 的需要)
CONTEXTS = (2, 4)  # characters of context on one side (科技发展, 有限责任公司)
_HAN = re.compile(f"[{HAN}]+")


def read_pairs(path: Path = PAIRS, half: str | None = "fit") -> list[tuple[str, str]]:
    """The (standard, spun) pairs of one half (`fit` or `heldout`), or of both (None)."""
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            standard, spun, which = line.split("\t")
            if half is None or which == half:
                pairs.append((standard, spun))
    return pairs


def background(shared: Path) -> str:
    import jieba

    from pipeline.stages.repair.corrupt import split_of

    texts = []
    for name in CORPORA:
        with (shared / "data" / "ner" / name).open(encoding="utf-8") as fh:
            texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    with (shared / "data" / "news" / "news_zh.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            if obj.get("text") and split_of(str(obj["id"])) == "train":
                texts.append(obj["text"].replace("\ue40c", "\n"))
    # Dictionary words, one a line: a spun word that is a word of its own (疑问, 开端) is ordinary.
    dict_txt = Path(jieba.__file__).resolve().parent / "dict.txt"
    texts.extend(line.split(" ", 1)[0] for line in dict_txt.read_text(encoding="utf-8").splitlines())
    return "\n".join(texts)


def word_freq() -> dict[str, int]:
    """jieba's dictionary frequencies: how ordinary a word is on its own."""
    import jieba

    out = {}
    for line in (Path(jieba.__file__).resolve().parent / "dict.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


def neighbours(bg: str, word: str) -> tuple[Counter, Counter]:
    """The characters written just before and just after `word` in the background, counted."""
    before, after = Counter(), Counter()
    for m in re.finditer(re.escape(word), bg):
        before[bg[m.start() - 1:m.start()]] += 1
        after[bg[m.end():m.end() + 1]] += 1
    return before, after


def ordinary(near: str, standard: tuple[Counter, Counter], spun: tuple[Counter, Counter], left: bool) -> bool:
    """Whether writers put the spun word next to the context character `near` (on its left when
    `left`) about as readily as the standard word (the neighbours of each)."""
    side = 0 if left else 1
    return spun[side][near] >= ORDINARY * max(1, standard[side][near])


def build(pairs: list[tuple[str, str]], bg: str, freq: dict[str, int]) -> list[tuple[str, str, int, int]]:
    candidates: dict[str, set[str]] = defaultdict(set)  # spun phrase -> standard phrases
    rare: dict[str, str] = {}  # spun word -> standard word
    standard_count: Counter = Counter()
    for standard, spun in pairs:
        near_standard, near_spun = neighbours(bg, standard), neighbours(bg, spun)
        contexts: Counter = Counter()
        for m in re.finditer(re.escape(standard), bg):
            for width in CONTEXTS:
                left = bg[max(0, m.start() - width):m.start()]
                right = bg[m.end():m.end() + width]
                if len(left) == width and _HAN.fullmatch(left):
                    contexts[left + standard] += 1
                if len(right) == width and _HAN.fullmatch(right):
                    contexts[standard + right] += 1
        for phrase, n in contexts.most_common(PER_PAIR):
            if n < MIN_STANDARD:
                break
            left = phrase.endswith(standard)
            if ordinary(phrase[-len(standard) - 1] if left else phrase[len(standard)], near_standard, near_spun, left):
                continue
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
        # (先容 against 介绍): evidence, not restored (the few ordinary uses would be changed);
        # not a word of its own in ordinary use (疑问, 开端, 价钱 are).
        if bg.count(spun) <= RARE * standard_count[standard] and freq.get(spun, 0) <= WORD_FREQ:
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
    rows = build(pairs, background(args.shared), word_freq())
    header = ("# Spun phrases (伪原创) and the standard phrase each replaced, written by scripts/build_spun_table.py\n"
              "# from the fit half of rules/clean/lexicon/spun_pairs_own.tsv and ordinary text (../shared/data/ner:\n"
              "# People's Daily 1998, MSRA, CLUENER; the news training split; jieba's dictionary words): phrases\n"
              "# that text never holds. despin 1: one standard phrase gives it.\n"
              "# spun<TAB>standard<TAB>despin<TAB>standard_count\n")
    args.out.write_text(header + "".join(f"{a}\t{b}\t{c}\t{d}\n" for a, b, c, d in rows), encoding="utf-8")
    print(f"{len(pairs)} pairs -> {len(rows)} spun phrases ({sum(r[2] for r in rows)} restorable) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
