"""Known misses of the seeds as data: `tests/golden/seeds_*_missed.tsv`, one case a line.

Columns: `doc` (the seed's number, `000`), `expect`, `type` (a fact type; `a|b`
takes either), `text`, `context`, `value`, `why`.

- `found`: wherever `context` (or `text` when there is no context) occurs in
  the document's text, the `text` inside it is exactly the span of a fact of
  that type; with `value` (a JSON object), that fact's value holds those keys
  with those values.
- `absent`: no fact of that type has exactly `text` as its surface.

Every case is a miss the stage makes today, so each runs as
`xfail(strict=True, raises=AssertionError)`: a fix shows up as an unexpected
pass, which fails the suite until the line is deleted (and the fact reviewed
into the golden file). A case that no longer fits its document (a seed whose
text moved, a typo) raises `CaseError`, not an assertion, so it fails too
instead of hiding as an expected failure.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

COLUMNS = ["doc", "expect", "type", "text", "context", "value", "why"]
EXPECTS = ("found", "absent")


class CaseError(ValueError):
    """The case itself is wrong: unknown document, text not in it, bad column."""


def load(path: Path) -> list:
    """The cases of one file as pytest params, each an expected (strict) failure."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or list(rows[0]) != COLUMNS:
        raise CaseError(f"{path}: columns must be {COLUMNS}")
    params = []
    for line, row in enumerate(rows, start=2):
        if row["expect"] not in EXPECTS or not row["text"] or not row["why"]:
            raise CaseError(f"{path}:{line}: expect is one of {EXPECTS}; text and why are required")
        case = {**row, "where": f"{path.name}:{line}"}
        params.append(
            pytest.param(
                case,
                # pytest escapes non-ASCII ids; the reason carries the text.
                id=f"{path.stem}:{line}:{row['doc']}-{row['expect']}-{row['type']}",
                marks=pytest.mark.xfail(
                    strict=True, raises=AssertionError, reason=f"{row['text']}: {row['why']}"
                ),
            )
        )
    return params


def check(case: dict, docs) -> None:
    """Assert the case holds for the documents (`doc_id`, `text`, `facts`)."""
    doc = _document(case, docs)
    types = set(case["type"].split("|"))
    facts = [f for f in doc.facts if f.type in types]
    if case["text"] not in doc.text:
        raise CaseError(f"{case['where']}: {case['text']!r} is not in {doc.doc_id}")
    if case["expect"] == "absent":
        assert [(f.start, f.end) for f in facts if f.text == case["text"]] == [], case["why"]
        return
    context = case["context"] or case["text"]
    offset = context.find(case["text"])
    if offset < 0:
        raise CaseError(f"{case['where']}: the context does not hold the text")
    starts = [i for i in range(len(doc.text)) if doc.text.startswith(context, i)]
    if not starts:
        raise CaseError(f"{case['where']}: {context!r} is not in {doc.doc_id}")
    want = json.loads(case["value"]) if case["value"] else {}
    for start in starts:
        span = (start + offset, start + offset + len(case["text"]))
        hits = [f for f in facts if (f.start, f.end) == span]
        assert hits, f"{case['text']} at {span[0]}: not a {case['type']} fact ({case['why']})"
        assert any(want.items() <= dict(f.value).items() for f in hits), (
            f"{case['text']} at {span[0]}: value {dict(hits[0].value)} lacks {want} ({case['why']})"
        )


def _document(case: dict, docs):
    matches = [d for d in docs if d.doc_id.split("_")[0] == case["doc"]]
    if len(matches) != 1:
        raise CaseError(f"{case['where']}: no single seed numbered {case['doc']!r}")
    return matches[0]
