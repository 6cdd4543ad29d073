"""Names from rules: spaCy's span_ruler fed with the JSONL rules of rules/ner/."""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from pipeline.stages.ner.features import make_doc
from pipeline.stages.ner.rulefile import NameRule

SPANS_KEY = "ner_rules"
# Strings the rules' vocab may hold before it is rebuilt (a pattern's REGEX reads a token's text,
# so the rules' Docs keep their strings; the model's do not: features.make_doc).
MAX_STRINGS = 500_000
# What joins the items of a list of names: 中天科技、力源液压和天马股份.
LIST_JOIN = re.compile(r"\s*(?:、|和|与|及|以及|、以及)\s*")


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
            add_patterns(ruler, [p for r in self.rules.values() for p in r.spacy_patterns()])
            self._nlp = nlp
        return self._nlp

    def find(self, text: str, words: Iterable[tuple[int, int, str]], start: int = 0,
             end: int | None = None, pending: list | None = None) -> list[tuple[int, int, str, str]]:
        """Matches (start, end, label, rule id) in text[start:end] (a sentence, a run of sentences or a
        whole document: no pattern crosses the punctuation or line break between sentences, whose TAG
        is S-x); `words` and the matches in `text`'s offsets. A rule's context (`after` …) is read
        in the whole `text`, so a document can be matched a window at a time.

        Weak evidence (`near`) is read for a list as a whole: names joined by 、/和/与/及 stand
        together when the context is around the list (公司定向增发，分别为云南城投、力源液压和宏图高科)
        or one of them stands. Weak matches left without context go to `pending`, if given (the
        caller may let them stand where the same name stood elsewhere in the document)."""
        if not self.rules:
            return []
        nlp = self.nlp()
        end = len(text) if end is None else end
        words = list(words)
        local = [(s - start, e - start, pos) for s, e, pos in words] if start else words
        doc = nlp.get_pipe("span_ruler")(make_doc(nlp.vocab, text[start:end], local, for_model=False))
        bounds = {w[0] for w in words} | {w[1] for w in words}
        if len(nlp.vocab.strings) > MAX_STRINGS:
            self._nlp = None  # rebuilt on next use: the vocab keeps every word of every Doc it read
        out, weak = [], []
        for s in doc.spans[SPANS_KEY]:
            rule = self.rules[s.id_]
            if not rule.first_token_ok(doc[s.start]):
                continue
            a, b = start + s.start_char, start + s.end_char
            if rule.accepts(text, a, b, bounds, context=False):
                cut = 1 if rule.strip_marks else 0  # 《金融时报》 -> 金融时报
                (out if rule.has_context(text, a, b) else weak).append((a + cut, b - cut, s.label_, s.id_))
        stand, rest = self.in_lists(text, out, weak)
        if pending is not None:
            pending.extend(rest)
        return sorted(out + stand)

    def in_lists(self, text: str, firm: list, weak: list) -> tuple[list, list]:
        """The weak matches that stand in a list (see find), and the others."""
        if not weak:
            return [], []
        items = sorted([(m, True) for m in firm if m[2] == "ORG"] + [(m, False) for m in weak])
        groups, last = [], None
        for m, ok in items:
            if last is not None and last[2] == m[2] and LIST_JOIN.fullmatch(text, last[1], m[0]):
                groups[-1].append((m, ok))
            elif last is None or m[0] >= last[1]:
                groups.append([(m, ok)])
            else:
                continue  # overlaps the one before: the list is read through the first
            last = m
        stand, rest = [], []
        for g in groups:
            members = [m for m, ok in g if not ok]
            if not members:
                continue
            s, e = g[0][0][0], g[-1][0][1]
            if len(g) > 1 and (any(ok for _, ok in g) or self.rules[members[0][3]].has_context(text, s, e)):
                stand.extend(members)
            else:
                rest.extend(members)
        return stand, rest


def add_patterns(ruler, patterns: list[dict]) -> None:
    """`ruler.add_patterns(patterns)` with the phrases' tokens written down rather than tokenized.

    spaCy's span_ruler runs each phrase through the tokenizer to get its tokens; the Chinese
    character tokenizer makes a token of each character, so a phrase without whitespace is its
    characters' ORTH hashes, which the phrase matcher takes as they are. A phrase with whitespace
    (the tokenizer folds a space into the token before it) and token patterns go the usual way.
    The match keys' lexemes are made without their lexical attributes (word shape and the like,
    computed per character of each key): keys are never tokens. Together 1.7 -> 0.6 s of CPU for
    the 18,144 shipped patterns (tests/stages/ner/test_ner_ruler_build.py: the same matcher).
    """
    vocab = ruler.nlp.vocab
    getters = vocab.lex_attr_getters
    vocab.lex_attr_getters = {}
    try:
        for entry in patterns:
            text = entry["pattern"]
            if not isinstance(text, str) or not text or any(c.isspace() for c in text):
                vocab.lex_attr_getters = getters
                ruler.add_patterns([entry])
                vocab.lex_attr_getters = {}
                continue
            # What SpanRuler.add_patterns records for a pattern (spaCy 3.8): the key, its label and id.
            label, rule_id = entry["label"], entry.get("id", "")
            key = repr((label, rule_id))
            ruler._match_label_id_map[vocab.strings.as_int(key)] = {"label": label, "id": rule_id}
            ruler.phrase_matcher.add(key, [[vocab.strings.add(c) for c in text]])
            ruler._patterns.append(entry)
    finally:
        vocab.lex_attr_getters = getters
