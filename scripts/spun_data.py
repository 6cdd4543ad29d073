"""Spun copies for fitting (scripts/fit_spun_classifier.py) and measuring (eval/clean.py).

The articles: the news sample's `eval` split of the repair stage's `split_of` (the character 4-gram
model and the spun table's background never read them), cut in two by a hash of the id: `tune`
(weights and margins are chosen on it) and `measure` (eval/clean.py reports on it). The spinner
works as 伪原创 tools do: each standard word of a swap list replaced with probability `rate`,
leftmost-longest; the swaps come from rules/clean/lexicon/spun_pairs_own.tsv, one half or both.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "rules" / "clean" / "lexicon" / "spun_pairs_own.tsv"
MIN_SWAPS = 3  # fewer swaps than this is not a spun copy
RATES = (0.3, 0.9)


def read_pairs(half: str | None, path: Path = PAIRS) -> dict[str, str]:
    """standard -> spun word for one half (`fit`, `heldout`) or both (None)."""
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            standard, spun, which = line.split("\t")
            if half is None or which == half:
                pairs[standard] = spun
    return pairs


def part_of(article_id: str) -> str:
    """'train' (the models learnt from it), else 'tune' or 'measure', stable per id."""
    from pipeline.stages.repair.corrupt import split_of

    if split_of(article_id) == "train":
        return "train"
    return "tune" if int(hashlib.sha1(article_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "measure"


def articles(news: Path, part: str) -> list[dict]:
    with news.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return sorted((r for r in records if r.get("text") and part_of(str(r["id"])) == part), key=lambda r: r["id"])


def spin(text: str, pairs: dict[str, str], rng: random.Random, rate: float) -> tuple[str, list[tuple[int, int, str]]]:
    """The text with each standard word of `pairs` replaced with probability `rate`, and
    (start, end, standard) of each swap in the spun text."""
    pattern = re.compile("|".join(sorted(map(re.escape, pairs), key=len, reverse=True)))
    out, swaps, pos, shift = [], [], 0, 0
    for m in pattern.finditer(text):
        if rng.random() >= rate:
            continue
        out.append(text[pos:m.start()])
        spun = pairs[m.group()]
        start = m.start() + shift
        swaps.append((start, start + len(spun), m.group()))
        out.append(spun)
        shift += len(spun) - len(m.group())
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), swaps


def spun_copies(records: list[dict], pairs: dict[str, str], seed: int):
    """(record, plain text, spun text, swaps) for each record spun with at least MIN_SWAPS swaps."""
    rng = random.Random(seed)
    for record in records:
        text = record["text"].replace("\ue40c", "\n")
        spun, swaps = spin(text, pairs, rng, rng.uniform(*RATES))
        if len(swaps) >= MIN_SWAPS:
            yield record, text, spun, swaps
