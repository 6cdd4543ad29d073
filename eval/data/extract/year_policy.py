"""Measure how a yearless date should take its year, on news that carries its publication date.

    .venv/bin/python eval/data/extract/year_policy.py [--news PATH]

The Sogou CS articles of ../shared/data/news/news_zh.jsonl carry their publication day in the URL
(http://gongyi.sohu.com/20120724/n348878190.shtml); the other sources carry none. Each such
article runs through convert and extract with that day as `published_at`. For every date the
extractor resolved from the published date (a month or day written without a year), the year
each candidate policy gives:

- nearest:      the extractor's (the year putting the date nearest the published day, a date
                after it at double distance: news reports the recent past more than the future);
- same_year:    the published year;
- nearest_past: the latest such date on or before the published day;
- paragraph:    the year of the nearest earlier date in the same paragraph that states a year and a
                month (the extractor looks only in the same sentence), when there is one.

Where the policies disagree, the true year is judged by hand (year_policy.tsv, the words that
decide it given); the script fails on a disagreement nobody judged. It prints each policy's right
answers among the judged disagreements.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core.document import Document  # noqa: E402
from pipeline.stages.convert.stage import ConvertStage  # noqa: E402
from pipeline.stages.extract.stage import ExtractStage  # noqa: E402

DEFAULT_NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
JUDGED = HERE / "year_policy.tsv"
URL_DATE = re.compile(r"/(20[0-2][0-9])([01][0-9])([0-3][0-9])/")
# Paragraph breaks in the raw text: newlines and Sogou's FDA3 paragraph mark (U+E40C).
PARAGRAPH = re.compile("[\n\ue40c]")
MONTH = re.compile(r"[0-9０-９一二三四五六七八九十]\s?月")
POLICIES = ("nearest", "same_year", "nearest_past", "paragraph")


def judged() -> dict[tuple[str, str], int]:
    out = {}
    for line in JUDGED.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        aid, surface, year, _why = line.split("\t")
        out[(aid, surface)] = int(year)
    return out


def cases(news: Path):
    """(article id, published day, surface, {policy: year}) for each yearless month or day."""
    convert, extract = ConvertStage({}, ROOT / "rules"), ExtractStage({}, ROOT / "rules")
    with news.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            m = URL_DATE.search(row.get("url") or "")
            if not m or not row.get("text"):
                continue
            pub = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            doc = Document(doc_id=row["id"], source="news", original=row["text"], text=row["text"],
                           meta={"published_at": pub.isoformat()})
            doc = extract(convert(doc))
            dates = [f for f in doc.facts if f.type == "date"]
            explicit = [f for f in dates if f.value.get("resolved") == "explicit"
                        and f.value["granularity"] not in ("year", "half", "quarter", "season")]
            for f in dates:
                if f.value.get("resolved") != "published_at" or not MONTH.search(f.text) or "年" in f.text:
                    continue
                start = date.fromisoformat(f.value["start"][:10])
                same = date(pub.year, start.month, min(start.day, 28))
                years = {"nearest": start.year, "same_year": pub.year,
                         "nearest_past": pub.year if same <= pub else pub.year - 1}
                earlier = [e for e in explicit if e.end <= f.start and not PARAGRAPH.search(doc.text[e.end : f.start])]
                years["paragraph"] = int(earlier[-1].value["start"][:4]) if earlier else start.year
                yield row["id"], pub, f.text, years


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    args = parser.parse_args()
    truth = judged()
    right = {p: 0 for p in POLICIES}
    total = disagreements = 0
    unjudged = []
    for aid, pub, surface, years in cases(args.news):
        total += 1
        if len(set(years.values())) == 1:
            continue
        disagreements += 1
        year = truth.get((aid, surface))
        if year is None:
            unjudged.append((aid, pub, surface, years))
            continue
        for p in POLICIES:
            right[p] += years[p] == year
        print(f"  {aid} published {pub}: {surface} -> {years}, judged {year}")
    print(f"{total} yearless dates resolved from the URL's publication day; the policies disagree on "
          f"{disagreements}")
    for p in POLICIES:
        print(f"  {p:<13} right on {right[p]} of {disagreements - len(unjudged)} judged disagreements")
    for case in unjudged:
        print(f"  not judged: {case}", file=sys.stderr)
    return 1 if unjudged else 0


if __name__ == "__main__":
    sys.exit(main())
