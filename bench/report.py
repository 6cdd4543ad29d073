"""How report.html scales: build time, file size, and the page in headless Chromium.

    .venv/bin/python bench/report.py [--news PATH] [--docs N] [--check]

Runs the pipeline over N documents (default 5,000) made from the real news
in ../shared/data/news/ (cycled; every second one converted to traditional
Chinese so the convert stage makes its usual hundreds of edits, and a few
boilerplate lines added for the clean stage), then prints: seconds and
documents per second to build the report, its size, and, when Chromium and
playwright are there, seconds until the page is ready, to open the last
document, and to apply a filter. `--check` compares with `[report]` in
bench/floors.toml (rates are floors).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.cli import main as pipeline  # noqa: E402
from pipeline.inspect.report import write_report  # noqa: E402

DEFAULT_NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
CHROMIUM = os.environ.get("PIPELINE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# Page furniture, so removed lines show up in the report as they do on crawled pages.
FURNITURE = ("首页 > 新闻中心 > 正文", "分享到:", "责任编辑:张三", "上一篇:返回列表")


def make_input(news: Path, n: int, out: Path) -> None:
    articles = [json.loads(line) for line in news.read_text(encoding="utf-8").splitlines() if line.strip()]
    to_trad = opencc.OpenCC("s2t")
    with out.open("w", encoding="utf-8") as fh:
        for i in range(n):
            a = articles[i % len(articles)]
            text = a["text"] if i % 2 else to_trad.convert(a["text"])
            text = "\n".join((FURNITURE[0], text, *FURNITURE[1:]))
            fh.write(json.dumps({"id": f"{i:05d}-{a['id']}", "text": text}, ensure_ascii=False) + "\n")


def browse(report: Path, n: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        t0 = time.perf_counter()
        page.goto(report.as_uri(), timeout=300_000)
        page.wait_for_selector("html[data-ready=true]", timeout=300_000)
        ready = time.perf_counter() - t0
        page.fill("#filters input[type=search]", f"{n - 1:05d}-")
        t0 = time.perf_counter()
        page.click(f'#doc-list tr[data-i="{n - 1}"]')
        page.wait_for_selector("#doc-view .text.clean")
        open_doc = time.perf_counter() - t0
        page.fill("#filters input[type=search]", "")
        t0 = time.perf_counter()
        page.click('[data-filter="cat:spun"], [data-filter^="type:"]')
        page.wait_for_function("document.querySelector('#doc-count') !== null")
        filtered = time.perf_counter() - t0
        heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
        browser.close()
    return {"ready_s": ready, "open_last_doc_s": open_doc, "filter_s": filtered, "js_heap_mb": heap / 1e6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--check", action="store_true", help="fail below bench/floors.toml [report]")
    args = parser.parse_args()
    if not args.news.is_file():
        print(f"bench: {args.news} not found (it lives in ../shared/data/news/)", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        tmp = Path(tmp)
        make_input(args.news, args.docs, tmp / "news.jsonl")
        t0 = time.perf_counter()
        status = pipeline(["run", str(tmp / "news.jsonl"), "--out", str(tmp / "run"), "--quiet", "--no-report",
                           "--no-cache", "--jobs", str(args.jobs)])
        run_seconds = time.perf_counter() - t0
        if status not in (0, 1):
            print(f"bench: pipeline run failed with status {status}", file=sys.stderr)
            return 2
        t0 = time.perf_counter()
        report = write_report(tmp / "run")
        build = time.perf_counter() - t0
        manifest = json.loads((tmp / "run" / "manifest.json").read_text(encoding="utf-8"))
        counts = manifest["counts"]
        figures = {"build_docs_per_s": counts["documents"] / build}
        print(f"{counts['documents']:,} documents, {counts['facts']:,} facts, {counts['edits']:,} edits "
              f"(pipeline run: {run_seconds:.1f} s)")
        print(f"report build: {build:.2f} s ({figures['build_docs_per_s']:,.0f} documents/s), "
              f"{report.stat().st_size / 1e6:.1f} MB")
        if Path(CHROMIUM).is_file():
            try:
                page = browse(report, counts["documents"])
            except ImportError:
                page = None
                print("browser: playwright not installed, page figures skipped")
            if page:
                figures["page_docs_per_s"] = counts["documents"] / page["ready_s"]
                print(f"page ready: {page['ready_s']:.2f} s; open the last document: {page['open_last_doc_s']:.2f} s; "
                      f"filter: {page['filter_s']:.2f} s; JS heap: {page['js_heap_mb']:.0f} MB")
        else:
            print(f"browser: no Chromium at {CHROMIUM}, page figures skipped")
    for name, value in figures.items():
        print(f"{name:<24} {value:>10,.0f}")
    if args.check:
        floors = tomllib.loads((ROOT / "bench" / "floors.toml").read_text(encoding="utf-8")).get("report", {})
        low = [f"{k}: {figures[k]:,.0f} < floor {v:,.0f}" for k, v in floors.items()
               if k in figures and figures[k] < v]
        for line in low:
            print(f"BELOW FLOOR {line}", file=sys.stderr)
        return 1 if low else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
