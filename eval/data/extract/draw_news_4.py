"""Draw the sentences of the fourth news table (news_zh_4.txt): counts only, held out.

    .venv/bin/python eval/data/extract/draw_news_4.py [--news PATH] > /tmp/draw4.txt

Articles of any category that none of news_zh.txt, news_zh_2.txt, news_zh_3.txt uses. One sentence an
article (8-220 characters, split at 。！？；!?), chosen at random (seed 20261209) among the article's
sentences of the wanted class, classes taken in this order with a quota each (issue 19's count classes):
SELF a number glued to a noun that can be its own measure word (九常委, 两国, 6省区, 三大银行);
COMPARE a comparison word before a counted number (低于8个城市); TWICE 二次/两次; FRACTION two
fractions joined by a range word; COUNT any number before a measure word (the bulk). Articles are
shuffled and taken in turn until the quotas are met. A second pass over the articles not taken
(same order) adds DENSE sentences, holding two or more numbers before a measure word, so that the
table reaches 150 counts. Prints `S id offset` lines and the sentence as a
comment: the skeleton annotated by hand (blind: no extractor output shown), counts only.
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
from draw_news_3 import sentences, used_articles  # noqa: E402  (same folder)

USED = (HERE / "news_zh.txt", HERE / "news_zh_2.txt", HERE / "news_zh_3.txt")
SEED = 20261209
QUOTA = {"self": 25, "compare": 10, "twice": 6, "fraction": 4, "count": 65}

NUM = r"[0-9０-９零〇一二两三四五六七八九十百千万几数]"
SELF = re.compile(NUM + r"(?:国|省|市|区|县|队|校|岛|企|行|方|党|常委|大|院|城|镇|村|岸|地|家银行|所高校)")
COMPARE = re.compile(r"(?:低于|高于|超过|多于|少于|不足|不到|少于|多出|大于|小于)" + NUM + r"+[个家名位所只台项人]")
TWICE = re.compile(r"二次|两次")
FRACTION = re.compile(r"分之[一二三四五六七八九十]+\s?(?:到|至|-|—|~)\s?[一二三四五六七八九十]+分之")
UNITS = "家个项人名位所只台辆架艘件座条种类批次场篇部套支户株头匹张本册份处间栋幢款例起宗笔枚颗棵段股票席块幅根片轮"
COUNT = re.compile(NUM + r"\s?[" + UNITS + "]")
DENSE_QUOTA = 80
CLASSES = (("fraction", FRACTION), ("twice", TWICE), ("compare", COMPARE), ("self", SELF), ("count", COUNT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    args = parser.parse_args()
    used = used_articles(USED)
    pool = [r for r in (json.loads(line) for line in args.news.open(encoding="utf-8")) if r["id"] not in used]
    rng = random.Random(SEED)
    rng.shuffle(pool)
    taken = {k: 0 for k in QUOTA}
    ids = []
    for r in pool:
        if all(taken[k] >= QUOTA[k] for k in QUOTA):
            break
        found = {k: [] for k in QUOTA}
        for off, s in sentences(r["text"]):
            for kind, pattern in CLASSES:
                if pattern.search(s):
                    found[kind].append((off, s))
                    break
        for kind, _ in CLASSES:
            if taken[kind] < QUOTA[kind] and found[kind]:
                off, s = rng.choice(found[kind])
                assert r["text"][off:off + len(s)] == s
                taken[kind] += 1
                ids.append(r["id"])
                print(f"# {kind} {r.get('category')}\n# {s}\nS {r['id']} {off}\n")
                break
    chosen = set(ids)
    dense = 0
    for r in pool:
        if dense >= DENSE_QUOTA:
            break
        if r["id"] in chosen:
            continue
        found = [(off, s) for off, s in sentences(r["text"]) if len(COUNT.findall(s)) >= 2]
        if found:
            off, s = rng.choice(found)
            dense += 1
            print(f"# dense {r.get('category')}\n# {s}\nS {r['id']} {off}\n")
    print(f"# drawn: {taken}, dense {dense} from {len(pool)} articles", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
