"""`pipeline explain`: every edit made to one document, stage by stage."""

from __future__ import annotations

import json
from itertools import groupby

from pipeline.core.document import Document
from pipeline.run.outputs import edit_rows

CONTEXT = 6


def explain(doc: Document) -> str:
    lines = [
        f"document {doc.doc_id}  ({doc.source})",
        f"  encoding {doc.meta.get('encoding')}  confidence {doc.meta.get('encoding_confidence')}",
        f"  flags {json.dumps(dict(doc.flags), ensure_ascii=False)}",
        f"  {len(doc.original)} characters in, {len(doc.text)} out",
    ]
    rows = edit_rows(doc)
    for (stage, layer), group in groupby(rows, key=lambda r: (r["stage"], r["layer"])):
        group = list(group)
        lines.append(f"\n[{stage}] layer {layer}: {len(group)} edits")
        lines.extend(_edit_line(doc, row) for row in group)
    if not rows:
        lines.append("\nno edits")
    return "\n".join(lines)


def _edit_line(doc: Document, row: dict) -> str:
    context = doc.original[max(0, row["orig_start"] - CONTEXT) : row["orig_end"] + CONTEXT]
    return (
        f"  {row['start']:>6}-{row['end']:<6} orig {row['orig_start']}-{row['orig_end']}  "
        f"{row['rule_id']}  {row['before']!r} -> {row['after']!r}   …{_oneline(context)}…"
    )


def _oneline(s: str) -> str:
    return s.replace("\n", "⏎")
