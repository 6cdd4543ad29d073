"""published_at from a record's url (issue 19): Sogou urls carry the day (/20120615/); used only when
neither the record nor the text gives one, and only when the url names one day."""

from pathlib import Path

import pytest

from pipeline.core.document import Document
from pipeline.stages.registry import configured_stage

RULES = Path(__file__).resolve().parents[3] / "rules"
BODY = "记者昨日从市政府获悉，今年上半年全市新增就业岗位超过两万个，比去年同期增长一成。" * 3


@pytest.fixture(scope="module")
def clean():
    return configured_stage("clean", RULES)


def run(clean, text: str = BODY, **meta) -> dict:
    return dict(clean(Document(doc_id="d", source="t", original=text, text=text, meta=meta)).meta)


def test_the_url_day_when_nothing_else_gives_one(clean):
    meta = run(clean, url="http://news.sohu.com/20120615/n345678.shtml")
    assert meta["published_at"] == "2012-06-15" and meta["published_at_source"] == "url"


@pytest.mark.parametrize("url", [
    "http://a.com/20120615/x/20120616/y.shtml",  # two days: ambiguous
    "http://a.com/20121315/y.shtml",              # no month 13
    "http://a.com/n20120615.shtml",               # not a path part
    "http://try.women.sohu.com/Activity/in_activity/0/4",
])
def test_no_day_from_an_ambiguous_or_dateless_url(clean, url):
    meta = run(clean, url=url)
    assert "published_at" not in meta and "published_at_source" not in meta


def test_the_record_and_the_text_win_over_the_url(clean):
    given = run(clean, url="http://news.sohu.com/20120615/n1.shtml", published_at="2012-06-14T08:00")
    assert "published_at_source" not in given
    text = "发布时间：2012-06-10\n" + BODY
    meta = run(clean, text, url="http://news.sohu.com/20120615/n1.shtml")
    assert meta.get("published_at") == "2012-06-10" and "published_at_source" not in meta


def test_relative_dates_resolve_against_the_url_day(clean):
    extract = configured_stage("extract", RULES)
    doc = Document(doc_id="d", source="t", original=BODY, text=BODY,
                   meta={"url": "http://news.sohu.com/20120615/n1.shtml"})
    facts = extract(clean(doc)).facts
    yesterday = next(f for f in facts if f.text == "昨日")
    assert yesterday.value["start"] == "2012-06-14" and yesterday.value["resolved"] == "published_at"
