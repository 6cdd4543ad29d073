"""Loading the clean stage's rule files into validated, immutable rules.

Every mistake points at `file:line` (RuleError), never at a traceback from
inside the stage: unknown kinds, bad regexes, missing fields, bad weights.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any

from pipeline.core.chars import HAN
from pipeline.core.rules import Rule, RuleError, load_rules, load_toml, read_rule_text

ZONES = frozenset({"any", "head", "body", "tail"})
LINE_KINDS = ("pattern", "tokens", "island", "list_after", "duplicate", "layout")
# The pass of the clean stage a line rule runs in (decide.Cleaner), and the kinds each takes.
SCOPES = {
    "line": ("pattern", "tokens"),  # the line on its own, anywhere (zones = any)
    "paragraph-duplicate": ("duplicate",),  # a paragraph repeated earlier, before zones are drawn
    "zone": ("pattern",),  # the line on its own, only in its zones (head, tail), once the body is known
    "block": ("island", "list_after"),  # the line by its removed neighbours, once the body is known
    "metadata-duplicate": ("duplicate",),  # a metadata line repeated
    "title-duplicate": ("duplicate",),  # a line repeating the title
    "layout": ("layout",),  # blank lines left over by removals
}
# Scopes that take one rule: a second one would never run.
SINGLE_RULE_SCOPES = ("paragraph-duplicate", "metadata-duplicate", "title-duplicate", "layout")
FIELDS = ("published_at", "author", "news_source", "original_title", "editor")


@dataclass(frozen=True)
class LineRule:
    id: str
    version: int
    kind: str
    cls: str
    reason: str
    scope: str = "line"
    pattern: re.Pattern | None = None
    requires: re.Pattern | None = None
    forbid: re.Pattern | None = None
    max_chars: int = 200
    zones: frozenset = frozenset({"any"})
    tokens: tuple[str, ...] = ()
    token_patterns: tuple[str, ...] = ()
    between_class: str = ""
    after_rule: str = ""
    min_chars: int = 0
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class FieldRule:
    id: str
    version: int
    field: str
    reason: str
    labels: tuple[str, ...]
    bare_labels: tuple[str, ...]
    value: re.Pattern
    rest_of_line: bool
    ignore_values: frozenset
    bare: re.Pattern | None
    zones: frozenset
    bare_zones: frozenset
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class TitleRule:
    id: str
    version: int
    reason: str
    column_tag: re.Pattern
    forbid: re.Pattern
    min_chars: int
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class Lexicon:
    id: str
    version: int
    words: dict  # word -> (weight, category)
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class SpamLineRule:
    id: str
    version: int
    reason: str
    min_weight: float = 0.0
    min_density: float = 0.0
    max_sentence_marks: int | None = None
    min_segments: int = 0
    max_chars: int | None = None
    min_domains: int = 0
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class InlineRule:
    id: str
    version: int
    reason: str
    phrases: tuple[str, ...]
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    require_suffix_for: frozenset
    not_followed_by: str
    unless_context: tuple[str, ...]
    absorb_before: str
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class SpunRule:
    id: str
    version: int
    spun: re.Pattern
    standard: re.Pattern
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class ViewRules:
    """How a line is read (the `[view]` table of lines.toml)."""

    pinyin_annotation: re.Pattern
    sentence_marks: re.Pattern
    separators: re.Pattern


@dataclass(frozen=True)
class CleanRules:
    view: ViewRules
    lines: tuple[LineRule, ...]
    fields: tuple[FieldRule, ...]
    header_line_id: str
    title: TitleRule
    lexicons: tuple[Lexicon, ...]
    domains: frozenset
    domain_rule: Lexicon
    spam_lines: tuple[SpamLineRule, ...]
    inline: tuple[InlineRule, ...]
    spun: tuple[SpunRule, ...]
    files: tuple[Path, ...] = field(default=())

    def by_id(self) -> dict[str, Any]:
        every = [*self.lines, *self.fields, self.title, *self.lexicons, self.domain_rule, *self.spam_lines,
                 *self.inline, *self.spun]
        return {r.id: r for r in every}


def _regex(rule: Rule, name: str, required: bool = True) -> re.Pattern | None:
    source = rule.fields.get(name)
    if source is None:
        if required:
            raise RuleError(rule.path, rule.line, f"rule {rule.id}: missing `{name}`")
        return None
    if not isinstance(source, str) or not source:
        raise RuleError(rule.path, rule.line, f"rule {rule.id}: `{name}` must be a non-empty string")
    try:
        return re.compile(source)
    except re.error as exc:
        raise RuleError(rule.path, rule.line, f"rule {rule.id}: `{name}` does not compile: {exc}") from None


def _strings(rule: Rule, name: str) -> tuple[str, ...]:
    values = rule.fields.get(name, [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise RuleError(rule.path, rule.line, f"rule {rule.id}: `{name}` must be a list of non-empty strings")
    return tuple(values)


def _int(rule: Rule, name: str, default: int | None) -> int | None:
    value = rule.fields.get(name, default)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise RuleError(rule.path, rule.line, f"rule {rule.id}: `{name}` must be an integer >= 0")
    return value


def _float(rule: Rule, name: str, default: float) -> float:
    value = rule.fields.get(name, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise RuleError(rule.path, rule.line, f"rule {rule.id}: `{name}` must be a number >= 0")
    return float(value)


def _zones(rule: Rule, name: str = "zones", default: tuple = ("any",)) -> frozenset:
    zones = _strings(rule, name) if name in rule.fields else default
    bad = set(zones) - ZONES
    if bad:
        raise RuleError(rule.path, rule.line, f"rule {rule.id}: unknown zone(s) {', '.join(sorted(bad))}; known: {', '.join(sorted(ZONES))}")
    return frozenset(zones)


def _cases(rule: Rule) -> dict[str, tuple]:
    out = {}
    for name in ("examples", "counterexamples"):
        value = rule.fields.get(name, [])
        if not isinstance(value, list):
            raise RuleError(rule.path, rule.line, f"rule {rule.id}: `{name}` must be a list")
        out[name] = tuple(tuple(v) if isinstance(v, list) else v for v in value)
    return out


def _text(rule: Rule, name: str, default: str | None = None) -> str:
    value = rule.fields.get(name, default)
    if not isinstance(value, str):
        raise RuleError(rule.path, rule.line, f"rule {rule.id}: `{name}` must be a string")
    return value


def load_line_rules(path: Path) -> tuple[LineRule, ...]:
    rules = []
    ids = set()
    scoped: dict[str, str] = {}
    for r in load_rules(path, required=("kind", "class", "reason", "scope")):
        kind = r.fields["kind"]
        if kind not in LINE_KINDS:
            raise RuleError(path, r.line, f"rule {r.id}: kind {kind!r} is not one of {', '.join(LINE_KINDS)}")
        scope = _scope(r, kind)
        if scope in SINGLE_RULE_SCOPES:
            if scope in scoped:
                raise RuleError(path, r.line, f"rule {r.id}: scope {scope!r} already taken by {scoped[scope]}")
            scoped[scope] = r.id
        tokens, token_patterns = _strings(r, "tokens"), _strings(r, "token_patterns")
        for source in token_patterns:
            try:
                re.compile(source)
            except re.error as exc:
                raise RuleError(path, r.line, f"rule {r.id}: token pattern {source!r} does not compile: {exc}") from None
        if kind == "tokens" and not (tokens or token_patterns):
            raise RuleError(path, r.line, f"rule {r.id}: a tokens rule needs `tokens` or `token_patterns`")
        rule = LineRule(
            id=r.id, version=r.version, kind=kind, cls=_text(r, "class"), reason=_text(r, "reason"), scope=scope,
            pattern=_regex(r, "pattern", required=kind == "pattern"),
            requires=_regex(r, "requires", required=False), forbid=_regex(r, "forbid", required=False),
            max_chars=_int(r, "max_chars", 200), zones=_zones(r), tokens=tokens, token_patterns=token_patterns,
            between_class=_text(r, "between_class", ""), after_rule=_text(r, "after_rule", ""),
            min_chars=_int(r, "min_chars", 0), **_cases(r),
        )
        if (scope == "zone") == ("any" in rule.zones):
            raise RuleError(path, r.line, f"rule {r.id}: scope {scope!r} with zones {sorted(rule.zones)}: "
                            "a `zone` rule lists its zones (not any), any other runs anywhere")
        if kind == "island" and not rule.between_class:
            raise RuleError(path, r.line, f"rule {r.id}: an island rule needs `between_class`")
        if kind == "list_after" and not (rule.after_rule and rule.pattern):
            raise RuleError(path, r.line, f"rule {r.id}: a list_after rule needs `after_rule` and `pattern`")
        ids.add(r.id)
        rules.append(rule)
    for rule in rules:
        if rule.kind == "list_after" and rule.after_rule not in ids:
            raise RuleError(path, None, f"rule {rule.id}: after_rule {rule.after_rule!r} is not a rule of this file")
    return tuple(rules)


def _scope(rule: Rule, kind: str) -> str:
    scope = rule.fields["scope"]
    if scope not in SCOPES:
        raise RuleError(rule.path, rule.line, f"rule {rule.id}: scope {scope!r} is not one of {', '.join(SCOPES)}")
    if kind not in SCOPES[scope]:
        raise RuleError(rule.path, rule.line, f"rule {rule.id}: a {kind} rule cannot have scope {scope!r}")
    return scope


def load_view(path: Path) -> ViewRules:
    table = load_toml(path).get("view")
    lines = read_rule_text(path).splitlines()

    header = next((n for n, line in enumerate(lines, 1) if line.strip() == "[view]"), None)

    def line_of(key: str) -> int | None:
        after = range(header or 0, len(lines))
        return next((n + 1 for n in after if re.match(rf"{re.escape(key)}\s*=", lines[n])), header)

    if not isinstance(table, dict):
        raise RuleError(path, None, "needs a [view] table")
    names = [f.name for f in dataclass_fields(ViewRules)]
    for key, value in table.items():
        if key not in names:
            raise RuleError(path, line_of(key), f"[view]: unknown key {key!r}; known: {', '.join(names)}")
        if not isinstance(value, str) or not value:
            raise RuleError(path, line_of(key), f"[view]: `{key}` must be a non-empty string")
    missing = [k for k in names if k not in table]
    if missing:
        raise RuleError(path, header, f"[view]: missing {', '.join(missing)}")
    sources = {
        "pinyin_annotation": table["pinyin_annotation"].replace("{HAN}", HAN),
        "sentence_marks": f"[{re.escape(table['sentence_marks'])}]",
        "separators": table["separators"],
    }
    compiled = {}
    for key, source in sources.items():
        try:
            compiled[key] = re.compile(source)
        except re.error as exc:
            raise RuleError(path, line_of(key), f"[view]: `{key}` does not compile: {exc}") from None
    return ViewRules(**compiled)


def load_metadata_rules(path: Path) -> tuple[tuple[FieldRule, ...], str, TitleRule]:
    fields, header, title = [], None, None
    for r in load_rules(path, required=("kind", "reason")):
        kind = r.fields["kind"]
        if kind == "field":
            name = _text(r, "field")
            if name not in FIELDS:
                raise RuleError(path, r.line, f"rule {r.id}: field {name!r} is not one of {', '.join(FIELDS)}")
            value = _regex(r, "value")
            if name == "published_at" and not {"year", "month", "day"} <= set(value.groupindex):
                raise RuleError(path, r.line, f"rule {r.id}: a published_at value needs groups year, month, day")
            labels = _strings(r, "labels")
            if not labels:
                raise RuleError(path, r.line, f"rule {r.id}: `labels` must not be empty")
            fields.append(FieldRule(
                id=r.id, version=r.version, field=name, reason=_text(r, "reason"), labels=labels,
                bare_labels=_strings(r, "bare_labels"), value=value,
                rest_of_line=bool(r.fields.get("rest_of_line", False)),
                ignore_values=frozenset(_strings(r, "ignore_values")),
                bare=value if r.fields.get("bare") is True else _regex(r, "bare_value", required=False),
                zones=_zones(r),
                bare_zones=_zones(r, "bare_zones", default=tuple(_zones(r))), **_cases(r),
            ))
        elif kind == "line":
            header = r.id
        elif kind == "title":
            title = TitleRule(r.id, r.version, _text(r, "reason"), _regex(r, "column_tag"), _regex(r, "forbid"),
                              _int(r, "min_chars", 4), **_cases(r))
        else:
            raise RuleError(path, r.line, f"rule {r.id}: kind {kind!r} is not one of field, line, title")
    if header is None or title is None:
        raise RuleError(path, None, "needs one rule of kind `line` (header lines) and one of kind `title`")
    return tuple(fields), header, title


def read_lexicon(path: Path, rule: Rule) -> dict[str, tuple[float, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(path, None, f"cannot read word list of rule {rule.id}: {exc}") from None
    words = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) == 1 and "weight" in rule.fields:
            parts = [parts[0], str(rule.fields["weight"]), str(rule.fields.get("category", ""))]
        if len(parts) != 3:
            raise RuleError(path, n, "expected word<TAB>weight<TAB>category")
        try:
            weight = float(parts[1])
        except ValueError:
            raise RuleError(path, n, f"weight {parts[1]!r} is not a number") from None
        word = parts[0].strip()
        words[word.lower() if word.isascii() else word] = (weight, parts[2].strip())
    return words


def load_spam_rules(path: Path, rules_dir: Path):
    lexicons, domains, domain_rule, lines, inline, files = [], frozenset(), None, [], [], []
    for r in load_rules(path, required=("kind",)):
        kind = r.fields["kind"]
        cases = _cases(r)
        if kind in ("lexicon", "domains"):
            file = rules_dir / _text(r, "file")
            files.append(file)
            if kind == "lexicon":
                lexicons.append(Lexicon(r.id, r.version, read_lexicon(file, r), **cases))
            else:
                try:
                    text = file.read_text(encoding="utf-8")
                except OSError as exc:
                    raise RuleError(path, r.line, f"rule {r.id}: cannot read {file}: {exc}") from None
                domains = frozenset(d.strip().lower() for d in text.splitlines() if d.strip() and not d.startswith("#"))
                domain_rule = Lexicon(r.id, r.version, {}, **cases)
        elif kind == "line":
            lines.append(SpamLineRule(
                id=r.id, version=r.version, reason=_text(r, "reason"),
                min_weight=_float(r, "min_weight", 0.0), min_density=_float(r, "min_density", 0.0),
                max_sentence_marks=_int(r, "max_sentence_marks", None), min_segments=_int(r, "min_segments", 0),
                max_chars=_int(r, "max_chars", None), min_domains=_int(r, "min_domains", 0), **cases,
            ))
        elif kind == "inline":
            phrases = list(_strings(r, "phrases"))
            if "phrases_file" in r.fields:
                file = rules_dir / _text(r, "phrases_file")
                files.append(file)
                try:
                    phrases += [p.strip() for p in file.read_text(encoding="utf-8").splitlines()
                                if p.strip() and not p.startswith("#")]
                except OSError as exc:
                    raise RuleError(path, r.line, f"rule {r.id}: cannot read {file}: {exc}") from None
            if not phrases:
                raise RuleError(path, r.line, f"rule {r.id}: an inline rule needs `phrases` or `phrases_file`")
            inline.append(InlineRule(
                id=r.id, version=r.version, reason=_text(r, "reason"), phrases=tuple(phrases),
                prefixes=_strings(r, "prefixes"), suffixes=_strings(r, "suffixes"),
                require_suffix_for=frozenset(_strings(r, "require_suffix_for")),
                not_followed_by=_text(r, "not_followed_by", ""), unless_context=_strings(r, "unless_context"),
                absorb_before=_text(r, "absorb_before", ""), **cases,
            ))
        else:
            raise RuleError(path, r.line, f"rule {r.id}: kind {kind!r} is not one of lexicon, domains, line, inline")
    if domain_rule is None:
        raise RuleError(path, None, "needs one rule of kind `domains`")
    return tuple(lexicons), domains, domain_rule, tuple(lines), tuple(inline), tuple(files)


def load_spun_rules(path: Path) -> tuple[SpunRule, ...]:
    return tuple(
        SpunRule(r.id, r.version, _regex(r, "spun"), _regex(r, "standard"), **_cases(r))
        for r in load_rules(path, required=("spun", "standard"))
    )


def load_clean_rules(rules_dir: Path, lines: str, metadata: str, spam: str, spun: str) -> CleanRules:
    paths = [rules_dir / p for p in (lines, metadata, spam, spun)]
    view = load_view(paths[0])
    line_rules = load_line_rules(paths[0])
    fields, header, title = load_metadata_rules(paths[1])
    lexicons, domains, domain_rule, spam_lines, inline, extra = load_spam_rules(paths[2], rules_dir)
    spun_rules = load_spun_rules(paths[3])
    rules = CleanRules(view, line_rules, fields, header, title, lexicons, domains, domain_rule, spam_lines, inline,
                       spun_rules, tuple(paths) + extra)
    ids = [r.id for r in (*rules.lines, *rules.fields, rules.title, *rules.lexicons, rules.domain_rule,
                          *rules.spam_lines, *rules.inline, *rules.spun)] + [header]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RuleError(paths[0], None, f"rule id(s) used in more than one clean rule file: {', '.join(dupes)}")
    return rules
