"""jieba.posseg's Viterbi decoder, same result, vectorised where it is slow.

jieba tags a run of characters missing from its dictionary with an HMM over 256
(place, part-of-speech) states. For a character the HMM has never seen, every
state is possible, so jieba's pure-Python step compares 256 × 256 candidates:
about 18 ms a character (3,000 unknown Han characters took 54 s). Here a step
with many candidates is one numpy operation over a dense transition matrix.

The result is identical, not approximate: the same float64 sums in the same
order ((score + transition) + emission), and the same tie rule as jieba's
`max((prob, state), ...)` — among equal scores the greatest state tuple wins
(after an unseen character every score is about -3.14e100, so ties are the rule,
not the exception). Small steps keep jieba's own expression, which is faster
there; tests/stages/segment/test_viterbi.py compares with jieba's decoder.
"""

from __future__ import annotations

from typing import Mapping, Sequence

MIN_FLOAT = -3.14e100  # jieba.posseg.viterbi's score for an emission it never saw
MIN_INF = float("-inf")
# Candidates (observed states × previous states) above which a step is done in numpy.
DENSE_FROM = 256


class PosViterbi:
    """A decoder for one HMM (jieba.posseg's start, transition and emission tables)."""

    def __init__(self, states: Mapping, start_p: Mapping, trans_p: Mapping, emit_p: Mapping):
        import numpy

        self.states, self.start_p, self.trans_p, self.emit_p = states, start_p, trans_p, emit_p
        # Greatest state first, so numpy's argmax (the first of equal maxima) picks what
        # jieba's max over (prob, state) tuples picks.
        self.order = sorted(trans_p, reverse=True)
        self.index = {s: i for i, s in enumerate(self.order)}
        n = len(self.order)
        trans = numpy.full((n, n), MIN_INF)
        for a, nexts in trans_p.items():
            for b, p in nexts.items():
                trans[self.index[a], self.index[b]] = p
        self.trans = trans
        self.nexts = {s: frozenset(v) for s, v in trans_p.items()}
        self._expect: dict[frozenset, frozenset] = {}

    def _expect_next(self, prev: Sequence) -> frozenset:
        key = frozenset(prev)
        found = self._expect.get(key)
        if found is None:
            found = frozenset().union(*(self.nexts[x] for x in prev))
            if len(self._expect) < 4096:  # bounded: a memo, not a growing table
                self._expect[key] = found
        return found

    def __call__(self, obs: str) -> tuple[float, list]:
        """(score, route): the best (place, pos) state per character, as jieba.posseg.viterbi."""
        import numpy

        states, trans_p, emit_p, index = self.states, self.trans_p, self.emit_p, self.index
        all_states = trans_p.keys()
        V = {y: self.start_p[y] + emit_p[y].get(obs[0], MIN_FLOAT) for y in states.get(obs[0], all_states)}
        mem_path = [dict.fromkeys(V, "")]
        for t in range(1, len(obs)):
            c = obs[t]
            prev_states = [x for x in mem_path[t - 1] if self.nexts[x]]
            expect = self._expect_next(prev_states)
            obs_states = expect.intersection(states.get(c, all_states))
            if not obs_states:
                obs_states = expect if expect else frozenset(all_states)
            new_v, path = {}, {}
            if len(obs_states) * len(prev_states) < DENSE_FROM:
                for y in obs_states:
                    prob, state = max((V[y0] + trans_p[y0].get(y, MIN_INF) + emit_p[y].get(c, MIN_FLOAT), y0)
                                      for y0 in prev_states)
                    new_v[y] = prob
                    path[y] = state
            else:
                prev = sorted(prev_states, key=index.__getitem__)  # greatest state first
                ys = list(obs_states)
                pi = numpy.fromiter((index[x] for x in prev), dtype=numpy.intp, count=len(prev))
                yi = numpy.fromiter((index[y] for y in ys), dtype=numpy.intp, count=len(ys))
                scores = numpy.fromiter((V[x] for x in prev), dtype=numpy.float64, count=len(prev))
                emit = numpy.fromiter((emit_p[y].get(c, MIN_FLOAT) for y in ys), dtype=numpy.float64, count=len(ys))
                total = (scores[:, None] + self.trans[numpy.ix_(pi, yi)]) + emit[None, :]
                best = total.argmax(axis=0)
                probs = total[best, numpy.arange(len(ys))]
                for k, y in enumerate(ys):
                    new_v[y] = float(probs[k])
                    path[y] = prev[best[k]]
            V = new_v
            mem_path.append(path)
        prob, state = max((V[y], y) for y in mem_path[-1])
        route = [None] * len(obs)
        for i in range(len(obs) - 1, -1, -1):
            route[i] = state
            state = mem_path[i][state]
        return prob, route
