"""Spun copy (伪原创): evidence, a learnt score and restoration in context.

Two kinds of evidence. Phrases: the spun rules and the table of spun.toml (phrases ordinary text
never writes: 有限责任企业, 技能立异). Context: every spinner word of the `fit` swaps
([[context]]: 开展 for 发展, 先容 for 介绍) judged where it stands by the repair stage's
character 4-gram model: the log-probability of the standard word and the three characters after
it, given the three before, against the spun word's; a spinner's swap makes a collocation writers
do not (经济开展水平), an ordinary use does not (开展活动). Words whose ordinary uses too often look
swapped to the model (疑问, 商场: `words_file`, calibrated on ordinary text) are restored in a
flagged document but are no evidence. A logistic model over a few counts of
both (SPUN_FEATURES, weights learnt by scripts/fit_spun_classifier.py) gives `spun_score` (0 without
a spun phrase or with fewer than `spun_min_hits` hits); in a
flagged document the restorable table phrases and the context swaps past `restore_margin` are
restored, as edits of their own rule ids.

The 4-gram model is loaded on the first document holding a spun phrase (about 2 s, 150 MB), once
per stage instance; documents without one never ask it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

from pipeline.core.patterns import Literals
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
    score: float  # the learnt model's probability (0 without a phrase or with fewer than min_hits hits)

    @property
    def hits(self) -> int:
        return self.phrases + len(self.swaps)


class SpunModel:
    def __init__(self, rules: tuple[SpunRule, ...], table: SpunTable | None, context: SpunContext | None,
                 min_hits: int):
        self.rules, self.table, self.context, self.min_hits = rules, table, context, min_hits
        self._words = Literals(context.words) if context and context.words else None

    # Loaded on first use: a batch without a spinner word never pays for it.
    @cached_property
    def _model(self):
        from pipeline.stages.repair.charlm import CharLM
        from pipeline.stages.repair.charngram import CharNgram

        lm = CharLM.load()
        return lm.simplify, CharNgram.load(lm)

    def gain(self, text: str, start: int, end: int, standard: str, simple: str | None = None) -> float:
        """log P(standard word + 3 characters after | 3 before) - log P(the same with the text's word);
        `simple`: the text already simplified (one character for one), when the caller has it."""
        simplify, ngram = self._model
        if simple is None:
            simple = simplify(text)
        before, after = simple[max(0, start - _SIDE):start], simple[end:end + _SIDE]

        def logprob(word: str) -> float:
            s = before + word + after
            return sum(math.log(ngram.prob(s[max(0, j - _SIDE):j], s[j])) for j in range(len(before), len(s)))

        return logprob(standard) - logprob(simple[start:end])

    def swaps(self, text: str, margin: float) -> list[Swap]:
        """Spinner words of `text` whose standard word is likelier there by at least `margin` nats."""
        if self._words is None:
            return []
        out = []
        simple = None
        for m in self._words.finditer(text):
            if simple is None:  # simplified once (the standard words are simplified already)
                simple = self._model[0](text)
            standard = self.context.words[m.group()]
            g = self.gain(text, m.start(), m.end(), standard, simple)
            if g >= margin:
                out.append(Swap(m.start(), m.end(), standard, g))
        return out

    def features(self, text: str, phrases: int, standard: int, swaps: list[Swap] | tuple[Swap, ...]) -> dict[str, float]:
        return {
            "bias": 1.0,
            "phrases": math.log1p(phrases),
            "phrase_density": phrases * 1000 / max(1, non_space(text)),
            "phrase_share": phrases / (phrases + standard + SPUN_PRIOR),
            "lm_swaps": math.log1p(len(swaps)),
            # A spinner swaps many words; an article that happens to use one word the model
            # dislikes (礼包包含 …) repeats that one.
            "lm_words": math.log1p(len({s.standard for s in swaps})),
        }

    def phrase_spans(self, text: str) -> list[tuple[int, int]]:
        """Where the spun rules and the table find spun phrases."""
        spans = [m.span() for r in self.rules for m in r.spun.finditer(text)]
        if self.table is not None:
            spans += [m.span() for m in self.table.spun.finditer(text)]
        return spans

    def evidence(self, text: str) -> tuple[int, int, tuple[Swap, ...]]:
        """(spun phrases, standard phrases, context swaps outside the phrases): each word counts once."""
        phrases, standard = spun_counts(text, self.rules, self.table)
        if self.context is None or not phrases:
            # Without a phrase the score is 0 whatever the context says: the model is not asked.
            return phrases, standard, ()
        spans = self.phrase_spans(text)
        evidence = self.context.evidence_words
        swaps = tuple(s for s in self.swaps(text, self.context.evidence_margin)
                      if text[s.start:s.end] in evidence and not any(a < s.end and s.start < b for a, b in spans))
        return phrases, standard, swaps

    def assess(self, text: str) -> Assessment:
        phrases, standard, swaps = self.evidence(text)
        if phrases < self.min_hits:
            # Context swaps are never enough, nor one phrase with them: the model read 1998 news
            # and overrates some ordinary modern uses (购物商场, 参与研讨, 持续下滑 beside one
            # 完成经济 in thucnews_cnews_val:698); spun_min_hits phrases that ordinary text never
            # writes must be there, the swaps then weigh in the score.
            return Assessment(phrases, standard, swaps, 0.0)
        if self.context is None:  # no learnt weights: the phrase share alone
            return Assessment(phrases, standard, swaps, round(phrases / (phrases + standard + SPUN_PRIOR), 6))
        x = self.features(text, phrases, standard, swaps)
        z = sum(self.context.weights[f] * x[f] for f in SPUN_FEATURES)
        return Assessment(phrases, standard, swaps, round(1 / (1 + math.exp(-max(-30.0, min(30.0, z)))), 6))
