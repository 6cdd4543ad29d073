"""Turning a found span into a `Fact`: the one construction every fact-making stage uses."""

from __future__ import annotations

import bisect
from dataclasses import replace
from typing import Any, Collection, Iterable, Mapping

from pipeline.core.document import Document, Fact


def sentence_index(starts: list[int], position: int) -> int:
    """The sentence holding `position` (the last one starting at or before it).

    >>> sentence_index([0, 10, 25], 12)
    1
    >>> sentence_index([0, 10, 25], 0)
    0
    """
    return max(0, bisect.bisect_right(starts, position) - 1)


class FactMaker:
    """Makes the facts of one document: spans in clean text, mapped back to the original."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.starts = [s.start for s in doc.sentences]

    def __call__(
        self,
        type_: str,
        start: int,
        end: int,
        value: Mapping[str, Any],
        rule_id: str,
        rule_version: int | None,
        extractor: str,
        confidence: float | None,
    ) -> Fact:
        doc = self.doc
        orig_start, orig_end = doc.to_original(start, end)
        return Fact(
            doc_id=doc.doc_id,
            fact_id=Fact.make_id(doc.doc_id, type_, start, end, rule_id),
            type=type_,
            text=doc.text[start:end],
            value=value,
            start=start,
            end=end,
            orig_start=orig_start,
            orig_end=orig_end,
            sentence=sentence_index(self.starts, start) if self.starts else None,
            rule_id=rule_id,
            rule_version=rule_version,
            extractor=extractor,
            confidence=confidence,
        )


def with_own_facts(doc: Document, types: Collection[str], facts: Iterable[Fact]) -> Document:
    """`doc` with its facts of `types` (a stage's own, as it declares) replaced by `facts`."""
    others = tuple(f for f in doc.facts if f.type not in types)
    return replace(doc, facts=others + tuple(facts))
