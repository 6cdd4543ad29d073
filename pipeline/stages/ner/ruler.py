"""Names from rules: spaCy's span_ruler fed with the JSONL rules of rules/ner/."""

from __future__ import annotations

from typing import Iterable, Sequence

from pipeline.stages.ner.features import make_doc
from pipeline.stages.ner.rulefile import NameRule

SPANS_KEY = "ner_rules"


class NameRuler:
    """Runs the rules on the same character Docs the model reads; built on first use."""

    def __init__(self, rules: Sequence[NameRule]):
        self.rules = {r.id: r for r in rules}
        self._nlp = None

    def nlp(self):
        if self._nlp is None:
            import spacy

            nlp = spacy.blank("zh")  # character segmenter: phrase patterns become character tokens
            ruler = nlp.add_pipe("span_ruler", config={"spans_key": SPANS_KEY, "validate": True})
            ruler.add_patterns([p for r in self.rules.values() for p in r.spacy_patterns()])
            self._nlp = nlp
        return self._nlp

    def find(self, text: str, words: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str, str]]:
        """Matches (start, end, label, rule id) in `text` (a sentence or a whole document: no
        pattern crosses the punctuation or line break between sentences, whose TAG is S-x)."""
        if not self.rules:
            return []
        nlp = self.nlp()
        words = list(words)
        doc = nlp.get_pipe("span_ruler")(make_doc(nlp.vocab, text, words, for_model=False))
        bounds = {w[0] for w in words} | {w[1] for w in words}
        out = []
        for s in doc.spans[SPANS_KEY]:
            rule = self.rules[s.id_]
            if rule.accepts(text, s.start_char, s.end_char, bounds):
                cut = 1 if rule.strip_marks else 0  # 《金融时报》 -> 金融时报
                out.append((s.start_char + cut, s.end_char - cut, s.label_, s.id_))
        return sorted(out)
