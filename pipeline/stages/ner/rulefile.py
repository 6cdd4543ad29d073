"""rules/ner/: gazetteers and patterns (JSONL, for spaCy's span_ruler) and org completion (TOML).

A JSONL line is one rule:
  {"id": "ner.gazetteer.org.ceyear", "version": 1, "label": "ORG",
   "pattern": "中电科思仪科技股份有限公司", "confidence": 0.98,
   "examples": ["..."], "counterexamples": ["..."]}
`pattern` is a phrase (matched character for character) or a spaCy token
pattern. The model's tokens are single characters, so in a token pattern a
`TEXT`/`ORTH` string of several characters stands for that many tokens:
{"TEXT": "政府"} is {"TEXT": "政"}, {"TEXT": "府"}. Token attributes the
patterns may use: TEXT/ORTH, TAG (the character's place in its jieba word and
the word's part of speech, e.g. `E-ns`; pipeline/stages/ner/features.py, without the
model's `|o` marks), LEMMA (the jieba word), OP. `after` (optional) is a list of words one of which must come right before the
match (spaces between allowed) without being part of it: a person's name after
a title, {"after": ["记者", "书记", "总工程师"], "pattern": [a jieba nr word]}.
`except` (optional) lists texts the rule never gives (国家实验室 is a kind of
laboratory, not one). `whole_words` (optional, default false): the match stands
only where it starts and ends on jieba word boundaries (阿曼 the country, not in
阿曼达; 马里 not in 马里兰州).
`examples` are texts the rule must match as a whole span of
(`{"text", "match"}` or a string matched whole); `counterexamples` texts it must
not match at all. tests/test_ner_rules.py runs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.stages.ner.merge import Completion
from pipeline.core.patterns import longest_first
from pipeline.core.rules import RULE_ID, RuleError, load_jsonl, load_toml

LABELS = ("PER", "LOC", "ORG")
DEFAULT_CONFIDENCE = 0.95
_TOKEN_KEYS = {"TEXT", "ORTH", "TAG", "LEMMA", "OP"}


@dataclass(frozen=True)
class NameRule:
    id: str
    version: int
    label: str
    pattern: str | list[dict[str, Any]]
    confidence: float
    examples: tuple[Any, ...]
    counterexamples: tuple[str, ...]
    path: Path
    line: int
    after: tuple[str, ...] = ()
    excepted: frozenset[str] = frozenset()
    whole_words: bool = False

    def accepts(self, text: str, start: int, end: int, bounds: frozenset[int] | set[int] = frozenset()) -> bool:
        """Whether a match at text[start:end] stands: `after` before it, not an `except` text,
        on word boundaries (`bounds`: the starts and ends of the jieba words) if `whole_words`."""
        if text[start:end] in self.excepted:
            return False
        if self.whole_words and not (start in bounds and end in bounds):
            return False
        return not self.after or text[:start].rstrip().endswith(self.after)

    def spacy_patterns(self) -> list[dict[str, Any]]:
        """The pattern as spaCy's span_ruler takes it (token patterns split into characters).

        A first token that is one of several values ({"TAG": {"IN": [...]}}) becomes one
        pattern per value: spaCy tries every pattern's first token at every character, and
        an exact value is compared in C where a set is a Python call per character.
        """
        if isinstance(self.pattern, str):
            return [{"label": self.label, "pattern": self.pattern, "id": self.id}]
        first, *rest = expand_chars(self.pattern)
        firsts = [first]
        if len(first) == 1:
            [(attr, value)] = first.items()
            if isinstance(value, dict) and list(value) == ["IN"]:
                firsts = [{attr: v} for v in value["IN"]]
        return [{"label": self.label, "pattern": [f, *rest], "id": self.id} for f in firsts]


def expand_chars(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """{"TEXT": "政府"} -> {"TEXT": "政"}, {"TEXT": "府"}; other token dicts unchanged."""
    out = []
    for tok in tokens:
        key = next((k for k in ("TEXT", "ORTH") if isinstance(tok.get(k), str)), None)
        if key is None or len(tok[key]) == 1:
            out.append(tok)
            continue
        chars = [{**tok, key: ch} for ch in tok[key]]
        if "OP" in tok:
            raise ValueError(f"an OP cannot apply to several characters: {tok}")
        out.extend(chars)
    return out


def load_name_rules(paths: list[Path]) -> list[NameRule]:
    rules: list[NameRule] = []
    seen: dict[str, str] = {}
    for path in paths:
        for line, entry in load_jsonl(path):
            rule = _name_rule(path, line, entry)
            if rule.id in seen:
                raise RuleError(path, line, f"duplicate rule id {rule.id!r} (first at {seen[rule.id]})")
            seen[rule.id] = f"{path.name}:{line}"
            rules.append(rule)
    return rules


def _name_rule(path: Path, line: int, entry: dict[str, Any]) -> NameRule:
    def fail(message: str):
        raise RuleError(path, line, message)

    unknown = set(entry) - {"id", "version", "label", "pattern", "confidence", "examples", "counterexamples", "after",
                            "except", "whole_words"}
    if unknown:
        fail(f"unknown field(s) {', '.join(sorted(unknown))}")
    rule_id, version, label = entry.get("id"), entry.get("version"), entry.get("label")
    if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
        fail(f"rule id {rule_id!r} must be dotted lowercase, e.g. 'ner.gazetteer.org.ceyear'")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        fail(f"{rule_id}: version must be an integer >= 1")
    if label not in LABELS:
        fail(f"{rule_id}: label must be one of {', '.join(LABELS)}, got {label!r}")
    pattern = entry.get("pattern")
    if isinstance(pattern, str):
        if not pattern.strip():
            fail(f"{rule_id}: empty pattern")
    elif isinstance(pattern, list) and pattern and all(isinstance(t, dict) for t in pattern):
        for tok in pattern:
            bad = set(tok) - _TOKEN_KEYS
            if bad:
                fail(f"{rule_id}: token attribute(s) {', '.join(sorted(bad))} not available; use {', '.join(sorted(_TOKEN_KEYS))}")
        try:
            expand_chars(pattern)
        except ValueError as exc:
            fail(f"{rule_id}: {exc}")
    else:
        fail(f"{rule_id}: pattern must be a phrase or a list of token patterns")
    confidence = entry.get("confidence", DEFAULT_CONFIDENCE)
    if not isinstance(confidence, (int, float)) or not 0 < confidence <= 1:
        fail(f"{rule_id}: confidence must be in (0, 1]")
    examples = entry.get("examples", [])
    counter = entry.get("counterexamples", [])
    if not isinstance(examples, list) or not isinstance(counter, list) or not all(isinstance(c, str) for c in counter):
        fail(f"{rule_id}: examples and counterexamples must be lists")
    for ex in examples:
        if not (isinstance(ex, str) or (isinstance(ex, dict) and isinstance(ex.get("text"), str) and isinstance(ex.get("match"), str))):
            fail(f"{rule_id}: an example is a text or {{\"text\", \"match\"}}")
    after, excepted = entry.get("after", []), entry.get("except", [])
    for key, value in (("after", after), ("except", excepted)):
        if not (isinstance(value, list) and all(isinstance(a, str) and a for a in value)):
            fail(f"{rule_id}: {key} must be a list of texts")
    whole_words = entry.get("whole_words", False)
    if not isinstance(whole_words, bool):
        fail(f"{rule_id}: whole_words must be true or false")
    return NameRule(rule_id, version, label, pattern, float(confidence), tuple(examples), tuple(counter), path, line,
                    tuple(after), frozenset(excepted), whole_words)


def load_completion(path: Path) -> tuple[Completion, list[dict[str, str]]]:
    """The completion rules and their examples from org_suffixes.toml: {text, anchor, label, name}
    for completion from a name (step 2), {text, name} for company names grown leftwards (step 3)."""
    data = load_toml(path)
    c = data.get("completion")
    if not isinstance(c, dict):
        raise RuleError(path, None, "missing [completion] table")

    def need(key: str, kind: type | tuple[type, ...]):
        value = c.get(key)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise RuleError(path, None, f"[completion] {key} is missing or not a {getattr(kind, '__name__', kind)}")
        return value

    rule_id = need("id", str)
    if not RULE_ID.match(rule_id):
        raise RuleError(path, None, f"[completion] id {rule_id!r} must be dotted lowercase")
    lists = {k: need(k, list) for k in ("suffixes", "allowed_pos", "not_suffix_words")}
    for key, values in lists.items():
        if not all(isinstance(v, str) and v for v in values):
            raise RuleError(path, None, f"[completion] {key} must be a list of non-empty strings")
    examples = data.get("example", [])
    for ex in examples:
        anchored = "anchor" in ex or "label" in ex
        keys = ("text", "anchor", "label", "name") if anchored else ("text", "name")
        if not (isinstance(ex, dict) and all(isinstance(ex.get(k), str) for k in keys)
                and (not anchored or (ex["anchor"] in ex["text"] and ex["label"] in LABELS))):
            raise RuleError(path, None, f"[[example]] needs text, name and, for step 2, anchor (in the text) "
                                        f"and label: {ex!r}")
    left = data.get("left")
    if not isinstance(left, dict):
        raise RuleError(path, None, "missing [left] table (company names completed leftwards)")
    for key, kind in (("id", str), ("version", int), ("confidence", (int, float)), ("suffixes", list),
                      ("allowed_pos", list), ("boundary_pos", list), ("min_chars", int)):
        if not isinstance(left.get(key), kind) or isinstance(left.get(key), bool):
            raise RuleError(path, None, f"[left] {key} is missing or of the wrong type")
    if not RULE_ID.match(left["id"]):
        raise RuleError(path, None, f"[left] id {left['id']!r} must be dotted lowercase")
    filt = data.get("filter")
    if not (isinstance(filt, dict) and isinstance(filt.get("pos"), list) and all(isinstance(x, str) for x in filt["pos"])
            and isinstance(filt.get("chars"), str)):
        raise RuleError(path, None, "missing [filter] table with a list `pos` and a string `chars`")

    def pos_list(table: dict, section: str, key: str) -> frozenset[str]:
        values = table.get(key, [])
        if not (isinstance(values, list) and all(isinstance(x, str) for x in values)):
            raise RuleError(path, None, f"[{section}] {key} must be a list of parts of speech")
        return frozenset(values)

    stop_words = c.get("stop_words")
    if stop_words is not None:
        try:
            stop_words = re.compile(stop_words)
        except (re.error, TypeError) as exc:
            raise RuleError(path, None, f"[completion] stop_words must be a regular expression: {exc}") from None
    completion = Completion(
        id=rule_id,
        version=need("version", int),
        confidence=float(need("confidence", (int, float))),
        max_extension=need("max_extension", int),
        max_verbs=need("max_verbs", int),
        bare_suffix=need("bare_suffix", bool),
        clause_pos=pos_list(c, "completion", "clause_pos"),
        allowed_pos=frozenset(lists["allowed_pos"]),
        # Longest first, so 股份有限公司 is tried before 公司.
        suffixes=tuple(longest_first(lists["suffixes"])),
        not_suffix_words=tuple(lists["not_suffix_words"]),
        left_id=left["id"],
        left_version=left["version"],
        left_confidence=float(left["confidence"]),
        left_suffixes=tuple(longest_first(left["suffixes"])),
        left_allowed_pos=frozenset(left["allowed_pos"]),
        left_boundary_pos=frozenset(left["boundary_pos"]),
        left_min_chars=left["min_chars"],
        filter_pos=frozenset(filt["pos"]),
        filter_chars=frozenset(filt["chars"]),
        filter_org_end_pos=pos_list(filt, "filter", "org_end_pos"),
        stop_words=stop_words,
    )
    return completion, examples
