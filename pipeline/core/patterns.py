"""Regexes built from word lists: one builder, longest word first.

Python's `re` takes the first alternative that matches, not the longest, so a
word list becomes a regex with its longer words first (美元 before 元).

>>> re.match(alternation(["元", "美元"]), "美元").group()
'美元'
"""

from __future__ import annotations

import re
from typing import Callable, Iterable


def longest_first(words: Iterable[str]) -> list[str]:
    """The distinct words, longest first; words of one length in code point order."""
    return sorted(set(words), key=lambda w: (-len(w), w))


def alternation(words: Iterable[str], each: Callable[[str], str] = re.escape, trie: bool = False) -> str:
    """A non-capturing group matching any of `words`, the longest word at a position first.

    `each` turns a word into its regex (default: the literal word). `trie=True`
    shapes the group as a trie of the literal words: re tries alternatives one
    by one, so a flat list of a thousand words is slow, a trie needs one branch
    per character; it matches what the flat group matches (not for
    case-insensitive use: a trie branches on the exact characters).
    An empty list gives a group that never matches.
    """
    ordered = longest_first(words)
    if not ordered:
        return "(?!)"
    if trie:
        return "(?:" + _trie(ordered) + ")"
    return "(?:" + "|".join(map(each, ordered)) + ")"


def _trie(words: list[str]) -> str:
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(root)


class LiteralMatch:
    """What `Literals.finditer` yields: the parts of `re.Match` its callers read."""

    __slots__ = ("string", "_start", "_end")

    def __init__(self, string: str, start: int, end: int):
        self.string, self._start, self._end = string, start, end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def group(self) -> str:
        return self.string[self._start:self._end]


class Literals:
    """`re.compile(alternation(words, trie=True))` for finding words in text, without re.

    re tries a group's branches one after another at every position, and a trie of thousands of
    words has hundreds of branches at its root (the spun-phrase table's 5,196 phrases: 722). Here
    a character class finds where a word may start and a dict trie walks on from there: the same
    matches (leftmost, the longest word at a position, not overlapping), 7 times faster on news.

    >>> Literals(["元", "美元", "港元"]).findall("一美元合七港元")
    ['美元', '港元']
    """

    _END = ""  # a key no character is: the word ends here

    def __init__(self, words: Iterable[str]):
        self._root: dict = {}
        for word in words:
            if not word:
                continue
            node = self._root
            for ch in word:
                node = node.setdefault(ch, {})
            node[self._END] = True
        # Where a word may start: a class of the first characters ((?!), never, for no words).
        firsts = "".join(re.escape(c) for c in sorted(self._root))
        self._first = re.compile(f"[{firsts}]" if firsts else "(?!)")

    def finditer(self, text: str):
        end, root, n = 0, self._root, len(text)
        for m in self._first.finditer(text):
            i = m.start()
            if i < end:
                continue
            node, j, best = root[text[i]], i + 1, -1
            while True:
                if self._END in node:
                    best = j
                if j >= n or (node := node.get(text[j])) is None:
                    break
                j += 1
            if best > 0:
                yield LiteralMatch(text, i, best)
                end = best

    def findall(self, text: str) -> list[str]:
        return [m.group() for m in self.finditer(text)]
