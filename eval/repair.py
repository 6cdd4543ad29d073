"""Evaluate the repair stage on news corrupted by each mechanism it undoes.

For every article of the held-out split of ../shared/data/news/news_zh.jsonl
(the character model never saw it; `pipeline.stages.repair.corrupt.split_of`), sorted
by id, a window of text is damaged once per mechanism by the corruption
generator (`pipeline.stages.repair.corrupt`) with a seeded RNG, and repaired by the
whole repair stage. Reference: the clean window after the repair stage (so
width and invisible-character normalisation, which also act on clean text,
do not count as errors).

Printed per mechanism: character error rate before and after repair (edit
distance / reference characters, summed over windows), the reduction
(1 - after/before), the share of windows repaired exactly, and the lost
characters the stage marked with U+FFFD. Then false repairs: characters the
stage changes in the clean held-out articles by any rule other than the width
and invisible-character ones, and the share of clean characters left alone.

Usage: .venv/bin/python eval/repair.py [--news PATH] [--limit N] [--check [--floors PATH]] [--print-floors]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.inspect.floors import check_floors  # noqa: E402
from pipeline.core.document import Document  # noqa: E402
from pipeline.stages.repair import corrupt  # noqa: E402
from pipeline.stages.repair.stage import RepairStage  # noqa: E402

DEFAULT_NEWS = REPO.parent / "shared" / "data" / "news" / "news_zh.jsonl"
FLOORS = REPO / "eval" / "floors.toml"
SECTION = "repair"
SEED = 20240603
WINDOW = 160  # characters of article text per sample
MECHANISMS = ("annotation", "straddle", "lost_byte", "utf8_as_gbk", "gbk_as_latin1")
# Rules whose edits on clean text are normalisation, not false repairs.
NORMALISING = ("repair.width.", "repair.invisible.")
# The Sogou records separate paragraphs with a private-use character (U+E40C);
# a GBK page has line breaks there, and private-use characters have no GBK
# code a frame shift could run through, so they become line breaks.
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def load_articles(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return sorted(
        (str(r["id"]), _PRIVATE_USE.sub("\n", r["text"]))
        for r in rows
        if r.get("text") and corrupt.split_of(str(r["id"])) == "eval"
    )


def damage(mechanism: str, text: str, rng: random.Random, table) -> str | None:
    if mechanism == "annotation":
        return corrupt.annotate(text, rng, table)
    if mechanism == "straddle":
        return corrupt.straddle(text, rng, table)
    if mechanism == "lost_byte":
        return corrupt.lost_byte(text, rng)
    if mechanism == "utf8_as_gbk":
        return corrupt.utf8_as_gbk(text, rng)
    return corrupt.gbk_as_latin1(text, rng)


def distance(a: str, b: str) -> int:
    """Levenshtein distance; damage is local, so common ends are cut first."""
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    s = 0
    while s < min(len(a), len(b)) - p and a[-1 - s] == b[-1 - s]:
        s += 1
    a, b = a[p : len(a) - s], b[p : len(b) - s]
    if not a or not b:
        return max(len(a), len(b))
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def repaired(stage: RepairStage, text: str) -> Document:
    return stage(Document(doc_id="e", source="e", original=text, text=text))


def evaluate(articles: list[tuple[str, str]], stage: RepairStage) -> dict[str, float]:
    table = stage._table
    sums: dict[str, Counter] = defaultdict(Counter)
    for doc_id, text in articles:
        for mechanism in MECHANISMS:
            rng = random.Random(f"{SEED}:{doc_id}:{mechanism}")
            start = rng.randrange(max(1, len(text) - WINDOW))
            window = text[start : start + WINDOW]
            damaged = damage(mechanism, window, rng, table)
            if damaged is None or damaged == window:
                continue
            ref = repaired(stage, window).text
            out = repaired(stage, damaged)
            s = sums[mechanism]
            s["windows"] += 1
            s["ref_chars"] += len(ref)
            s["before"] += distance(damaged, ref)
            s["after"] += distance(out.text, ref)
            s["exact"] += out.text == ref
            s["unrecoverable"] += out.flags.get("repair_unrecoverable", 0)
    figures: dict[str, float] = {}
    for mechanism in MECHANISMS:
        s = sums[mechanism]
        if not s["windows"]:
            continue
        before = s["before"] / s["ref_chars"]
        after = s["after"] / s["ref_chars"]
        figures[f"windows_{mechanism}"] = s["windows"]
        figures[f"cer_before_{mechanism}"] = before
        figures[f"cer_after_{mechanism}"] = after
        figures[f"cer_reduction_{mechanism}"] = 1 - after / before if before else 1.0
        figures[f"exact_{mechanism}"] = s["exact"] / s["windows"]
        figures[f"unrecoverable_{mechanism}"] = s["unrecoverable"]
    return figures


def false_repairs(articles: list[tuple[str, str]], stage: RepairStage) -> tuple[dict[str, float], Counter, float]:
    by_rule: Counter = Counter()
    chars = 0
    t0 = time.perf_counter()
    docs = [repaired(stage, text) for _, text in articles]
    seconds = time.perf_counter() - t0
    for (_, text), doc in zip(articles, docs):
        chars += len(text)
        for layer in doc.layers:
            for e in layer.edits:
                if not e.rule_id.startswith(NORMALISING):
                    by_rule[e.rule_id] += max(e.end - e.start, len(e.replacement))
    false = sum(by_rule.values())
    figures = {
        "clean_chars": chars,
        "false_repair_chars": false,
        "clean_unchanged_share": 1 - false / chars if chars else 1.0,
    }
    return figures, by_rule, chars / seconds if seconds else math.inf


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    ap.add_argument("--limit", type=int, default=None, help="first N held-out articles only")
    ap.add_argument("--check", action="store_true", help="fail below the floors")
    ap.add_argument("--floors", type=Path, default=FLOORS)
    ap.add_argument("--print-floors", action="store_true", help="print a [repair] section for the measured figures")
    args = ap.parse_args()
    if not args.news.is_file():
        print(f"eval: {args.news} not found (it lives in ../shared/data/news/)", file=sys.stderr)
        return 2
    articles = load_articles(args.news)[: args.limit]
    stage = RepairStage({}, REPO / "rules")
    t0 = time.perf_counter()
    figures = evaluate(articles, stage)
    clean, by_rule, speed = false_repairs(articles, stage)
    figures.update(clean)
    print(f"{len(articles)} held-out articles, {time.perf_counter() - t0:.1f} s")
    print(f"{'mechanism':<15}{'windows':>8}{'CER before':>12}{'CER after':>11}{'reduction':>11}{'exact':>8}{'U+FFFD':>8}")
    for m in MECHANISMS:
        if f"windows_{m}" in figures:
            print(
                f"{m:<15}{figures[f'windows_{m}']:>8.0f}{figures[f'cer_before_{m}']:>12.4f}"
                f"{figures[f'cer_after_{m}']:>11.4f}{figures[f'cer_reduction_{m}']:>11.4f}"
                f"{figures[f'exact_{m}']:>8.3f}{figures[f'unrecoverable_{m}']:>8.0f}"
            )
    print(
        f"false repairs on clean text: {clean['false_repair_chars']:.0f} of {clean['clean_chars']:.0f} characters "
        f"(clean_unchanged_share {clean['clean_unchanged_share']:.6f})"
    )
    for rule, n in by_rule.most_common():
        print(f"  {rule}: {n}")
    print(f"repair on clean text: {speed:,.0f} chars/s")
    if args.print_floors:
        print(f"[{SECTION}]")
        for k, v in sorted(figures.items()):
            if k.startswith(("cer_reduction_", "exact_")) or k == "clean_unchanged_share":
                print(f"{k} = {math.floor(v * 100) / 100 if v < 1 else 1.0}")
    if args.check:
        return check_floors(figures, args.floors, SECTION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
