"""report.html in headless Chromium: figures, highlighted facts, filters, crawled HTML inert.

Needs Debian's `chromium` (/usr/bin/chromium, or $PIPELINE_CHROMIUM) and the
`playwright` package, which drives it; Playwright's own browser download is
never used. Without them the tests skip, unless PIPELINE_REQUIRE_BROWSER=1
(set by .ci/run) turns the skip into a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

from pipeline.inspect.load import load_run
from pipeline.inspect.report import write_report

from report_runs import XSS_ID, seeds_run, write_run

# drives Chromium over a run's report: not in `make quick`.
pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("PIPELINE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Headless, and nothing that reaches for the network (which is closed in CI).
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _unavailable() -> str | None:
    if not Path(CHROMIUM).is_file():
        return (f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium) "
                "or set PIPELINE_CHROMIUM")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install -e '.[test]'"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _unavailable()
    if reason:
        if os.environ.get("PIPELINE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def open_report(browser):
    pages = []

    def open_(path, fragment=""):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        problems = []
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("console", lambda msg: msg.type == "error" and problems.append(f"console error: {msg.text}"))
        page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        page.on("request", lambda req: req.url.startswith("file:") or problems.append(f"request: {req.url}"))
        page.goto(path.as_uri() + fragment)
        page.wait_for_selector("html[data-ready=true]")
        pages.append((page, problems))
        return page, problems

    yield open_
    for page, _ in pages:
        page.close()


def stat(page, name):
    return page.text_content(f'[data-stat="{name}"]')


def test_synthetic_run_in_the_browser(tmp_path, open_report):
    run = write_run(tmp_path / "run")
    page, problems = open_report(write_report(run))

    figures = [stat(page, name) for name in ("documents", "failed", "facts", "removed")]
    assert figures == ["4", "1", "32", "9"]
    assert page.locator("#doc-list tbody tr").count() == 5
    assert page.text_content("#doc-count") == "5 of 5 documents"

    # The article with <script> and <img onerror> in it: shown as text, nothing runs or loads.
    page.click('#doc-list tr[data-i="0"]')
    clean = page.locator("#doc-view .text.clean")
    shown = '<script>alert("xss")</script><img src=x onerror="window.__xss=1"> 测试</pre></div>&amp;'
    assert shown in clean.text_content()
    assert page.locator("#doc-view img, #doc-view script").count() == 0
    assert page.evaluate("window.__xss") is None
    assert page.text_content("#doc-view h2") == XSS_ID

    # A highlighted fact: its mark, then its value, span, rule and version on click.
    money = page.locator("#doc-view mark.t-money")
    assert money.count() == 1 and money.text_content() == "714.7亿美元"
    assert "money.number_currency v2" in money.get_attribute("title")
    money.click()
    info = page.text_content("#fact-info")
    for expected in ("71470000000", "money.number_currency v2", "15–23", "714.7億美元"):
        assert expected in info
    # The nested location inside the organisation's name comes first, the organisation with it.
    page.locator("#doc-view mark.t-location").first.click()
    assert "ner.location" in page.text_content("#fact-info") and "ner.org" in page.text_content("#fact-info")
    # Offsets count code points: the marks after 𠮷 and 😀 hold their facts' text exactly.
    assert page.text_content("#doc-view mark.t-person") == "张伟"
    assert page.text_content("#doc-view mark.t-date") == "7月18日"
    # 8 facts, 8 marks: the location nested in the organisation's name splits it in two and shares the first.
    assert page.locator("#doc-view mark.fact").count() == 8
    assert page.locator("#doc-view mark.fact.nested").count() == 1
    # The clean pane holds exactly the clean text; the original, the original.
    run_data = load_run(run)
    assert clean.text_content() == run_data.documents["text"][0]
    assert page.locator("#doc-view .text.original").text_content() == run_data.documents["original"][0]
    assert page.locator("#doc-view .text.original .ed-removed").count() == 2
    assert "clean.widget.share" in page.text_content("#doc-view table.removed")

    # Hiding a fact type in the legend removes its highlight.
    page.uncheck('#doc-view .legend input[data-type="money"]')
    assert page.locator("#doc-view mark.t-money").count() == 0
    page.check('#doc-view .legend input[data-type="money"]')

    # Filters: flags, then fact types.
    page.click('[data-filter="cat:spam"]')
    assert page.text_content("#doc-count") == "1 of 5 documents"
    assert page.locator("#doc-list tbody tr td:nth-child(2)").all_text_contents() == ["doc00001.txt"]
    page.click('[data-filter="cat:errors"]')
    assert page.locator("#doc-list tbody tr td:nth-child(2)").all_text_contents() == ["doc00001.txt", "broken<i>.txt"]
    page.click('[data-filter="cat:spam"]')
    page.click('[data-filter="cat:errors"]')
    page.click('[data-filter="type:money"]')
    assert page.text_content("#doc-count") == "4 of 5 documents"
    page.fill("#filters input[type=search]", "00002")
    assert page.text_content("#doc-count") == "1 of 5 documents"
    page.fill("#filters input[type=search]", "")
    page.click('[data-filter="type:money"]')

    # A failed document shows its error, escaped.
    page.click('#doc-list tr[data-i="4"]')
    assert "binary input <script>alert(2)</script>" in page.text_content("#doc-meta")

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True, timeout=120_000)
    assert shot.stat().st_size > 10_000
    assert problems == []


def test_pages_and_deep_links(tmp_path, open_report):
    run = write_run(tmp_path / "run", 120, error=False)
    page, problems = open_report(write_report(run, max_docs=100))
    assert page.locator("#doc-list tbody tr").count() == 50
    assert page.text_content(".pager span:not(.count)") == "page 1 of 3"
    page.click(".pager button >> text=next")
    page.click(".pager button >> text=next")
    assert page.locator("#doc-list tbody tr").count() == 20
    page.click('#doc-list tr[data-i="110"]')  # past --max-docs: listed, not shown in full
    assert "holds the first 100 documents" in page.text_content("#doc-view")
    page2, problems2 = open_report(run / "report.html", "#doc-42")
    assert page2.text_content("#doc-view h2") == "doc00042.txt"
    assert problems == [] and problems2 == []


def test_seeds_report_in_the_browser(tmp_path_factory, open_report):
    out = seeds_run(tmp_path_factory)
    run = load_run(out)
    page, problems = open_report(out / "report.html")
    assert stat(page, "documents") == "5" and stat(page, "failed") == "0"
    assert stat(page, "facts") == f"{len(run.facts):,}" and stat(page, "edits") == f"{len(run.edits):,}"
    for i, row in run.documents.iterrows():
        page.click(f'#doc-list tr[data-i="{i}"]')
        assert page.text_content("#doc-view .text.clean") == row["text"]
        assert page.text_content("#doc-view .text.original") == row["original"]
        n_facts = int((run.facts["doc_id"] == row["doc_id"]).sum())
        assert page.locator("#doc-view table.facts tbody tr").count() == n_facts
        if n_facts:
            assert page.locator("#doc-view mark.fact").count() >= 1
    # A record for whoever reads the test log, not an assertion: the viewport only, with room for a
    # loaded machine (a full-page shot of the seeds timed out at 30 s while the quality gates ran).
    page.screenshot(path=str(tmp_path_factory.mktemp("shots") / "seeds.png"), timeout=120_000)
    assert problems == []
