"""BILUO tags per character to entity spans: the decoding of the tagger-head NER model.

The model scores every character against tags `O`, `B-X`, `I-X`, `L-X`, `U-X`
(begin, inside, last, unit; X a label) independently, so its best tag per
character may be an impossible sequence (`O I-ORG`, `B-LOC L-ORG`). `best_paths`
takes the best sequence that is valid (Viterbi over the allowed transitions),
`spans` reads entities off a sequence (an invalid one too, forgivingly).
"""

from __future__ import annotations

from typing import Sequence

import numpy

NEG = -1e9


def _parts(tag: str) -> tuple[str, str]:
    return ("O", "") if tag == "O" or "-" not in tag else tuple(tag.split("-", 1))  # type: ignore[return-value]


def transitions(labels: Sequence[str]) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """(allowed[i, j] for tag i followed by tag j, allowed first tags, allowed last tags), as 0 / NEG."""
    parts = [_parts(t) for t in labels]
    n = len(labels)
    trans = numpy.full((n, n), NEG)
    for i, (a, x) in enumerate(parts):
        for j, (b, y) in enumerate(parts):
            inside = a in ("B", "I")  # an entity is open after tag i
            if (inside and b in ("I", "L") and x == y) or (not inside and b in ("O", "B", "U")):
                trans[i, j] = 0.0
    first = numpy.array([0.0 if p[0] in ("O", "B", "U") else NEG for p in parts])
    last = numpy.array([0.0 if p[0] in ("O", "L", "U") else NEG for p in parts])
    return trans, first, last


def best_paths(scores: Sequence[numpy.ndarray], labels: Sequence[str]) -> list[list[str]]:
    """The most probable valid tag sequence for each sentence's (characters x labels) probabilities."""
    trans, first, last = transitions(labels)
    out: list[list[str]] = []
    for probs in scores:
        n = len(probs)
        if n == 0:
            out.append([])
            continue
        logp = numpy.log(numpy.maximum(numpy.asarray(probs, dtype="float64"), 1e-12))
        pick = logp.argmax(axis=1)
        # Fast path: the per-character picks are already a valid sequence (most sentences).
        if first[pick[0]] == 0 and last[pick[-1]] == 0 and (n == 1 or (trans[pick[:-1], pick[1:]] == 0).all()):
            out.append([labels[k] for k in pick])
            continue
        delta = logp[0] + first
        back = numpy.zeros((n, len(labels)), dtype="int64")
        for t in range(1, n):
            cand = delta[:, None] + trans
            back[t] = cand.argmax(axis=0)
            delta = cand[back[t], numpy.arange(len(labels))] + logp[t]
        k = int((delta + last).argmax())
        path = [k]
        for t in range(n - 1, 0, -1):
            k = int(back[t, k])
            path.append(k)
        out.append([labels[k] for k in reversed(path)])
    return out


def spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Entities (start, end, label) of a tag sequence; an entity runs from B/U (or a stray I/L) to L/U.

    >>> spans(["B-ORG", "I-ORG", "L-ORG", "O", "U-LOC"])
    [(0, 3, 'ORG'), (4, 5, 'LOC')]
    >>> spans(["O", "I-PER", "L-PER"])  # a stray I- opens a name too
    [(1, 3, 'PER')]
    """
    out = []
    start, label = None, None
    for i, tag in enumerate(tags):
        kind, x = _parts(tag)
        if start is not None and (kind in ("O", "B", "U") or x != label):
            start = None  # an entity left open, or changing label, is not an entity
        if kind == "U":
            out.append((i, i + 1, x))
        elif kind == "B" or (kind in ("I", "L") and start is None):
            start, label = i, x
            if kind == "L":
                out.append((i, i + 1, x))
                start = None
        elif kind == "L" and start is not None:
            out.append((start, i + 1, x))
            start = None
    return out
