"""Furniture lines: pattern rules and lines made only of widget tokens.

Token lines are parsed left to right: separators (the `[view]` of lines.toml)
are skipped, and at each
position the longest token of any tokens rule is taken; a line with anything
else on it is not a token line. So known buttons combine freely
(`收藏 | 打印 | 关闭`) while one real word keeps a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core.patterns import alternation
from pipeline.stages.clean.ruleset import LineRule


@dataclass(frozen=True)
class Item:
    """A span of a line's view recognised as something (a token, a date, a label) or not (leftover)."""

    kind: str  # rule id of a token, "date", or "leftover"
    start: int
    end: int


class TokenParser:
    """Parses a view into tokens of the tokens rules (plus extra named patterns)."""

    def __init__(self, rules: tuple[LineRule, ...], separators: re.Pattern, extra: dict[str, str] | None = None):
        self.rules = {r.id: r for r in rules if r.kind == "tokens"}
        self._separators = separators
        parts, self._group_kind = [], {}
        # A literal token listed by two rules belongs to the first.
        by_literal: dict[str, str] = {}
        for rule in self.rules.values():
            for token in rule.tokens:
                by_literal.setdefault(token, rule.id)
        for n, (kind, source) in enumerate(
            [*(extra or {}).items(), *((r.id, p) for r in self.rules.values() for p in r.token_patterns)]
        ):
            parts.append(f"(?P<p{n}>{source})")
            self._group_kind[f"p{n}"] = kind
        if by_literal:
            # Literal tokens longest first, across rules, so 打印本页 wins over 打印.
            parts.append("(?P<lit>" + alternation(by_literal) + ")")
        self._literal_kind = by_literal
        self._pattern = re.compile("|".join(parts)) if parts else None

    def parse(self, view: str, start: int = 0, end: int | None = None) -> list[Item]:
        """Items covering view[start:end], separators skipped; unknown runs are 'leftover' items."""
        end = len(view) if end is None else end
        items: list[Item] = []
        pos = start
        while pos < end:
            sep = self._separators.match(view, pos, end)
            if sep and sep.end() > pos:
                pos = sep.end()
                continue
            m = self._pattern.match(view, pos, end) if self._pattern else None
            if m and m.end() > pos:
                group = m.lastgroup
                kind = self._literal_kind[m.group()] if group == "lit" else self._group_kind[group]
                items.append(Item(kind, pos, m.end()))
                pos = m.end()
                continue
            nxt = self._separators.search(view, pos, end)
            stop = nxt.start() if nxt else end
            if items and items[-1].kind == "leftover" and items[-1].end == pos:
                items[-1] = Item("leftover", items[-1].start, stop)
            else:
                items.append(Item("leftover", pos, stop))
            pos = stop
        return items


class Furniture:
    def __init__(self, rules: tuple[LineRule, ...], separators: re.Pattern):
        self.patterns = tuple(r for r in rules if r.kind == "pattern")
        self.tokens = TokenParser(rules, separators)
        self.by_id = {r.id: r for r in rules}

    def pattern_rule(self, view: str, scope: str, zone: str | None = None) -> LineRule | None:
        """The first pattern rule of `scope` that fires (of those for `zone`, when given)."""
        for rule in self.patterns:
            if rule.scope != scope or (zone is not None and zone not in rule.zones):
                continue
            if len(view) > rule.max_chars:
                continue
            if not rule.pattern.search(view):
                continue
            if rule.requires is not None and not rule.requires.search(view):
                continue
            if rule.forbid is not None and rule.forbid.search(view):
                continue
            return rule
        return None

    def token_rule(self, view: str, max_chars: int = 120) -> LineRule | None:
        """The rule of the first token when the line is made only of tokens."""
        if len(view) > max_chars:
            return None
        items = self.tokens.parse(view)
        if not items or any(i.kind == "leftover" for i in items):
            return None
        return self.by_id[items[0].kind]
