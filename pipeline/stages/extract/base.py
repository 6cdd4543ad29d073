"""What every rule extractor shares: its rule file, fingerprint, and running its rules."""

from __future__ import annotations

import bisect
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, ClassVar, Mapping

from pipeline.stages.extract import numerals
from pipeline.stages.extract.numerals import NO_APPROX, ApproxWords
from pipeline.stages.extract.rulefile import CompiledRule, compiled, file_schema
from pipeline.core.rules import Entry, compile_regex, file_sha256, load_toml_file
from pipeline.core.schema import Field, Section


# A normaliser may start the fact later than its match (a word the pattern needed, outside the fact):
# it returns the new start under this key, which find() takes out of the value.
START_KEY = "_start"


@dataclass(frozen=True)
class Candidate:
    """A match an extractor proposes, before the overlap policy decides."""

    type: str
    start: int
    end: int
    value: Mapping[str, Any]
    rule_id: str
    rule_version: int
    confidence: float


@dataclass(frozen=True)
class Context:
    """What normalisers may look at besides the match: the text, tokens, the article's date."""

    text: str
    published: datetime | None = None
    tokens: tuple = ()
    # The currency a bare 元 means in this document (HKD in a Hong Kong article), None: CNY.
    local_currency: str | None = None

    @staticmethod
    def build(text: str, published: datetime | None, tokens: tuple, local_currency: str | None = None) -> Context:
        return Context(text, published, tokens, local_currency)

    def token_at(self, start: int):
        """The token starting exactly at `start`, or None (tokens are in text order; speed: searched
        by key, not through a list of every token's start built per document)."""
        i = bisect.bisect_left(self.tokens, start, key=_token_start)
        if i < len(self.tokens) and self.tokens[i].start == start:
            return i
        return None

    def token_containing(self, offset: int):
        """The token holding the character at `offset`, or None."""
        i = bisect.bisect_right(self.tokens, offset, key=_token_start) - 1
        if i >= 0 and offset < self.tokens[i].end:
            return i
        return None


def _token_start(token) -> int:
    return token.start


Normaliser = Callable[[Any, "CompiledRule", Context], Mapping[str, Any] | None]


class Extractor:
    """One fact type's extractor: rules from one file, a normaliser per rule.

    Subclasses set `name` (= the fact type), `code_version` (bump when a
    normaliser's behaviour changes), `fragments()` (the pattern fragments built
    from the file's word tables) and `normalisers` (name -> method taking the
    match, the rule and the context, returning the value or None to reject).
    """

    name: ClassVar[str]
    code_version: ClassVar[int]
    normaliser_names: ClassVar[tuple[str, ...]]
    # The word tables of its rule file ([currencies], [units] ...), its rules' own fields
    # (beyond pattern, normaliser, confidence, examples) and its header's.
    tables: ClassVar[Mapping[str, Section]] = {}
    rule_fields: ClassVar[Mapping[str, Field]] = {}
    header_fields: ClassVar[Mapping[str, Field]] = {}
    # Checks of a whole rule (its typed values): what is wrong with it, or None.
    rule_checks: ClassVar[tuple] = ()

    @classmethod
    def schema(cls):
        return file_schema(cls.name, cls.normaliser_names, cls.tables, cls.rule_fields, cls.header_fields,
                           cls.rule_checks)

    def __init__(self, path: Path, approx: ApproxWords = NO_APPROX, approx_path: Path | None = None,
                 region_path: Path | None = None):
        self.path = path
        # The region rules decide what a bare 元 is (rules/extract/region.toml): part of the fingerprint.
        self.region_path = region_path
        # Approximation words (rules/extract/approx.toml), shared by every extractor.
        self.approx = approx
        self.approx_path = approx_path
        fragments: dict[str, str] = {}

        def read_tables(tables: Mapping[str, Entry]) -> dict[str, str]:
            values = {name: entry.values for name, entry in tables.items()}
            self.setup(values)
            fragments.update({**numerals.fragments(approx), **self.fragments(values), **values["fragments"]})
            return fragments

        loaded = load_toml_file(path, self.schema(), fragments=read_tables)
        header = loaded.tables["extractor"]
        self.file_version = header["version"]
        self.rules: tuple[CompiledRule, ...] = tuple(compiled(e) for e in loaded.arrays["rule"])
        # Speed: rules only run near a `trigger` (something every match contains), within `window`
        # characters of it; text without a trigger is not scanned by each rule in turn.
        self.window = header["window"]
        self.trigger = None
        if header["trigger"]:
            try:
                self.trigger = compile_regex(header["trigger"], fragments)
            except ValueError as exc:  # the loader's reason, at the trigger's line
                raise header.error(f"`trigger` {exc}", "trigger") from None

    def setup(self, tables: Mapping[str, Mapping[str, Any]]) -> None:
        """Read the word tables (override): their loaded values by table name."""

    def fragments(self, tables: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
        return {}

    def fingerprint(self) -> str:
        """Changes exactly when this extractor's output may change."""
        blob = json.dumps({
            "name": self.name,
            "code_version": self.code_version,
            "file_version": self.file_version,
            "numerals": numerals.VERSION,
            "rules": file_sha256(self.path),
            "approx": file_sha256(self.approx_path) if self.approx_path else None,
            "region": file_sha256(self.region_path) if self.region_path else None,
        }, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def describe(self) -> dict[str, Any]:
        return {"version": self.file_version, "code_version": self.code_version, "rule_file": self.path.name,
                "fingerprint": self.fingerprint(), "rules": len(self.rules)}

    def windows(self, text: str) -> list[tuple[int, int]]:
        """Stretches of text worth scanning: around each trigger, merged; all of it without a trigger."""
        if self.trigger is None:
            return [(0, len(text))]
        out: list[tuple[int, int]] = []
        w = self.window
        for m in self.trigger.finditer(text):
            s, e = max(0, m.start() - w), min(len(text), m.end() + w)
            if out and s <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
        return out

    def matches(self, rule: CompiledRule, text: str, windows: list[tuple[int, int]]):
        """The rule's matches in the windows (lookbehinds see before a window; lookaheads a little past it)."""
        n = len(text)
        for s, e in windows:
            for m in rule.regex.finditer(text, s, min(n, e + 10)):
                if m.start() >= e:
                    break
                yield m

    def find(self, ctx: Context) -> list[Candidate]:
        out = []
        text = ctx.text
        windows = self.windows(text)
        for rule in self.rules:
            if rule.anchor is not None and not rule.anchor.search(text):
                continue
            normalise = getattr(self, "normalise_" + rule.normaliser)
            for m in self.matches(rule, text, windows):
                if m.end() == m.start():
                    continue
                value = normalise(m, rule, ctx)
                if value is None:
                    continue
                start, end = self.span(m)
                if START_KEY in value:
                    value = dict(value)
                    start = value.pop(START_KEY)
                out.append(Candidate(self.name, start, end, value, rule.id, rule.version, rule.confidence))
        return out

    @staticmethod
    def span(m) -> tuple[int, int]:
        """The fact's span: the `fact` group when a rule has one (context outside it), else the match."""
        if "fact" in m.re.groupindex and m.start("fact") >= 0:
            return m.start("fact"), m.end("fact")
        return m.start(), m.end()
