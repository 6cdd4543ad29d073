"""Reading the number of a money, percent or count match: value, approximation, range.

Rules name their groups the same way: `num` (the number), `num2` (the upper
end of a range), `pre`/`post` (approximation words inside the match), `vague`
(几, 数 before the number: 几十万 is a range, 200000 to 900000) and `up` (上百:
at least a hundred). Two neighbouring digits (七八亿) and 几 inside a number
(十几) are ranges too. An
approximation word just before the match, across a linking verb (约为, 超过了,
达到近), counts too: the span stays the quantity, the value says `about`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipeline.stages.extract import numerals
from pipeline.stages.extract.numerals import ApproxWords

_BIG = set("万萬亿億兆")
_CN_UNITS = set("十拾百佰千仟万萬亿億兆")
# A rate after the quantity (4万元/平方米, 20000元/月, 500元每吨): an approximation word after it
# belongs to the quantity (4万元/平方米左右 is about 40000 yuan), outside the fact's span.
_RATE_UNIT = re.compile(r"[\u4e00-\u9fff㎡A-Za-z]+")


@dataclass(frozen=True)
class Quantity:
    value: Decimal | None      # None for a range
    approx: str
    low: Decimal | None = None
    high: Decimal | None = None
    # Whether an over/under bound includes the number written (不少于5家 yes, 超过5家 no); a range's
    # ends always do (3至5家).
    inclusive: bool = False


def group(m, name: str) -> str:
    if name in m.re.groupindex:
        return m.group(name) or ""
    return ""


def read(m, text: str, words: ApproxWords, rule=None, scale: Decimal = Decimal(1)) -> Quantity | None:
    """The quantity of a match, scaled (percent kinds multiply); None when the number is unreadable.

    A rule's own `approx` field names the kind its pattern implies (上亿元 is over);
    `words` are the approximation words (rules/extract/approx.toml).
    """
    num, num2 = group(m, "num"), group(m, "num2")
    vague, up = group(m, "vague"), group(m, "up")
    if num2 and (vague or _spread(num) is not None or _spread(num2) is not None):
        return _fuzzy_ends(vague + num, num2, words, scale)
    if vague or not num2:
        # 几十万, 十几个, 数十亿: a range; 七八亿, 三四百: neighbouring digits, a range.
        spread = numerals.fuzzy_range(vague + num) if vague or "几" in num or "幾" in num else None
        spread = spread or (None if vague else numerals.adjacent_range(num))
        if spread is not None:
            if num2:
                return None
            return Quantity(None, "range", spread[0] * scale, spread[1] * scale)
        if vague:
            return None
    try:
        first = numerals.parse_number(num, allow_bare_unit=bool(group(m, "pre") or up), words=words)
        if num2:
            # 100至200万元, 二十至三十万元, 三到四千元: the units written once apply to both ends
            # (all of them after a bare number, the big ones after 二十), unless that puts the
            # first above the second (3000-1万元 is 3000 to 10000).
            tail = _trailing_units(num2) if not any(c in _CN_UNITS for c in num) else (
                _trailing_big(num2) if not any(c in _BIG for c in num) else "")
            if tail:
                shared = numerals.parse_number(num + tail, words=words)
                if shared.value <= numerals.parse_number(num2, words=words).value:
                    first = shared
            second = numerals.parse_number(num2, words=words)
    except ValueError:
        return None
    if num2:
        low, high = first.value * scale, second.value * scale
        if high < low:
            return None
        return Quantity(None, "range", low, high)
    approx, word = numerals.approx_word(group(m, "pre"), group(m, "post"), words)
    if approx == "exact" and up:
        approx = "over"  # 上百人, 上万元: at least the number written
    if approx == "exact" and rule is not None:
        approx = rule.fields.get("approx", "exact")
    if approx == "exact":
        approx = first.approx  # 300多, 100余: more than the number, exclusive
    if approx == "exact":
        approx, word = before_context(text, m.start(), words)
    if approx == "exact" and not group(m, "post"):
        approx, word = after_rate(text, m.end(), words)
    return Quantity(first.value * scale, approx, inclusive=word in words.inclusive)


def after_rate(text: str, end: int, words: ApproxWords) -> tuple[str, str]:
    """(kind, word): an approximation word after a rate that follows the match (4万元/平方米左右: about)."""
    if end >= len(text) or text[end] not in "/每":
        return "exact", ""
    for n in range(1, 4):
        unit = text[end + 1 : end + 1 + n]
        if len(unit) < n or not _RATE_UNIT.fullmatch(unit):
            break
        after = text[end + 1 + n : end + 1 + n + 6]
        for word in words.after_longest:
            if after.startswith(word):
                return words.after[word], word
    return "exact", ""


def _spread(num: str) -> tuple[Decimal, Decimal] | None:
    """The range one fuzzy end of a range allows (数千万, 一两亿, 十几), or None for a plain number."""
    return numerals.fuzzy_range(num) if num[:1] in "数几" or "几" in num or "幾" in num else \
        numerals.adjacent_range(num)


def _fuzzy_ends(num: str, num2: str, words: ApproxWords, scale: Decimal) -> Quantity | None:
    """数千万至一两亿: a range whose ends are fuzzy; from the first's lowest to the second's highest."""
    ends = []
    for text in (num, num2):
        spread = _spread(text)
        if spread is None:
            try:
                value = numerals.parse_number(text, words=words).value
            except ValueError:
                return None
            spread = (value, value)
        ends.append(spread)
    low, high = ends[0][0] * scale, ends[1][1] * scale
    if high <= low:
        return None
    return Quantity(None, "range", low, high)


def before_context(text: str, start: int, words: ApproxWords) -> tuple[str, str]:
    """(kind, word): an approximation word right before the match, possibly across a linking verb (约为)."""
    before = text[max(0, start - 6) : start]
    stripped = words.strip_copula(before)
    for candidate in (before, stripped) if stripped != before else (before,):
        kind, word = numerals.approx_word(candidate, "", words, context=True)
        if kind != "exact":
            return kind, word
    return "exact", ""


def _trailing_big(num: str) -> str:
    i = len(num)
    while i > 0 and num[i - 1] in _BIG:
        i -= 1
    return num[i:]


def _trailing_units(num: str) -> str:
    i = len(num)
    while i > 0 and num[i - 1] in _CN_UNITS:
        i -= 1
    return num[i:]


def as_json(value: Decimal) -> int | float:
    return numerals.to_json_number(value)


def with_range(value: dict, q: Quantity, key: str) -> dict:
    """Put a quantity into a fact value: `key` and `approx`, plus `min`/`max` for ranges, `min` for
    `over` (超过5万: at least the number written) and `max` for `under` (不到5万): the bound the
    approximation word sets, so a reader filtering on min/max needs no list of kinds. Each bound
    comes with `min_inclusive`/`max_inclusive`: a range's ends are included (3至5家); an over/under
    bound is included when its word says so (以上, 不少于, 至多: approx.toml [inclusive]) and excluded
    otherwise (超过, 逾, 300多, 不到, 近)."""
    value[key] = None if q.value is None else as_json(q.value)
    value["approx"] = q.approx
    if q.approx == "range":
        value["min"] = as_json(q.low)
        value["max"] = as_json(q.high)
        value["min_inclusive"] = value["max_inclusive"] = True
    elif q.value is not None and q.approx in _BOUND:
        bound = _BOUND[q.approx]
        value[bound] = as_json(q.value)
        value[bound + "_inclusive"] = q.inclusive
    return value


# The keys a quantity value may carry after its own (amount or value, unit or currency), in order.
BOUND_KEYS = ("approx", "min", "max", "min_inclusive", "max_inclusive")


# Which end of the value an approximation kind bounds.
_BOUND = {"over": "min", "under": "max"}
