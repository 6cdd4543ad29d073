"""jieba.posseg's words and tags, computed faster: the same result, not an approximation.

jieba.posseg spends its time in two places, both replaced here:
- the word route (`get_DAG` + `calc`: the dictionary's most probable cut) is
  pure Python; jieba-rs (the `rjieba` package) computes the same route from the
  same dictionary in Rust (`cut(text, hmm=False)`);
- runs of characters the route leaves single and the dictionary does not hold
  (names, mostly) go to the part-of-speech HMM; its decoder is `viterbi.py`'s,
  and a run already decoded is looked up (news repeats its names).
Everything between (which single characters form a run, the tags of dictionary
words) is jieba.posseg 0.42.1's own logic. tests/stages/segment/test_tagger.py
compares the result with jieba.posseg's on real news.
"""

from __future__ import annotations

import re

from pipeline.stages.segment.viterbi import PosViterbi

# jieba-rs joins a run of single ASCII letters and digits into one word when it cuts without the HMM
# (jieba.cut does the same); posseg sees them as single characters of a run.
_ASCII_RUN = re.compile(r"[a-zA-Z0-9]+")
# Decoded runs remembered per tagger; cleared when full, so memory stays bounded.
MEMO_SIZE = 200_000


def pos_tokenizer(posseg, tokenizer, user_words=(), fast_route: bool = True):
    """A jieba.posseg.POSTokenizer over `tokenizer` (its user words already added) with the same words and
    tags: viterbi.py's decoder, and with `fast_route` the route from jieba-rs given the same `user_words`
    (word, freq, tag) and a memo of decoded runs."""
    decode = PosViterbi(posseg.char_state_tab_P, posseg.start_P, posseg.trans_P, posseg.emit_P)
    pair = posseg.pair

    class Tagger(posseg.POSTokenizer):
        # jieba's private POSTokenizer.__cut (name-mangled), the one caller of its viterbi;
        # the body is jieba 0.42.1's with the decoder swapped.
        def _POSTokenizer__cut(self, sentence):
            _, pos_list = decode(sentence)
            begin, nexti = 0, 0
            for i, char in enumerate(sentence):
                pos = pos_list[i][0]
                if pos == "B":
                    begin = i
                elif pos == "E":
                    yield pair(sentence[begin : i + 1], pos_list[i][1])
                    nexti = i + 1
                elif pos == "S":
                    yield pair(char, pos_list[i][1])
                    nexti = i + 1
            if nexti < len(sentence):
                yield pair(sentence[nexti:], pos_list[nexti][1])

    if not fast_route:
        return Tagger(tokenizer)
    return _routed(Tagger, tokenizer, user_words, pair)


def _routed(base, tokenizer, user_words, pair):
    import rjieba

    route = rjieba.Jieba()
    for word, _freq, tag in user_words:
        # The frequency jieba settled on (it suggests one when the list gives none), so both
        # dictionaries, and their totals, are the same.
        route.add_word(word, tokenizer.FREQ[word], tag)
    freq = tokenizer.FREQ

    class RoutedTagger(base):
        def __init__(self, tokenizer):
            super().__init__(tokenizer)
            self._memo: dict[str, list] = {}

        def _route(self, block: str) -> list[str] | None:
            """The route's words, single characters split out; None where jieba-rs's joined ASCII run
            might also be one dictionary word (then jieba's own route is taken)."""
            words = []
            for word in route.cut(block, False):
                if len(word) > 1 and _ASCII_RUN.fullmatch(word):
                    if freq.get(word):
                        return None
                    words.extend(word)
                else:
                    words.append(word)
            return words

        def _run(self, buf: str):
            """posseg's handling of a run of single characters (its __cut_DAG's `buf`)."""
            tags = self.word_tag_tab
            if len(buf) == 1:
                return [pair(buf, tags.get(buf, "x"))]
            if freq.get(buf):
                return [pair(c, tags.get(c, "x")) for c in buf]
            found = self._memo.get(buf)
            if found is None:
                if len(self._memo) >= MEMO_SIZE:
                    self._memo.clear()
                found = self._memo[buf] = list(self._POSTokenizer__cut_detail(buf))
            return found

        def _POSTokenizer__cut_DAG(self, sentence):
            words = self._route(sentence)
            if words is None:
                yield from base._POSTokenizer__cut_DAG(self, sentence)
                return
            tags = self.word_tag_tab
            buf = ""
            for word in words:
                if len(word) == 1:
                    buf += word
                    continue
                if buf:
                    yield from self._run(buf)
                    buf = ""
                yield pair(word, tags.get(word, "x"))
            if buf:
                yield from self._run(buf)

    return RoutedTagger(tokenizer)
