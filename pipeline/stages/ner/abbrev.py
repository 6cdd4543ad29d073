"""One-character place abbreviations in compound shapes (中美, 访华, 美方, 港澳台): rules/ner/abbreviations.toml.

A character is an abbreviation only inside a shape, and jieba's words decide whether the shape is
real (the file's header says how). Each abbreviation found is one LOC name of one character, with
the full name it stands for; the shape's extent comes with it, because a model name lying inside
the shape (美方 as ORG, 中美 as one LOC) is the shape misread and gives way to the abbreviations
(pipeline/stages/ner/merge.py, `merge_abbreviations`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from pipeline.core.rules import Entry, load_toml_file
from pipeline.core.schema import Float, Kind, ListOf, Section, String, TableOf, TomlFile

# jieba tags of a word a run may begin (中日关系/nz, 中美关系/nt), as opposed to an idiom (日以继夜/i)
# or a place of its own (美加州/ns, 中美洲/ns).
RUN_WORD_POS = frozenset({"n", "nt", "nz", "j", "vn"})
# First letters of jieba tags of function words (以/p in 过程中以任何形式; 新/a in 在新《水浒传》 is checked apart).
FUNCTION_POS = ("p", "c", "d", "u", "r")
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
    "alternatives": TableOf(ListOf(String("a full name"), "full names"),
                            "abbreviation -> other full names it stands for; the one the text names is taken"),
    "list_separators": String("characters separating a bare list of abbreviations (英、美、法)", default="、"),
    "idiom_pos": ListOf(String("a jieba tag"), "tags of idioms a suffix shape may end or begin (古今中外/l, 中外合作/l)"),
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
    alternatives: dict[str, tuple[str, ...]] | None = None
    list_separators: frozenset[str] = frozenset("、")
    idiom_pos: frozenset[str] = frozenset()

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
        window = text[start:n]
        # Evidence: a weak abbreviation (法, 德, 罗) stands in a prefix, suffix or list shape, like a
        # strong one, where the text also names a country it stands for (赴德留学 in an article about
        # 德国; not in a run: 马新一届政府); and that country is its full name there (阿 is 阿根廷 in
        # an article naming 阿根廷).
        named = {c: self._named(c, window) for c in self.weak}
        strong = self.strong | {c for c, full in named.items() if full}
        full_names = {**self.names, **{c: full for c, full in named.items() if full}}
        for c in self.strong:
            if (self.alternatives or {}).get(c) and self.names[c] not in window:
                full_names[c] = self._named(c, window) or self.names[c]
        ctx = _Context(text, words, starts, bounds, frozenset(strong), full_names)
        while i < n:
            if text[i] not in abbr and not text.startswith(self.prefixes, i):
                i += 1
                continue
            found = (self._list(ctx, i) or self._run(ctx, i) or self._prefix(ctx, i) or self._suffix(ctx, i))
            if found and not self._in_foreign_name(text, found[0][3], found[0][4]):
                out.extend(found)
                i = found[-1][4]
            else:
                i += 1
        return out

    def _named(self, c: str, window: str) -> str | None:
        """The full name of `c` that `window` holds (the default first), or None."""
        for full in (self.names[c], *(self.alternatives or {}).get(c, ())):
            if full in window:
                return full
        return None

    def _word_at(self, words, starts, pos: int):
        k = bisect.bisect_right(starts, pos) - 1
        return words[k] if k >= 0 and words[k][0] <= pos < words[k][1] else None

    def _ordinary(self, text: str, start: int) -> bool:
        """An ordinary word or a full name (俄罗斯, 叙利亚: a name, not 俄 + 罗) begins at `start`."""
        return text.startswith(self.not_words, start) or text.startswith(self.full_names, start)

    @property
    def full_names(self) -> tuple[str, ...]:
        return (*self.names.values(), *(n for v in (self.alternatives or {}).values() for n in v))

    def _in_foreign_name(self, text: str, start: int, end: int) -> bool:
        """德鲁-巴里摩尔: a shape joined to a transliterated name is part of it."""
        return text[start - 1 : start] in self.joiners or text[end : end + 1] in self.joiners

    def _begins_word(self, words, starts, start: int, end: int) -> bool:
        """text[start:end] begins a jieba word of a kind a shape may begin (中日关系/nz, 在京举行/n) whose
        rest is a word of two or more characters: not 新华网, 美加州 (one character more)."""
        w = self._word_at(words, starts, start)
        return w is not None and w[0] == start and w[1] >= end + 2 and w[2] in RUN_WORD_POS

    def _list(self, ctx: "_Context", i: int):
        """A bare list of one-character abbreviations (英、美、法; 中、日、韩): each a word of its own,
        every item of the list one, at least one of them strong."""
        text, bounds = ctx.text, ctx.bounds
        if i not in bounds or text[i - 1 : i] in self.list_separators or self._ordinary(text, i):
            return None
        items = [i]
        while text[items[-1] + 1 : items[-1] + 2] in self.list_separators and items[-1] + 2 < len(text):
            items.append(items[-1] + 2)
        abbr = self.strong | self.weak
        if len(items) < 2 or any(text[k] not in abbr or k not in bounds or k + 1 not in bounds for k in items):
            return None
        last = items[-1] + 1
        # The list ends the items (not 中、英文; not a list going on with a longer item: 海、陆、空军).
        if text[last : last + 1] in self.not_followed_by or not any(text[k] in ctx.strong for k in items):
            return None
        chars = "".join(text[k] for k in items)
        names = self.runs.get(chars) or tuple(ctx.names[c] for c in chars)  # 港、澳、台: 澳门
        return [(k, k + 1, names[n], i, last) for n, k in enumerate(items)]

    def _run(self, ctx: "_Context", i: int):
        """Two or more abbreviations in a row, starting at a word start."""
        text, words, starts, bounds = ctx.text, ctx.words, ctx.starts, ctx.bounds
        abbr = self.strong | self.weak
        if i not in bounds or self._ordinary(text, i):
            return None
        w = self._word_at(words, starts, i)
        after = self._word_at(words, starts, i + 1)
        if (text[i] == "中" and w is not None and w[:2] == (i, i + 1) and w[2] == "f" and self._after_noun(ctx, i)
                and text[i + 1 : i + 2] in self.weak
                and after is not None and after[:2] == (i + 1, i + 2) and after[2][:1] in FUNCTION_POS):
            return None  # 过程中以任何形式: 中 "in" after a noun, then a preposition: not China
        j = i
        while j < len(text) and text[j] in abbr:
            w = self._word_at(words, starts, j)
            if j > i and w is not None and w[0] == j and w[1] == j + 2:
                break  # 美|加州: this character is half of a two-character word
            if j > i and (text.startswith(self.not_words, j)
                          or (w is not None and w[0] == j and w[1] > j + 1 and text.startswith(self.full_names, j))):
                break  # 以|中华文化, 中|葡萄牙, 日|中国: a word or a full name begins here (not 英美|国家)
            j += 1
        if j - i >= 2 and text[j - 1] == "中" and not _han(text[j : j + 1]):
            j -= 1  # 攻击波中，: 中 "in" ending a clause
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
        names = self.runs.get(run) or tuple(ctx.names[c] for c in run)
        return [(i + k, i + k + 1, names[k], i, j) for k in range(len(run)) if names[k]]

    def _after_noun(self, ctx: "_Context", i: int) -> bool:
        k = bisect.bisect_left(ctx.starts, i) - 1
        return k >= 0 and ctx.words[k][1] == i and ctx.words[k][2][:1] in ("n", "m", "q", "v")

    def _prefix(self, ctx: "_Context", i: int):
        text, words, starts, bounds = ctx.text, ctx.words, ctx.starts, ctx.bounds
        p = next((p for p in self.prefixes if text.startswith(p, i)), None)
        if p is None or i not in bounds:
            return None
        k = i + len(p)
        if k >= len(text) or text[k] not in ctx.strong or self._ordinary(text, i):
            return None
        # jieba may glue the verb to the first one (访中/v 美/ns): the run starts there all the same.
        run = self._run(replace(ctx, bounds=ctx.bounds | {k}), k) if text[k + 1 : k + 2] in self.strong | self.weak else None
        if run:
            return run  # 对沪深300: a run after the verb is the run's
        if text[k] not in self.strong:  # weak, by evidence: a word of its own, not a function word (在新《…》)
            w = self._word_at(words, starts, k)
            if w is None or w[:2] != (k, k + 1) or w[2][:1] in FUNCTION_POS + ("a",):
                return None
        if not (k + 1 in bounds or self._begins_word(words, starts, i, k + 1)):
            return None
        if text[k + 1 : k + 2] and text[k + 1 : k + 2] in self.not_followed_by:
            return None
        return [(k, k + 1, ctx.names[text[k]], i, k + 1)]

    def _suffix(self, ctx: "_Context", i: int):
        text, words, starts, bounds = ctx.text, ctx.words, ctx.starts, ctx.bounds
        ch = text[i]
        sfx = next((s for s in self.suffix_order if text.startswith(s, i + 1)), None)
        if sfx is None or self._ordinary(text, i):
            return None
        end = i + 1 + len(sfx)
        w = self._word_at(words, starts, i)
        # An idiom may end or begin with the shape (古今中外/l, 中外合作/l).
        idiom = w is not None and w[2] in self.idiom_pos and (w[1] == end or (w[0] == i and w[1] >= end + 2))
        if i not in bounds and not idiom:
            return None
        allowed = self.suffixes[sfx]
        if not (ch in allowed or ("*" in allowed and ch in ctx.strong)):
            return None
        # jieba glues the suffix onto the next word after an abbreviation it tags j (沪/j 指涨/v);
        # a shape may begin a longer word (华人华侨/n).
        glued = w is not None and (w[0], w[1]) == (i, i + 1) and w[2] == "j"
        if end not in bounds and not glued and not idiom and not self._begins_word(words, starts, i, end):
            return None
        return [(i, i + 1, ctx.names[ch], i, end)]


def _han(ch: str) -> bool:
    return bool(ch) and "\u4e00" <= ch <= "\u9fff"


@dataclass(frozen=True)
class _Context:
    """One window's text, jieba words and what the window's evidence makes of the weak abbreviations."""

    text: str
    words: Sequence[tuple[int, int, str]]
    starts: list[int]
    bounds: set[int]
    strong: frozenset[str]
    names: dict[str, str]


def load_abbreviations(path: Path) -> tuple[Abbreviations, tuple[Entry, ...]]:
    loaded = load_toml_file(path, ABBREV_FILE)
    a = loaded.tables["abbrev"]
    chars = set(a["strong"]) | set(a["weak"])
    stray = sorted(set(a["alternatives"] or {}) - chars)
    if stray:
        from pipeline.core.rules import RuleError

        raise RuleError(path, None, f"[abbrev.alternatives] names no abbreviation: {''.join(stray)}")
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
        alternatives={k: tuple(v) for k, v in (a["alternatives"] or {}).items()},
        list_separators=frozenset(a["list_separators"]), idiom_pos=frozenset(a["idiom_pos"] or ()),
    ), loaded.arrays["example"]
