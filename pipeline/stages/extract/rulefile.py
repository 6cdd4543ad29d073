"""An extractor's rule file: its schema, header, word tables and compiled rules.

A rule file (`rules/extract/money.toml`, ...) has an `[extractor]` table
(`name`, `version`, `trigger`, `window`), word tables the extractor turns into
pattern fragments (currencies, measure words, ...), a `[fragments]` table of
its own, and `[[rule]]` tables with `pattern`, `normaliser`, `confidence`,
`examples` and `counterexamples`. Patterns refer to fragments as `{NAME}`
(upper case, so `{2}` and `{1,3}` stay quantifiers). Each extractor declares
its word tables and its rules' extra fields; `file_schema` puts them together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from pipeline.core.rules import Entry
from pipeline.core.schema import (
    Enum, Field, Float, Int, Kind, ListOf, Regex, Section, String, TomlFile, Value,
)

FRAGMENT_NAME = "[A-Z][A-Z0-9_]*"


@dataclass(frozen=True)
class Example:
    """`text` must yield a fact with surface `match` and a value containing `value`."""

    text: str
    match: str
    value: Mapping[str, Any]


@dataclass(frozen=True)
class CompiledRule:
    id: str
    version: int
    regex: re.Pattern
    normaliser: str
    confidence: float
    fields: Mapping[str, Any]
    examples: tuple[Example, ...] = ()
    counterexamples: tuple[str, ...] = ()
    line: int = 0
    entry: Entry | None = None
    anchor: re.Pattern | None = None


def _example(case: Any) -> str | None:
    if not (isinstance(case, dict) and isinstance(case.get("text"), str) and isinstance(case.get("match"), str)
            and set(case) <= {"text", "match", "value"} and isinstance(case.get("value", {}), dict)):
        return "an example is { text = ..., match = ..., value = {...} }"
    if case["match"] not in case["text"]:
        return f"match {case['match']!r} is not in {case['text']!r}"
    return None


def _counterexample(case: Any) -> str | None:
    return None if isinstance(case, str) else "a counterexample is a text"


def header_kind(name: str, extra: Mapping[str, Field]) -> Kind:
    return Kind(f"extract.{name}.header", f"The {name} extractor's name, version and trigger ([extractor]).", {
        "name": String("the extractor's name (= the fact type)", required=True,
                       check=lambda v: None if v == name else f"is {v!r}, expected {name!r}"),
        "version": Int("bump when the word tables' meaning changes", required=True, minimum=1),
        "trigger": String("regex every match contains ({NAME} fragments allowed): rules run only near it"),
        # At least 20: a shorter window cuts a long amount (约人民币1,234.5万元) short of its trigger and
        # silently loses the fact (money's own examples need 12).
        "window": Int("characters around a trigger that rules scan", default=40, minimum=20),
        **extra,
    })


FRAGMENTS = Kind("extract.fragments", "Named regex fragments a pattern uses as {NAME} ([fragments]).",
                 values=String("a regex fragment"), keys=FRAGMENT_NAME)


def rule_kind(name: str, normalisers: tuple[str, ...], extra: Mapping[str, Field], checks: tuple = ()) -> Kind:
    prefix = name + "."
    return Kind(
        f"extract.{name}.rule",
        f"A {name} rule: a pattern and the normaliser that reads its match into a value.",
        {
            "pattern": Regex("what to match; {NAME} stands for a fragment", required=True, fragments=True),
            "normaliser": Enum(normalisers, "the named normaliser that reads the match", required=True),
            "confidence": Float("the facts' confidence", default=0.9, minimum=0, maximum=1),
            "anchor": Regex("something every match contains, rarer than the trigger ({NAME} fragments "
                            "allowed): a document without it skips the rule (speed)", fragments=True),
            "examples": ListOf(Value("{ text, match, value }", check=_example),
                               "texts where the rule gives a fact `match` whose value holds `value`"),
            "counterexamples": ListOf(Value("a text", check=_counterexample), "texts where it must not fire"),
            **extra,
        },
        rule=True,
        checks=(lambda v: None if v["id"].startswith(prefix) else ("id", f"ids in this file start with {name!r}"),
                *checks),
    )


def file_schema(name: str, normalisers: tuple[str, ...], tables: Mapping[str, Section],
                rule_fields: Mapping[str, Field], header_fields: Mapping[str, Field], checks: tuple = ()) -> TomlFile:
    return TomlFile(f"extract {name}", f"Rules and word tables of the {name} extractor.", {
        "extractor": Section(header_kind(name, header_fields), required=True),
        **tables,
        "fragments": Section(FRAGMENTS),
        "rule": Section(rule_kind(name, normalisers, rule_fields, checks), array=True),
    })


def compiled(entry: Entry) -> CompiledRule:
    """A loaded rule as the extractor runs it (`fields`: the keys the file gives)."""
    fields = {k: v for k, v in entry.values.items() if k in entry.key_lines}
    examples = tuple(Example(e["text"], e["match"], e.get("value", {})) for e in entry["examples"])
    return CompiledRule(entry.id, entry.version, entry["pattern"], entry["normaliser"], float(entry["confidence"]),
                        fields, examples, tuple(entry["counterexamples"]), entry.line, entry, entry["anchor"])


def word_table(doc: str, value: Field, name: str, non_empty: bool = False) -> Kind:
    """A table of words to values (`[currencies]`: word -> ISO code)."""
    checks = (lambda v: None if v else "must not be empty",) if non_empty else ()
    return Kind(name, doc, values=value, checks=checks)


def word_list(doc: str, name: str, key: str = "words", required: bool = False) -> Kind:
    """A table holding one list of words (`[units] words = [...]`)."""
    return Kind(name, doc, {key: ListOf(String("a word"), doc, required=required, non_empty=required)})


