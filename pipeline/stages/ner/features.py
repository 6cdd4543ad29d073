"""What the NER model sees: one token per character, with the jieba word around it.

The model runs on character tokens so that every entity boundary is a character
offset (jieba cuts some names inside a word). Besides the character (ORTH) the
model embeds the character and the next (NORM, a bigram), and word information
comes in as two token attributes:
- TAG: the character's place in its jieba word and the word's part of speech,
  `B-ns`, `M-ns`, `E-ns` or `S-nr` (begin, middle, end, single). jieba's nr/ns/nt
  tags and its word boundaries are strong evidence for names.
  A `|o` is added when an organisation-like word (jieba's nt, or a word ending
  in 公司, 大学, 研究所 …, ORG_ENDINGS) ends within ORG_LOOKAHEAD characters to
  the right in the same clause: the model's window is a few characters wide,
  and whether 北京 starts a place or 北京石景山发电总厂 depends on what comes
  several characters later.
- LEMMA: the jieba word itself, so 研究所 or 有限公司 is one feature.
Training (scripts/ner_data.py) and the ner stage both build these from the
segment stage's tokenizer (the bigram: scripts/ner_corpus.py and make_doc), so the
model sees at run time what it learnt from.
Characters outside any token (spaces) get TAG `S-x` and themselves as LEMMA.

A model trained with a lexicon (`lexicon.tsv` in its folder, scripts/ner_data.py builds it
from ../shared/data/gazetteers) also reads, per character, its place in the longest lexicon
name around it with that name's label (`B-ORG`, `E-LOC`, `-` outside any), in the DEP
attribute, which nothing else in a character Doc uses (Lexicon).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Iterable

from pipeline.core.chars import IDEOGRAPHIC_SPACE, halfwidth_map

# Full-width ASCII (U+FF01..U+FF5E) -> ASCII, one character for one: the training
# corpora write digits full-width (１９９８年), the repaired news half-width, and
# punctuation comes both ways (，/,). The model reads text folded so, in training
# and at run time (make_doc), so either form looks the same to it.
_HALF = halfwidth_map(spaces=IDEOGRAPHIC_SPACE)


def halfwidth(text: str) -> str:
    """Full-width ASCII and the ideographic space as ASCII; same length."""
    return text.translate(_HALF)


# Part of the model (it was trained with them), not a rule file: changing these
# means retraining.
ORG_ENDINGS = (
    "公司", "集团", "研究所", "研究院", "中心", "大学", "学院", "学校", "中学", "小学", "实验室", "医院",
    "协会", "学会", "商会", "联合会", "基金会", "委员会", "常委会", "管委会", "银行", "法院", "检察院",
    "政府", "办公室", "总局", "电视台", "电台", "报社", "出版社", "工厂", "总厂", "联盟", "组织", "党",
    "局", "厅", "部", "委", "所", "院", "厂", "社", "署", "处", "站", "馆", "队",
)
ORG_LOOKAHEAD = 12


def _org_like(word: str, pos: str) -> bool:
    return pos == "nt" or (pos.startswith(("n", "j")) and word.endswith(ORG_ENDINGS))


def char_features(
    text: str, words: Iterable[tuple[int, int, str]], lookahead: bool = True
) -> tuple[list[str], list[str]]:
    """(tags, lemmas), one per character of `text`, from words (start, end, pos) in text order.

    `lookahead=False` leaves out the `|o` marks (the rules' Docs: patterns match plain tags).
    """
    words = list(words)
    tags = ["S-x"] * len(text)
    lemmas = list(text)
    org_end = None  # end of the nearest organisation-like word to the right, same clause
    right = len(text)
    for start, end, pos in reversed(words):
        word = text[start:end]
        if end != right or (pos == "x" and not word.isalnum()):
            org_end = None  # a gap or punctuation ends the clause
        right = start
        if _org_like(word, pos):
            org_end = end
        for i in range(start, end):
            place = "S" if end - start == 1 else "B" if i == start else "E" if i == end - 1 else "M"
            ahead = "|o" if lookahead and org_end is not None and org_end - i <= ORG_LOOKAHEAD else ""
            tags[i] = f"{place}-{pos}{ahead}"
        lemmas[start:end] = [word] * (end - start)
    return tags, lemmas


class Lexicon:
    """Names with their labels (gazetteer entries), matched greedily longest first from the left.

    `tags(text)` gives each character `B-<label>`, `M-`, `E-` or `S-` of the name it falls in, or
    `-`: evidence for the model, not a decision (a short company name may be an ordinary word).
    """

    OUTSIDE = "-"

    def __init__(self, entries: Iterable[tuple[str, str]]):
        labels: dict[str, str] = {}
        for name, label in entries:
            if len(name) > 1:  # one character is an abbreviation, found by the rules
                labels[name] = label if labels.get(name, label) == label else "+".join(sorted({labels[name], label}))
        # First two characters -> names, longest first: one dict lookup per character of text.
        self._by_head: dict[str, list[tuple[str, str]]] = {}
        for name in sorted(labels, key=lambda n: (-len(n), n)):
            self._by_head.setdefault(name[:2], []).append((name, labels[name]))
        self.size = len(labels)

    @classmethod
    def load(cls, path: Path) -> "Lexicon":
        """From a file of `name<TAB>label` lines (lexicon.tsv in a model folder)."""
        with Path(path).open(encoding="utf-8") as handle:
            return cls(tuple(line.rstrip("\n").split("\t")[:2]) for line in handle if "\t" in line)

    def tags(self, text: str) -> list[str]:
        """One tag per character of `text` (see the class docstring)."""
        out = [self.OUTSIDE] * len(text)
        by_head, i, n = self._by_head, 0, len(text) - 1
        while i < n:
            for name, label in by_head.get(text[i : i + 2], ()):
                if text.startswith(name, i):
                    k = len(name)
                    out[i : i + k] = [f"B-{label}", *[f"M-{label}"] * (k - 2), f"E-{label}"]
                    i += k
                    break
            else:
                i += 1
        return out


def bigrams(text: str) -> list[str]:
    """Each character with the next (the last one alone): the model's NORM feature."""
    return [text[i : i + 2] for i in range(len(text))]


def make_doc(vocab, text: str, words: Iterable[tuple[int, int, str]], for_model: bool = True, strings: bool = True,
             lexicon: Lexicon | None = None):
    """The spaCy Doc the model reads: a token per character of halfwidth(text), TAG and LEMMA
    from `words`, NORM the character's bigram. `for_model=False` (the rules' Docs) leaves out
    what only the model reads: the `|o` marks and the bigrams. `strings=False` (the ner stage)
    sets the features' hashes without adding their strings to the vocab: model and matcher read
    only the hashes, and the vocab would otherwise keep every word of every document a process
    reads (`token.tag_` and the like then have no text). `lexicon`: the model's (DEP, see the module
    docstring), for a model trained with one."""
    import numpy
    from spacy.attrs import DEP, LEMMA, NORM, TAG
    from spacy.strings import get_string_id
    from spacy.tokens import Doc

    # Folded before the features too: the training corpora were folded before segmenting.
    chars = halfwidth(text)
    doc = Doc(vocab, words=list(chars), spaces=[False] * len(text))
    if text:
        # Set as one array (Doc(tags=..., lemmas=...) makes a Python Token per character).
        add = vocab.strings.add if strings else get_string_id
        tags, lemmas = _feature_ids(chars, words, for_model, add)
        attrs, columns = [TAG, LEMMA], [tags, lemmas]
        if for_model:
            attrs.append(NORM)
            columns.append(list(map(add, bigrams(chars))))
            if lexicon is not None:
                hashes = {}
                attrs.append(DEP)
                columns.append([hashes[t] if t in hashes else hashes.setdefault(t, add(t)) for t in lexicon.tags(chars)])
        doc.from_array(attrs, numpy.array(columns, dtype="uint64").T.copy())
    return doc


class FeatureRows:
    """What the model's first layer (spaCy's FeatureExtractor) reads from a Doc, without the Doc:
    `to_array(columns)`, the attributes' hashes a row per character. The ner stage hands these to
    the network instead of make_doc's Docs (building a spaCy Doc, a lexeme per new character, was
    half of the model's time); tests hold the two to the same arrays."""

    def __init__(self, columns: dict[int, "numpy.ndarray"], length: int):
        self.columns = columns
        self.length = length

    def __len__(self) -> int:
        return self.length

    def to_array(self, attrs):
        import numpy

        if isinstance(attrs, (int, str)):
            return self.columns[_attr_id(attrs)]
        return numpy.stack([self.columns[_attr_id(a)] for a in attrs], axis=1) if attrs else \
            numpy.zeros((self.length, 0), dtype="uint64")


def _attr_id(attr) -> int:
    from spacy.attrs import IDS

    return IDS[attr.upper()] if isinstance(attr, str) else attr


def feature_rows(text: str, words: Iterable[tuple[int, int, str]], lexicon: Lexicon | None = None) -> FeatureRows:
    """make_doc(vocab, text, words, strings=False, lexicon=lexicon) as the model reads it (FeatureRows)."""
    import numpy
    from spacy.attrs import DEP, LEMMA, NORM, ORTH, TAG
    from spacy.strings import get_string_id

    chars = halfwidth(text)
    n = len(chars)
    if not n:
        empty = numpy.zeros(0, dtype="uint64")
        return FeatureRows({a: empty for a in (ORTH, NORM, TAG, LEMMA, DEP)}, 0)
    tags, lemmas = _feature_ids(chars, words, True, get_string_id)
    hashes: dict[str, int] = {}

    def ids(strings):
        return numpy.fromiter((hashes[t] if t in hashes else hashes.setdefault(t, get_string_id(t)) for t in strings),
                              dtype="uint64", count=n)

    columns = {ORTH: ids(chars), NORM: ids(bigrams(chars)), TAG: numpy.array(tags, dtype="uint64"),
               LEMMA: numpy.array(lemmas, dtype="uint64")}
    # A Doc's DEP is 0 where nothing set it: a model without the lexicon never reads it.
    columns[DEP] = ids(lexicon.tags(chars)) if lexicon is not None else numpy.zeros(n, dtype="uint64")
    return FeatureRows(columns, n)


@functools.lru_cache(maxsize=None)
def _tag_hashes(pos: str) -> tuple[int, ...]:
    """Hashes of S- B- M- E-<pos>, then the same with |o: a pure function of pos (jieba's few dozen
    tags), kept once per process rather than hashed again for every sentence."""
    from spacy.strings import get_string_id

    return tuple(get_string_id(tag) for tag in _tag_strings(pos))


def _tag_strings(pos: str) -> tuple[str, ...]:
    return tuple(f"{place}-{pos}{ahead}" for ahead in ("", "|o") for place in "SBME")


def _feature_ids(chars: str, words: Iterable[tuple[int, int, str]], lookahead: bool, add) -> tuple[list[int], list[int]]:
    """char_features(chars, words, lookahead) as the strings' hashes (`add`), built a word at a time:
    make_doc's share of the model's time was mostly building and hashing one string per character.
    Each string is hashed once per word (a 100,000-digit number is one word: hashing it per
    character was quadratic). tests/stages/ner/test_ner_features.py holds it to char_features."""
    n = len(chars)
    tag_ids: list = [0] * n
    lemma_ids: list = [0] * n
    keep_strings = add is not _get_string_id()  # vocab.strings.add: the vocab must learn the tags too
    outside = add("S-x")  # characters outside every word: S-x and themselves
    org_end = None  # as in char_features
    right = n
    for start, end, pos in reversed(list(words)):
        word = chars[start:end]
        if end != right or (pos == "x" and not word.isalnum()):
            org_end = None
            if end < right:
                tag_ids[end:right] = [outside] * (right - end)
                lemma_ids[end:right] = [add(c) for c in chars[end:right]]
        right = start
        if pos == "nt" or (pos[:1] in ("n", "j") and word.endswith(ORG_ENDINGS)):
            org_end = end
        k = end - start
        if k <= 0:
            continue
        ids = _tag_hashes(pos)
        if keep_strings:
            for tag in _tag_strings(pos):
                add(tag)
        # |o on the characters within ORG_LOOKAHEAD of org_end: from index `first` of the word on.
        first = k if not lookahead or org_end is None else max(0, org_end - ORG_LOOKAHEAD - start)
        if k == 1:
            tag_ids[start] = ids[4] if first == 0 else ids[0]
        else:
            row = [ids[1], *[ids[2]] * (k - 2), ids[3]] if first > 0 else []
            if first < k:
                row = row[:first] + [ids[5], *[ids[6]] * (k - 2), ids[7]][first:]
            tag_ids[start:end] = row
        lemma_ids[start:end] = [add(word)] * k
    if right > 0:
        tag_ids[:right] = [outside] * right
        lemma_ids[:right] = [add(c) for c in chars[:right]]
    return tag_ids, lemma_ids


def _get_string_id():
    from spacy.strings import get_string_id

    return get_string_id
