"""Synthetic run folders for the report, load_run and browser tests.

Written through the real `RunWriter`, so they follow the current schema: each
document has a repair layer (a pinyin annotation removed), a convert layer
(OpenCC's real output aligned into edits), a clean layer (removed lines) and
facts of every type, including nested ones; one article carries HTML and
script, one document id does too, and one error message.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import opencc
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.core.align import diff_edits
from pipeline.core.document import Document, Edit, Fact
from pipeline.run.outputs import RunWriter, table_record

STAGES = ("decode", "repair", "convert", "clean", "extract")
XSS_LINE = '<script>alert("xss")</script><img src=x onerror="window.__xss=1"> 測試</pre></div>&amp;'
XSS_ID = "evil<b>bold</b>.txt"

# Lines of the original. Removed lines have the clean rule that removes them.
HEADER = ("首頁 > 新聞中心 > 正文", "clean.nav.breadcrumb_trail")
BODY = (
    "青島聯(lián)動科技公司2024年營收714.7億美元，同比增長11%。",
    # Characters outside the BMP (two UTF-16 units in the browser) before two facts.
    "該公司在青島設立了35家企業，𠮷野家😀張偉表示7月18日將發佈新品。",
)
SHARE = ("分享到:", "clean.widget.share")
SPAM = ("澳门威尼斯人|真人百家乐|在线赌场", "clean.spam.seo_line")

# (type, surface, value, rule_id, rule_version, extractor) on the clean text.
FACTS = (
    ("org", "青岛联动科技公司", {"name": "青岛联动科技公司"}, "ner.org", None, "ner:zh_news@1"),
    ("location", "青岛", {"name": "青岛"}, "ner.location", None, "ner:zh_news@1"),
    ("money", "714.7亿美元", {"amount": 71470000000, "currency": "USD", "approx": "exact"},
     "money.number_currency", 2, "rule"),
    ("percent", "11%", {"value": 11.0, "approx": "exact"}, "percent.sign", 1, "rule"),
    ("count", "35家企业", {"value": 35, "unit": "家", "approx": "exact", "object": "企业"},
     "count.number_unit", 1, "rule"),
    ("person", "张伟", {"name": "张伟"}, "ner.person", None, "ner:zh_news@1"),
    ("date", "7月18日", {"start": "2024-07-18", "end": "2024-07-18", "granularity": "day",
                        "resolved": "article_date"}, "date.month_day", 1, "rule"),
)


def make_document(doc_id: str, t2s: opencc.OpenCC, *, xss: bool = False, spam: bool = False,
                  spun: bool = False, unrecoverable: bool = False) -> Document:
    body = list(BODY)
    if xss:
        body.append(XSS_LINE)
    if unrecoverable:
        body.append("聚\ufffd\ufffd斯康的儀器")
    removed = [HEADER, SHARE] + ([SPAM] if spam else [])
    lines = [HEADER[0], *body, SHARE[0]] + ([SPAM[0]] if spam else [])
    original = "\n".join(lines) + "\n"
    doc = Document(doc_id=doc_id, source=f"synthetic/{doc_id}", original=original, text=original,
                   meta={"encoding": "utf-8", "encoding_confidence": 0.99, "title": f"标题 {doc_id}",
                         "published_at": "2024-04-25T11:36"})
    cut = doc.text.index("(lián)")
    doc = doc.with_edits("repair", [Edit(cut, cut + len("(lián)"), "", "repair.pinyin.annotation")])
    doc = doc.with_edits("convert", diff_edits(doc.text, t2s.convert(doc.text),
                                               "convert.opencc.t2s"))
    edits = []
    for line, rule in removed:
        line = t2s.convert(line)
        start = doc.text.index(line + "\n")
        edits.append(Edit(start, start + len(line) + 1, "", rule))
    doc = doc.with_edits("clean", sorted(edits, key=lambda e: e.start))
    flags = {"converted": 1}
    if spam:
        flags["clean_spam_lines"] = 1
    if spun:
        flags["spun"] = 1
    if unrecoverable:
        flags["repair_unrecoverable"] = 2
    doc = doc.with_flags(**flags)
    facts = []
    for type_, surface, value, rule_id, version, extractor in FACTS:
        # The location is the second 青岛 when it stands alone, the first (inside the org) otherwise.
        start = doc.text.index(surface, 1 if type_ == "location" else 0)
        end = start + len(surface)
        o_start, o_end = doc.to_original(start, end)
        facts.append(Fact(doc_id, Fact.make_id(doc_id, type_, start, end, rule_id), type_, surface, value,
                          start, end, o_start, o_end, 0, rule_id, version, extractor, 0.9))
    # The nested location: 青岛 inside the organisation's name.
    facts.append(Fact(doc_id, Fact.make_id(doc_id, "location", 0, 2, "ner.location"), "location", "青岛",
                      {"name": "青岛"}, 0, 2, *doc.to_original(0, 2), 0, "ner.location", None,
                      "ner:zh_news@1", 0.8))
    facts.sort(key=lambda f: (f.start, -f.end))
    return replace(doc, facts=tuple(facts))


def write_run(out: Path, n_docs: int = 4, *, error: bool = True) -> Path:
    """A run of `n_docs` documents: the first with HTML in it, the second spam,
    the third spun, the fourth with unrecoverable characters, then plain ones;
    plus one failed document (with HTML in its id and message)."""
    writer = RunWriter(out, STAGES)
    t2s = opencc.OpenCC("t2s")
    for i in range(n_docs):
        doc_id = XSS_ID if i == 0 else f"doc{i:05d}.txt"
        doc = make_document(doc_id, t2s, xss=i == 0, spam=i == 1, spun=i == 2, unrecoverable=i == 3)
        writer.add_document(doc, f"{i:064x}")
    if error:
        writer.add_error({"doc_id": "broken<i>.txt", "source": "synthetic/broken<i>.txt", "stage": "decode",
                          "error": "BinaryInputError", "message": "binary input <script>alert(2)</script>"})
    manifest = {
        "run_id": "20240425T000000Z-synthetic",
        "created_at": "2024-04-25T00:00:00+00:00",
        "command": ["pipeline", "run", "synthetic", "--out", str(out)],
        "package": {"name": "zh-news-pipeline", "version": "0.1.0"},
        "python": "3.11",
        "libraries": {"opencc": "1.1.6", "pyarrow": "14"},
        "rules_dir": str(out / "no-rules-here"),
        "rule_files": {},
        "stages": [{"name": s, "version": 1, "settings": {}, "rule_files": {}, "libraries": {},
                    "fingerprint": f"{i:016x}"} for i, s in enumerate(STAGES)],
        "counts": {"documents": writer.documents.count, "failed": writer.errors.count,
                   "facts": writer.facts.count, "edits": writer.edits.count},
        "timings": {"stages": {"decode": 0.5, "repair": 1.25, "convert": 0.75, "clean": 0.25, "extract": 2.0},
                    "total": 5.0},
    }
    writer.commit(manifest)
    return out


def add_document_columns(run: Path, columns: dict[str, list]) -> None:
    """Columns a later stage may add (author, spam_ratio, …), appended to documents.parquet."""
    path = run / "documents.parquet"
    table = pq.read_table(path)
    for name, values in columns.items():
        table = table.append_column(name, pa.array(values))
    pq.write_table(table, path)
    reseal(run)


def reseal(run: Path) -> Path:
    """After a test rewrote tables: the manifest records them as they are now (as if the run wrote them)."""
    data = manifest(run)
    data["tables"] = {name: table_record(run / name, _rows(run / name))
                      for name in data["tables"] if (run / name).is_file()}
    (run / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    return run


def _rows(path: Path) -> int:
    if path.suffix == ".parquet":
        return pq.read_metadata(path).num_rows
    return len(path.read_text(encoding="utf-8").splitlines())


def as_older_run(run: Path) -> Path:
    """The run's manifest as versions before table records wrote it (readers do not check tables)."""
    data = manifest(run)
    del data["tables"]
    (run / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    return run


def manifest(run: Path) -> dict:
    return json.loads((run / "manifest.json").read_text(encoding="utf-8"))


def seeds_run(tmp_path_factory) -> Path:
    """`pipeline run seeds/` (with its report), once per test session: the
    session's temporary folder keeps it for every test module that asks."""
    from pipeline.cli import main

    root = Path(__file__).resolve().parent.parent
    out = tmp_path_factory.getbasetemp() / "report-seeds-run"
    if not (out / "report.html").is_file():
        code = main(["run", str(root / "seeds"), "--out", str(out), "--quiet", "--jobs", "1"])
        if code != 0 or not (out / "report.html").is_file():
            raise RuntimeError(f"pipeline run seeds/ failed (exit {code})")
    return out
