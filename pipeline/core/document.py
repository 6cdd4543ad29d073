"""The data model: documents, the edits stages make to them, and facts.

Text only changes through edits. Each text-changing step appends a `Layer`
holding its edits in the coordinates of that step's input, so any span of the
current text can be traced back to the decoded original (see `offsets`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Mapping

from pipeline.core import offsets

# Round trips converge in one or two steps on real edits; the cap only bounds
# pathological stacks of overlapping layers.
_MAX_ROUND_TRIPS = 16


@dataclass(frozen=True)
class Edit:
    """Replace `text[start:end]` with `replacement`; coordinates of the step's input."""

    start: int
    end: int
    replacement: str
    rule_id: str


@dataclass(frozen=True)
class Layer:
    """The edits one step of a stage made, sorted and non-overlapping."""

    stage: str
    edits: tuple[Edit, ...]
    input_length: int

    @cached_property
    def _forward(self) -> offsets.SpanMap:
        return offsets.SpanMap.from_edits(self.edits)

    @cached_property
    def _backward(self) -> offsets.SpanMap:
        return self._forward.inverse()

    def to_input(self, start: int, end: int) -> tuple[int, int]:
        return self._backward.map(start, end)

    def to_output(self, start: int, end: int) -> tuple[int, int]:
        return self._forward.map(start, end)


def apply_edits(text: str, edits: tuple[Edit, ...] | list[Edit]) -> str:
    """Apply sorted, non-overlapping edits to `text`."""
    parts = []
    pos = 0
    for e in edits:
        parts.append(text[pos : e.start])
        parts.append(e.replacement)
        pos = e.end
    parts.append(text[pos:])
    return "".join(parts)


def check_edits(text: str, edits: list[Edit] | tuple[Edit, ...]) -> tuple[Edit, ...]:
    """Validate edits against `text` and drop the ones that change nothing.

    Raises ValueError for edits out of bounds, unsorted or overlapping: a stage
    that produces those has a bug, and its document is recorded as failed.
    """
    kept = []
    prev_end = 0
    for e in edits:
        if not (0 <= e.start <= e.end <= len(text)):
            raise ValueError(f"edit {e} outside text of length {len(text)}")
        if e.start < prev_end:
            raise ValueError(f"edit {e} overlaps or precedes the previous edit")
        if text[e.start : e.end] == e.replacement:
            continue
        if not e.rule_id:
            raise ValueError(f"edit {e} has no rule id")
        kept.append(e)
        prev_end = e.end
    return tuple(kept)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the current text: `text[start:end]`, trimmed, never empty."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the current text with its part-of-speech tag (jieba's tag set)."""

    start: int
    end: int
    word: str
    pos: str


@dataclass(frozen=True)
class Fact:
    """One extracted fact, traceable to the clean text, the original and its rule."""

    doc_id: str
    fact_id: str
    type: str
    text: str
    value: Mapping[str, Any]
    start: int
    end: int
    orig_start: int
    orig_end: int
    sentence: int | None
    rule_id: str
    rule_version: int | None
    extractor: str
    confidence: float

    @staticmethod
    def make_id(doc_id: str, type_: str, start: int, end: int, rule_id: str) -> str:
        """Stable id: the same fact from the same rule keeps its id across runs."""
        key = json.dumps([doc_id, type_, start, end, rule_id], ensure_ascii=False)
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Document:
    """One article as it moves through the stages.

    `raw` is the input before decoding (bytes from a file, or str from JSONL);
    `original` is the decoded text every offset refers back to; `text` is the
    current text, always equal to `original` with all `layers` applied.
    """

    doc_id: str
    source: str
    raw: bytes | str | None = None
    original: str = ""
    text: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)
    layers: tuple[Layer, ...] = ()
    sentences: tuple = ()
    tokens: tuple = ()
    facts: tuple[Fact, ...] = ()
    flags: Mapping[str, int] = field(default_factory=dict)

    def with_edits(self, stage: str, edits: list[Edit] | tuple[Edit, ...]) -> Document:
        """Return the document with `edits` applied to its current text as a new layer."""
        checked = check_edits(self.text, edits)
        if not checked:
            return self
        layer = Layer(stage=stage, edits=checked, input_length=len(self.text))
        return replace(self, text=apply_edits(self.text, checked), layers=self.layers + (layer,))

    def with_meta(self, **values: Any) -> Document:
        return replace(self, meta={**self.meta, **values})

    def with_flags(self, **counts: int) -> Document:
        """Set flags (name -> count); a count of 0 removes the flag."""
        flags = {**self.flags, **counts}
        return replace(self, flags={k: v for k, v in flags.items() if v})

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the current text to its span in `original`.

        Layer by layer, a span widens to whole edited regions. When a later
        layer's edit straddles an earlier one's, one pass can land on a span
        whose own round trip widens further; iterating to the fixed point makes
        the answer stable: mapping it forward and back again returns it.
        """
        span = self._back(start, end)
        for _ in range(_MAX_ROUND_TRIPS):
            again = self._back(*self.from_original(*span))
            if again == span:
                break
            span = again
        return span

    def _back(self, start: int, end: int) -> tuple[int, int]:
        for layer in reversed(self.layers):
            start, end = layer.to_input(start, end)
        return start, end

    def from_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of `original` to its span in the current text."""
        for layer in self.layers:
            start, end = layer.to_output(start, end)
        return start, end
