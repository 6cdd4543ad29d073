"""Overlapping spans to the flat, non-overlapping segments a page can mark up.

Facts may nest (a location inside an organisation's name) and edits of
different stages may cover the same characters of the original (a converted
character inside a removed line). HTML marks cannot overlap, so the text is
cut at every span boundary and each piece names the spans covering it, the
one to show first.
"""

from __future__ import annotations

from typing import Sequence


def flatten(spans: Sequence[tuple[int, int, int]], length: int) -> list[tuple[int, int, list[int]]]:
    """Segments `(start, end, [span indexes])` of the text covered by `spans`.

    `spans` are `(start, end, rank)`; empty spans and the parts outside
    `0..length` are ignored. Each segment lists the indexes of the spans
    covering it, best first: higher rank, then shorter (the innermost), then
    earlier in `spans`. Adjacent pieces covered by the same spans are merged.
    """
    kept = [(max(0, s), min(length, e), i) for i, (s, e, _) in enumerate(spans) if max(0, s) < min(length, e)]
    kept.sort()
    if all(a[1] <= b[0] for a, b in zip(kept, kept[1:])):
        # No overlaps (the usual case: one stage's edits never overlap): each span is a segment.
        return [(s, e, [i]) for s, e, i in kept]
    events: dict[int, list[tuple[int, bool]]] = {}
    for i, (start, end, _) in enumerate(spans):
        start, end = max(0, start), min(length, end)
        if start < end:
            events.setdefault(start, []).append((i, True))
            events.setdefault(end, []).append((i, False))
    segments: list[tuple[int, int, list[int]]] = []
    active: set[int] = set()
    points = sorted(events)
    for here, following in zip(points, points[1:] + [None]):
        for i, opens in events[here]:
            if opens:
                active.add(i)
            else:
                active.discard(i)
        if following is None or not active:
            continue
        if len(active) == 1:
            covering = list(active)
        else:
            covering = sorted(active, key=lambda i: (-spans[i][2], spans[i][1] - spans[i][0], i))
        if segments and segments[-1][1] == here and segments[-1][2] == covering:
            segments[-1] = (segments[-1][0], following, covering)
        else:
            segments.append((here, following, covering))
    return segments
