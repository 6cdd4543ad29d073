"""The report page: summary as escaped HTML, documents as JSON the page's script renders.

Crawled text reaches the page two ways, both inert: escaped into the
summary's HTML here, or inside `<script type="application/json">` blocks
(with `<`, `>` and `&` written as `\\u003c`… so no `</script>` can close
them) that the script turns into DOM text nodes, never into markup. A
Content-Security-Policy allows only the page's own script and style (by
hash) and no network at all, so even markup that slipped through could
neither run nor load anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import escape
from importlib import resources
from typing import Any, Iterable

from pipeline.inspect.report.charts import bar_chart
from pipeline.inspect.report.collect import CATEGORIES, ERRORS, ReportData

KNOWN_TYPES = ("money", "percent", "count", "date", "org", "person", "location")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# Characters that could end a <script> element or open a comment in it, and
# the two that old JavaScript parsers take for line ends; as JSON escapes.
_UNSAFE_IN_SCRIPT = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                     ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
_SURROGATE = re.compile("[\ud800-\udfff]")


def asset(name: str) -> str:
    return resources.files("pipeline.inspect.report").joinpath("assets", name).read_text(encoding="utf-8")


def render(data: ReportData) -> str:
    style, script = asset("report.css"), asset("report.js")
    csp = ("default-src 'none'; img-src 'none'; base-uri 'none'; form-action 'none'; "
           f"script-src '{_sha256(script)}'; style-src '{_sha256(style)}'")
    run_id = data.summary["run"].get("run_id") or data.summary["path"]
    details = "\n".join(
        f'<script type="application/json" id="d{i}">{script_json(d)}</script>'
        for i, d in enumerate(data.details) if d is not None
    )
    parts = {
        "csp": escape(csp),
        "title": escape(f"Run report {run_id}"),
        "heading": escape(str(run_id)),
        "style": style,
        "summary": summary_html(data.summary),
        "index": script_json(data.index),
        "details": details,
        "script": script,
    }
    # One pass: text substituted in is never scanned for placeholders again.
    return _PLACEHOLDER.sub(lambda m: parts[m[1]], asset("template.html"))


def script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element and parses back to `data`."""
    # allow_nan=False: collect() turned NaN into null; one left would break JSON.parse.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in _UNSAFE_IN_SCRIPT:
        text = text.replace(char, escaped)
    if _SURROGATE.search(text):  # lone surrogates (from JSONL escapes) cannot be written as UTF-8
        text = _SURROGATE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
    return text


def type_class(type_: str) -> str:
    return f"t-{type_}" if type_ in KNOWN_TYPES else "t-other"


def summary_html(s: dict[str, Any]) -> str:
    c = s["counts"]
    cards = [("documents", c["documents"]), ("failed", c["failed"]), ("facts", c["facts"]),
             ("edits", c["edits"]), ("removed", c["removed"])]
    out = ['<div class="cards">']
    for name, value in cards:
        out.append(f'<div class="card"><div class="num" data-stat="{name}">{value:,}</div>'
                   f'<div class="label">{escape(_CARD_LABELS[name])}</div></div>')
    out.append(f'<div class="card"><div class="num" data-stat="chars">{c["chars_original"]:,} → '
               f'{c["chars_clean"]:,}</div><div class="label">characters, original → clean</div></div></div>')

    run = s["run"]
    package = run.get("package") or {}
    inputs = run.get("inputs") or {}
    engine = run.get("engine") or {}
    out.append(_section("Run", _kv([
        ("run id", run.get("run_id")), ("folder", s["path"]), ("created", run.get("created_at")),
        ("command", " ".join(map(str, run.get("command") or []))),
        ("package", f"{package.get('name', '')} {package.get('version', '')}".strip()),
        ("python", run.get("python")),
        ("engine", ", ".join(f"{k} {v}" for k, v in engine.items() if v is not None)),
        ("inputs", ", ".join(map(str, inputs.get("paths") or [])) if isinstance(inputs.get("paths"), list) else None),
        ("input files", inputs.get("files")), ("rules", run.get("rules_dir")),
    ]), "run"))

    types = s["facts_by_type"]
    out.append(_section("Facts by type", (
        bar_chart([(t["type"], t["facts"], type_class(t["type"])) for t in types], "facts by type")
        + _table(["type", "facts", "documents"],
                 [[_chip(t["type"]), t["facts"], t["documents"]] for t in types], raw_first=True)
    ) if types else '<p class="none">No facts in this run.</p>', "facts"))

    cats = s["categories"]
    out.append(_section("Documents by flag", _table(
        ["category", "documents", "what"],
        [[name, cats[name], _CATEGORY_TEXT[name]] for name in (*CATEGORIES, ERRORS)], data_attr="category",
    ) + (_table(["flag", "documents"], [[k, v] for k, v in s["flags"].items()]) if s["flags"] else ""), "flags"))

    removed = s["removed_by_rule"]
    out.append(_section("Removed lines by reason", (
        bar_chart([(r["reason"] or r["rule_id"], r["lines"], "bar-removed") for r in removed[:15]], "removed")
        + _table(["class", "rule", "reason", "lines", "characters"],
                 [[r["class"], r["rule_id"], r["reason"], r["lines"], r["chars"]] for r in removed])
    ) if removed else '<p class="none">Nothing removed by the clean stage.</p>', "removed"))

    edits = s["edits_by_rule"]
    out.append(_section("Edits by rule (repairs, conversions, removals)", (
        bar_chart([(f"{e['rule_id']}", e["edits"], f"bar-{_stage_class(e['stage'])}") for e in edits[:15]], "edits")
        + _table(["stage", "rule", "edits", "documents"],
                 [[e["stage"], e["rule_id"], e["edits"], e["documents"]] for e in edits])
    ) if edits else '<p class="none">No edits.</p>', "edits"))

    groups = s.get("clusters") or []
    out.append(_section("Near-duplicate clusters", _table(
        ["cluster", "documents", "members (→ the document each duplicates)"],
        [[g["cluster_id"], len(g["members"]), ", ".join(
            m["doc_id"] + (f" → {m['duplicate_of']}" if m["duplicate_of"] else "") for m in g["members"])]
         for g in groups]) if groups else '<p class="none">No near-duplicate clusters in this run.</p>', "clusters"))

    timings = s["timings"]
    total = s["total_seconds"]
    out.append(_section("Stage timings", (
        bar_chart([(t["stage"], float(t["seconds"]), "bar-time") for t in timings], "stage timings", " s")
        + (f'<p>Total: <span data-stat="seconds">{total:,.2f}</span> s</p>'
           if isinstance(total, (int, float)) else "")
    ) if timings else '<p class="none">No timings recorded.</p>', "timings"))

    out.append(_section("Rule and model versions", _stages_table(s["stages"]) + (
        "<h3>Facts by rule and extractor</h3>" + _table(
            ["type", "rule", "version", "extractor", "facts"],
            [[f["type"], f["rule_id"], f["rule_version"], f["extractor"], f["facts"]] for f in s["fact_rules"]])
        if s["fact_rules"] else "") + (
        "<h3>Libraries</h3>" + _kv(sorted((run.get("libraries") or {}).items()))
        if run.get("libraries") else ""), "versions"))

    errors = s["errors"]
    if errors:
        more = f"<p>First {len(errors)} of {c['failed']:,} shown.</p>" if c["failed"] > len(errors) else ""
        out.append(_section("Failures", _table(["stage", "error", "documents"],
                                               [[e["stage"], e["error"], e["documents"]] for e in s["errors_by_stage"]])
                            + _table(["document", "stage", "error", "message"],
                                     [[e.get("doc_id"), e.get("stage"), e.get("error"), e.get("message")]
                                      for e in errors]) + more, "failures"))
    return "\n".join(out)


_CARD_LABELS = {"documents": "documents", "failed": "failed (errors.jsonl)", "facts": "facts",
                "edits": "edits", "removed": "removed by clean"}
_CATEGORY_TEXT = {
    "spam": "flagged as spam (a flag whose name holds spam)",
    "spun": "flagged as synonym-spun copy (a flag whose name holds spun)",
    "unrecoverable": "characters repair could not recover, or bytes decode could not decode",
    ERRORS: "failed documents, listed in errors.jsonl",
}


def _stages_table(stages: Iterable[dict[str, Any]]) -> str:
    rows = []
    for st in stages:
        if not isinstance(st, dict):
            continue
        files = "; ".join(f"{k} {str(v)[:12]}" for k, v in _items(st.get("rule_files")))
        libs = "; ".join(f"{k} {v}" for k, v in _items(st.get("libraries")))
        settings = json.dumps(st.get("settings") or {}, ensure_ascii=False)
        rows.append([st.get("name"), st.get("version"), st.get("fingerprint"), settings, files, libs])
    return _table(["stage", "version", "fingerprint", "settings", "rule files (sha256)", "libraries and data"], rows)


def _items(value: Any) -> list[tuple[Any, Any]]:
    return list(value.items()) if isinstance(value, dict) else []


def _section(title: str, body: str, key: str) -> str:
    return f'<details open class="block" id="s-{key}"><summary>{escape(title)}</summary>{body}</details>'


def _table(headers: list[str], rows: list[list[Any]], raw_first: bool = False, data_attr: str | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for n, value in enumerate(row):
            text = value if raw_first and n == 0 else escape(_fmt(value))
            num = ' class="n"' if isinstance(value, (int, float)) and not isinstance(value, bool) else ""
            cells.append(f"<td{num}>{text}</td>")
        attr = f' data-{data_attr}="{escape(str(row[0]))}"' if data_attr else ""
        body.append(f"<tr{attr}>{''.join(cells)}</tr>")
    return f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _kv(pairs: Iterable[tuple[str, Any]]) -> str:
    rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(_fmt(v))}</td></tr>"
                   for k, v in pairs if v not in (None, ""))
    return f'<table class="kv"><tbody>{rows}</tbody></table>'


def _chip(type_: str) -> str:
    return f'<span class="chip {type_class(type_)}">{escape(type_)}</span>'


def _stage_class(stage: str) -> str:
    return stage if stage in ("repair", "convert", "clean") else "other"


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
