"""Character 4-gram model (interpolated Kneser-Ney, pruned) for choosing lost characters.

Built offline by `scripts/build_char_ngram.py` into
`pipeline/stages/repair/data/char_ngram.tsv.gz` (sources and licences in
`pipeline/stages/repair/data/README.md`). The bigram model (`charlm`) still
scores whole runs, which is most of the work and must stay fast; this one is
asked only for the few characters a damage left unknown, with three
characters of context on each side, and is loaded on the first such question.

P(w | h) = max(c(hw) - D, 0) / c(h) + D * N(h) / c(h) * P(w | h minus its first
character), with raw counts at the top order, continuation counts below, and
c(h), N(h) (total and distinct followers) kept from before pruning. A context
the file does not hold passes the lower order's probability on unchanged.

The contexts are suffix-closed (a context's last characters are a context
too: pruning keeps an n-gram only if seen --min-count times, and its suffix
was seen at least as often), so the search for longer contexts stops at the
first missing one: the same floats for less work.
"""

from __future__ import annotations

import gzip
import math
from importlib import resources
from pathlib import Path

from pipeline.core.chars import unseen_cost
from pipeline.stages.repair.charlm import CharLM, _chars

CHAR_NGRAM = "data/char_ngram.tsv.gz"
ORDER = 4
_DISCOUNT = 0.75
# The characters of context used on each side of a lost one.
_SIDE = ORDER - 1


class CharNgram:
    __slots__ = ("_grams", "_ctx", "_uni", "_floor", "_simplify")

    def __init__(self, grams: dict[str, int], contexts: dict[str, tuple[int, int]], simplify):
        self._grams = grams
        self._ctx = contexts
        unigrams = {g: c for g, c in grams.items() if len(g) == 1}
        total = sum(unigrams.values()) or 1
        self._uni = {g: c / total for g, c in unigrams.items()}
        self._floor = min(self._uni.values(), default=1e-9)
        self._simplify = simplify

    @classmethod
    def load(cls, lm: CharLM, path: Path | None = None) -> CharNgram:
        """`lm` lends its OpenCC converter (text is scored simplified, as there)."""
        if path is None:
            raw = resources.files("pipeline.stages.repair").joinpath(CHAR_NGRAM).read_bytes()
        else:
            raw = Path(path).read_bytes()
        grams: dict[str, int] = {}
        contexts: dict[str, tuple[int, int]] = {}
        for line in gzip.decompress(raw).decode("utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            key = fields[1] if "U+" not in fields[1] else "".join(_chars(fields[1]))
            if fields[0] == "g":
                grams[key] = int(fields[2])
            else:
                contexts[key] = (int(fields[2]), int(fields[3]))
        return cls(grams, contexts, lm.simplify)

    def prob(self, history: str, ch: str) -> float:
        """P(ch | the last three characters of history), both simplified."""
        p = self._uni.get(ch)
        if p is None:
            p = self._floor * math.exp(-unseen_cost(ch))
        grams, contexts = self._grams, self._ctx
        for k in range(1, min(len(history), _SIDE) + 1):
            h = history[-k:]
            stats = contexts.get(h)
            if stats is None:
                break  # suffix-closed: no longer context is held either
            total, types = stats
            p = max(grams.get(h + ch, 0) - _DISCOUNT, 0) / total + _DISCOUNT * types / total * p
        return p

    def choose(self, before: str, cands: tuple[str, ...], after: str) -> tuple[str, float]:
        """The candidate most plausible between `before` and `after`, and its share
        of the candidates' probability (the terms every candidate shares cancel)."""
        before, after = before[-_SIDE:], after[:_SIDE]
        simple = self._simplify(before + "".join(cands) + after)
        b = simple[: len(before)]
        a = simple[len(simple) - len(after) :] if after else ""
        body = simple[len(before) : len(simple) - len(after)]
        # `prob` inlined (the same arithmetic in the same order, so the same
        # floats): a lone `?` in clean text asks this of ~50 candidates, a lost
        # byte of ~190. What does not depend on the candidate is worked out
        # once: the contexts of its own slot (all in `b`), and for each
        # character after it the lower orders whose history lies in `a`.
        grams, contexts, uni, floor, log, exp = self._grams, self._ctx, self._uni, self._floor, math.log, math.exp
        own = []  # the candidate's slot: (history, c(h), D * N(h) / c(h)), shortest history first
        for k in range(1, len(b) + 1):
            stats = contexts.get(b[-k:])
            if stats is None:
                break
            total, types = stats
            own.append((b[-k:], total, _DISCOUNT * types / total))
        later = []  # each character after it: (it, its probability so far, higher orders as (before c, after c))
        for d in range(1, len(a) + 1):
            ch = a[d - 1]
            p = uni.get(ch)
            if p is None:
                p = floor * exp(-unseen_cost(ch))
            held = True  # every context inside `a` is held: longer ones may be
            for k in range(1, d):
                h = a[d - 1 - k : d - 1]
                stats = contexts.get(h)
                if stats is None:
                    held = False
                    break
                total, types = stats
                p = max(grams.get(h + ch, 0) - _DISCOUNT, 0) / total + _DISCOUNT * types / total * p
            higher = (
                tuple((b[len(b) - (k - d) :] if k > d else "", a[: d - 1]) for k in range(d, min(len(b) + d, _SIDE) + 1))
                if held
                else ()
            )
            later.append((ch, p, higher))
        scores = []
        for c in body:
            p = uni.get(c)
            if p is None:
                p = floor * exp(-unseen_cost(c))
            for h, total, back in own:
                n = grams.get(h + c)
                p = back * p if n is None else max(n - _DISCOUNT, 0) / total + back * p
            lp = 0.0
            lp += log(p)
            for ch, p, higher in later:
                for left, right in higher:
                    h = left + c + right
                    stats = contexts.get(h)
                    if stats is None:
                        break
                    total, types = stats
                    p = max(grams.get(h + ch, 0) - _DISCOUNT, 0) / total + _DISCOUNT * types / total * p
                lp += log(p)
            scores.append(lp)
        top = max(scores)
        i = scores.index(top)
        return cands[i], 1.0 / sum(exp(s - top) for s in scores)
