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
