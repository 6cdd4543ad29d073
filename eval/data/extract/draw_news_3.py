"""Draw the sentences of the third news table (news_zh_3.txt), weighted to money and counts.

    .venv/bin/python eval/data/extract/draw_news_3.py [--news PATH] > /tmp/draw3.txt

Articles: THUCNews finance (财经), sports (体育) and real estate (房产) records that neither
news_zh.txt nor news_zh_2.txt uses. One sentence an article (8-220 characters, split at 。！？；!?),
chosen at random (seed 20261208) among the article's sentences of the wanted kind: MONEY sentences
hold a number before a currency word, COUNT sentences (no money) a number before a measure word.
Articles are shuffled and taken in turn until the quotas are met. Prints `S id offset` lines and the
sentence as a comment, the skeleton that was then annotated by hand (blind: no extractor output shown).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
DEFAULT_NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
USED = (HERE / "news_zh.txt", HERE / "news_zh_2.txt")
CATEGORIES = ("财经", "体育", "房产")
SEED = 20261208
QUOTA = {"money": 55, "count": 40}

NUM = r"[0-9０-９.．,，零〇一二两三四五六七八九十百千万亿几数余多]"
MONEY = re.compile(NUM + r"\s?(?:元|美元|港元|港币|欧元|日元|英镑|美金|块钱|亿|万)?(?:元|美元|港元|港币|欧元|日元|英镑|美金|块钱)")
UNITS = "家个项人名位所只台辆架艘件座条种类批次场篇部套支户株头匹张本册份处间栋幢款例起宗笔枚颗棵段股票席块幅根片轮球分"
COUNT = re.compile(NUM + r"\s?[" + UNITS + "]")


def used_articles(tables=USED) -> set[str]:
    """Articles a sentence of `tables` was drawn from (their `S <id> <offset>` lines)."""
    ids = set()
    for path in tables:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("S "):
                ids.add(line.split()[1])
    return ids


def sentences(text: str):
    start = 0
    for m in re.finditer(r"[。！？；!?]|$", text):
        end = m.end()
        s = text[start:end]
        if 8 <= len(s.strip()) <= 220:
            lead = len(s) - len(s.lstrip())
            yield start + lead, s.strip()
        start = end
        if m.end() == len(text):
            break


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    args = parser.parse_args()
    used = used_articles()
    records = [json.loads(line) for line in args.news.open(encoding="utf-8")]
    pool = [r for r in records if r.get("category") in CATEGORIES and r["id"] not in used]
    rng = random.Random(SEED)
    rng.shuffle(pool)
    taken = {k: 0 for k in QUOTA}
    for r in pool:
        if all(taken[k] >= QUOTA[k] for k in QUOTA):
            break
        kinds = {"money": [], "count": []}
        for off, s in sentences(r["text"]):
            if MONEY.search(s):
                kinds["money"].append((off, s))
            elif COUNT.search(s):
                kinds["count"].append((off, s))
        for kind in ("money", "count"):
            if taken[kind] < QUOTA[kind] and kinds[kind]:
                off, s = rng.choice(kinds[kind])
                assert r["text"][off:off + len(s)] == s
                taken[kind] += 1
                print(f"# {kind} {r.get('category')}\n# {s}\nS {r['id']} {off}\n")
                break
    print(f"# drawn: {taken} from {len(pool)} articles", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
