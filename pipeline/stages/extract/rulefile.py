"""Reading an extractor's rule file: its header, word tables and compiled rules.

A rule file (`rules/extract/money.toml`, ...) has an `[extractor]` table
(`name`, `version`), word tables the extractor turns into pattern fragments
(currencies, measure words, ...), and `[[rule]]` tables with `pattern`,
`normaliser`, `confidence`, `examples` and `counterexamples`. Patterns refer to
fragments as `{NAME}` (upper case, so `{2}` and `{1,3}` stay quantifiers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from pipeline.core.rules import Rule, RuleError, load_rules, load_toml

PLACEHOLDER = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


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


@dataclass(frozen=True)
class RuleFile:
    path: Path
    name: str
    version: int
    tables: Mapping[str, Any]
    rules: tuple[CompiledRule, ...] = field(default=())


def read_header(path: Path) -> tuple[dict[str, Any], str, int]:
    data = load_toml(path)
    header = data.get("extractor")
    if not isinstance(header, dict):
        raise RuleError(path, None, "missing [extractor] table (name, version)")
    name, version = header.get("name"), header.get("version")
    if not isinstance(name, str) or not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RuleError(path, None, "[extractor] needs a string `name` and an integer `version` >= 1")
    return data, name, version


def expand(pattern: str, fragments: Mapping[str, str], path: Path, line: int, rule_id: str) -> str:
    """Replace `{NAME}` placeholders, recursively (a fragment may use others)."""
    for _ in range(10):
        def sub(m: re.Match) -> str:
            if m.group(1) not in fragments:
                raise RuleError(path, line, f"rule {rule_id}: unknown fragment {{{m.group(1)}}}; "
                                f"known: {', '.join(sorted(fragments))}")
            return fragments[m.group(1)]
        new = PLACEHOLDER.sub(sub, pattern)
        if new == pattern:
            return new
        pattern = new
    raise RuleError(path, line, f"rule {rule_id}: fragments nest too deep")


def compile_rules(
    path: Path,
    fragments: Mapping[str, str],
    normalisers: Mapping[str, Any],
    prefix: str,
) -> tuple[CompiledRule, ...]:
    compiled = []
    for rule in load_rules(path, required=("pattern", "normaliser")):
        compiled.append(_compile(rule, fragments, normalisers, prefix))
    return tuple(compiled)


def _compile(rule: Rule, fragments: Mapping[str, str], normalisers: Mapping[str, Any], prefix: str) -> CompiledRule:
    f, path, line = rule.fields, rule.path, rule.line
    if not rule.id.startswith(prefix + "."):
        raise RuleError(path, line, f"rule {rule.id}: ids in this file start with {prefix!r}")
    if f["normaliser"] not in normalisers:
        raise RuleError(path, line, f"rule {rule.id}: unknown normaliser {f['normaliser']!r}; "
                        f"known: {', '.join(sorted(normalisers))}")
    if not isinstance(f["pattern"], str) or not f["pattern"]:
        raise RuleError(path, line, f"rule {rule.id}: pattern must be a non-empty string")
    source = expand(f["pattern"], fragments, path, line, rule.id)
    try:
        regex = re.compile(source)
    except re.error as exc:
        raise RuleError(path, line, f"rule {rule.id}: pattern does not compile: {exc}") from None
    confidence = f.get("confidence", 0.9)
    if not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
        raise RuleError(path, line, f"rule {rule.id}: confidence must be a number in 0..1")
    examples = []
    for ex in f.get("examples", []):
        if not (isinstance(ex, dict) and isinstance(ex.get("text"), str) and isinstance(ex.get("match"), str)):
            raise RuleError(path, line, f"rule {rule.id}: an example is {{ text = ..., match = ..., value = {{...}} }}")
        if ex["match"] not in ex["text"]:
            raise RuleError(path, line, f"rule {rule.id}: example match {ex['match']!r} is not in {ex['text']!r}")
        examples.append(Example(ex["text"], ex["match"], ex.get("value", {})))
    counter = f.get("counterexamples", [])
    if not (isinstance(counter, list) and all(isinstance(c, str) for c in counter)):
        raise RuleError(path, line, f"rule {rule.id}: counterexamples must be a list of strings")
    return CompiledRule(rule.id, rule.version, regex, f["normaliser"], float(confidence), f,
                        tuple(examples), tuple(counter), line)


