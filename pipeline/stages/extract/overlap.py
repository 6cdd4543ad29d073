"""The one overlap policy: which candidate keeps a stretch of text.

Applied once, in the extract stage, to the candidates of every extractor:

1. A count never takes text another extractor claims: a money amount is not
   also a count (300万元 is not 300万 of 元), a date is not a count, a
   percentage is not a count (5个百分点 is not 5个).
2. Otherwise the longest candidate wins (2024年4月25日 over 4月 and 25日;
   100万至200万元 over 200万元); on equal length the type order decides
   (date, money, percent, count), then the earlier start, then the rule id.
3. Losers are dropped whole: facts never overlap.

(The date extractor uses the same `resolve` among its own partial matches,
before joining ranges.)
"""

from __future__ import annotations

import bisect
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")

TYPE_ORDER = ("date", "money", "percent", "count")
SUBORDINATE = frozenset({"count"})


def resolve(items: Iterable[T], span: Callable[[T], tuple[int, int]], order: Callable[[T], tuple]) -> list[T]:
    """Keep items in `order` (best first), each unless it overlaps one kept before it."""
    starts: list[int] = []
    ends: list[int] = []
    kept = []
    for it in sorted(items, key=order):
        s, e = span(it)
        if s >= e:
            continue
        i = bisect.bisect_right(starts, s)
        # Kept spans are disjoint and sorted: only the neighbours can overlap.
        if (i > 0 and ends[i - 1] > s) or (i < len(starts) and starts[i] < e):
            continue
        starts.insert(i, s)
        ends.insert(i, e)
        kept.append(it)
    return kept


def longest_first(span: Callable[[T], tuple[int, int]]) -> Callable[[T], tuple]:
    return lambda it: (-(span(it)[1] - span(it)[0]), span(it)[0])


def resolve_candidates(candidates: Iterable) -> list:
    """The policy above, on extractor candidates; returns the kept ones in text order."""
    rank = {t: i for i, t in enumerate(TYPE_ORDER)}

    def order(c):
        return (c.type in SUBORDINATE, -(c.end - c.start), rank.get(c.type, len(rank)), c.start, c.rule_id)

    kept = resolve(candidates, lambda c: (c.start, c.end), order)
    return sorted(kept, key=lambda c: (c.start, c.end))
