"""Map character spans across one layer of edits, in either direction.

A layer's edits cut its input and output into aligned pieces: unchanged runs
(which shift by a constant) and edited regions (input `[start, end)` became
output `[out_start, out_end)`). Mapping is symmetric, so one routine serves both
directions. The rules, chosen so a span never loses the text it stands for:

- a span touching part of an edited region covers the whole region on the
  other side (a fact inside `聯(lián)` maps to all of it, not a guess);
- mapping back to the input, text a layer deleted right at a span's boundary
  stays outside the span (a fact next to a removed `(lián)` does not grow);
- mapping forward to the output, text a layer inserted right at a span's
  boundary joins the span, which is what makes back-and-forth stable;
- a span of deleted text maps to an empty span where the deletion was;
- mapped spans always lie inside the other text.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Sequence


class SpanMap:
    """Piecewise map between a layer's input (`src`) and output (`dst`)."""

    __slots__ = ("src_starts", "src_ends", "dst_starts", "dst_ends", "absorb", "prev_wide", "next_wide")

    def __init__(self, src_starts, src_ends, dst_starts, dst_ends, absorb=True):
        self.src_starts = src_starts
        self.src_ends = src_ends
        self.dst_starts = dst_starts
        self.dst_ends = dst_ends
        # Whether text appearing at a span's boundary (zero-width in src) joins it.
        self.absorb = absorb
        # The nearest region with a non-empty src at or before / at or after each
        # index (-1 / len when none), so runs of zero-width regions (insertions)
        # are skipped in one step, not walked for every span mapped.
        n = len(src_starts)
        self.prev_wide, self.next_wide = [-1] * n, [n] * n
        last = -1
        for i in range(n):
            if src_starts[i] != src_ends[i]:
                last = i
            self.prev_wide[i] = last
        last = n
        for i in reversed(range(n)):
            if src_starts[i] != src_ends[i]:
                last = i
            self.next_wide[i] = last

    @classmethod
    def from_edits(cls, edits: Sequence) -> SpanMap:
        src_starts, src_ends, dst_starts, dst_ends = [], [], [], []
        shift = 0
        for e in edits:
            src_starts.append(e.start)
            src_ends.append(e.end)
            dst_starts.append(e.start + shift)
            shift += len(e.replacement) - (e.end - e.start)
            dst_ends.append(e.end + shift)
        return cls(src_starts, src_ends, dst_starts, dst_ends, absorb=True)

    def inverse(self) -> SpanMap:
        return SpanMap(
            self.dst_starts, self.dst_ends, self.src_starts, self.src_ends, absorb=False
        )

    def _start(self, x: int) -> int:
        if self.absorb:  # text inserted at x joins the span
            k = bisect_left(self.src_starts, x)
            if k < len(self.src_starts) and self.src_starts[k] == self.src_ends[k] == x:
                return self.dst_starts[k]
        # Inside (or at the start of) a non-empty edited region: its whole output.
        i = bisect_right(self.src_starts, x) - 1
        if i >= 0:
            i = self.prev_wide[i]
        if i >= 0 and self.src_starts[i] <= x < self.src_ends[i]:
            return self.dst_starts[i]
        # In unchanged text: shift by the last region that ends at or before x.
        j = bisect_right(self.src_ends, x) - 1
        if j < 0:
            return x
        return x - self.src_ends[j] + self.dst_ends[j]

    def _end(self, x: int) -> int:
        if self.absorb:
            k = bisect_right(self.src_ends, x) - 1
            if k >= 0 and self.src_starts[k] == self.src_ends[k] == x:
                return self.dst_ends[k]
        i = bisect_left(self.src_ends, x)
        if i < len(self.src_ends):
            i = self.next_wide[i]
        if i < len(self.src_ends) and self.src_starts[i] < x <= self.src_ends[i]:
            return self.dst_ends[i]
        # In unchanged text: shift by the first region starting at or after x.
        j = bisect_left(self.src_starts, x)
        if j < len(self.src_starts):
            return self.dst_starts[j] - (self.src_starts[j] - x)
        if not self.src_ends:
            return x
        return x - self.src_ends[-1] + self.dst_ends[-1]

    def map(self, start: int, end: int) -> tuple[int, int]:
        if start > end:
            raise ValueError(f"span start {start} after end {end}")
        if start == end:
            p = self._start(start)
            return p, p
        s, e = self._start(start), self._end(end)
        return s, max(s, e)


def span_to_input(edits: Sequence, start: int, end: int) -> tuple[int, int]:
    """Map a span of a layer's output back to its input."""
    return SpanMap.from_edits(edits).inverse().map(start, end)


def span_to_output(edits: Sequence, start: int, end: int) -> tuple[int, int]:
    """Map a span of a layer's input forward to its output."""
    return SpanMap.from_edits(edits).map(start, end)
