"""`pipeline diff RUN_A RUN_B`: what changed between two run folders.

Facts are matched by `fact_id` (a hash of document, type, span and rule), so
a fact is *added* or *removed* when its span or rule changed, and *changed*
when the same rule found the same span but says something else about it
(value, confidence, rule version, extractor).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from pipeline.inspect.folder import read_table, run_folder

# Fact columns whose difference makes a matched fact "changed".
COMPARED = ("text", "value", "orig_start", "orig_end", "sentence", "rule_version", "extractor", "confidence")


def _read(run: Path, name: str, columns: list[str]) -> list[dict[str, Any]]:
    return read_table(run, name, columns).to_pylist()


def diff_runs(run_a: Path, run_b: Path) -> dict[str, Any]:
    """What changed from run A to run B; RunFolderError when either is not a run folder."""
    run_a, run_b = run_folder(run_a), run_folder(run_b)
    fact_cols = ["doc_id", "fact_id", "type", "rule_id", *COMPARED]
    facts_a = {f["fact_id"]: f for f in _read(run_a, "facts.parquet", fact_cols)}
    facts_b = {f["fact_id"]: f for f in _read(run_b, "facts.parquet", fact_cols)}
    added = [facts_b[k] for k in facts_b.keys() - facts_a.keys()]
    removed = [facts_a[k] for k in facts_a.keys() - facts_b.keys()]
    changed = []
    for k in facts_a.keys() & facts_b.keys():
        a, b = facts_a[k], facts_b[k]
        fields = [c for c in COMPARED if a[c] != b[c]]
        if fields:
            changed.append({"fact_id": k, "doc_id": a["doc_id"], "type": a["type"], "rule_id": a["rule_id"],
                            "fields": {c: [_load(c, a[c]), _load(c, b[c])] for c in fields}})

    doc_cols = ["doc_id", "text"]
    docs_a = {d["doc_id"]: d["text"] for d in _read(run_a, "documents.parquet", doc_cols)}
    docs_b = {d["doc_id"]: d["text"] for d in _read(run_b, "documents.parquet", doc_cols)}
    text_changed = sorted(k for k in docs_a.keys() & docs_b.keys() if docs_a[k] != docs_b[k])

    def order(rows):
        return sorted(rows, key=lambda f: (f["doc_id"], f["type"], f["rule_id"], f["fact_id"]))

    return {
        "run_a": str(run_a),
        "run_b": str(run_b),
        "counts": {
            "facts_added": len(added),
            "facts_removed": len(removed),
            "facts_changed": len(changed),
            "documents_text_changed": len(text_changed),
            "documents_only_in_a": len(docs_a.keys() - docs_b.keys()),
            "documents_only_in_b": len(docs_b.keys() - docs_a.keys()),
        },
        "by_type_and_rule": {
            "added": _tally(added),
            "removed": _tally(removed),
            "changed": _tally(changed),
        },
        "details": {
            "facts_added": [_public(f) for f in order(added)],
            "facts_removed": [_public(f) for f in order(removed)],
            "facts_changed": order(changed),
            "documents_text_changed": text_changed,
            "documents_only_in_a": sorted(docs_a.keys() - docs_b.keys()),
            "documents_only_in_b": sorted(docs_b.keys() - docs_a.keys()),
        },
    }


def _load(column: str, value: Any) -> Any:
    return json.loads(value) if column == "value" and isinstance(value, str) else value


def _public(fact: dict[str, Any]) -> dict[str, Any]:
    return {**fact, "value": _load("value", fact["value"])}


def _tally(facts: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(f"{f['type']}\t{f['rule_id']}" for f in facts)
    return {k.replace("\t", " "): v for k, v in sorted(counts.items())}


def format_diff(result: dict[str, Any], details: bool, limit: int) -> str:
    c = result["counts"]
    lines = [
        f"{result['run_a']} -> {result['run_b']}",
        f"facts: +{c['facts_added']} added, -{c['facts_removed']} removed, ~{c['facts_changed']} changed",
        f"documents: {c['documents_text_changed']} with changed text, "
        f"{c['documents_only_in_a']} only in A, {c['documents_only_in_b']} only in B",
    ]
    for kind, tally in result["by_type_and_rule"].items():
        for key, n in tally.items():
            lines.append(f"  {kind:<8} {n:>6}  {key}")
    if details:
        d = result["details"]
        for kind, sign in (("facts_added", "+"), ("facts_removed", "-")):
            for f in d[kind][:limit]:
                lines.append(f"{sign} {f['doc_id']} {f['type']} {f['rule_id']} {f['text']!r} "
                             f"{json.dumps(f['value'], ensure_ascii=False)}")
        for f in d["facts_changed"][:limit]:
            lines.append(f"~ {f['doc_id']} {f['type']} {f['rule_id']} "
                         f"{json.dumps(f['fields'], ensure_ascii=False)}")
        for doc_id in d["documents_text_changed"][:limit]:
            lines.append(f"text changed: {doc_id}")
    elif any(c.values()):
        lines.append("(--details lists them)")
    return "\n".join(lines)
