"""What the report shows, gathered from a loaded run as plain JSON-ready data.

Three parts: the run summary (rendered into HTML by `render`), the document
index (one small entry per document, for the list and its filters) and one
detail record per document (text, original, facts, edits), which the page
parses only when the document is opened.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.inspect.load import Run
from pipeline.inspect.report.spans import flatten
from pipeline.core.rules import RuleError, file_sha256, load_toml

CLEAN_STAGE = "clean"
# Which edits win where several cover the same characters of the original:
# a removed line is shown as removed, whatever was repaired inside it.
STAGE_RANK = {CLEAN_STAGE: 3, "repair": 2}
# Document categories the page filters by: a category holds a document when
# one of its flags (set by the stages, by their own thresholds) names it.
CATEGORIES = {
    "spam": ("spam",),
    "spun": ("spun",),
    "unrecoverable": ("unrecoverable", "decode_replacements"),
}
ERRORS = "errors"
# A fact in a document's detail is an array of these, in this order.
FACT_FIELDS = ("type", "text", "value", "start", "end", "orig_start", "orig_end", "sentence",
               "rule_id", "rule_version", "extractor", "confidence")
# The edit columns a document's detail is built from, and an edit group in it:
# [layer, stage, rule_id, before, after, count, kind].
EDIT_FIELDS = ("layer", "stage", "rule_id", "before", "after", "orig_start", "orig_end", "kind")
# Document columns not worth repeating in a document's metadata table.
_NOT_META = {"doc_id", "text", "original", "flags", "published_at", "published_at_text", "title"}


@dataclass(frozen=True)
class ReportData:
    summary: dict[str, Any]
    index: dict[str, Any]
    details: list[dict[str, Any] | None]


def collect(run: Run, max_docs: int) -> ReportData:
    docs, facts, edits, errors = run.documents, run.facts, run.edits, run.errors
    reasons = rule_reasons(run.manifest)
    facts_by_doc = _group(facts)
    edits_by_doc = _group_rows(edits, EDIT_FIELDS)
    extra = [c for c in docs.columns
             if c not in _NOT_META and not c.startswith("flag_") and c not in ("input_sha256",)]
    entries, details = [], []
    for i, row in enumerate(_records(docs)):
        doc_facts = facts_by_doc.get(row["doc_id"], [])
        doc_edits = edits_by_doc.get(row["doc_id"], [])
        flags = {k: v for k, v in (row["flags"] or {}).items() if v}
        removed = [e for e in doc_edits if e[1] == CLEAN_STAGE and e[7] == "delete"]
        entries.append({
            "i": i,
            "id": row["doc_id"],
            "title": row.get("title"),
            "chars": row.get("chars"),
            "facts": dict(Counter(f["type"] for f in doc_facts)),
            "removed": len(removed),
            "edits": len(doc_edits),
            "flags": sorted(flags),
            "cats": categories(flags),
            "detail": i < max_docs,
        })
        details.append(_detail(row, extra, doc_facts, doc_edits) if i < max_docs else None)
    for err in _records(errors):
        entries.append({"i": len(entries), "id": err.get("doc_id"), "failed": True, "facts": {},
                        "flags": [], "cats": [ERRORS], "detail": True,
                        "error": f"{err.get('stage')}: {err.get('error')}"})
        details.append({"id": err.get("doc_id"), "failed": True,
                        "meta": [[k, err.get(k)] for k in errors.columns if k != "doc_id"]})
    types = sorted(facts["type"].dropna().unique().tolist())
    index = {
        "docs": entries,
        "types": types,
        "flags": sorted({f for e in entries for f in e["flags"]}),
        "categories": [*CATEGORIES, ERRORS],
        "reasons": {k: v.get("reason") for k, v in reasons.items() if v.get("reason")},
        "max_docs": max_docs,
        "fact_fields": list(FACT_FIELDS),
    }
    return ReportData(summary(run, reasons, entries), index, details)


def categories(flags: dict[str, Any]) -> list[str]:
    return [name for name, markers in CATEGORIES.items()
            if any(marker in flag for flag in flags for marker in markers)]


def summary(run: Run, reasons: dict[str, dict[str, str]], entries: list[dict[str, Any]]) -> dict[str, Any]:
    docs, facts, edits, errors, manifest = run.documents, run.facts, run.edits, run.errors, run.manifest
    removed = edits[(edits["stage"] == CLEAN_STAGE) & (edits["kind"] == "delete")]
    by_rule = removed.groupby("rule_id", sort=False).agg(lines=("doc_id", "size"),
                                                         chars=("before", lambda s: int(s.str.len().sum())))
    removed_rows = [{"rule_id": rule, "class": reasons.get(rule, {}).get("class"),
                     "reason": reasons.get(rule, {}).get("reason"), "lines": int(r.lines), "chars": int(r.chars)}
                    for rule, r in by_rule.sort_values("lines", ascending=False).iterrows()]
    edit_rows = [{"stage": stage, "rule_id": rule, "edits": int(n), "documents": int(d)}
                 for (stage, rule), n, d in _tally(edits, ["stage", "rule_id"])]
    fact_types = [{"type": t, "facts": int(n), "documents": int(d)} for (t,), n, d in _tally(facts, ["type"])]
    fact_rules = [{"type": t, "rule_id": r, "rule_version": _py(v), "extractor": x, "facts": int(n)}
                  for (t, r, v, x), n, _ in _tally(facts, ["type", "rule_id", "rule_version", "extractor"])]
    error_rows = [{"stage": s, "error": e, "documents": int(n)} for (s, e), n, _ in _tally(errors, ["stage", "error"])]
    timings = _mapping(manifest.get("timings"))
    stage_times = _mapping(timings.get("stages"))
    cats = Counter(c for e in entries for c in e["cats"])
    flag_docs = Counter(f for e in entries for f in e["flags"])
    return {
        "run": {
            **{k: manifest.get(k) for k in ("run_id", "created_at", "python", "rules_dir")},
            **{k: _mapping(manifest.get(k)) for k in ("package", "engine", "inputs", "libraries")},
            "command": manifest.get("command") if isinstance(manifest.get("command"), list) else [],
        },
        "path": str(run.path),
        "counts": {
            "documents": len(docs),
            "failed": len(errors),
            "facts": len(facts),
            "edits": len(edits),
            "removed": len(removed),
            "chars_original": int(docs["original"].fillna("").str.len().sum()),
            "chars_clean": int(docs["text"].fillna("").str.len().sum()),
        },
        "facts_by_type": fact_types,
        "fact_rules": fact_rules,
        "removed_by_rule": removed_rows,
        "edits_by_rule": edit_rows,
        "errors_by_stage": error_rows,
        "errors": [dict(r) for r in _records(errors.head(200))],
        "timings": [{"stage": k, "seconds": v} for k, v in stage_times.items() if isinstance(v, (int, float))],
        "total_seconds": timings.get("total"),
        "stages": manifest.get("stages") if isinstance(manifest.get("stages"), list) else [],
        "categories": {c: cats.get(c, 0) for c in (*CATEGORIES, ERRORS)},
        "flags": dict(sorted(flag_docs.items())),
        "clusters": clusters(docs),
    }


MAX_CLUSTERS = 200


def clusters(docs: pd.DataFrame) -> list[dict[str, Any]]:
    """Near-duplicate groups of two or more documents (dedup's cluster_id, duplicate_of), largest
    first: the kept member, then the others, each with the document it duplicates."""
    if "cluster_id" not in docs.columns or docs.empty:
        return []
    dup = docs["duplicate_of"] if "duplicate_of" in docs.columns else pd.Series([None] * len(docs), index=docs.index)
    groups: dict[str, list[tuple[str, Any]]] = {}
    for doc_id, cluster, of in zip(docs["doc_id"], docs["cluster_id"], dup):
        if isinstance(cluster, str) and cluster:
            groups.setdefault(cluster, []).append((doc_id, of if isinstance(of, str) and of else None))
    out = [{"cluster_id": c, "members": [{"doc_id": d, "duplicate_of": of}
                                         for d, of in sorted(m, key=lambda x: (x[1] is not None, x[0]))]}
           for c, m in groups.items() if len(m) > 1]
    out.sort(key=lambda c: (-len(c["members"]), c["cluster_id"]))
    return out[:MAX_CLUSTERS]


def rule_reasons(manifest: dict[str, Any]) -> dict[str, dict[str, str]]:
    """`reason` and `class` of every rule, from the run's rule files.

    Only files whose content still has the hash the manifest recorded are
    read (an edited file might give a reason the run never used); anything
    unreadable is skipped: reasons are a courtesy, the rule id is the record.
    """
    found: dict[str, dict[str, str]] = {}
    rules_dir = manifest.get("rules_dir")
    hashes = manifest.get("rule_files") or {}
    if not isinstance(rules_dir, str) or not isinstance(hashes, dict):
        return found
    for name, digest in hashes.items():
        path = Path(rules_dir) / name
        if not name.endswith(".toml") or not path.is_file():
            continue
        try:
            if file_sha256(path) != digest:
                continue
            # The one TOML reader of rule files; not a stage's schema: any rule with a reason will do.
            data = load_toml(path)
        except (OSError, RuleError):
            continue
        for rule in data.get("rule", []) if isinstance(data.get("rule"), list) else []:
            if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                info = {k: rule[k] for k in ("reason", "class") if isinstance(rule.get(k), str)}
                if "reason" not in info and isinstance(rule.get("description"), str):
                    info["reason"] = rule["description"]
                if info:
                    found[rule["id"]] = info
    return found


def _detail(row: dict[str, Any], extra: list[str], facts: list[dict], edits: list[tuple]) -> dict[str, Any]:
    """One document for the page, compact: it is written once per document.

    Facts are arrays in FACT_FIELDS order. Edits are grouped by what they did
    (layer, stage, rule, before, after: a document converted from traditional
    has hundreds of edits but far fewer distinct ones), and the original's
    marks are a flat list of (start, end, group) triples.
    """
    text, original = row.get("text") or "", row.get("original") or ""
    fact_rows = [[_finite(f.get(k)) for k in FACT_FIELDS] for f in facts]
    fact_spans = [(f["start"] or 0, f["end"] or 0, 0) for f in facts]
    groups: dict[tuple, int] = {}
    group_rows: list[list[Any]] = []
    spans, span_group = [], []
    for layer, stage, rule_id, before, after, orig_start, orig_end, kind in edits:
        key = (layer, stage, rule_id, before or "", after or "")
        g = groups.get(key)
        if g is None:
            g = groups[key] = len(group_rows)
            group_rows.append([*key, 0, kind])
        group_rows[g][5] += 1
        if orig_start is not None and orig_end is not None:
            spans.append((orig_start, orig_end, STAGE_RANK.get(stage, 1)))
            span_group.append(g)
    orig_segs: list[int] = []
    for start, end, ids in flatten(spans, len(original)):
        group = span_group[ids[0]]
        if orig_segs and orig_segs[-2] == start and orig_segs[-1] == group:
            orig_segs[-2] = end  # the same edit shown on both sides of an inner one it hides
        else:
            orig_segs += (start, end, group)
    meta = [[c, _finite(_shown(row.get(c)))] for c in extra if row.get(c) is not None]
    if row.get("published_at_text"):
        meta.insert(0, ["published_at", row["published_at_text"]])
    return {
        "id": row["doc_id"],
        "title": row.get("title"),
        "meta": meta,
        "flags": {k: _finite(v) for k, v in (row.get("flags") or {}).items() if v},
        "text": text,
        "original": original,
        "facts": fact_rows,
        "fact_segs": [list(seg) for seg in flatten(fact_spans, len(text))],
        "edit_groups": group_rows,
        "orig_segs": orig_segs,
    }


def _group(df: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in _records(df):
        grouped[record["doc_id"]].append(record)
    return grouped


def _group_rows(df: pd.DataFrame, columns: tuple[str, ...]) -> dict[str, list[tuple]]:
    """Rows of `columns` as tuples, by document: lighter than dicts for a run's many edits."""
    grouped: dict[str, list[tuple]] = defaultdict(list)
    if len(df):
        for doc_id, *values in zip(_values(df["doc_id"]), *(_values(df[c]) for c in columns)):
            grouped[doc_id].append(tuple(values))
    return grouped


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (None for pandas' NA, NaN and NaT)."""
    if not len(df):
        return []
    columns = {c: _values(df[c]) for c in df.columns}
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def _values(series: pd.Series) -> list[Any]:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return [None if pd.isna(v) else v.isoformat() for v in series]
    # Column-wise, not value by value: a run has hundreds of thousands of edits.
    return series.astype(object).where(series.notna(), None).tolist()


def _tally(df: pd.DataFrame, keys: list[str]) -> list[tuple[tuple, int, int]]:
    """(key values, rows, distinct documents) per group, most rows first."""
    if not len(df):
        return []
    groups = df.groupby(keys, dropna=False, sort=False)["doc_id"].agg(["size", "nunique"])
    rows = [(tuple(_values(pd.Series([k]))[0] for k in (key if isinstance(key, tuple) else (key,))),
             int(n), int(d)) for key, n, d in zip(groups.index, groups["size"], groups["nunique"])]
    return sorted(rows, key=lambda r: (-r[1], str(r[0])))


def _py(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if hasattr(value, "item") and not isinstance(value, (dict, list, str)):  # numpy scalars
        return _py(value.item())
    return value


def _mapping(value: Any) -> dict[str, Any]:
    """A manifest entry that should be an object; anything else (an older or damaged manifest) as empty."""
    return value if isinstance(value, dict) else {}


def _finite(value: Any) -> Any:
    """NaN and infinities as null: JSON has no spelling for them, JSON.parse would fail."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _shown(value: Any) -> Any:
    if hasattr(value, "tolist"):  # a list column (news_sources) comes back from parquet as an array
        value = value.tolist()
    if isinstance(value, float):
        return round(value, 4)
    return value
