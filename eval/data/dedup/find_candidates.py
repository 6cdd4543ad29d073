"""List candidate near-duplicate pairs of real news for hand labelling (news_pairs.tsv).

Independent of the dedup stage: exact character 4-gram sets of the raw text
(whitespace removed), all pairs sharing a 4-gram that occurs in at most 50
articles, kept when Jaccard >= 0.15 or containment (share of the smaller set
in the other) >= 0.5. Prints `jaccard  containment  id_a  id_b`, most similar first.

Usage: .venv/bin/python eval/data/dedup/find_candidates.py [../shared/data/news/news_zh.jsonl]
"""

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[4] / "shared/data/news/news_zh.jsonl"
records = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def grams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i : i + 4] for i in range(len(text) - 3)}


sets = [grams(r["text"]) for r in records]
index = defaultdict(list)
for i, g in enumerate(sets):
    for x in g:
        index[x].append(i)
shared = Counter()
for docs in index.values():
    if len(docs) <= 50:  # a 4-gram in more articles is boilerplate, not evidence of a copy
        for a in range(len(docs)):
            for b in range(a + 1, len(docs)):
                shared[docs[a], docs[b]] += 1
rows = []
for a, b in shared:
    both = len(sets[a] & sets[b])
    j = both / max(1, len(sets[a] | sets[b]))
    c = both / max(1, min(len(sets[a]), len(sets[b])))
    if j >= 0.15 or c >= 0.5:
        rows.append((round(j, 3), round(c, 3), records[a]["id"], records[b]["id"]))
for row in sorted(rows, reverse=True):
    print(*row, sep="\t")
