"""Declaring what a rule file may hold: fields, rule kinds and file layouts.

A `Field` says what one key's value may be (a string, a set of characters, a
regex, a bounded number, a choice of strings, a list or table of those). A
`Kind` is the set of fields of one thing a linguist writes: one `[[rule]]`
entry, one JSONL object, one top-level table (`[extractor]`, `[currencies]`),
one line of a word list. A file layout (`TomlFile`, `JsonlFile`, `WordList`)
says which kinds a file holds and where. `pipeline.core.rules` loads files
against these declarations; nothing here reads files.

Every kind has a name and a one-line description and every field a short doc
string: the README's rule-kind reference is generated from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Mapping

# Stable dotted rule ids: `clean.nav.breadcrumb_label`, `money.amount`.
RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
# `{NAME}` in a pattern stands for a named fragment (upper case, so `{2}` and
# `{1,3}` stay quantifiers).
FRAGMENT = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")

TYPES = ("str", "chars", "regex", "int", "float", "bool", "enum", "list", "table", "any")
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Field:
    """What one key's value may be. Build them with the functions below."""

    type: str
    doc: str = ""
    required: bool = False
    default: Any = None
    minimum: float | None = None  # numbers: lowest allowed value; lists and strings: shortest length
    maximum: float | None = None
    above: float | None = None  # numbers: must be greater than this
    choices: tuple[str, ...] = ()  # enum
    item: Field | None = None  # list items, table values
    keys: str | None = None  # tables: regex every key must match
    length: int | None = None  # str: exact length in characters (e.g. 1 for single characters)
    fragments: bool = False  # regex: `{NAME}` placeholders are replaced by named fragments
    groups: tuple[str, ...] = ()  # regex: named groups it must have
    match: str | None = None  # str: regex the whole value must match (ids, codes, tags)
    # Further validation: returns what is wrong with a (typed) value, or None.
    check: Callable[[Any], str | None] | None = None

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"unknown field type {self.type!r}")

    def describe(self) -> str:
        """The value's type in words, for messages and the rule-kind reference."""
        if self.type == "enum":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.type in ("list", "table") and self.item is not None:
            return f"{'list' if self.type == 'list' else 'table'}, each {with_article(self.item.describe())}"
        words = {"str": "string", "chars": "string of characters", "regex": "regular expression",
                 "int": "integer", "float": "number", "bool": "true or false", "any": "value"}
        text = words.get(self.type, self.type)
        if self.type == "regex" and self.fragments:
            text += " ({NAME} fragments allowed)"
        if self.type == "str" and self.length == 1:
            text = "single character"
        bounds = []
        if self.above is not None:
            bounds.append(f"> {self.above:g}")
        if self.minimum is not None and self.type in ("int", "float"):
            bounds.append(f">= {self.minimum:g}")
        if self.maximum is not None and self.type in ("int", "float"):
            bounds.append(f"<= {self.maximum:g}")
        return text + (" " + " and ".join(bounds) if bounds else "")


def with_article(text: str) -> str:
    """`a string`, `an integer`, `one of ...` as is."""
    return text if text.startswith(("one of", "true")) else ("an " if text[0] in "aeiou" else "a ") + text


def String(doc: str, *, required: bool = False, default: str | None = None, non_empty: bool = True,
           length: int | None = None, match: str | None = None, check=None) -> Field:
    """A string (non-empty unless `non_empty=False`)."""
    return Field("str", doc, required, default, minimum=1 if non_empty else None, length=length, match=match,
                 check=check)


def Chars(doc: str, *, required: bool = False, default: str = "") -> Field:
    """A string read as a set of characters (`not_followed_by = "尔爾"`)."""
    return Field("chars", doc, required, default)


def Regex(doc: str, *, required: bool = False, fragments: bool = False, groups: tuple[str, ...] = ()) -> Field:
    """A regular expression; loaded compiled (`re.Pattern`), so one that does not compile is a rule error."""
    return Field("regex", doc, required, None, fragments=fragments, groups=groups)


def Int(doc: str, *, required: bool = False, default: int | None = None, minimum: int | None = None,
        maximum: int | None = None) -> Field:
    return Field("int", doc, required, default, minimum=minimum, maximum=maximum)


def Float(doc: str, *, required: bool = False, default: float | None = None, minimum: float | None = None,
          maximum: float | None = None, above: float | None = None) -> Field:
    """A number (an integer is accepted and read as a float)."""
    return Field("float", doc, required, default, minimum=minimum, maximum=maximum, above=above)


def Bool(doc: str, *, required: bool = False, default: bool | None = None) -> Field:
    return Field("bool", doc, required, default)


def Enum(choices: tuple[str, ...] | list[str], doc: str, *, required: bool = False, default: str | None = None) -> Field:
    return Field("enum", doc, required, default, choices=tuple(choices))


def ListOf(item: Field, doc: str, *, required: bool = False, default: Any = (), non_empty: bool = False,
           check=None) -> Field:
    """A list of `item`s; loaded as a tuple."""
    return Field("list", doc, required, default, item=item, minimum=1 if non_empty else None, check=check)


def TableOf(item: Field, doc: str, *, required: bool = False, keys: str | None = None, non_empty: bool = False,
            check=None) -> Field:
    """A table (inline or not) of any keys (matching `keys`) to `item`s; loaded as a dict."""
    return Field("table", doc, required, None, item=item, keys=keys, minimum=1 if non_empty else None, check=check)


def Value(doc: str, *, required: bool = False, default: Any = None, check=None) -> Field:
    """Any TOML/JSON value, validated by `check` only (spaCy token patterns, examples)."""
    return Field("any", doc, required, default, check=check)


def Cases(doc: str, check=None) -> Field:
    """`examples` / `counterexamples`: a list of cases; `check` says what is wrong with one."""
    return ListOf(Value("one case", check=check), doc)


@dataclass(frozen=True)
class Kind:
    """The fields of one thing a rule file holds.

    `rule=True` adds `id` (dotted lowercase) and `version` (integer >= 1), and
    ids of such kinds must be unique across the files of a stage. A kind with
    `values` is a word table: any keys (matching `keys`), each value a `values`.
    `variants` split a kind by the value of its field `discriminator` (a clean
    metadata rule is a `field`, `line` or `title` rule, each with its fields).
    `checks` look at a whole entry (a dict of its typed values) and return
    what is wrong with it, or None.
    """

    name: str
    doc: str
    fields: Mapping[str, Field] = field(default_factory=dict)
    rule: bool = False
    values: Field | None = None
    keys: str | None = None
    discriminator: str | None = None
    variants: Mapping[str, Kind] = field(default_factory=dict)
    checks: tuple[Callable[[Mapping[str, Any]], str | None], ...] = ()

    def all_fields(self) -> dict[str, Field]:
        base = {}
        if self.rule:
            base = {"id": String("stable dotted id, e.g. 'clean.nav.menu'", required=True,
                                 check=lambda v: None if RULE_ID.match(v) else
                                 f"{v!r} must be dotted lowercase, e.g. 'convert.fixup.zhuoli'"),
                    "version": Int("bump when the rule's meaning changes", required=True, minimum=1)}
        return {**base, **self.fields}

    def defaults(self) -> dict[str, Any]:
        """Default values of the optional fields (stage settings use these)."""
        return {k: f.default for k, f in self.all_fields().items() if not f.required}


@dataclass(frozen=True)
class Section:
    """Where a kind sits in a TOML file: `[name]` (one table) or `[[name]]` (an array of tables)."""

    kind: Kind
    array: bool = False
    required: bool = False


@dataclass(frozen=True)
class TomlFile:
    """A TOML rule file: its top-level sections; any other top-level key is an error."""

    name: str
    doc: str
    sections: Mapping[str, Section]


@dataclass(frozen=True)
class JsonlFile:
    """A JSONL rule file: one object of `kind` a line; `#` lines are comments."""

    name: str
    doc: str
    kind: Kind


@dataclass(frozen=True)
class WordList:
    """A plain-text list: one entry a line, `#` starts a comment.

    Columns are split at `separator` (a tab; None: any whitespace; "": the
    whole line is one column). The first column is required; an optional
    column whose field does not accept a value is skipped, so `word [freq]
    [tag]` reads `科学仪器 n` as a word and a tag.
    """

    name: str
    doc: str
    kind: Kind
    columns: tuple[str, ...]
    separator: str | None = "\t"
