"""segment: sentences, then words with part-of-speech tags.

Sentences end at Chinese and ASCII end punctuation (。！？!? and a `.` before a
space) together with the closing quotes and brackets after it (“……。” stays
whole), and at line breaks; end punctuation inside brackets （…） does not end
a sentence. Sentences are trimmed; blank ones are dropped.

Words come from a private `jieba.Tokenizer` (never jieba's global one) with a
user dictionary generated from `rules/segment/` (domain words, organisation
names). jieba caches its prefix dictionary in the run's cache folder, or in a
temporary folder this stage owns and removes, never in the system temp folder
shared by everyone. jieba loads once per stage instance, on first use.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import weakref
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version as package_version
from pathlib import Path
from typing import Any, Mapping

from pipeline.core.document import Document, Sentence, Token
from pipeline.core.postags import JiebaTag
from pipeline.core.rules import load_toml_file, load_word_list
from pipeline.core.schema import Bool, Enum, Int, Kind, ListOf, Section, String, TomlFile, WordList
from pipeline.core.stage import Assigns, Stage
from pipeline.stages.segment.tagger import pos_tokenizer

BACKENDS = ("jieba", "jieba_fast", "rjieba")
_PACKAGE = {"jieba": "jieba", "jieba_fast": "jieba-fast", "rjieba": "rjieba"}

_CHARS = String("a character", length=1)
SENTENCES = Kind("segment.sentences", "Sentence boundaries: end punctuation, closing quotes, brackets.", {
    key: ListOf(_CHARS, doc, required=True) for key, doc in (
        ("end", "characters that end a sentence"),
        ("ascii_end", "ASCII characters that end one (`.` only before whitespace or the end)"),
        ("closing", "closing quotes and brackets that stay with the sentence they follow"),
        ("opening_brackets", "brackets inside which end punctuation does not end a sentence"),
        ("closing_brackets", "the brackets that close them"),
    )
})
SENTENCES_FILE = TomlFile("segment sentences", "Sentence boundaries of the segment stage.",
                          {"sentences": Section(SENTENCES, required=True)})
USER_WORD = Kind("segment.user_word", "A jieba user-dictionary word: `word [freq] [tag]` a line.", {
    "word": String("the word", required=True),
    "freq": Int("jieba frequency (default: jieba's own estimate)", minimum=0),
    "tag": JiebaTag("part of speech (jieba's tags: n, nz, nt, vn ...)"),
})
USER_WORDS_FILE = WordList("jieba user dictionary", "Words for the segment stage's tokenizer.", USER_WORD,
                           ("word", "freq", "tag"), separator=None)


class SegmentStage(Stage):
    name = "segment"
    version = 1
    assigns = Assigns(sentences=True, tokens=True)
    settings_kind = Kind("settings.segment", "Settings of the segment stage ([stages.segment]).", {
        "sentences": String("sentence boundaries, relative to rules/", default="segment/sentences.toml"),
        "dictionaries": ListOf(String("a path"), "jieba user dictionaries, relative to rules/",
                               default=["segment/words.txt", "segment/organisations.txt"]),
        "backend": Enum(BACKENDS, "tokenizer package (rjieba: jieba's algorithm in Rust, see README)",
                        default="jieba"),
        "hmm": Bool("jieba's HMM for words not in the dictionary", default=True),
    })

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        super().__init__(settings, rules_dir, cache_dir)
        dicts = self.settings["dictionaries"]
        self.punctuation = load_sentence_rules(self.rules_dir / self.settings["sentences"])
        self.user_words = tuple(w for d in dicts for w in load_user_words(self.rules_dir / d))
        self._tagger = None
        self._own_tmp: str | None = None

    def rule_files(self) -> tuple[Path, ...]:
        return (self.rules_dir / self.settings["sentences"], *(self.rules_dir / d for d in self.settings["dictionaries"]))

    def libraries(self) -> dict[str, str]:
        backend = self.settings["backend"]
        # The jieba backend takes its word route from rjieba (tagger.py).
        packages = [_PACKAGE[backend], *(["rjieba"] if backend == "jieba" else [])]
        found = {}
        for package in packages:
            try:
                found[package] = package_version(package)
            except PackageNotFoundError:
                found[package] = "missing"
        return found

    def __call__(self, doc: Document) -> Document:
        sentences = split_sentences(doc.text, self.punctuation)
        return replace(doc, sentences=tuple(sentences), tokens=tuple(self.words(doc.text, sentences)))

    def words(self, text: str, sentences: list[Sentence] | None = None) -> list[Token]:
        """The tagged words of `text`, sentence by sentence (what the stage stores as tokens)."""
        if sentences is None:
            sentences = split_sentences(text, self.punctuation)
        if not sentences:
            return []
        tagger = self.tagger()
        hmm = bool(self.settings["hmm"])
        return [t for s in sentences for t in tag_words(tagger, text, s, hmm)]

    def tagger(self):
        """The private POS tagger, built on first use."""
        if self._tagger is None:
            self._tagger = self._load()
        return self._tagger

    def _load(self):
        if self.settings["backend"] == "rjieba":
            return RJiebaTagger(self.user_words)
        if self.settings["backend"] == "jieba_fast":
            import jieba_fast as jieba
            import jieba_fast.posseg as posseg
        else:
            import jieba
            import jieba.posseg as posseg
        # jieba logs its loading at DEBUG to stderr; keep the run's stderr for progress.
        logging.getLogger(jieba.__name__).setLevel(logging.WARNING)
        jieba.default_logger.setLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.tmp_dir = str(self._cache_folder())
        tokenizer.cache_file = "jieba.cache"
        tokenizer.initialize()
        for word, freq, tag in self.user_words:
            tokenizer.add_word(word, freq, tag)
        if self.settings["backend"] == "jieba":
            # jieba.posseg's words and tags, computed faster (tagger.py).
            return pos_tokenizer(posseg, tokenizer, self.user_words)
        return posseg.POSTokenizer(tokenizer)

    def _cache_folder(self) -> Path:
        if self.cache_dir is not None:
            folder = Path(self.cache_dir) / "segment"
            folder.mkdir(parents=True, exist_ok=True)
            return folder
        if self._own_tmp is None:
            self._own_tmp = tempfile.mkdtemp(prefix="pipeline-segment-")
            weakref.finalize(self, shutil.rmtree, self._own_tmp, True)
        return Path(self._own_tmp)


def load_sentence_rules(path: Path) -> dict[str, frozenset[str]]:
    table = load_toml_file(path, SENTENCES_FILE).tables["sentences"]
    return {key: frozenset(table[key]) for key in SENTENCES.fields}


def load_user_words(path: Path) -> list[tuple[str, int | None, str | None]]:
    """jieba's user-dictionary format: `word [freq] [tag]` a line; `#` starts a comment."""
    return [(e["word"], e["freq"], e["tag"]) for e in load_word_list(path, USER_WORDS_FILE)]


def split_sentences(text: str, punct: Mapping[str, frozenset[str]]) -> list[Sentence]:
    """Sentence spans of `text`: trimmed, non-empty, in order."""
    end, closing = punct["end"], punct["closing"]
    opening_b, closing_b, ascii_end = punct["opening_brackets"], punct["closing_brackets"], punct["ascii_end"]
    enders = end | ascii_end | closing
    # Only line breaks, brackets and end punctuation matter: visit those, not every character.
    special = re.compile("[" + "".join(map(re.escape, sorted({"\n"} | opening_b | closing_b | end | ascii_end))) + "]")
    spans = []
    start = depth = skip = 0
    n = len(text)
    for m in special.finditer(text):
        i = m.start()
        if i < skip:  # inside a run of end punctuation and closers already taken
            continue
        c = text[i]
        if c == "\n":
            spans.append((start, i))
            start = i + 1
            depth = 0
        elif c in opening_b:
            depth += 1
        elif c in closing_b:
            depth = max(0, depth - 1)
        elif depth == 0 and (c in end or (c in ascii_end and _ascii_boundary(text, i))):
            j = i + 1
            while j < n and text[j] in enders:
                j += 1
            spans.append((start, j))
            start = skip = j
    spans.append((start, n))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append(Sentence(s, e))
    return out


def _ascii_boundary(text: str, i: int) -> bool:
    """An ASCII `.` ends a sentence only before whitespace or the end (not 2.0, not a.b)."""
    if text[i] != ".":
        return True
    return i + 1 >= len(text) or text[i + 1].isspace()


def tag_words(tagger, text: str, sentence: Sentence, hmm: bool) -> list[Token]:
    tokens = []
    pos = sentence.start
    for word, flag in tagger.cut(text[sentence.start : sentence.end], HMM=hmm):
        end = pos + len(word)
        if not word.isspace():
            tokens.append(Token(pos, end, word, flag))
        pos = end
    return tokens


class RJiebaTagger:
    """rjieba (jieba-rs: jieba's dictionary and algorithms in Rust) behind jieba.posseg's `cut`.

    Its words and tags differ from jieba.posseg's on about 5% of news tokens: unknown words are cut
    by jieba's word HMM and then tagged, where posseg cuts and tags them in one joint HMM; digits
    and Latin runs get other tags (README, `bench/segment.py`).
    """

    def __init__(self, user_words):
        import rjieba

        self._jieba = rjieba.Jieba()
        for word, freq, tag in user_words:
            self._jieba.add_word(word, freq, tag)

    def cut(self, text: str, HMM: bool = True) -> list[tuple[str, str]]:  # noqa: N803 (jieba's name)
        return self._jieba.tag(text, HMM)
