"""Spun copy (伪原创): evidence, a learnt score and restoration in context.

Two kinds of evidence. Phrases: the spun rules and the table of spun.toml (phrases ordinary text
never writes: 有限责任企业, 技能立异). Context: every spinner word of the `fit` swaps
([[context]]: 开展 for 发展, 先容 for 介绍) judged where it stands by the repair stage's
character 4-gram model: the log-probability of the standard word and the three characters after
it, given the three before, against the spun word's; a spinner's swap makes a collocation writers
do not (经济开展水平), an ordinary use does not (开展活动). A logistic model over a few counts of
both (SPUN_FEATURES, weights learnt by scripts/fit_spun_classifier.py) gives `spun_score`; in a
flagged document the restorable table phrases and the context swaps past `restore_margin` are
restored, as edits of their own rule ids.

The 4-gram model is loaded on the first document holding a spinner word (about 2 s, 150 MB), once
per stage instance.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property

from pipeline.core.patterns import alternation
from pipeline.stages.clean.ruleset import SPUN_FEATURES, SpunContext, SpunRule, SpunTable
from pipeline.stages.clean.scores import SPUN_PRIOR, non_space, spun_counts

# Characters of context the 4-gram model conditions on (its order less one).
_SIDE = 3


@dataclass(frozen=True)
class Swap:
    """A spinner word in the text (start, end), its standard word and how much likelier that is there."""

    start: int
    end: int
    standard: str
    gain: float


@dataclass(frozen=True)
class Assessment:
    phrases: int  # spun phrases of the rules and the table
    standard: int  # standard phrases they replace, as written
    swaps: tuple[Swap, ...]  # context swaps past the evidence margin
    score: float  # the learnt model's probability (0 without any evidence)

    @property
    def hits(self) -> int:
        return self.phrases + len(self.swaps)


class SpunModel:
    def __init__(self, rules: tuple[SpunRule, ...], table: SpunTable | None, context: SpunContext | None):
        self.rules, self.table, self.context = rules, table, context
        self._words = re.compile(alternation(list(context.words), trie=True)) if context and context.words else None

    # Loaded on first use: a batch without a spinner word never pays for it.
    @cached_property
    def _model(self):
        from pipeline.stages.repair.charlm import CharLM
        from pipeline.stages.repair.charngram import CharNgram

        lm = CharLM.load()
        return lm.simplify, CharNgram.load(lm)

    def gain(self, text: str, start: int, end: int, standard: str) -> float:
        """log P(standard word + 3 characters after | 3 before) - log P(the same with the text's word)."""
        simplify, ngram = self._model
        before, after = text[max(0, start - _SIDE):start], text[end:end + _SIDE]

        def logprob(word: str) -> float:
            s = simplify(before + word + after)
            return sum(math.log(ngram.prob(s[max(0, j - _SIDE):j], s[j])) for j in range(len(before), len(s)))

        return logprob(standard) - logprob(text[start:end])

    def swaps(self, text: str, margin: float) -> list[Swap]:
        """Spinner words of `text` whose standard word is likelier there by at least `margin` nats."""
        if self._words is None:
            return []
        out = []
        for m in self._words.finditer(text):
            standard = self.context.words[m.group()]
            g = self.gain(text, m.start(), m.end(), standard)
            if g >= margin:
                out.append(Swap(m.start(), m.end(), standard, g))
        return out

    def features(self, text: str, phrases: int, standard: int, swaps: int) -> dict[str, float]:
        per_k = 1000 / max(1, non_space(text))
        return {
            "bias": 1.0,
            "phrases": math.log1p(phrases),
            "phrase_density": phrases * per_k,
            "phrase_share": phrases / (phrases + standard + SPUN_PRIOR),
            "lm_swaps": math.log1p(swaps),
            "lm_density": swaps * per_k,
        }

    def assess(self, text: str) -> Assessment:
        phrases, standard = spun_counts(text, self.rules, self.table)
        swaps = tuple(self.swaps(text, self.context.evidence_margin)) if self.context else ()
        if not phrases and not swaps:
            return Assessment(phrases, standard, swaps, 0.0)
        if self.context is None:  # no learnt weights: the phrase share alone
            return Assessment(phrases, standard, swaps, round(phrases / (phrases + standard + SPUN_PRIOR), 6))
        x = self.features(text, phrases, standard, len(swaps))
        z = sum(self.context.weights[f] * x[f] for f in SPUN_FEATURES)
        return Assessment(phrases, standard, swaps, round(1 / (1 + math.exp(-max(-30.0, min(30.0, z)))), 6))
