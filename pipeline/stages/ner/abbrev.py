"""One-character place abbreviations in compound shapes (中美, 访华, 美方, 港澳台): rules/ner/abbreviations.toml.

A character is an abbreviation only inside a shape, and jieba's words decide whether the shape is
real (the file's header says how). Each abbreviation found is one LOC name of one character, with
the full name it stands for; the shape's extent comes with it, because a model name lying inside
the shape (美方 as ORG, 中美 as one LOC) is the shape misread and gives way to the abbreviations
(pipeline/stages/ner/merge.py, `merge_abbreviations`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from pipeline.core.rules import Entry, load_toml_file
from pipeline.core.schema import Float, Kind, ListOf, Section, String, TableOf, TomlFile

# jieba tags of a word a run may begin (中日关系/nz, 中美关系/nt), as opposed to an idiom (日以继夜/i)
# or a place of its own (美加州/ns, 中美洲/ns).
RUN_WORD_POS = frozenset({"n", "nt", "nz", "j", "vn"})
# jieba tags of a whole-word run with an everyday character in it that make it one word, not places.
WEAK_RUN_NOT_POS = frozenset({"n", "nz", "nr", "nrt", "nrfg", "a", "v", "d", "i", "l"})

ABBREV = Kind("ner.abbrev", "One-character place abbreviations and the shapes they stand in ([abbrev]).", {
    "confidence": Float("the facts' confidence", required=True, above=0, maximum=1),
    "strong": ListOf(String("a character"), "abbreviations that stand in every shape", required=True),
    "weak": ListOf(String("a character"), "abbreviations that stand only in a run with a strong one"),
    "prefixes": ListOf(String("a word"), "verbs before an abbreviation (访华)", required=True),
    "suffixes": TableOf(ListOf(String("a character or *"), "abbreviations"), "suffix -> the abbreviations it takes (* = every strong one)",
                        required=True),
    "names": TableOf(String("a full name"), "abbreviation -> the full name", required=True),
    "runs": TableOf(ListOf(String("a full name"), "full names"), "runs whose characters name other places than the defaults"),
    "not_words": ListOf(String("a word"), "texts at a shape's start that are ordinary words", required=True),
    "not_followed_by": String("characters after a run or prefix shape that make it a language or currency word",
                              required=True),
    "joiners": String("characters joining a transliterated foreign name: a shape next to one is part of it",
                      required=True),
}, rule=True)
EXAMPLE = Kind("ner.abbrev.example", "A text and the abbreviations it holds, `char:full name`, in order ([[example]]).", {
    "text": String("the text", required=True),
    "names": ListOf(String("char:full name"), "the abbreviations found, in order", non_empty=False),
})
ABBREV_FILE = TomlFile("ner abbreviations", "One-character place abbreviations of the ner stage.", {
    "abbrev": Section(ABBREV, required=True),
    "example": Section(EXAMPLE, array=True),
})


@dataclass(frozen=True)
class Abbreviations:
    id: str
    version: int
    confidence: float
    strong: frozenset[str]
    weak: frozenset[str]
    prefixes: tuple[str, ...]
    suffixes: dict[str, frozenset[str]]
    names: dict[str, str]
    runs: dict[str, tuple[str, ...]]
    not_words: tuple[str, ...]
    not_followed_by: frozenset[str]
    joiners: frozenset[str] = frozenset()

    @property
    def suffix_order(self) -> list[str]:
        return sorted(self.suffixes, key=len, reverse=True)  # 当局 before 局

    def find(self, text: str, words: Sequence[tuple[int, int, str]], start: int = 0,
             end: int | None = None) -> list[tuple[int, int, str, int, int]]:
        """(start, end, full name, shape start, shape end) for every abbreviation in `text[start:end]`
        (a window of whole sentences); `words`: jieba's (start, end, pos) there, in order."""
        starts = [w[0] for w in words]
        bounds = {w[0] for w in words} | {w[1] for w in words}
        out: list[tuple[int, int, str, int, int]] = []
        abbr = self.strong | self.weak
        i, n = start, len(text) if end is None else end
        while i < n:
            if text[i] not in abbr and not text.startswith(self.prefixes, i):
                i += 1
                continue
            found = (self._run(text, i, words, starts, bounds) or self._prefix(text, i, words, starts, bounds)
                     or self._suffix(text, i, words, starts, bounds))
            if found and not self._in_foreign_name(text, found[0][3], found[0][4]):
                out.extend(found)
                i = found[-1][4]
            else:
                i += 1
        return out

    def _word_at(self, words, starts, pos: int):
        k = bisect.bisect_right(starts, pos) - 1
        return words[k] if k >= 0 and words[k][0] <= pos < words[k][1] else None

    def _ordinary(self, text: str, start: int) -> bool:
        return text.startswith(self.not_words, start)

    def _in_foreign_name(self, text: str, start: int, end: int) -> bool:
        """德鲁-巴里摩尔: a shape joined to a transliterated name is part of it."""
        return text[start - 1 : start] in self.joiners or text[end : end + 1] in self.joiners

    def _begins_word(self, words, starts, start: int, end: int) -> bool:
        """text[start:end] begins a jieba word of a kind a shape may begin (中日关系/nz, 在京举行/n) whose
        rest is a word of two or more characters: not 新华网, 美加州 (one character more)."""
        w = self._word_at(words, starts, start)
        return w is not None and w[0] == start and w[1] >= end + 2 and w[2] in RUN_WORD_POS

    def _run(self, text, i, words, starts, bounds):
        """Two or more abbreviations in a row, starting at a word start."""
        abbr = self.strong | self.weak
        if i not in bounds or self._ordinary(text, i):
            return None
        j = i
        while j < len(text) and text[j] in abbr:
            w = self._word_at(words, starts, j)
            if j > i and w is not None and w[0] == j and w[1] == j + 2:
                break  # 美|加州: this character is half of a two-character word
            j += 1
        # Trim back until the run ends on a word boundary or begins a longer word (中日关系).
        while j - i >= 2:
            last = self._word_at(words, starts, j - 1)
            ends_ok = (j in bounds or self._begins_word(words, starts, i, j)
                       # jieba glued the last one onto the next word (中日|韩三国).
                       or (last is not None and last[0] == j - 1 and last[1] - last[0] >= 3))
            if ends_ok and text[j : j + 1] not in self.not_followed_by:
                break
            j -= 1
        run = text[i:j]
        if len(run) < 2 or not any(c in self.strong for c in run) and run not in self.runs:
            return None
        if run not in self.runs and any(c in self.weak for c in run):
            # With an everyday character in it, a run jieba reads as one name or ordinary word is that
            # word (华泰/nz a company, 中意/n), not two places (中巴/ns, 美伊/ns are).
            w = self._word_at(words, starts, i)
            if w is not None and (w[0], w[1]) == (i, j) and w[2] in WEAK_RUN_NOT_POS:
                return None
        names = self.runs.get(run) or tuple(self.names[c] for c in run)
        return [(i + k, i + k + 1, names[k], i, j) for k in range(len(run)) if names[k]]

    def _prefix(self, text, i, words, starts, bounds):
        p = next((p for p in self.prefixes if text.startswith(p, i)), None)
        if p is None or i not in bounds:
            return None
        k = i + len(p)
        if k >= len(text) or text[k] not in self.strong or self._ordinary(text, i):
            return None
        if not (k + 1 in bounds or self._begins_word(words, starts, i, k + 1)):
            return None
        if text[k + 1 : k + 2] and text[k + 1 : k + 2] in self.not_followed_by:
            return None
        return [(k, k + 1, self.names[text[k]], i, k + 1)]

    def _suffix(self, text, i, words, starts, bounds):
        ch = text[i]
        sfx = next((s for s in self.suffix_order if text.startswith(s, i + 1)), None)
        if sfx is None or i not in bounds or self._ordinary(text, i):
            return None
        allowed = self.suffixes[sfx]
        if not (ch in allowed or ("*" in allowed and ch in self.strong)):
            return None
        end = i + 1 + len(sfx)
        w = self._word_at(words, starts, i)
        # jieba glues the suffix onto the next word after an abbreviation it tags j (沪/j 指涨/v).
        glued = w is not None and (w[0], w[1]) == (i, i + 1) and w[2] == "j"
        if end not in bounds and not glued:
            return None
        return [(i, i + 1, self.names[ch], i, end)]


def load_abbreviations(path: Path) -> tuple[Abbreviations, tuple[Entry, ...]]:
    loaded = load_toml_file(path, ABBREV_FILE)
    a = loaded.tables["abbrev"]
    chars = set(a["strong"]) | set(a["weak"])
    missing = sorted(c for c in chars if c not in a["names"])
    if missing:
        from pipeline.core.rules import RuleError

        raise RuleError(path, None, f"[abbrev.names] lacks {''.join(missing)}")
    return Abbreviations(
        id=a.id, version=a.version, confidence=float(a["confidence"]),
        strong=frozenset(a["strong"]), weak=frozenset(a["weak"]), prefixes=tuple(sorted(a["prefixes"], key=len, reverse=True)),
        suffixes={k: frozenset(v) for k, v in a["suffixes"].items()}, names=dict(a["names"]),
        runs={k: tuple(v) for k, v in (a["runs"] or {}).items()},
        not_words=tuple(a["not_words"]), not_followed_by=frozenset(a["not_followed_by"]),
        joiners=frozenset(a["joiners"]),
    ), loaded.arrays["example"]
