"""Loading rule files (TOML, JSONL, word lists) against their declared schema.

Rules are data a linguist edits; a mistake there must point at `file:line`
(the line of the offending key, list item or table), not surface as a
traceback from deep inside a stage, nor be silently ignored: unknown keys,
wrong types, values out of bounds or not among the choices, regexes that do
not compile and duplicate ids are all `RuleError`s. All the errors of a file
are reported together. One comment syntax everywhere: `#`.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from pipeline.core.schema import (
    FRAGMENT, Field, JsonlFile, Kind, TomlFile, WordList, with_article,
)


class RuleError(ValueError):
    """A rule file is missing, malformed or inconsistent."""

    def __init__(self, path: Path, line: int | None, message: str):
        self.path = path
        self.line = line
        self.message = message
        self.errors: tuple[RuleError, ...] = (self,)
        super().__init__(f"{_where(path, line)}: {message}")


class RuleErrors(RuleError):
    """Several errors found in one file (or one stage's files), in file order."""

    def __init__(self, errors: list[RuleError]):
        first = errors[0]
        super().__init__(first.path, first.line, first.message)
        self.errors = tuple(errors)
        self.args = ("\n".join(str(e) for e in errors),)

    def __str__(self) -> str:
        return self.args[0]


def _where(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line else str(path)


def raise_all(errors: list[RuleError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise RuleErrors(errors)


@dataclass(frozen=True)
class Entry:
    """One loaded thing: a `[[rule]]`, a table, a JSONL object or a word-list line.

    `values` holds every field of its kind, typed (regexes compiled, lists as
    tuples) with defaults filled in; `line` is where it starts, `key_lines`
    and `item_lines` where each key and each list item is.
    """

    kind: str
    values: Mapping[str, Any]
    path: Path
    line: int
    key_lines: Mapping[str, int] = field(default_factory=dict)
    item_lines: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.values["id"]

    @property
    def version(self) -> int:
        return self.values["version"]

    @property
    def fields(self) -> Mapping[str, Any]:
        return self.values

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None else value

    def line_of(self, key: str, index: int | None = None) -> int:
        """The line of `key` (of its `index`th list item), else of the entry."""
        if index is not None:
            items = self.item_lines.get(key, ())
            if index < len(items):
                return items[index]
        return self.key_lines.get(key, self.line)

    def error(self, message: str, key: str | None = None, index: int | None = None) -> RuleError:
        """A RuleError at this entry (at `key`, its `index`th item), named as the entry."""
        return RuleError(self.path, self.line_of(key, index) if key else self.line, f"{self.label()}: {message}")

    def label(self) -> str:
        rule_id = self.values.get("id")
        return f"rule {rule_id}" if isinstance(rule_id, str) and rule_id else self.kind


@dataclass(frozen=True)
class LoadedToml:
    """A loaded TOML file: `[name]` tables and `[[name]]` arrays by section name."""

    path: Path
    tables: Mapping[str, Entry]
    arrays: Mapping[str, tuple[Entry, ...]]

    def entries(self) -> list[Entry]:
        return [*self.tables.values(), *(e for a in self.arrays.values() for e in a)]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_rule_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleError(path, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(path, None, f"cannot read: {exc}") from None


def load_toml(path: Path) -> dict[str, Any]:
    """The plain data of a TOML file (no schema); syntax errors with their line."""
    return _parse_toml(path, read_rule_text(path))


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise RuleError(path, int(m.group(1)) if m else None, f"invalid TOML: {exc}") from None


# --- TOML files ---------------------------------------------------------------------------------


def load_toml_file(
    path: Path,
    schema: TomlFile,
    fragments: Mapping[str, str] | Callable[[Mapping[str, Entry]], Mapping[str, str]] | None = None,
) -> LoadedToml:
    """Load and validate a TOML file against `schema`.

    Tables (`[name]`) load first; `fragments` (or what it returns given the
    tables, for word tables that become fragments) then expands `{NAME}` in
    the regexes of the arrays (`[[rule]]`), and a mapping given as such in the
    tables' regexes too. A table the file lacks loads with its defaults.
    """
    text = read_rule_text(path)
    data = _parse_toml(path, text)
    lines = toml_key_lines(text)
    errors: list[RuleError] = []
    for key in data:
        if key not in schema.sections:
            errors.append(RuleError(path, lines.get((key,)), _unknown(f"top-level key `{key}`", key, schema.sections)))
    tables: dict[str, Entry] = {}
    for name, section in schema.sections.items():
        if section.array:
            continue
        raw = data.get(name)
        if raw is None:
            if section.required:
                errors.append(RuleError(path, None, f"missing [{name}] table"))
                continue
            raw = {}
        if not isinstance(raw, dict):
            errors.append(RuleError(path, lines.get((name,)), f"`{name}` must be a table ([{name}])"))
            continue
        entry = _entry(section.kind, raw, path, lines, (name,), f"[{name}]",
                       None if callable(fragments) else fragments, errors)
        if entry is not None:
            tables[name] = entry
    raise_all(errors)
    frags = fragments(tables) if callable(fragments) else fragments
    arrays: dict[str, tuple[Entry, ...]] = {}
    for name, section in schema.sections.items():
        if not section.array:
            continue
        raw = data.get(name, [])
        if section.required and not raw:
            errors.append(RuleError(path, None, f"needs at least one [[{name}]] table"))
        if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
            errors.append(RuleError(path, lines.get((name,)), f"`{name}` must be an array of tables ([[{name}]])"))
            continue
        out = [_entry(section.kind, r, path, lines, (name, i), f"[[{name}]] #{i + 1}", frags, errors)
               for i, r in enumerate(raw)]
        arrays[name] = tuple(e for e in out if e is not None)
    errors.extend(_duplicates([e for a in arrays.values() for e in a if _is_rule(e)]))
    raise_all(errors)
    return LoadedToml(path, tables, arrays)


def _is_rule(entry: Entry) -> bool:
    return isinstance(entry.values.get("id"), str) and "version" in entry.values


def _entry(
    kind: Kind,
    raw: Mapping[str, Any],
    path: Path,
    lines: Mapping[tuple, int],
    base: tuple,
    label: str,
    fragments: Mapping[str, str] | None,
    errors: list[RuleError],
    entry_line: int | None = None,
) -> Entry | None:
    """Validate one entry of `kind`; its errors go to `errors` (None is returned then)."""
    line = entry_line if entry_line is not None else lines.get(base, 0)
    key_lines = {k: lines.get((*base, k), line) for k in raw}
    item_lines = {}
    for k, v in raw.items():
        if isinstance(v, list):
            item_lines[k] = tuple(lines.get((*base, k, i), key_lines[k]) for i in range(len(v)))
    rule_id = raw.get("id")
    if kind.rule and isinstance(rule_id, str) and rule_id and not re.match(r"\[\w", label):
        label = f"rule {rule_id}"  # a [[rule]] or JSONL rule is named by its id; a [table] by its name
    before = len(errors)

    def fail(message: str, key: str | None = None, index: int | None = None) -> None:
        at = line
        if key is not None:
            at = key_lines.get(key, line)
            if index is not None and index < len(item_lines.get(key, ())):
                at = item_lines[key][index]
        errors.append(RuleError(path, at, f"{label}: {message}"))

    if kind.variants:
        choice = raw.get(kind.discriminator)
        if not isinstance(choice, str) or choice not in kind.variants:  # a list is not hashable
            where = kind.discriminator if kind.discriminator in raw else None
            fail(f"`{kind.discriminator}` {_not_one_of(choice, tuple(kind.variants))}", where)
            return None
        kind = kind.variants[choice]

    values: dict[str, Any] = {}
    if kind.values is not None:  # a word table: any keys
        for k, v in raw.items():
            if kind.keys and not re.fullmatch(kind.keys, k):
                fail(f"key {k!r} does not match {kind.keys}", k)
                continue
            try:
                values[k] = _convert(kind.values, v, fragments)
            except _Invalid as exc:
                fail(f"`{k}` {exc.message}", k, exc.index)
    else:
        fields = kind.all_fields()
        for k in raw:
            if k not in fields:
                fail(_unknown(f"unknown key `{k}`", k, fields), k)
        missing = [k for k, f in fields.items() if f.required and k not in raw]
        if missing:
            fail("missing " + ", ".join(f"`{k}`" for k in missing))
        for k, f in fields.items():
            if k not in raw:
                values[k] = f.default
                continue
            try:
                values[k] = _convert(f, raw[k], fragments)
            except _Invalid as exc:
                fail(f"`{k}` {exc.message}", k, exc.index)
    if len(errors) == before:
        for check in kind.checks:
            problem = check(values)
            if problem:
                key, message = problem if isinstance(problem, tuple) else (None, problem)
                fail(message, key)
    if len(errors) > before:
        return None
    return Entry(kind.name, values, path, line, key_lines, item_lines)


class _Invalid(ValueError):
    def __init__(self, message: str, index: int | None = None):
        super().__init__(message)
        self.message = message
        self.index = index


def _show(value: Any) -> str:
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)
    text = json.dumps(value, ensure_ascii=False, default=str)
    return f"{kind} {text if len(text) <= 40 else text[:37] + '...'}"


def _not_one_of(value: Any, choices: tuple[str, ...]) -> str:
    hint = ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value, choices, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{value!r} is not one of {', '.join(repr(c) for c in choices)}{hint}"


def _unknown(message: str, key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    if close:
        return f"{message} (did you mean `{close[0]}`?)"
    return f"{message}; known: {', '.join(known) or 'none'}"


def _convert(f: Field, value: Any, fragments: Mapping[str, str] | None) -> Any:
    """The typed value of `value` as field `f`, or _Invalid saying what is wrong."""
    t = f.type

    def wrong() -> _Invalid:
        return _Invalid(f"must be {with_article(f.describe())}, got {_show(value)}")
    if t in ("str", "chars", "regex"):
        if not isinstance(value, str):
            raise wrong()
        if f.minimum and len(value) < f.minimum or t == "regex" and not value:
            raise _Invalid("must not be empty")
        if f.length is not None and len(value) != f.length:
            raise _Invalid(f"must be {f.length} character{'s' if f.length != 1 else ''}, got {value!r}")
        if f.match is not None and not re.fullmatch(f.match, value):
            raise _Invalid(f"{value!r} does not match {f.match}")
        if t == "regex":
            # A field that takes fragments always expands them: an unknown `{NAME}` is an error, never a literal.
            value = compile_regex(value, (fragments or {}) if f.fragments else None, f.groups)
    elif t == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise wrong()
        _bounds(f, value)
    elif t == "float":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise wrong()
        _bounds(f, value)  # an integer stays one: values are used as written (Decimal(str(1)) is 1, not 1.0)
    elif t == "bool":
        if not isinstance(value, bool):
            raise wrong()
    elif t == "enum":
        if not isinstance(value, str) or value not in f.choices:
            raise _Invalid(_not_one_of(value, f.choices))
    elif t == "list":
        if not isinstance(value, list):
            raise wrong()
        if f.minimum and len(value) < f.minimum:
            raise _Invalid("must not be empty")
        out = []
        for i, item in enumerate(value):
            try:
                out.append(_convert(f.item, item, fragments) if f.item else item)
            except _Invalid as exc:
                raise _Invalid(f"item {i + 1}: {exc.message}", i) from None
        value = tuple(out)
    elif t == "table":
        if not isinstance(value, dict):
            raise wrong()
        if f.minimum and len(value) < f.minimum:
            raise _Invalid("must not be empty")
        out = {}
        for k, item in value.items():
            if f.keys and not re.fullmatch(f.keys, k):
                raise _Invalid(f"key {k!r} does not match {f.keys}")
            try:
                out[k] = _convert(f.item, item, fragments) if f.item else item
            except _Invalid as exc:
                raise _Invalid(f"{k!r}: {exc.message}") from None
        value = out
    if f.check is not None:
        problem = f.check(value)
        if problem:
            raise _Invalid(problem)
    return value


def _bounds(f: Field, value: float) -> None:
    if f.above is not None and not value > f.above:
        raise _Invalid(f"must be > {f.above:g}, got {value:g}")
    if f.minimum is not None and value < f.minimum:
        raise _Invalid(f"must be >= {f.minimum:g}, got {value:g}")
    if f.maximum is not None and value > f.maximum:
        raise _Invalid(f"must be <= {f.maximum:g}, got {value:g}")


def expand_fragments(pattern: str, fragments: Mapping[str, str]) -> str:
    """Replace `{NAME}` placeholders, recursively (a fragment may use others); ValueError if unknown."""
    for _ in range(10):
        def sub(m: re.Match) -> str:
            if m.group(1) not in fragments:
                raise ValueError(f"unknown fragment {{{m.group(1)}}}; known: {', '.join(sorted(fragments))}")
            return fragments[m.group(1)]
        new = FRAGMENT.sub(sub, pattern)
        if new == pattern:
            return new
        pattern = new
    raise ValueError("fragments nest too deep")


def compile_regex(source: str, fragments: Mapping[str, str] | None = None, groups: tuple[str, ...] = ()) -> re.Pattern:
    """Compile a rule's regex (expanding fragments first); _Invalid with the reason when it cannot be."""
    if fragments is not None:
        try:
            source = expand_fragments(source, fragments)
        except ValueError as exc:
            raise _Invalid(str(exc)) from None
    try:
        regex = re.compile(source)
    except re.error as exc:
        raise _Invalid(f"does not compile: {exc}") from None
    blowup = catastrophic_repeat(source)
    if blowup:
        raise _Invalid(f"can take exponential time (catastrophic backtracking): {blowup}; make the inner "
                       "repeat possessive (x++) or atomic ((?>...)), or bound it")
    missing = [g for g in groups if g not in regex.groupindex]
    if missing:
        raise _Invalid(f"needs the named group(s) {', '.join(missing)}")
    return regex


def catastrophic_repeat(source: str) -> str | None:
    """Where a pattern repeats, without bound, something that can match the same text in many ways.

    Two shapes (issue 22): an unbounded repeat whose body is, apart from an inner unbounded repeat,
    optional (`(?:[0-9]+)+`, `(?:a*b?)*`): a run splits between the two repeats in exponentially many
    ways; and an unbounded repeat of alternatives two of which start with the same character
    (`(a|a)*`, `(?:ab|a)+`). Possessive repeats and atomic groups do not backtrack, so are allowed.
    A static check: it names the common shapes, not every slow pattern. None when none is found.
    """
    parser = re._parser  # type: ignore[attr-defined]
    tree = parser.parse(source)
    return _walk_repeats(list(tree), tree.state)


def _walk_repeats(items: list, state) -> str | None:
    c = re._constants  # type: ignore[attr-defined]
    for op, av in items:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            lo, hi, body = av
            body = list(body)
            if hi == c.MAXREPEAT:
                why = _ambiguous_body(body, state)
                if why:
                    return why
            found = _walk_repeats(body, state)
        elif op in (c.SUBPATTERN,):
            found = _walk_repeats(list(av[-1]), state)
        elif op == c.BRANCH:
            found = next((w for b in av[1] if (w := _walk_repeats(list(b), state))), None)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            found = _walk_repeats(list(av[1]), state)
        else:  # literals, classes, possessive repeats and atomic groups (they do not backtrack)
            found = None
        if found:
            return found
    return None


def _min_width(items: list, state) -> int:
    return re._parser.SubPattern(state, items).getwidth()[0]  # type: ignore[attr-defined]


def _inner_unbounded(items: list) -> bool:
    """Whether `items` hold a backtracking repeat without bound (not inside an atomic group)."""
    c = re._constants  # type: ignore[attr-defined]
    for op, av in items:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and (av[1] == c.MAXREPEAT or _inner_unbounded(list(av[2]))):
            return True
        if op == c.SUBPATTERN and _inner_unbounded(list(av[-1])):
            return True
        if op == c.BRANCH and any(_inner_unbounded(list(b)) for b in av[1]):
            return True
    return False


def _first_chars(items: list) -> set | None:
    """Characters a sequence may start with (more, not fewer); None when not simply known (assertions...)."""
    c = re._constants  # type: ignore[attr-defined]
    if not items:
        return None
    op, av = items[0]
    if op == c.LITERAL:
        return {av}
    if op == c.IN and all(o == c.LITERAL for o, _ in av):
        return {v for _, v in av}
    if op == c.SUBPATTERN:
        return _first_chars(list(av[-1]))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        return _first_chars(list(av[2]))
    return None


def _overlapping_branch(items: list, state) -> bool:
    """Whether a choice in `items` (outside atomic groups) has two alternatives that can match alike."""
    c = re._constants  # type: ignore[attr-defined]
    for op, av in items:
        if op == c.BRANCH:
            alts = [list(b) for b in av[1]]
            if sum(_min_width(b, state) == 0 for b in alts) > 1:
                return True  # (a|a)* is parsed as a(?:|)
            firsts = [_first_chars(b) for b in alts]
            if any(x is not None and y is not None and x & y for x, y in itertools.combinations(firsts, 2)):
                return True
            if any(_overlapping_branch(b, state) for b in alts):
                return True
        elif op == c.SUBPATTERN and _overlapping_branch(list(av[-1]), state):
            return True
    return False


def _ambiguous_body(body: list, state) -> str | None:
    c = re._constants  # type: ignore[attr-defined]
    while len(body) == 1 and body[0][0] == c.SUBPATTERN:
        body = list(body[0][1][-1])
    if len(body) == 1 and body[0][0] == c.BRANCH:
        for branch in body[0][1][1]:
            if (why := _ambiguous_body(list(branch), state)):
                return why
    else:
        for i, item in enumerate(body):
            if _inner_unbounded([item]) and _min_width(body[:i] + body[i + 1:], state) == 0:
                return "an unbounded repeat inside an unbounded repeat"
    if _overlapping_branch(body, state):
        return "an unbounded repeat of alternatives that can match the same text"
    return None


def _duplicates(entries: Iterable[Entry], seen: dict[str, Entry] | None = None) -> list[RuleError]:
    seen = {} if seen is None else seen
    errors = []
    for e in entries:
        first = seen.get(e.id)
        if first is not None:
            where = f"line {first.line}" if first.path == e.path else f"{first.path.name}:{first.line}"
            errors.append(RuleError(e.path, e.line_of("id"), f"duplicate rule id {e.id!r} (first at {where})"))
        else:
            seen[e.id] = e
    return errors


def check_unique_ids(entries: Iterable[Entry]) -> None:
    """Rule ids must be unique across the files of a stage (each file is checked on loading)."""
    raise_all(_duplicates(e for e in entries if _is_rule(e)))


# --- JSONL files and word lists --------------------------------------------------------------------


def load_jsonl_file(path: Path, schema: JsonlFile) -> tuple[Entry, ...]:
    """One `schema.kind` object a line; blank lines and `#` lines are skipped; ids unique in the file."""
    errors: list[RuleError] = []
    out = []
    for number, line in enumerate(read_rule_text(path).splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("//"):
            errors.append(RuleError(path, number, "comments start with `#` (not `//`)"))
            continue
        try:
            value = json.loads(stripped)
        except json.JSONDecodeError as exc:
            errors.append(RuleError(path, number, f"invalid JSON: {exc.msg} (column {exc.colno})"))
            continue
        if not isinstance(value, dict):
            errors.append(RuleError(path, number, "each line must be a JSON object"))
            continue
        entry = _entry(schema.kind, value, path, {}, (), schema.kind.name, None, errors, entry_line=number)
        if entry is not None:
            out.append(entry)
    errors.extend(_duplicates(e for e in out if _is_rule(e)))
    raise_all(errors)
    return tuple(out)


_COMMENT = re.compile(r"(?:^|\s)#.*$")


def load_word_list(path: Path, schema: WordList, defaults: Mapping[str, Any] | None = None) -> tuple[Entry, ...]:
    """One entry a line, its columns by name; `#` (at the start or after a space) starts a comment.

    `defaults` give values for optional columns a line leaves out (a
    lexicon's weight given by its rule).
    """
    fields = schema.kind.all_fields()
    errors: list[RuleError] = []
    out = []
    for number, line in enumerate(read_rule_text(path).splitlines(), 1):
        line = _COMMENT.sub("", line).strip()
        if not line:
            continue
        parts = [line] if schema.separator == "" else [p.strip() for p in line.split(schema.separator)]
        values = dict(defaults or {})
        problem = _columns(schema.columns, fields, parts, values)
        if problem:
            errors.append(RuleError(path, number, problem))
            continue
        for k, f in fields.items():
            values.setdefault(k, f.default)
        out.append(Entry(schema.kind.name, values, path, number))
    raise_all(errors)
    return tuple(out)


def _columns(columns: tuple[str, ...], fields: Mapping[str, Field], parts: list[str], values: dict) -> str | None:
    """Fill `values` from a line's parts; what is wrong with the line, or None."""
    pending = list(parts)
    for name in columns:
        f = fields[name]
        if not pending:
            if f.required and name not in values:
                return f"missing {name}; expected {' '.join(columns)}"
            continue
        raw: Any = pending[0]
        if f.type == "str" and raw and f.match is None and f.length is None and f.check is None:
            values[name] = raw  # the common case, kept fast: lists run to tens of thousands of lines
            pending.pop(0)
            continue
        if f.type == "int":
            raw = int(raw) if raw.isdigit() else raw
        elif f.type == "float":
            try:
                raw = float(raw)
            except ValueError:
                pass
        try:
            values[name] = _convert(f, raw, None)
            pending.pop(0)
        except _Invalid as exc:
            if f.required:
                return f"{name} {exc.message}"
    if pending:
        optional = [c for c in columns if not fields[c].required]
        return f"{pending[0]!r} is not a valid {' or '.join(optional) or 'column'}; expected {' '.join(columns)}"
    return None


# --- Lines of keys in TOML source ------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key_lines(text: str) -> dict[tuple, int]:
    """The line of every table, key and (multi-line) array item in TOML source.

    Paths: `("extractor",)` for `[extractor]`, `("rule", 2)` for the third
    `[[rule]]`, `("rule", 2, "pattern")` for a key in it and `("rule", 2,
    "examples", 0)` for the first item of its `examples` array. tomllib gives
    no positions, so the source is scanned here: strings, comments and
    brackets are tracked, values are not parsed.
    """
    lines: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}
    table: tuple = ()
    line, i, n = 1, 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c in " \t\r":
            i += 1
        elif c == "#":
            i = _eol(text, i)
        elif c == "[":
            array = text.startswith("[[", i)
            j = i + (2 if array else 1)
            keys, j = _read_key(text, j)
            table = tuple(keys)
            if array:
                index = counts.get(table, 0)
                counts[table] = index + 1
                lines.setdefault(table, line)
                table = (*table, index)
            lines[table] = line
            i = _eol(text, j)
        else:
            keys, j = _read_key(text, i)
            if not keys or j >= n or text[j] != "=":
                i = _eol(text, i)  # not TOML we understand: tomllib has accepted it, skip the line
                continue
            path = (*table, *keys)
            lines[path] = line
            i, line = _skip_value(text, j + 1, line, path, lines)
    return lines


def _eol(text: str, i: int) -> int:
    j = text.find("\n", i)
    return len(text) if j < 0 else j


def _read_key(text: str, i: int) -> tuple[list[str], int]:
    """A dotted key starting at i (spaces allowed around dots); the index after it and its spaces."""
    keys = []
    n = len(text)
    while i < n:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] in "\"'":
            end = _string_end(text, i)
            raw = text[i:end]
            keys.append(json.loads(raw) if raw[0] == '"' else raw[1:-1])
            i = end
        else:
            m = _BARE_KEY.match(text, i)
            if not m:
                break
            keys.append(m.group())
            i = m.end()
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == ".":
            i += 1
            continue
        break
    return keys, i


def _string_end(text: str, i: int) -> int:
    """The index just past the string starting at i (basic, literal or multi-line)."""
    q = text[i]
    if text.startswith(q * 3, i):
        end = text.find(q * 3, i + 3)
        end = len(text) if end < 0 else end + 3
        while end < len(text) and text[end] == q:  # `""""` ends with the last three quotes
            end += 1
        return end
    j = i + 1
    while j < len(text) and text[j] != q and text[j] != "\n":
        j += 2 if q == '"' and text[j] == "\\" else 1
    return j + 1


def _skip_value(text: str, i: int, line: int, path: tuple, lines: dict[tuple, int]) -> tuple[int, int]:
    """Skip the value after `=`; record the lines of the items of a top-level array. Returns (index, line)."""
    stack: list[str] = []
    item, expect = 0, False
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            if not stack:
                return i, line
            line += 1
            i += 1
            continue
        if c == "#":
            i = _eol(text, i)
            continue
        if c in " \t\r":
            i += 1
            continue
        top_array = stack == ["["]
        if top_array and expect and c not in ",]":
            lines[(*path, item)] = line
            expect = False
        if c in "\"'":
            end = _string_end(text, i)
            line += text.count("\n", i, end)
            i = end
            continue
        if c in "[{":
            stack.append(c)
            if stack == ["["]:
                expect = True
        elif c in "]}":
            if stack:
                stack.pop()
            if not stack:
                return _eol(text, i), line
        elif c == "," and top_array:
            item += 1
            expect = True
        i += 1
    return i, line


# --- Stage settings ------------------------------------------------------------------------------------


def validate_settings(kind: Kind, table: str, settings: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """A stage's settings (`[stages.NAME]` of pipeline.toml) checked against `kind`, defaults filled in.

    The values are returned as written (not converted: they are part of the
    stage's fingerprint); errors point at their line in `path` when it has them.
    """
    try:
        lines = toml_key_lines(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        lines = {}
    base = tuple(table.split("."))
    errors: list[RuleError] = []
    _entry(kind, dict(settings), path, lines, base, f"[{table}]", None, errors,
           entry_line=lines.get(base))
    for e in errors:  # `unknown key` reads better as `unknown setting` here
        e.message = e.message.replace("unknown key", "unknown setting")
        e.args = (f"{_where(e.path, e.line)}: {e.message}",)
    raise_all(errors)
    return {**kind.defaults(), **settings}
