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
    names = numpy.array(list(labels), dtype=object)
    return [names[path].tolist() for path in best_index_paths(scores, labels)]


def best_index_paths(scores: Sequence[numpy.ndarray], labels: Sequence[str]) -> list[numpy.ndarray]:
    """best_paths as arrays of label indices (what the tagger reads back: no strings per character)."""
    trans, first, last = transitions(labels)
    groups = _predecessor_groups(trans, first)
    out: list[numpy.ndarray] = []
    for probs in scores:
        n = len(probs)
        if n == 0:
            out.append(numpy.zeros(0, dtype="int64"))
            continue
        logp = numpy.log(numpy.maximum(numpy.asarray(probs, dtype="float64"), 1e-12))
        pick = logp.argmax(axis=1)
        # Fast path: the per-character picks are already a valid sequence (most sentences).
        if first[pick[0]] == 0 and last[pick[-1]] == 0 and (n == 1 or (trans[pick[:-1], pick[1:]] == 0).all()):
            out.append(pick)
        elif groups is not None and logp.max() <= 0.0 and n < MAX_GROUPED:
            out.append(_viterbi_grouped(logp, groups, first, last))
        else:
            out.append(_viterbi(logp, trans, first, last))
    return out


# Below this many characters an allowed transition always beats a forbidden one (each character
# adds at least log(1e-12) = -27.7 to a path; a forbidden step adds NEG = -1e9).
MAX_GROUPED = 10_000_000


def _predecessor_groups(trans: numpy.ndarray, first: numpy.ndarray) -> list[tuple[list[int], list[int]]] | None:
    """Tags grouped by the tags allowed before them: (predecessors in index order, tags). BILUO has
    few groups (O, B-x and U-x all follow O, L-x or U-x; I-X and L-X follow B-X or I-X), so a Viterbi
    step is a maximum per group. None when some tag cannot follow any allowed first tag: then
    forbidden transitions can decide (the label set lacks a B-X), and the plain Viterbi runs."""
    starts = {i for i in range(len(first)) if first[i] == 0}
    groups: dict[tuple[int, ...], list[int]] = {}
    for j in range(trans.shape[1]):
        preds = tuple(i for i in range(trans.shape[0]) if trans[i, j] == 0)
        if not starts.intersection(preds):
            return None
        groups.setdefault(preds, []).append(j)
    return [(list(p), js) for p, js in groups.items()]


def _viterbi_grouped(logp: numpy.ndarray, groups, first: numpy.ndarray, last: numpy.ndarray) -> numpy.ndarray:
    """_viterbi in plain floats over the allowed transitions only: a forbidden one (NEG) can never win
    when every tag has an allowed predecessor reachable from the start and log probabilities are in
    [log(1e-12), 0]; an allowed one adds 0.0, which changes no float. So the same sums, compared in
    the same order (the first maximum wins, as argmax), and the same path, ties included; several
    times faster than a numpy step on eleven tags."""
    rows = logp.tolist()
    delta = (logp[0] + first).tolist()
    size = len(delta)
    back = []
    for row in rows[1:]:
        new, ptr = [0.0] * size, [0] * size
        for preds, targets in groups:
            bi = preds[0]
            bv = delta[bi]
            for i in preds:
                if delta[i] > bv:
                    bv, bi = delta[i], i
            for j in targets:
                new[j] = bv + row[j]
                ptr[j] = bi
        delta = new
        back.append(ptr)
    k = int((numpy.array(delta) + last).argmax())
    path = [k]
    for ptr in reversed(back):
        k = ptr[k]
        path.append(k)
    return numpy.array(path[::-1], dtype="int64")


def _viterbi(logp: numpy.ndarray, trans: numpy.ndarray, first: numpy.ndarray, last: numpy.ndarray) -> numpy.ndarray:
    """The best valid path over every transition, a character at a time."""
    n, size = logp.shape
    delta = logp[0] + first
    back = numpy.zeros((n, size), dtype="int64")
    for t in range(1, n):
        cand = delta[:, None] + trans
        back[t] = cand.argmax(axis=0)
        delta = cand[back[t], numpy.arange(size)] + logp[t]
    k = int((delta + last).argmax())
    path = [k]
    for t in range(n - 1, 0, -1):
        k = int(back[t, k])
        path.append(k)
    return numpy.array(path[::-1], dtype="int64")


def spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Entities (start, end, label) of a tag sequence; an entity runs from B/U (or a stray I/L) to L/U.

    >>> spans(["B-ORG", "I-ORG", "L-ORG", "O", "U-LOC"])
    [(0, 3, 'ORG'), (4, 5, 'LOC')]
    >>> spans(["O", "I-PER", "L-PER"])  # a stray I- opens a name too
    [(1, 3, 'PER')]
    """
    labels = sorted(set(tags))
    index = {tag: k for k, tag in enumerate(labels)}
    return index_spans(numpy.array([index[tag] for tag in tags], dtype="int64"), labels)


def index_spans(path: numpy.ndarray, labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """spans() of a path of label indices, reading only its characters that are not `O` (a name's
    characters are few): an `O` only closes what is open, so a gap between two such characters
    does what the `O`s in it would."""
    parts = [_parts(t) for t in labels]
    named = numpy.array([kind != "O" for kind, _ in parts])
    where = numpy.flatnonzero(named[path])
    out = []
    start, label, prev = None, None, -2
    for i, k in zip(where.tolist(), path[where].tolist()):
        kind, x = parts[k]
        if start is not None and (i != prev + 1 or kind in ("B", "U") or x != label):
            start = None
        prev = i
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
