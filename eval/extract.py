"""Score the rule extractors on Microsoft Recognizers-Text's Chinese specs.

    .venv/bin/python eval/extract.py [--specs PATH] [--check [--floors PATH]] [--errors N]

Reads ../shared/data/extraction/recognizers_text_zh.jsonl. Each input runs
through the pipeline's convert and extract stages (as the pipeline would run
them on text; the reference date of a case becomes the article's published
date), and the facts, mapped back to the input's offsets, are compared with
the specs' results:

- money   <- CurrencyModel
- percent <- PercentModel
- date    <- the date specs: DateExtractor, DateParser, DatePeriodExtractor,
             DatePeriodParser, DateTimeExtractor, DateTimeParser, DateTimeModel,
             DateTimeModelExperimentalMode; their results of type date,
             daterange and datetime (a day with a clock time). These are what
             news facts are made of: days, months, years, parts of years,
             relative days/months/years and ranges of them.
- numerals <- NumberModel: `pipeline.stages.extract.numerals.parse_number` on each gold
             span (value accuracy only: numbers alone are not facts).

Nothing is skipped silently. Specs no extractor targets (times alone,
durations, sets, holidays, phone numbers, URLs, ...) are counted by spec.
Within the targeted specs, each gold result outside an extractor's design is
counted by reason (weekdays and weeks, lunar calendar, holidays, durations and
offsets, open-ended periods, two-digit years alone and three-digit years, spaced-out numerals, ...; see
`exclusion`), and left out of recall; a prediction overlapping such a result
is neither right nor wrong. Spans must match exactly (start and end, in the
input's offsets). A value is exact when it equals the spec's resolution
(money: amount and ISO code; percent: value; date: start and end, where the
spec's exclusive end or range end is accepted, and either of its past/future
readings of a yearless date).
"""

from __future__ import annotations

import argparse
import calendar
import functools
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.inspect.floors import check_floors  # noqa: E402
from pipeline.core.document import Document  # noqa: E402
from pipeline.stages.extract.approx import load_approx  # noqa: E402
from pipeline.stages.extract.numerals import parse_number  # noqa: E402
from pipeline.stages.convert.stage import ConvertStage  # noqa: E402
from pipeline.stages.extract.stage import ExtractStage  # noqa: E402
from pipeline.stages.registry import configured_stage  # noqa: E402

DEFAULT_SPECS = ROOT.parent / "shared" / "data" / "extraction" / "recognizers_text_zh.jsonl"
FLOORS = ROOT / "eval" / "floors.toml"
SECTION = "extract"

TARGETS = {
    "CurrencyModel": "money",
    "PercentModel": "percent",
    "DateExtractor": "date", "DateParser": "date",
    "DatePeriodExtractor": "date", "DatePeriodParser": "date",
    "DateTimeExtractor": "date", "DateTimeParser": "date",
    "DateTimeModel": "date", "DateTimeModelExperimentalMode": "date",
}
GOLD_TYPES = {
    "money": {"currency"},
    "percent": {"percentage"},
    "date": {"date", "daterange", "datetime", "datetimeV2.date", "datetimeV2.daterange", "datetimeV2.datetime"},
}

# Why a gold result is outside an extractor's design, checked in this order.
DATE_EXCLUSIONS = [
    ("lunar calendar or reign year", re.compile(r"农历|正月|腊月|初[一二三四五六七八九十]|大年|除夕|康熙|雍正|乾隆|民国|神龙|贞观")),
    ("holiday", re.compile(r"节|元旦|圣诞|除夕|清明|端午|中秋|重阳|七夕")),
    ("weekday or week", re.compile(r"周|週|星期|礼拜|禮拜")),
    ("open-ended period", re.compile(r"以前|以后|之前|之后|以来|截止|自从|开始|之间|[和与].*间|后$|前$|起$")),
    ("duration, offset or vague time", re.compile(
        r"^(?:[前后上下]\s*\d|过去|未来|近\s*[\d一二三四五六七八九十]|最近|近期|目前|现在|这会儿|刚才"
        r"|[\d一二三四五六七八九十]+\s*[年月天日周]\s*[前后内])|半月")),
    # A two-digit year before a month is read (97年5月); alone (08年) it is too often a duration.
    ("three-digit year", re.compile(r"(?<![\d０-９])[\d０-９]{3}\s*年|^[零〇一二三四五六七八九]{3}年")),
    ("two-digit year alone", re.compile(
        r"(?:(?<![\d０-９])[\d０-９]{2}|^[零〇一二三四五六七八九]{2})\s*年(?!\s*[\d０-９一二三四五六七八九十]{1,2}\s*月)")),
    ("numeric day-first or short date", re.compile(
        r"^\d{1,2}[./-]\d{1,2}(?:[./-]\d{1,4})?$|^\d{4}\s\d{2}\s\d{2}|^\d{1,2}/\d{1,2}/\d{4}")),
    ("bare number as year", re.compile(r"^[=\s]*从?\d{4}(?:\s*(?:-|到|至)\s*\d{4})?$")),
]
PERCENT_EXCLUSIONS = [
    ("spaced-out numeral", re.compile(r"[\u4e00-\u9fff0-9０-９]\s+[\u4e00-\u9fff0-9０-９]")),
    ("k suffix", re.compile(r"[kK]")),
    ("parts per million or finer", re.compile(r"[百千万][万萬]分之|万万分之")),
]


def exclusion(kind: str, result: dict) -> str | None:
    text = result["text"]
    if kind == "money":
        res = result.get("resolution") or {}
        if res.get("value") in (None, ""):
            return "currency without an amount"
        if not res.get("isoCurrency") and res.get("unit") not in ("Dollar",):
            return "currency without an ISO code"
        return None
    rules = PERCENT_EXCLUSIONS if kind == "percent" else DATE_EXCLUSIONS
    if kind == "date" and _modifier(result):
        return "open-ended period"
    for reason, pattern in rules:
        if pattern.search(text):
            return reason
    return None


def _modifier(result: dict) -> bool:
    res = result.get("resolution") or {}
    return any(isinstance(v, dict) and v.get("Mod") for v in res.get("values", []) or [])


@dataclass
class Tally:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    valued: int = 0        # matched with a comparable gold value
    value_exact: int = 0
    excluded: Counter = field(default_factory=Counter)
    ignored_predictions: int = 0
    ignored_ranges: int = 0
    errors: list = field(default_factory=list)


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run_case(convert: ConvertStage, extract: ExtractStage, text: str, reference: str | None) -> list:
    meta = {"published_at": reference[:19]} if reference else {}
    doc = Document(doc_id="spec", source="spec", original=text, text=text, meta=meta)
    doc = extract(convert(doc))
    return list(doc.facts)


def evaluate(rows: list[dict], errors_shown: int) -> tuple[dict[str, float], dict[str, Tally], Counter, dict]:
    convert = configured_stage("convert", ROOT / "rules")
    extract = configured_stage("extract", ROOT / "rules")
    tallies = {k: Tally() for k in ("money", "percent", "date")}
    untargeted: Counter = Counter()
    numerals = {"gold": 0, "exact": 0, "errors": []}
    for row in rows:
        spec = row["spec"]
        if spec == "NumberModel":
            _numerals(row, numerals)
            continue
        kind = TARGETS.get(spec)
        if kind is None:
            untargeted[spec] += len(row["results"]) or 1
            continue
        t = tallies[kind]
        reference = (row.get("context") or {}).get("ReferenceDateTime")
        facts = [f for f in run_case(convert, extract, row["input"], reference) if f.type == kind]
        golds = []
        for result in row["results"]:
            if result["type"] not in GOLD_TYPES[kind]:
                reason = f"other result type ({result['type'].replace('datetimeV2.', '')})"
            else:
                reason = exclusion(kind, result)
            if reason:
                t.excluded[reason] += 1
            golds.append((result, reason))
        in_scope = [(g["start"], g["end"]) for g, r in golds if r is None]
        out_scope = [(g["start"], g["end"]) for g, r in golds if r is not None]
        t.gold += len(in_scope)
        for f in facts:
            span = (f.orig_start, f.orig_end)
            if span not in in_scope and any(s < span[1] and span[0] < e for s, e in out_scope):
                t.ignored_predictions += 1
                continue
            if not golds and f.value.get("approx") == "range" and kind == "percent":
                # 百分之二三十: the spec set has no ranges of percentages (NumberRangeModel's domain):
                # where a case expects nothing, a range is outside its design, counted, not scored.
                t.ignored_ranges += 1
                continue
            t.predicted += 1
            gold = next((g for g, r in golds if r is None and (g["start"], g["end"]) == span), None)
            if gold is None:
                if len(t.errors) < errors_shown:
                    t.errors.append(("false positive", row["input"], f.text, dict(f.value), [g["text"] for g, _ in golds]))
                continue
            t.matched += 1
            verdict = compare_value(kind, f.value, gold)
            if verdict is not None:
                t.valued += 1
                t.value_exact += verdict
                if not verdict and len(t.errors) < errors_shown:
                    t.errors.append(("wrong value", row["input"], f.text, dict(f.value), gold.get("resolution")))
        predicted_spans = {(f.orig_start, f.orig_end) for f in facts}
        for g, r in golds:
            if r is None and (g["start"], g["end"]) not in predicted_spans and len(t.errors) < errors_shown:
                t.errors.append(("missed", row["input"], g["text"], None, [(f.text) for f in facts]))
    figures: dict[str, float] = {}
    for kind, t in tallies.items():
        p = t.matched / t.predicted if t.predicted else 0.0
        r = t.matched / t.gold if t.gold else 0.0
        figures[f"{kind}_precision"] = p
        figures[f"{kind}_recall"] = r
        figures[f"{kind}_f1"] = 2 * p * r / (p + r) if p + r else 0.0
        figures[f"{kind}_value_exact"] = t.value_exact / t.valued if t.valued else 0.0
    figures["numerals_value_exact"] = numerals["exact"] / numerals["gold"] if numerals["gold"] else 0.0
    return figures, tallies, untargeted, numerals


@functools.cache
def _approx_words():
    """The approximation words parse_number strips (约300), as the extract stage reads them."""
    return load_approx(ROOT / "rules" / "extract" / "approx.toml")


def _numerals(row: dict, acc: dict) -> None:
    for result in row["results"]:
        value = (result.get("resolution") or {}).get("value")
        if value is None:
            continue
        acc["gold"] += 1
        try:
            got = float(parse_number(result["text"], words=_approx_words()).value)
            ok = abs(got - float(value)) <= 1e-9 * max(1.0, abs(float(value)))
        except (ValueError, OverflowError):
            ok = False
        acc["exact"] += ok
        if not ok and len(acc["errors"]) < 10:
            acc["errors"].append((result["text"], value))


def compare_value(kind: str, value, gold: dict) -> bool | None:
    res = gold.get("resolution")
    if not res:
        return None
    if kind == "money":
        amount = res.get("value")
        if amount in (None, "") or value.get("amount") is None:
            return None
        ok = abs(float(value["amount"]) - float(amount)) <= 1e-6 * max(1.0, abs(float(amount)))
        if res.get("isoCurrency"):
            ok = ok and value.get("currency") == res["isoCurrency"]
        return ok
    if kind == "percent":
        v = res.get("value")
        if not v or value.get("value") is None:
            return None
        return abs(float(value["value"]) - float(v.rstrip("%"))) < 1e-6
    return _compare_date(value, res)


def _compare_date(value, res: dict) -> bool | None:
    readings = []
    if "values" in res:
        for v in res["values"] or []:
            if v.get("value") == "not resolved":
                continue
            if "value" in v:
                readings.append((v["value"], v["value"]))
            elif "start" in v and "end" in v:
                readings.append((v["start"], v["end"]))
    for key in ("FutureResolution", "PastResolution"):
        r = res.get(key) or {}
        if "date" in r:
            readings.append((r["date"], r["date"]))
        elif "dateTime" in r:
            readings.append((r["dateTime"], r["dateTime"]))
        elif "startDate" in r:
            readings.append((r["startDate"], r["endDate"]))
    if not readings or value.get("start") is None or value.get("resolved") == "unresolved":
        return None if not readings else False
    start, end, gran = value["start"].replace("T", " "), value["end"].replace("T", " "), value["granularity"]
    for g_start, g_end in readings:
        if _same_instant(start, g_start) and _end_matches(end, g_end, gran):
            return True
    return False


def _same_instant(mine: str, gold: str) -> bool:
    gold = gold[:16] if len(mine) > 10 else gold[:10]
    return mine[:16] == gold


def _end_matches(mine: str, gold: str, granularity: str) -> bool:
    if len(mine) > 10:
        return _same_instant(mine, gold)
    gold = gold[:10]
    end = date.fromisoformat(mine[:10])
    period_start = {
        "year": end.replace(month=1, day=1),
        "half": end.replace(month=1 if end.month <= 6 else 7, day=1),
        "quarter": end.replace(month=(end.month - 1) // 3 * 3 + 1, day=1),
        "month": end.replace(day=1),
    }.get(granularity, end)
    # The spec's end is exclusive (2009年 ends 2010-01-01) or, for ranges, the last element's start.
    return gold in {mine[:10], (end + timedelta(days=1)).isoformat(), period_start.isoformat()}


def report(figures, tallies, untargeted, numerals, rows) -> None:
    print(f"{len(rows)} spec cases from Recognizers-Text (Chinese)")
    print(f"{'type':<8} {'gold':>5} {'pred':>5} {'match':>5} {'P':>6} {'R':>6} {'F1':>6} {'value exact':>12}")
    for kind, t in tallies.items():
        print(f"{kind:<8} {t.gold:>5} {t.predicted:>5} {t.matched:>5} {figures[kind + '_precision']:>6.3f} "
              f"{figures[kind + '_recall']:>6.3f} {figures[kind + '_f1']:>6.3f} "
              f"{figures[kind + '_value_exact']:>7.3f} ({t.value_exact}/{t.valued})")
    print(f"numerals (NumberModel gold spans through parse_number): "
          f"{figures['numerals_value_exact']:.3f} ({numerals['exact']}/{numerals['gold']})")
    print("\nnot covered by design (gold results left out of recall; overlapping predictions ignored):")
    for kind, t in tallies.items():
        for reason, n in sorted(t.excluded.items(), key=lambda kv: -kv[1]):
            print(f"  {kind:<8} {reason:<40} {n:>4}")
        print(f"  {kind:<8} {'predictions overlapping those, ignored':<40} {t.ignored_predictions:>4}")
        if t.ignored_ranges:
            print(f"  {kind:<8} {'ranges where a case expects none, ignored':<40} {t.ignored_ranges:>4}")
    print("\nspecs no extractor targets (results, or cases without results):")
    for spec, n in sorted(untargeted.items()):
        print(f"  {spec:<36} {n:>4}")


def show_errors(tallies, numerals) -> None:
    for kind, t in tallies.items():
        for e in t.errors:
            print(f"[{kind}] {e[0]}: {e[1]!r} -> {e[2]!r} {json.dumps(e[3], ensure_ascii=False) if e[3] else ''}"
                  f" gold: {json.dumps(e[4], ensure_ascii=False)[:160]}")
    for text, value in numerals["errors"]:
        print(f"[numerals] {text!r} gold {value}")


# --- The news table (eval/data/extract/news_zh.jsonl): hand-annotated expressions in real news ---

NEWS_TABLE = ROOT / "eval" / "data" / "extract" / "news_zh.jsonl"
# dev (tuned on) and heldout: news_zh.txt split by article; heldout2: news_zh_2.txt, other articles;
# heldout3: news_zh_3.txt (money and counts, annotated blind); heldout4: news_zh_4.txt (counts only,
# annotated blind, never tuned on).
NEWS_SPLITS = ("dev", "heldout", "heldout2", "heldout3", "heldout4")
# Splits that annotate some types only: other types' facts there are neither gold nor false positives.
SPLIT_KINDS = {"heldout4": ("count",)}
DEFAULT_NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
KINDS = ("money", "percent", "count", "date")


@dataclass
class NewsTally:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    value_exact: int = 0
    errors: list = field(default_factory=list)


def news_facts(table: list[dict], news: Path) -> dict[str, list]:
    """The extract stage's facts on each annotated article (whole article, no published date: news_zh has none),
    after the segment stage as in a pipeline run: counts read its words (a name such as 七匹狼 is no count)."""
    wanted = {r["id"] for r in table}
    convert = configured_stage("convert", ROOT / "rules")
    segment = configured_stage("segment", ROOT / "rules")
    extract = configured_stage("extract", ROOT / "rules")
    out = {}
    with news.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["id"] in wanted:
                doc = Document(doc_id=row["id"], source="news", original=row["text"], text=row["text"], meta={})
                out[row["id"]] = [f for f in extract(segment(convert(doc))).facts if f.type in KINDS]
    return out


def same_value(gold: dict, got) -> bool:
    """Every key the annotation gives equals the fact's (numbers to 1e-9 relative)."""
    for key, want in gold.items():
        have = got.get(key)
        if isinstance(want, (int, float)) and isinstance(have, (int, float)):
            if abs(have - want) > 1e-9 * max(1.0, abs(want)):
                return False
        elif have != want:
            return False
    return True


def evaluate_news(table: list[dict], facts: dict[str, list], split: str, errors_shown: int) -> dict[str, NewsTally]:
    """Exact-span P/R per type over the annotated sentences of one split, and values right among matches."""
    tallies = {k: NewsTally() for k in SPLIT_KINDS.get(split, KINDS)}
    rows = [r for r in table if r["split"] == split]
    sentences = {(r["id"], r["sentence_start"], len(r["sentence"])) for r in rows}
    gold = {(r["id"], r["type"], r["start"], r["end"]): r for r in rows if r["type"]}
    for r in gold.values():
        tallies[r["type"]].gold += 1
    predicted = {}
    for aid, s_start, s_len in sentences:
        for f in facts[aid]:
            if f.type in tallies and s_start <= f.orig_start and f.orig_end <= s_start + s_len:
                predicted[(aid, f.type, f.orig_start, f.orig_end)] = f
    predicted = [(*key, f) for key, f in sorted(predicted.items())]
    for aid, kind, start, end, f in predicted:
        t = tallies[kind]
        t.predicted += 1
        g = gold.get((aid, kind, start, end))
        if g is None:
            if len(t.errors) < errors_shown:
                t.errors.append(("false positive", aid, f.text, dict(f.value), None))
            continue
        t.matched += 1
        if same_value(g["value"], f.value):
            t.value_exact += 1
        elif len(t.errors) < errors_shown:
            t.errors.append(("wrong value", aid, f.text, dict(f.value), g["value"]))
    spans = {p[:4] for p in predicted}
    for key, g in sorted(gold.items()):
        if key not in spans and len(tallies[g["type"]].errors) < errors_shown:
            near = [p[4].text for p in predicted if p[0] == key[0] and p[2] < key[3] and key[2] < p[3]]
            tallies[g["type"]].errors.append(("missed", key[0], g["surface"], near, g["value"]))
    return tallies


def rule_precision(table: list[dict], facts: dict[str, list], split: str = "dev") -> dict[str, tuple[int, int]]:
    """Per rule: (facts right in span, type and value, facts) over the annotated sentences of `split`.
    A rule's confidence is this precision, smoothed: (right + 1) / (facts + 2) (rules/extract/README)."""
    rows = [r for r in table if r["split"] == split]
    sentences = {(r["id"], r["sentence_start"], len(r["sentence"])) for r in rows}
    gold = {(r["id"], r["type"], r["start"], r["end"]): r for r in rows if r["type"]}
    out: dict[str, list[int]] = {}
    seen = set()
    for aid, s_start, s_len in sorted(sentences):
        for f in facts[aid]:
            key = (aid, f.type, f.orig_start, f.orig_end)
            if key in seen or not (s_start <= f.orig_start and f.orig_end <= s_start + s_len):
                continue
            seen.add(key)
            tally = out.setdefault(f.rule_id, [0, 0])
            tally[1] += 1
            g = gold.get(key)
            tally[0] += bool(g and same_value(g["value"], f.value))
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}


def report_rule_precision(precision: dict[str, tuple[int, int]]) -> None:
    print("\nper-rule precision on the news table's dev split (confidence = (right + 1) / (facts + 2))")
    for rule_id, (right, n) in precision.items():
        print(f"  {rule_id:<28} {right:>4}/{n:<4} {right / n:>6.3f}  confidence {(right + 1) / (n + 2):.2f}")


def write_confidence(precision: dict[str, tuple[int, int]], rules_dir: Path) -> list[str]:
    """Set each measured rule's `confidence` in its rule file to (right + 1) / (facts + 2); the changes."""
    changed = []
    for path in sorted((rules_dir / "extract").glob("*.toml")):
        lines = path.read_text(encoding="utf-8").split("\n")
        current = None
        for i, line in enumerate(lines):
            m = re.match(r'id = "([^"]+)"', line)
            if m:
                current = m.group(1)
            m = re.match(r"confidence = ([0-9.]+)$", line)
            if m and current in precision:
                right, n = precision[current]
                new = f"{(right + 1) / (n + 2):.2f}"
                if new != m.group(1):
                    lines[i] = f"confidence = {new}"
                    changed.append(f"{path.name} {current}: {m.group(1)} -> {new}")
        path.write_text("\n".join(lines), encoding="utf-8")
    return changed


def news_figures(prefix: str, tallies: dict[str, NewsTally]) -> dict[str, float]:
    figures = {}
    for kind, t in tallies.items():
        figures[f"{prefix}_{kind}_precision"] = t.matched / t.predicted if t.predicted else 0.0
        figures[f"{prefix}_{kind}_recall"] = t.matched / t.gold if t.gold else 0.0
        figures[f"{prefix}_{kind}_value_exact"] = t.value_exact / t.matched if t.matched else 0.0
    return figures


def report_news(split: str, tallies: dict[str, NewsTally], figures: dict[str, float], articles: int) -> None:
    what = {"dev": "tuned on", "heldout": "old held-out: studied in issue 19's fourth round (counts, dates)",
            "heldout2": "second table, drawn after tuning: studied in issue 19's third round",
            "heldout3": "third table, annotated blind: never tuned on",
            "heldout4": "fourth table, counts only, annotated blind: never tuned on"}[split]
    print(f"\nnews table, {split} ({what}; {articles} articles)")
    print(f"{'type':<8} {'gold':>5} {'pred':>5} {'match':>5} {'P':>6} {'R':>6} {'value exact':>12}")
    for kind, t in tallies.items():
        p = f"news_{split}_{kind}"
        print(f"{kind:<8} {t.gold:>5} {t.predicted:>5} {t.matched:>5} {figures[p + '_precision']:>6.3f} "
              f"{figures[p + '_recall']:>6.3f} {figures[p + '_value_exact']:>7.3f} ({t.value_exact}/{t.matched})")


# --- Duckling's Chinese corpus (../shared/data/extraction/duckling_zh.jsonl): short phrases, one entity each ---

DEFAULT_DUCKLING = ROOT.parent / "shared" / "data" / "extraction" / "duckling_zh.jsonl"
DUCKLING_REFERENCE = "2013-02-12T04:30"
# Why a Duckling record is not scored, checked in this order (duckling_zh.md, "Caveats").
DUCKLING_SKIPS = [
    ("holiday", lambda r: bool(r["expected"].get("holiday")) or re.search(r"国庆|國慶", r["text"])),
    ("weekday or week (Duckling reads them forward)", lambda r: re.search(r"周|週|星期|礼拜|禮拜", r["text"])),
    ("US month/day/year digits", lambda r: re.search(r"\d+/\d+", r["text"])),
    ("interval: offset, duration or part of a day", lambda r: r["expected"]["kind"] != "value"),
    ("now or a clock time without a date", lambda r: r["expected"]["grain"] in ("second", "minute", "hour")
     and not re.search(r"[今明昨]", r["text"])),
]


def duckling_case(r: dict) -> tuple[str | None, str | None, dict | None]:
    """(fact type, reason skipped, expected value) of one Duckling record, in this project's conventions."""
    if r.get("duplicate"):
        return None, "duplicate", None
    dim, exp = r["dimension"], r["expected"]
    if dim == "numeral":
        if re.search(r"[个個对對双雙打]$", r["text"]):
            return None, "numeral with a counting word (一个, 一对 = 2, 五打 = 60)", None
        if re.search(r"[KkMG]$", r["text"]):
            return None, "Latin multiplier suffix (100K, 3M)", None
        return "numeral", None, {"value": exp["value"]}
    if dim == "amount_of_money":
        if re.search(r"[個个蚊毫仙]", r["text"]):
            return None, "Cantonese money words (蚊, 毫, 仙, 個半)", None
        if exp["unit"] == "cent":
            return None, "a subunit alone (五分, 两毛: 分 is points or minutes in news)", None
        return "money", None, _duckling_money(r["text"], exp)
    if dim != "time":
        return None, f"not a fact type ({dim})", None
    for reason, test in DUCKLING_SKIPS:
        if test(r):
            return None, reason, None
    start = datetime.fromisoformat(exp["start"][:19])
    grain = exp["grain"]
    if grain in ("hour", "minute"):
        iso = start.strftime("%Y-%m-%dT%H:%M")
        return "date", None, {"start": iso, "end": iso, "granularity": grain}
    last = {"year": start.replace(month=12, day=31),
            "month": start.replace(day=calendar.monthrange(start.year, start.month)[1]),
            "day": start}[grain]
    return "date", None, {"start": start.date().isoformat(), "end": last.date().isoformat(), "granularity": grain}


def _duckling_money(text: str, exp: dict) -> dict:
    """Duckling's `$` (元, 块, 蚊) is the local dollar: CNY, except Cantonese 蚊/毫/仙 (HKD); cents are 1/100."""
    if exp["currency"] in ("CNY", "HKD"):
        code = exp["currency"]
    else:
        code = "HKD" if re.search(r"蚊|毫|仙|港", text) else "CNY"
    scale = 0.01 if exp["unit"] == "cent" else 1
    value: dict = {"currency": code}
    if exp["kind"] == "interval":
        value.update(approx="range", min=round(exp["min"] * scale, 6), max=round(exp["max"] * scale, 6))
    elif exp["kind"] == "open_interval":
        value.update(approx="over" if exp["min"] is not None else "under",
                     amount=round((exp["min"] if exp["min"] is not None else exp["max"]) * scale, 6))
    else:
        value.update(amount=round(exp["value"] * scale, 6), approx="exact")
    return value


def evaluate_duckling(rows: list[dict], errors_shown: int) -> tuple[dict[str, float], dict, Counter, list]:
    """Per mapped record: a fact of its type spanning the whole phrase (found), with the expected value (exact).
    A yearless phrase may take either year next to the reference date (Duckling reads it forward)."""
    convert = configured_stage("convert", ROOT / "rules")
    extract = configured_stage("extract", ROOT / "rules")
    counts = {k: Counter() for k in ("money", "date", "numeral")}
    skipped: Counter = Counter()
    errors: list = []
    for r in rows:
        kind, reason, expected = duckling_case(r)
        if kind is None:
            skipped[reason] += 1
            continue
        c = counts[kind]
        c["cases"] += 1
        text = r["text"]
        if kind == "numeral":
            try:
                got = float(parse_number(text, words=_approx_words()).value)
                ok = abs(got - expected["value"]) <= 1e-9 * max(1.0, abs(expected["value"]))
            except (ValueError, OverflowError):
                ok = False
            c["found"] += ok
            c["exact"] += ok
            if not ok and len(errors) < errors_shown:
                errors.append(("numeral", text, None, expected))
            continue
        facts = [f for f in run_case(convert, extract, text, DUCKLING_REFERENCE) if f.type == kind]
        whole = [f for f in facts if (f.orig_start, f.orig_end) == (0, len(text))]
        if whole:
            c["found"] += 1
            value = dict(whole[0].value)
            ok = same_value(expected, value) or (kind == "date" and _other_year(expected, value, text))
            c["exact"] += ok
            if not ok and len(errors) < errors_shown:
                errors.append((kind, text, value, expected))
        elif len(errors) < errors_shown:
            errors.append((kind, text, [(f.text, dict(f.value)) for f in facts], expected))
    figures = {}
    for kind, c in counts.items():
        figures[f"duckling_{kind}_found"] = c["found"] / c["cases"] if c["cases"] else 0.0
        figures[f"duckling_{kind}_value_exact"] = c["exact"] / c["cases"] if c["cases"] else 0.0
    return figures, counts, skipped, errors


def _other_year(expected: dict, value: dict, text: str) -> bool:
    if re.search(r"年|\d{4}", text) or not value.get("start") or not expected.get("start"):
        return False
    return (value["start"][4:] == expected["start"][4:] and value["end"][4:] == expected["end"][4:]
            and value["granularity"] == expected["granularity"]
            and abs(int(value["start"][:4]) - int(expected["start"][:4])) == 1)


def report_duckling(figures, counts, skipped, rows) -> None:
    print(f"\nDuckling's Chinese corpus ({len(rows)} records; reference {DUCKLING_REFERENCE}; whole phrase = one fact)")
    print(f"{'type':<8} {'cases':>5} {'found':>6} {'value exact':>12}")
    for kind, c in counts.items():
        print(f"{kind:<8} {c['cases']:>5} {figures[f'duckling_{kind}_found']:>6.3f} "
              f"{figures[f'duckling_{kind}_value_exact']:>7.3f} ({c['exact']}/{c['cases']})")
    print("  not scored:")
    for reason, n in sorted(skipped.items(), key=lambda kv: -kv[1]):
        print(f"    {reason:<48} {n:>4}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", type=Path, default=DEFAULT_SPECS)
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS, help="the news articles the table annotates")
    parser.add_argument("--duckling", type=Path, default=DEFAULT_DUCKLING)
    parser.add_argument("--check", action="store_true", help=f"fail below the [{SECTION}] floors")
    parser.add_argument("--floors", type=Path, default=FLOORS)
    parser.add_argument("--errors", type=int, default=0, help="show up to N errors per type")
    parser.add_argument("--heldout-errors", action="store_true",
                        help="also list the news table's held-out errors (off: held-out is not read while tuning)")
    parser.add_argument("--study", default="dev",
                        help="comma-separated news splits whose errors --errors lists (default dev: held-out is not read)")
    parser.add_argument("--print-floors", action="store_true", help="print the figures as a floors section")
    parser.add_argument("--write-confidence", action="store_true",
                        help="set each rule's confidence in rules/extract/ to its smoothed dev precision")
    args = parser.parse_args()
    for path, where in ((args.specs, "../shared/data/extraction/"), (args.news, "../shared/data/news/"),
                        (args.duckling, "../shared/data/extraction/")):
        if not path.is_file():
            print(f"eval: {path} not found (it lives in {where})", file=sys.stderr)
            return 2
    rows = load(args.specs)
    figures, tallies, untargeted, numerals = evaluate(rows, args.errors)
    report(figures, tallies, untargeted, numerals, rows)
    if args.errors:
        print()
        show_errors(tallies, numerals)

    table = load(NEWS_TABLE)
    facts = news_facts(table, args.news)
    for split in NEWS_SPLITS:
        shown = args.errors if split in args.study.split(",") or args.heldout_errors else 0
        news = evaluate_news(table, facts, split, shown)
        split_figures = news_figures(f"news_{split}", news)
        figures.update(split_figures)
        report_news(split, news, split_figures, len({r["id"] for r in table if r["split"] == split}))
        for kind, t in news.items():
            for e in t.errors:
                print(f"  [{kind}] {e[0]}: {e[1]} {e[2]!r} {json.dumps(e[3], ensure_ascii=False) if e[3] else ''}"
                      f" gold: {json.dumps(e[4], ensure_ascii=False)}")

    precision = rule_precision(table, facts)
    report_rule_precision(precision)
    if args.write_confidence:
        for line in write_confidence(precision, ROOT / "rules"):
            print(f"  set {line}")

    duck_rows = load(args.duckling)
    duck_figures, counts, skipped, duck_errors = evaluate_duckling(duck_rows, args.errors)
    figures.update(duck_figures)
    report_duckling(duck_figures, counts, skipped, duck_rows)
    for kind, text, got, want in duck_errors:
        print(f"  [{kind}] {text!r} -> {json.dumps(got, ensure_ascii=False)} gold: {json.dumps(want, ensure_ascii=False)}")

    if args.print_floors:
        print(f"\n[{SECTION}]")
        for k, v in sorted(figures.items()):
            print(f"{k} = {int(v * 100) / 100}")
    if args.check:
        return check_floors(figures, args.floors, SECTION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
