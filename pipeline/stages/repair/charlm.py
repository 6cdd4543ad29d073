"""Character bigram language model: how plausible is this string as Chinese news?

Built offline by `scripts/build_char_lm.py` into `pipeline/stages/repair/data/char_lm.tsv.gz`
(sources and licences in `pipeline/stages/repair/data/README.md`). The model is simplified
Chinese; text is converted with OpenCC t2s before scoring, so traditional text
scores like its simplified form.

Smoothing is interpolated absolute discounting: a seen bigram keeps its count
less `_DISCOUNT`, and what is taken is spread over the unigram distribution in
proportion to how many distinct characters follow the history. Characters the
model never saw are priced by Unicode category, as `pipeline.stages.decode.detect` does:
a rare Han character is plausible, a private-use one is not.
"""

from __future__ import annotations

import gzip
import math
import re
from importlib import resources
from pathlib import Path

import opencc

from pipeline.core.chars import unseen_cost

CHAR_LM = "data/char_lm.tsv.gz"
_DISCOUNT = 0.75
_TOKEN = re.compile(r"U\+[0-9A-F]{6}|.", re.S)


def _chars(field: str) -> list[str]:
    return [chr(int(t[2:], 16)) if len(t) > 1 else t for t in _TOKEN.findall(field)]


class CharLM:
    __slots__ = ("_uni", "_puni", "_backoff", "_bi", "_floor", "_t2s", "_after", "_before")

    def __init__(self, unigrams: dict[str, tuple[int, int, int]], bigrams: dict[str, int]):
        total = sum(c for c, _, _ in unigrams.values())
        self._uni = {ch: math.log(c / total) for ch, (c, _, _) in unigrams.items() if c > 0}
        self._puni = {ch: math.exp(lp) for ch, lp in self._uni.items()}
        self._floor = min(self._uni.values(), default=math.log(1e-9))
        hist = {ch: h for ch, (_, h, _) in unigrams.items() if h > 0}
        # Mass moved to the unigram distribution, per history character.
        self._backoff = {ch: _DISCOUNT * t / hist[ch] for ch, (_, h, t) in unigrams.items() if h > 0}
        # The discounted bigram term, precomputed: scoring asks for it millions of times.
        self._bi = {
            pair: (count - _DISCOUNT) / hist[pair[0]]
            for pair, count in bigrams.items()
            if count > _DISCOUNT and pair[0] in hist
        }
        self._t2s = opencc.OpenCC("t2s")
        # Each character's kept bigram neighbours, indexed on first use (`neighbours`).
        self._after: dict[str, frozenset[str]] | None = None
        self._before: dict[str, frozenset[str]] | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> CharLM:
        if path is None:
            raw = resources.files("pipeline.stages.repair").joinpath(CHAR_LM).read_bytes()
        else:
            raw = Path(path).read_bytes()
        unigrams: dict[str, tuple[int, int, int]] = {}
        bigrams: dict[str, int] = {}
        for line in gzip.decompress(raw).decode("utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if fields[0] == "1":
                (ch,) = _chars(fields[1])
                unigrams[ch] = (int(fields[2]), int(fields[3]), int(fields[4]))
            else:
                a, b = _chars(fields[1])
                bigrams[a + b] = int(fields[2])
        return cls(unigrams, bigrams)

    def unigram(self, ch: str) -> float:
        lp = self._uni.get(ch)
        return lp if lp is not None else self._floor - unseen_cost(ch)

    def logprob(self, prev: str, ch: str) -> float:
        """log P(ch | prev) of simplified characters; prev "" means no history."""
        backoff = self._backoff.get(prev)
        puni = self._puni.get(ch)
        if puni is None:  # unseen: priced by category, reached only by backing off
            unseen = self._floor - unseen_cost(ch)
            return unseen if backoff is None else unseen + math.log(backoff)
        if backoff is None:
            return self._uni[ch]
        return math.log(self._bi.get(prev + ch, 0.0) + backoff * puni)

    def neighbours(self, prev: str, nxt: str) -> tuple[frozenset[str], frozenset[str]]:
        """Characters with a kept bigram after `prev`, and before `nxt` (simplified):
        the only ones whose score between the two is more than the unigram's."""
        if self._after is None:
            after: dict[str, set[str]] = {}
            before: dict[str, set[str]] = {}
            for pair in self._bi:
                after.setdefault(pair[0], set()).add(pair[1])
                before.setdefault(pair[1], set()).add(pair[0])
            self._after = {k: frozenset(v) for k, v in after.items()}
            self._before = {k: frozenset(v) for k, v in before.items()}
        assert self._before is not None
        return self._after.get(prev, frozenset()), self._before.get(nxt, frozenset())

    def simplify(self, text: str) -> str:
        # Scoring wants one simplified character per input character; OpenCC
        # phrase rules can change length, so fall back to per-character
        # conversion when they do.
        out = self._t2s.convert(text)
        if len(out) != len(text):
            out = "".join(self._t2s.convert(c)[:1] or c for c in text)
        return out

    def choose(self, before: str, cands: tuple[str, ...], after: str) -> tuple[str, float]:
        """The candidate most plausible between `before` and `after` (either may
        be ""), and its share of the candidates' probability."""
        simple = self.simplify(before + "".join(cands) + after)
        b = simple[0] if before else ""
        a = simple[-1] if after else ""
        body = simple[1 if before else 0 : len(simple) - (1 if after else 0)]
        # `logprob` inlined (the same arithmetic, so the same floats): the
        # frame-shift search asks this of ~190 candidates per unknown character.
        backoffs, punis, bi, log = self._backoff, self._puni, self._bi, math.log
        back = backoffs.get(b)
        # Candidate-independent halves: P(a | c) needs puni(a), P(c | b) backoff(b).
        puni_a = punis.get(a) if a else None
        unseen_a = self._floor - unseen_cost(a) if a and puni_a is None else 0.0
        scores = []
        for c in body:
            puni = punis.get(c)
            if puni is None:
                unseen = self._floor - unseen_cost(c)
                lp = unseen if back is None else unseen + log(back)
            elif back is None:
                lp = self._uni[c]
            else:
                lp = log(bi.get(b + c, 0.0) + back * puni)
            if a:
                back_c = backoffs.get(c)
                if puni_a is None:
                    lp += unseen_a if back_c is None else unseen_a + log(back_c)
                elif back_c is None:
                    lp += self._uni[a]
                else:
                    lp += log(bi.get(c + a, 0.0) + back_c * puni_a)
            scores.append(lp)
        top = max(scores)
        i = scores.index(top)
        return cands[i], 1.0 / sum(math.exp(s - top) for s in scores)

    def score(self, text: str, prev: str = "") -> float:
        """log P(text) given the character before it (already simplified or not)."""
        simple = self.simplify(prev[-1:] + text)
        prev_s, body = (simple[0], simple[1:]) if prev else ("", simple)
        total = 0.0
        for ch in body:
            total += self.logprob(prev_s, ch)
            prev_s = ch
        return total
