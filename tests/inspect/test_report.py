"""report.html: self-contained, every crawled string inert, figures right (no browser here)."""

import base64
import hashlib
import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.inspect.load import load_run
from pipeline.inspect.report import write_report
from pipeline.inspect.report.collect import collect, rule_reasons
from pipeline.inspect.report.render import script_json
from pipeline.inspect.report.spans import flatten

from conftest import ROOT, SEEDS, examples
from report_runs import XSS_ID, XSS_LINE, manifest, reseal, seeds_run, write_run


class Page(HTMLParser):
    """Every tag and attribute of the page, and the text of each <script> and <style>."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.scripts, self.styles, self.data = [], [], [], []
        self._in = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = (tag, dict(attrs)) if tag in ("script", "style") else None

    def handle_data(self, data):
        if self._in and self._in[0] == "script":
            self.scripts.append((self._in[1], data))
        elif self._in and self._in[0] == "style":
            self.styles.append(data)
        else:
            self.data.append(data)

    def handle_endtag(self, tag):
        self._in = None


@pytest.fixture
def run(tmp_path):
    return write_run(tmp_path / "run")


@pytest.fixture
def page(run):
    return Page(write_report(run).read_text(encoding="utf-8"))


def blobs(page):
    return {attrs["id"]: json.loads(text) for attrs, text in page.scripts if attrs.get("type") == "application/json"}


def test_report_is_written_into_the_run_folder(run):
    path = write_report(run)
    assert path == run / "report.html" and path.stat().st_size > 10_000
    assert not list(run.glob(".*.tmp"))


def test_crawled_html_stays_text(run):
    html = write_report(run).read_text(encoding="utf-8")
    page = Page(html)
    # The only elements are the page's own: no tag from an article, id or error message.
    assert not {t for t, _ in page.tags} & {"img", "b", "i", "iframe", "object", "embed", "link", "pre"}
    for attrs, _ in page.scripts:
        assert attrs == {} or (attrs["type"] == "application/json" and set(attrs) == {"type", "id"})
    assert not any(k.startswith("on") for _, attrs in page.tags for k in attrs)
    # The summary shows ids and messages escaped; the JSON holds them with < > & escaped.
    assert "broken&lt;i&gt;.txt" in html and "binary input &lt;script&gt;" in html
    assert "\\u003cscript\\u003ealert" in html and "<script>alert" not in html
    # …and they parse back to exactly the crawled text.
    data = blobs(page)
    assert data["d0"]["id"] == XSS_ID and XSS_LINE.replace("測試", "测试") in data["d0"]["text"]
    assert XSS_LINE in data["d0"]["original"]


def test_no_network_and_a_strict_content_security_policy(run):
    html = write_report(run).read_text(encoding="utf-8")
    page = Page(html)
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        assert attrs.get("href", "#").startswith("#"), attrs
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    code = next(text for attrs, text in page.scripts if not attrs)

    def digest(text):
        return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()

    assert "default-src 'none'" in csp and "img-src 'none'" in csp
    assert f"script-src 'sha256-{digest(code)}'" in csp
    assert f"style-src 'sha256-{digest(page.styles[0])}'" in csp
    assert "unsafe-inline" not in csp


def test_summary_figures(page):
    text = " ".join(page.data)
    for words in ("Facts by type", "Removed lines by reason", "Edits by rule", "Stage timings",
                  "Rule and model versions", "Failures", "money.number_currency", "ner:zh_news@1",
                  "clean.widget.share", "BinaryInputError", "convert.opencc.t2s", "repair.pinyin.annotation"):
        assert words in text, words


def test_summary_counts(run):
    html = write_report(run).read_text(encoding="utf-8")
    stats = dict(re.findall(r'data-stat="(\w+)">([^<]*)<', html))
    assert stats["documents"] == "4" and stats["failed"] == "1" and stats["facts"] == "32"
    assert stats["removed"] == "9" and stats["edits"] == str(manifest(run)["counts"]["edits"])
    assert stats["seconds"] == "5.00"
    assert html.count("<svg") == 4  # facts by type, removed, edits, timings


def test_index_and_details(run):
    data = collect(load_run(run), max_docs=10)
    docs = data.index["docs"]
    assert [d["id"] for d in docs] == [XSS_ID, "doc00001.txt", "doc00002.txt", "doc00003.txt", "broken<i>.txt"]
    assert [d["cats"] for d in docs] == [[], ["spam"], ["spun"], ["unrecoverable"], ["errors"]]
    assert docs[0]["facts"] == {"org": 1, "location": 2, "money": 1, "percent": 1, "count": 1, "person": 1, "date": 1}
    assert data.index["types"] == ["count", "date", "location", "money", "org", "percent", "person"]
    d = data.details[1]
    fields = data.index["fact_fields"]
    facts = [dict(zip(fields, f)) for f in d["facts"]]
    money = next(f for f in facts if f["type"] == "money")
    assert d["text"][money["start"]:money["end"]] == "714.7亿美元"
    assert d["original"][money["orig_start"]:money["orig_end"]] == "714.7億美元"
    # the nested location (青岛 inside the organisation) is listed first where both cover the text
    first = d["fact_segs"][0]
    assert first[:2] == [0, 2] and [facts[k]["type"] for k in first[2]] == ["location", "org"]
    removed = [g for g in d["edit_groups"] if g[1] == "clean"]
    assert sorted(g[2] for g in removed) == ["clean.nav.breadcrumb_trail", "clean.spam.seo_line", "clean.widget.share"]
    repair = [g for g in d["edit_groups"] if g[1] == "repair"]
    assert [g[1:5] for g in repair] == [["repair", "repair.pinyin.annotation", "(lián)", ""]]
    # the removed line wins over the conversions inside it in the original's marks
    segs = [d["orig_segs"][k:k + 3] for k in range(0, len(d["orig_segs"]), 3)]
    head = d["edit_groups"][segs[0][2]]
    assert segs[0][:2] == [0, len("首頁 > 新聞中心 > 正文\n")] and head[2] == "clean.nav.breadcrumb_trail"
    assert data.details[4] == {"id": "broken<i>.txt", "failed": True, "meta": [
        ["source", "synthetic/broken<i>.txt"], ["stage", "decode"], ["error", "BinaryInputError"],
        ["message", "binary input <script>alert(2)</script>"]]}


def test_max_docs_limits_the_documents_shown_in_full(run):
    data = collect(load_run(run), max_docs=2)
    assert [d is not None for d in data.details] == [True, True, False, False, True]
    assert [d["detail"] for d in data.index["docs"]] == [True, True, False, False, True]
    page = Page(write_report(run, max_docs=0).read_text(encoding="utf-8"))
    assert set(blobs(page)) == {"report-index", "d4"}


@pytest.mark.parametrize("manifest_", [{}, {"timings": "x", "stages": {"a": 1}, "package": "p", "inputs": {"paths": 3},
                                        "engine": None, "command": "pipeline run", "libraries": [1]}])
def test_a_sparse_or_odd_manifest_still_gives_a_report(run, manifest_):
    (run / "manifest.json").write_text(json.dumps(manifest_), encoding="utf-8")
    stats = dict(re.findall(r'data-stat="(\w+)">([^<]*)<', write_report(run).read_text(encoding="utf-8")))
    assert stats["documents"] == "4" and "seconds" not in stats


def test_script_json_is_inert_and_exact():
    value = {"t": "</script><!-- <script>&amp;\u2028\u2029", "nan": None, "lone": "\ud800x"}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == value
    text.encode("utf-8")  # lone surrogates are escaped, so the page can be written


def test_nan_in_a_fact_value_becomes_null(run):
    import pyarrow.parquet as pq

    table = pq.read_table(run / "facts.parquet")
    values = table["value"].to_pylist()
    values[0] = '{"name": NaN, "x": Infinity}'
    pq.write_table(table.set_column(table.column_names.index("value"), "value", [values]), run / "facts.parquet")
    page = Page(write_report(reseal(run)).read_text(encoding="utf-8"))
    assert blobs(page)["d0"]["facts"][0][2] == {"name": None, "x": None}


def test_rule_reasons_come_from_unchanged_rule_files(tmp_path, rules_copy):
    (rules_copy / "r.toml").write_text('[[rule]]\nid = "clean.x.y"\nversion = 1\nclass = "widget"\n'
                                       'reason = "share buttons"\n', encoding="utf-8")
    from pipeline.core.rules import file_sha256

    manifest_ = {"rules_dir": str(rules_copy), "rule_files": {"r.toml": file_sha256(rules_copy / "r.toml")}}
    assert rule_reasons(manifest_) == {"clean.x.y": {"reason": "share buttons", "class": "widget"}}
    manifest_["rule_files"]["r.toml"] = "0" * 64  # edited since the run: its reasons may be wrong
    assert rule_reasons(manifest_) == {}
    assert rule_reasons({"rules_dir": str(tmp_path / "gone"), "rule_files": {"r.toml": "x"}}) == {}
    assert rule_reasons({}) == {}


@pytest.mark.e2e
def test_pipeline_run_writes_the_report_for_the_seeds(tmp_path_factory):
    out = seeds_run(tmp_path_factory)
    page = Page((out / "report.html").read_text(encoding="utf-8"))
    data = blobs(page)
    run = load_run(out)
    assert [d["id"] for d in data["report-index"]["docs"]] == run.documents["doc_id"].tolist()
    assert sum(len(data[f"d{i}"]["facts"]) for i in range(5)) == len(run.facts)
    for i, row in run.documents.iterrows():
        assert data[f"d{i}"]["text"] == row["text"] and data[f"d{i}"]["original"] == row["original"]


@pytest.mark.e2e
def test_report_command_and_no_report(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(SEEDS / "001_fbfe83f3558ddfde.txt"), "--out", str(out), "--quiet", "--jobs", "1",
                 "--no-report", "--stages", "decode,convert"]) == 0
    assert not (out / "report.html").exists()
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out / "report.html")
    assert (out / "report.html").is_file()
    assert main(["run", str(SEEDS / "001_fbfe83f3558ddfde.txt"), "--out", str(out), "--quiet", "--jobs", "1",
                 "--no-report", "--stages", "decode,convert"]) == 0
    assert not (out / "report.html").exists()  # a stale report would describe the earlier run
    assert main(["report", str(out), "--max-docs", "-1"]) == 2
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "not a run folder" in capsys.readouterr().err


@pytest.mark.e2e
def test_a_report_that_fails_does_not_fail_the_run(tmp_path, capsys, monkeypatch):
    import pipeline.inspect.report

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline.inspect.report, "write_report", broken)
    out = tmp_path / "run"
    assert main(["run", str(SEEDS / "001_fbfe83f3558ddfde.txt"), "--out", str(out), "--quiet", "--jobs", "1",
                 "--stages", "decode,convert"]) == 0
    assert "report.html not written: RuntimeError: boom" in capsys.readouterr().err
    assert (out / "documents.parquet").is_file()


# ---- flatten -------------------------------------------------------------

def test_flatten_nested_and_overlapping_spans():
    spans = [(0, 8, 0), (0, 2, 0), (5, 10, 0), (20, 20, 0)]
    assert flatten(spans, 30) == [(0, 2, [1, 0]), (2, 5, [0]), (5, 8, [2, 0]), (8, 10, [2])]
    # a higher rank wins over a shorter span
    assert flatten([(0, 10, 3), (2, 4, 1)], 10) == [(0, 2, [0]), (2, 4, [0, 1]), (4, 10, [0])]
    assert flatten([(5, 50, 0)], 10) == [(5, 10, [0])]


spans_strategy = st.lists(st.tuples(st.integers(-3, 40), st.integers(-3, 40), st.integers(0, 3)), max_size=12)


@given(spans_strategy, st.integers(0, 40))
def test_flatten_segments_cover_exactly_the_spans(spans, length):
    segments = flatten(spans, length)
    pos = -1
    for start, end, ids in segments:
        assert 0 <= start < end <= length and start >= pos
        pos = end
        for c in range(start, end):
            covering = {i for i, (s, e, _) in enumerate(spans) if s <= c < e}
            assert set(ids) == covering
        best = ids[0]
        assert all((spans[best][2], -(spans[best][1] - spans[best][0])) >= (spans[i][2], -(spans[i][1] - spans[i][0]))
                   for i in ids)
    covered = {c for s, e, _ in segments for c in range(s, e)}
    assert covered == {c for s, e, _ in spans for c in range(max(0, s), min(length, e))}


def test_assets_ship_with_the_package():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"inspect/report/assets/*"' in text
    for name in ("template.html", "report.css", "report.js"):
        assert (ROOT / "pipeline" / "inspect" / "report" / "assets" / name).is_file()
    js = (ROOT / "pipeline" / "inspect" / "report" / "assets" / "report.js").read_text(encoding="utf-8")
    # The page never turns strings into markup.
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in js, sink


# ---- any text ------------------------------------------------------------

@pytest.mark.slow  # renders a whole report per example
@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=60), cut=st.tuples(st.integers(0, 60), st.integers(0, 60)),
       fact=st.tuples(st.integers(0, 60), st.integers(0, 60)))
def test_any_text_gives_a_report_that_holds_it_exactly(tmp_path_factory, text, cut, fact):
    """Never raises, and the page's data parses back to the run's text, whatever the text."""
    from pipeline.core.document import Document, Edit, Fact
    from pipeline.run.outputs import RunWriter

    out = tmp_path_factory.mktemp("anytext")
    doc = Document("d<1>", "s", original=text, text=text)
    a, b = sorted(min(x, len(text)) for x in cut)
    doc = doc.with_edits("clean", [Edit(a, b, "", "clean.x")])
    s, e = sorted(min(x, len(doc.text)) for x in fact)
    facts = (Fact("d<1>", "f", "org", doc.text[s:e], {"name": doc.text[s:e]}, s, e, *doc.to_original(s, e), 0,
                  "ner.org", None, "ner:x@1", 0.5),)
    doc = replace(doc, facts=facts)
    writer = RunWriter(out, ["decode", "clean"])
    writer.add_document(doc, "0")
    writer.commit({"run_id": text})
    page = Page(write_report(out).read_text(encoding="utf-8"))
    detail = blobs(page)["d0"]
    assert detail["text"] == doc.text and detail["original"] == text
    own = {"html", "head", "meta", "title", "style", "body", "header", "h1", "span", "nav", "a", "main", "section",
           "h2", "h3", "div", "noscript", "p", "details", "summary", "table", "thead", "tbody", "tr", "th", "td",
           "svg", "text", "rect", "script"}
    assert {t for t, _ in page.tags} <= own


def test_near_duplicate_clusters_are_listed_with_what_each_duplicates(run):
    import pyarrow as pa
    import pyarrow.parquet as pq
    path = run / "documents.parquet"
    table = pq.read_table(path)
    for name, values in {"cluster_id": [XSS_ID, "doc00001.txt", XSS_ID, "doc00003.txt"],
                         "duplicate_of": [None, None, XSS_ID, None]}.items():
        table = table.set_column(table.schema.get_field_index(name), name, pa.array(values, pa.string()))
    pq.write_table(table, path)
    reseal(run)
    page = Page(write_report(run).read_text(encoding="utf-8"))
    text = " ".join(page.data)
    assert "Near-duplicate clusters" in text
    assert f"doc00002.txt → {XSS_ID}" in text  # the id stays text (as markup, its <b> would be gone)
    assert collect(load_run(run), max_docs=10).summary["clusters"] == [
        {"cluster_id": XSS_ID, "members": [{"doc_id": XSS_ID, "duplicate_of": None},
                                           {"doc_id": "doc00002.txt", "duplicate_of": XSS_ID}]}]


def test_a_run_without_clusters_says_so(page):
    assert "No near-duplicate clusters in this run." in " ".join(page.data)
