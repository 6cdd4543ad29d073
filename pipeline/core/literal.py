"""Literal replacements: one rule kind for convert's fix-ups and repair's homoglyphs.

Each `[[rule]]` replaces `from` with `to`, except where the next character
is in `not_followed_by` or the previous one in `not_preceded_by` (there the
text is another word: 蕞尔, 随著名). Longer `from` strings win over shorter
ones at the same position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.document import Edit
from pipeline.core.patterns import alternation
from pipeline.core.examples import is_pair
from pipeline.core.rules import RuleError, load_toml_file, raise_all
from pipeline.core.schema import Cases, Chars, Kind, Section, String, TomlFile


LITERAL_RULE = Kind(
    "literal",
    "Replace a literal string with another, unless a neighbouring character says it is another word.",
    {
        "from": String("the text to replace", required=True),
        "to": String("what replaces it", required=True, non_empty=False),
        "not_followed_by": Chars("characters that, right after `from`, block the rule"),
        "not_preceded_by": Chars("characters that, right before `from`, block the rule"),
        "examples": Cases("[input, expected output of the stage] pairs where the rule fires", is_pair),
        "counterexamples": Cases("[input, expected output] pairs where it must not fire", is_pair),
    },
    rule=True,
)
LITERAL_FILE = TomlFile("literal replacements", "A table of literal replacements ([[rule]]).",
                        {"rule": Section(LITERAL_RULE, array=True)})


@dataclass(frozen=True)
class Literal:
    rule_id: str
    source: str
    target: str
    not_followed_by: str = ""
    not_preceded_by: str = ""


def load_literals(path: Path):
    """The replacement rules of a file (as entries, for their examples) and as `Literal`s."""
    entries = load_toml_file(path, LITERAL_FILE).arrays["rule"]
    seen: dict[str, str] = {}
    errors: list[RuleError] = []
    for e in entries:
        if e["from"] in seen:
            errors.append(e.error(f"`from` {e['from']!r} already used by {seen[e['from']]}", "from"))
        seen.setdefault(e["from"], e.id)
    raise_all(errors)
    literals = tuple(Literal(e.id, e["from"], e["to"], e["not_followed_by"], e["not_preceded_by"]) for e in entries)
    return entries, literals


class LiteralReplacer:
    """The edits a table of literals makes in a text."""

    def __init__(self, literals: tuple[Literal, ...]):
        self._by_source = {x.source: x for x in literals}
        # Longest first, so a longer entry wins where two start at the same place.
        self._pattern = re.compile(alternation(self._by_source)) if self._by_source else None

    def edits(self, text: str) -> list[Edit]:
        if self._pattern is None:
            return []
        edits = []
        for m in self._pattern.finditer(text):
            x = self._by_source[m.group()]
            nxt = text[m.end() : m.end() + 1]
            prev = text[m.start() - 1 : m.start()] if m.start() else ""
            if (nxt and nxt in x.not_followed_by) or (prev and prev in x.not_preceded_by):
                continue
            edits.append(Edit(m.start(), m.end(), x.target, x.rule_id))
        return edits
