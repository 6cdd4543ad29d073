"""Evaluate the repair stage on news corrupted by each mechanism it undoes.

For every article of the held-out split of ../shared/data/news/news_zh.jsonl
(the character model never saw it; `pipeline.stages.repair.corrupt.split_of`), sorted
by id, a window of text is damaged once per mechanism by the corruption
generator (`pipeline.stages.repair.corrupt`) with a seeded RNG, and repaired by the
whole repair stage. Reference: the clean window after the repair stage (so
width and invisible-character normalisation, which also act on clean text,
do not count as errors).

The held-out articles are split again by id into a `tune` half (settings such
as `min_confidence` were chosen on it) and a `report` half (nothing was tuned
on it); figures are printed for both, floors are pinned on `report`.

Printed per mechanism: character error rate before and after repair (edit
distance / reference characters, summed over windows), the reduction
(1 - after/before), the share of windows repaired exactly, `wrong`: characters
the stage left or wrote in the damaged stretch that are neither the
reference's nor U+FFFD, as a share of the non-U+FFFD characters there (windows
the stage changed only), `outside`: characters changed outside the damaged
stretch, U+FFFD left, and `。。` introduced. Then the confidence table of the
lost-character choice (the threshold `min_confidence` was read from on the
tune half), and false repairs: characters the stage changes in the clean
held-out articles by any rule other than the width and invisible-character
ones, the share of clean characters left alone and `。。` introduced.

Usage: .venv/bin/python eval/repair.py [--news PATH] [--limit N] [--check [--floors PATH]] [--print-floors]
"""

from __future__ import annotations

import argparse
import hashlib
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
from pipeline.stages.registry import configured_stage  # noqa: E402

DEFAULT_NEWS = REPO.parent / "shared" / "data" / "news" / "news_zh.jsonl"
FLOORS = REPO / "eval" / "floors.toml"
SECTION = "repair"
SEED = 20240603
WINDOW = 160  # characters of article text per sample
# Silent deletion: decoder x the byte dropped (corrupt.silent_deletion).
DELETIONS = {
    f"deletion_{dec}_{byte}": (dec, byte) for dec in ("gb2312", "gbk", "gb18030") for byte in ("lead", "trail")
}
# Silent deletion under a decoder that drops what it cannot decode: no mark at
# either end of the run (the byte lost, lead or trail, drawn per window).
QUIET = {f"quiet_{dec}": dec for dec in ("gb2312", "gbk", "gb18030")}
MECHANISMS = ("annotation", "straddle", "lost_byte", *DELETIONS, *QUIET, "utf8_as_gbk", "gbk_as_latin1")
PARTS = ("tune", "report")
# Thresholds printed in the confidence table of the lost-character choice.
THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999)
# Lost-character slots sampled per article for that table.
SLOTS = 20
# Rules whose edits on clean text are normalisation, not false repairs.
NORMALISING = ("repair.width.", "repair.invisible.")
# The Sogou records separate paragraphs with a private-use character (U+E40C);
# a GBK page has line breaks there, and private-use characters have no GBK
# code a frame shift could run through, so they become line breaks.
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def part_of(article_id: str) -> str:
    """'tune' or 'report': halves of the held-out split, stable per id."""
    return PARTS[int(hashlib.sha256(f"tune:{article_id}".encode("utf-8")).hexdigest(), 16) % 2]


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
    if mechanism in DELETIONS:
        decoder, byte = DELETIONS[mechanism]
        return corrupt.silent_deletion(text, rng, decoder, byte)
    if mechanism in QUIET:
        byte = rng.choice(("lead", "trail"))
        return corrupt.silent_deletion(text, rng, QUIET[mechanism], byte, marks=False)
    if mechanism == "utf8_as_gbk":
        return corrupt.utf8_as_gbk(text, rng)
    return corrupt.gbk_as_latin1(text, rng)


def distance(a: str, b: str) -> int:
    """Levenshtein distance; damage is local, so common ends are cut first."""
    return _align(*_cut(a, b))[0]


def _cut(a: str, b: str) -> tuple[str, str]:
    p = _common_prefix(a, b)
    s = _common_suffix(a[p:], b[p:])
    return a[p : len(a) - s], b[p : len(b) - s]


def _common_prefix(a: str, b: str) -> int:
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    return p


def _common_suffix(a: str, b: str) -> int:
    s = 0
    while s < min(len(a), len(b)) and a[-1 - s] == b[-1 - s]:
        s += 1
    return s


# `_align` packs (cost, wrong, U+FFFD) into one integer, cost highest: ints
# compare as the tuples did (each part stays under _PART), at a fraction of the time.
_PART = 1 << 21


def _align(out: str, ref: str) -> tuple[int, int, int]:
    """(edit distance, wrong, U+FFFD): wrong counts output characters that are
    neither the reference's nor U+FFFD (substituted or inserted) on one
    cheapest alignment, U+FFFD the output's replacement characters there."""
    if not out or not ref:
        return max(len(out), len(ref)), sum(c != "\ufffd" for c in out), out.count("\ufffd")
    assert len(out) + len(ref) < _PART
    cost, wrong = _PART * _PART, _PART
    # A row over ref; ties broken toward fewer wrong (the lower integer).
    prev = [j * cost for j in range(len(ref) + 1)]
    for co in out:
        # An output character substituted or inserted: one edit, and wrong unless U+FFFD.
        extra = cost + (wrong if co != "\ufffd" else 1)
        left = prev[0] + extra
        cur = [left]
        for diag, up, cr in zip(prev, prev[1:], ref):
            sub = diag if co == cr else diag + extra
            ins = up + extra
            dele = left + cost  # a reference character missing
            left = sub if sub <= ins and sub <= dele else ins if ins <= dele else dele
            cur.append(left)
        prev = cur
    v = prev[-1]
    return v // cost, v // wrong % _PART, v % _PART


def repaired(stage: RepairStage, text: str) -> Document:
    return stage(Document(doc_id="e", source="e", original=text, text=text))


def score_window(s: Counter, ref: str, damaged: str, out: str) -> None:
    """Adds one window's counts: the damaged stretch is what differs between
    the damaged text and the reference (common ends cut)."""
    s["windows"] += 1
    s["ref_chars"] += len(ref)
    s["before"] += distance(damaged, ref)
    s["after"] += distance(out, ref)
    s["exact"] += out == ref
    s["fffd"] += out.count("\ufffd") - ref.count("\ufffd")
    s["doubled_stops"] += max(0, out.count("。。") - ref.count("。。"))
    p = _common_prefix(damaged, ref)
    q = _common_suffix(damaged[p:], ref[p:])
    # Changes outside the damaged stretch: the output must keep its ends.
    s["outside"] += max(0, p - _common_prefix(out, ref)) + max(0, q - _common_suffix(out, ref))
    if out != damaged:
        region = out[min(p, len(out)) : max(p, len(out) - q)]
        _, wrong, _ = _align(region, ref[p : len(ref) - q])
        s["changed"] += 1
        s["wrong"] += wrong
        s["written"] += sum(c != "\ufffd" for c in region)


def evaluate(articles: list[tuple[str, str]], stage: RepairStage) -> dict[str, float]:
    table = stage._table
    sums: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for doc_id, text in articles:
        part = part_of(doc_id)
        for mechanism in MECHANISMS:
            rng = random.Random(f"{SEED}:{doc_id}:{mechanism}")
            start = rng.randrange(max(1, len(text) - WINDOW))
            window = text[start : start + WINDOW]
            damaged = damage(mechanism, window, rng, table)
            if damaged is None or damaged == window:
                continue
            ref = repaired(stage, window).text
            out = repaired(stage, damaged).text
            score_window(sums[part, mechanism], ref, damaged, out)
    figures: dict[str, float] = {}
    for part in PARTS:
        for mechanism in MECHANISMS:
            s = sums[part, mechanism]
            if not s["windows"]:
                continue
            key = f"{mechanism}_{part}"
            before = s["before"] / s["ref_chars"]
            after = s["after"] / s["ref_chars"]
            figures[f"windows_{key}"] = s["windows"]
            figures[f"cer_before_{key}"] = before
            figures[f"cer_after_{key}"] = after
            figures[f"cer_reduction_{key}"] = 1 - after / before if before else 1.0
            figures[f"exact_{key}"] = s["exact"] / s["windows"]
            figures[f"wrong_rate_{key}"] = s["wrong"] / s["written"] if s["written"] else 0.0
            figures[f"outside_{key}"] = s["outside"]
            figures[f"unrecoverable_{key}"] = s["fffd"]
            figures[f"doubled_stops_{key}"] = s["doubled_stops"]
    return figures


def lost_slot(ch: str, codes, rng: random.Random) -> tuple[str, ...] | None:
    """The candidates for `ch` when one of its two GBK bytes is lost (the lead or the trail, by `rng`),
    or None for a character that is not two GBK bytes."""
    from pipeline.stages.repair.gbkshift import LEADS

    try:
        code = ch.encode("gbk")
    except UnicodeEncodeError:
        return None
    if len(code) != 2:
        return None
    return codes.pairs(LEADS, code[1]) if rng.random() < 0.5 else codes.with_lead(code[0])


def confidence_table(articles: list[tuple[str, str]], stage: RepairStage) -> dict[str, list[tuple[float, int, int]]]:
    """Per part and threshold: (threshold, characters shown, wrong ones) for lost
    characters of the held-out text (a random GBK character, its lead or its
    trail byte lost, the true neighbours around it) chosen as the frame-shift
    fixers choose (`RunChooser.pick`)."""
    from pipeline.stages.repair.frameshift import RunChooser, UNRECOVERABLE
    from pipeline.stages.repair.gbkshift import GbkCodes

    codes = GbkCodes()
    rows: dict[str, list[tuple[float, bool, bool]]] = defaultdict(list)
    chooser = RunChooser(stage._lm, 0.0, ngram=stage._ngram_model)
    for doc_id, text in articles:
        rng = random.Random(f"{SEED}:{doc_id}:slots")
        for _ in range(SLOTS):
            i = rng.randrange(1, max(2, len(text) - 1))
            if i + 1 >= len(text):
                continue
            cands = lost_slot(text[i], codes, rng)
            if cands is None:
                continue
            best, share, shown = chooser.pick(text[max(0, i - 3) : i], cands, text[i + 1 : i + 4])
            if shown and shown != UNRECOVERABLE:
                rows[part_of(doc_id)].append((share, best == text[i], True))
            else:
                rows[part_of(doc_id)].append((share, best == text[i], False))
    table: dict[str, list[tuple[float, int, int]]] = {}
    for part in PARTS:
        r = rows[part]
        table[part] = []
        # Threshold 0: the model's first choice, right or wrong, shown or not.
        table[part].append((0.0, len(r), len(r), sum(not ok for _, ok, _ in r)))
        for th in THRESHOLDS:
            shown = [ok for share, ok, letter in r if letter and share >= th]
            table[part].append((th, len(shown), len(r), sum(not ok for ok in shown)))
    return table


class ChoiceMemo:
    """The 4-gram model's choices, each worked out once: the name table asks the
    same question under two settings (they differ only in the share they need)."""

    def __init__(self, model) -> None:
        self._model = model
        self._seen: dict = {}

    def choose(self, before: str, cands: tuple[str, ...], after: str) -> tuple[str, float]:
        key = (before, cands, after)
        got = self._seen.get(key)
        if got is None:
            got = self._seen[key] = self._model.choose(before, cands, after)
        return got


NER = REPO.parent / "shared" / "data" / "ner"
NER_CORPORA = ("msra_train", "pd1998_jan", "cluener2020_train")


def load_names(ner: Path = NER) -> frozenset[str]:
    """Names (PER, LOC, ORG spans of 2-8 Han characters) of the NER corpora."""
    names = set()
    for corpus in NER_CORPORA:
        path = ner / f"{corpus}.jsonl"
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                for e in r["entities"]:
                    name = r["text"][e["start"] : e["end"]]
                    if 2 <= len(name) <= 8 and all("\u4e00" <= c <= "\u9fff" for c in name):
                        names.add(name)
    return frozenset(names)


def name_table(articles: list[tuple[str, str]], stage: RepairStage, names: frozenset[str]) -> dict[str, list]:
    """Lost characters inside names: per part, (setting, slots, right first, shown, wrong shown).

    Names of the NER corpora found in the held-out articles (longest match);
    up to SLOTS characters inside them per article lose their lead or trail
    byte and are chosen between their true neighbours as the frame-shift
    fixer chooses, at `min_confidence` alone and with the stricter share beside
    name characters (the stage's setting); then the same on SLOTS random
    characters per article (all contexts)."""
    from pipeline.stages.repair.frameshift import RunChooser, UNRECOVERABLE
    from pipeline.stages.repair.gbkshift import GbkCodes

    codes = GbkCodes()
    conf = float(stage.settings["min_confidence"])
    memo = ChoiceMemo(stage._ngram)
    choosers = {
        "min_confidence": RunChooser(stage._lm, conf, ngram=lambda: memo),
        "+ name share": RunChooser(stage._lm, conf, ngram=lambda: memo, names=stage._name_chars),
    }
    rows: dict[tuple[str, str, str], list[tuple[bool, bool]]] = defaultdict(list)
    for doc_id, text in articles:
        inside = []
        i = 0
        while i < len(text):
            for n in range(8, 1, -1):
                if text[i : i + n] in names:
                    inside.extend(range(i, i + n))
                    i += n
                    break
            else:
                i += 1
        rng = random.Random(f"{SEED}:{doc_id}:names")
        picked = {"names": rng.sample(inside, min(SLOTS, len(inside))),
                  "all": [rng.randrange(1, max(2, len(text) - 1)) for _ in range(SLOTS)]}
        for where, places in picked.items():
            for i in places:
                if not 0 < i < len(text) - 1:
                    continue
                cands = lost_slot(text[i], codes, rng)
                if cands is None:
                    continue
                for setting, chooser in choosers.items():
                    best, _, shown = chooser.pick(text[max(0, i - 3) : i], cands, text[i + 1 : i + 4])
                    rows[part_of(doc_id), where, setting].append(
                        (best == text[i], bool(shown) and shown != UNRECOVERABLE and best != UNRECOVERABLE)
                    )
    table: dict[str, list] = {}
    for part in PARTS:
        table[part] = []
        for where in ("names", "all"):
            for setting in choosers:
                r = rows[part, where, setting]
                shown = [ok for ok, s in r if s]
                table[part].append((where, setting, len(r), sum(ok for ok, _ in r), len(shown), sum(not ok for ok in shown)))
    return table


def false_repairs(articles: list[tuple[str, str]], stage: RepairStage) -> tuple[dict[str, float], Counter, float]:
    by_rule: Counter = Counter()
    chars = 0
    doubled = 0
    t0 = time.perf_counter()
    docs = [repaired(stage, text) for _, text in articles]
    seconds = time.perf_counter() - t0
    for (_, text), doc in zip(articles, docs):
        chars += len(text)
        doubled += max(0, doc.text.count("。。") - text.count("。。"))
        for layer in doc.layers:
            for e in layer.edits:
                if not e.rule_id.startswith(NORMALISING):
                    by_rule[e.rule_id] += max(e.end - e.start, len(e.replacement))
    false = sum(by_rule.values())
    figures = {
        "clean_chars": chars,
        "false_repair_chars": false,
        "clean_unchanged_share": 1 - false / chars if chars else 1.0,
        "clean_doubled_stops": doubled,
    }
    return figures, by_rule, chars / seconds if seconds else math.inf


# Figures pinned as floors (higher is better), and ceilings checked as floors of
# their complement: wrong_rate and the counts must stay at or below what was measured.
def floor_figures(figures: dict[str, float]) -> dict[str, float]:
    out = {}
    for k, v in figures.items():
        if not k.endswith("_report") and k not in ("clean_unchanged_share",):
            continue
        name = k.removesuffix("_report")
        if name.startswith(("cer_reduction_", "exact_")) or name == "clean_unchanged_share":
            out[name] = v
        elif name.startswith("wrong_rate_"):
            out[name.replace("wrong_rate_", "right_rate_")] = 1 - v
    out["no_doubled_stops"] = 1.0 if figures.get("clean_doubled_stops", 0) == 0 and not any(
        v for k, v in figures.items() if k.startswith("doubled_stops_")
    ) else 0.0
    out["no_changes_outside"] = 1.0 if not any(v for k, v in figures.items() if k.startswith("outside_")) else 0.0
    return out


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
    stage = configured_stage("repair", REPO / "rules")
    t0 = time.perf_counter()
    figures = evaluate(articles, stage)
    clean, by_rule, speed = false_repairs(articles, stage)
    figures.update(clean)
    table = confidence_table(articles, stage)
    names = name_table(articles, stage, load_names())
    for part in PARTS:
        for where, setting, slots, right, shown, wrong in names[part]:
            key = f"{where}_{'name_share' if setting.startswith('+') else 'plain'}_{part}"
            figures[f"lost_right_first_{key}"] = right / max(1, slots)
            figures[f"lost_wrong_share_{key}"] = wrong / max(1, shown)
    counts = {p: sum(part_of(i) == p for i, _ in articles) for p in PARTS}
    print(f"{len(articles)} held-out articles ({counts['tune']} tune, {counts['report']} report), "
          f"{time.perf_counter() - t0:.1f} s")
    for part in PARTS:
        print(f"\n[{part}]")
        print(f"{'mechanism':<24}{'windows':>8}{'CER before':>11}{'CER after':>10}{'reduction':>10}"
              f"{'exact':>7}{'wrong':>8}{'outside':>8}{'U+FFFD':>7}{'。。':>4}")
        for m in MECHANISMS:
            k = f"{m}_{part}"
            if f"windows_{k}" in figures:
                print(
                    f"{m:<24}{figures[f'windows_{k}']:>8.0f}{figures[f'cer_before_{k}']:>11.4f}"
                    f"{figures[f'cer_after_{k}']:>10.4f}{figures[f'cer_reduction_{k}']:>10.4f}"
                    f"{figures[f'exact_{k}']:>7.3f}{figures[f'wrong_rate_{k}']:>8.4f}"
                    f"{figures[f'outside_{k}']:>8.0f}{figures[f'unrecoverable_{k}']:>7.0f}"
                    f"{figures[f'doubled_stops_{k}']:>5.0f}"
                )
    print("\nlost-character choice, 4-gram model (min_confidence is read from the tune half; share >= 0:"
          " the first choice, all slots):")
    for part in PARTS:
        for th, shown, total, wrong in table[part]:
            print(f"  {part:<7} share >= {th:<7} shown {shown / max(1, total):.3f} of {total}, "
                  f"wrong {wrong / max(1, shown):.4f} ({wrong})")
    print("\nlost characters inside names of the NER corpora (and in all contexts), as the stage chooses them:")
    for part in PARTS:
        for where, setting, slots, right, shown, wrong in names[part]:
            print(f"  {part:<7} {where:<6} {setting:<15} slots {slots:>5}, right first {right / max(1, slots):.3f}, "
                  f"shown {shown / max(1, slots):.3f}, wrong {wrong / max(1, shown):.4f} ({wrong})")
    print(
        f"\nfalse repairs on clean text: {clean['false_repair_chars']:.0f} of {clean['clean_chars']:.0f} characters "
        f"(clean_unchanged_share {clean['clean_unchanged_share']:.6f}); 。。 introduced: {clean['clean_doubled_stops']:.0f}"
    )
    for rule, n in by_rule.most_common():
        print(f"  {rule}: {n}")
    print(f"repair on clean text: {speed:,.0f} chars/s")
    pinned = floor_figures(figures)
    if args.print_floors:
        print(f"[{SECTION}]")
        for k, v in sorted(pinned.items()):
            print(f"{k} = {math.floor(v * 100) / 100 if v < 1 else 1.0}")
    if args.check:
        return check_floors(pinned, args.floors, SECTION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
