"""Issue 19's later date forms: relative quarters, dotted year-months, year lists, a relative day
glossed by its date; each against a published date and without one."""

from __future__ import annotations

import pytest

from pipeline.core.document import Document


def dates(extract, text, published=None):
    d = Document(doc_id="d", source="d", original=text, text=text,
                 meta={"published_at": published} if published else {})
    return [(f.text, f.value["start"], f.value["end"], f.value["granularity"])
            for f in extract(d).facts if f.type == "date"]


@pytest.mark.parametrize("published, start, end", [
    ("2009-02-10", "2008-10-01", "2008-12-31"),  # January-March: the last quarter of the year before
    ("2009-05-10", "2009-01-01", "2009-03-31"),
    ("2009-12-31", "2009-07-01", "2009-09-30"),
])
def test_last_quarter_counts_from_the_published_quarter(extract, published, start, end):
    assert dates(extract, "而上一季度亏损359.77亿元", published) == [("上一季度", start, end, "quarter")]


def test_next_quarter_crosses_the_year(extract):
    assert dates(extract, "下个季度将回暖", "2009-11-02") == [("下个季度", "2010-01-01", "2010-03-31", "quarter")]


def test_relative_quarter_without_a_published_date_is_unresolved(extract):
    assert dates(extract, "销售均价较上季度略有上升") == [("上季度", None, None, "quarter")]


def test_a_numbered_quarter_is_not_relative(extract):
    assert dates(extract, "一季度销售", "2009-05-10") == [("一季度", "2009-01-01", "2009-03-31", "quarter")]


def test_dotted_year_months_and_their_ranges(extract):
    assert dates(extract, "2001.03-2004.06 任总经理；2010.05-2012 北京大学；2019.05，入职") == [
        ("2001.03-2004.06", "2001-03-01", "2004-06-30", "month"),
        ("2010.05-2012", "2010-05-01", "2012-12-31", "month"),
        ("2019.05", "2019-05-01", "2019-05-31", "month"),
    ]


@pytest.mark.parametrize("text", ["账户总数已达到2842.10万户", "上证综指收于2019.05点", "增长2010.12%"])
def test_decimals_are_not_dotted_dates(extract, text):
    assert dates(extract, text) == []


def test_two_years_sharing_one_nian_are_a_range(extract):
    assert dates(extract, "比起03、04年的情况") == [("03、04年", "2003-01-01", "2004-12-31", "year")]
    assert dates(extract, "在2005、2006年的牛市") == [("2005、2006年", "2005-01-01", "2006-12-31", "year")]
    assert dates(extract, "需要10、20年后才能收回") == []


def test_relative_day_glossed_by_its_date_is_one_date_time(extract):
    assert dates(extract, "今天（4月2日）10时，大会开幕。", "2010-04-02") == [
        ("今天（4月2日）10时", "2010-04-02T10:00", "2010-04-02T10:00", "hour")]
    # The bracketed date is what the text says, even when the published date is a day later.
    assert dates(extract, "昨日(2月5日)香港，", "2011-02-07") == [("昨日(2月5日)", "2011-02-05", "2011-02-05", "day")]


def test_month_day_with_a_dash_only_where_the_context_says_date(extract):
    assert dates(extract, "会议将于10-15举行。", "2010-09-01") == [("10-15", "2010-10-15", "2010-10-15", "day")]
    for text in ("集美计划将在3-5年内", "在4-2土地上养殖", "湖人以3-1取胜，", "时间为13:00-17:00，"):
        assert dates(extract, text, "2010-09-01") == []


@pytest.mark.parametrize("text, published, start", [
    ("并将于9月1日起实施。", "2012-06-21", "2012-09-01"),       # an announced event: later the same year
    ("12月28日，公司宣布", "2012-01-05", "2011-12-28"),          # a week back, not eleven months ahead
    ("3月7日康复出院", "2012-06-12", "2012-03-07"),
])
def test_a_yearless_date_takes_the_year_nearest_the_published_date(extract, text, published, start):
    [(_, got, _, _)] = dates(extract, text, published)
    assert got == start


def test_a_neighbour_in_another_sentence_gives_no_year(extract):
    text = "2011年7月正式实施的社保法。6月初，人社部表示"
    assert [d[1] for d in dates(extract, text, "2012-06-28")] == ["2011-07-01", "2012-06-01"]
    assert [d[1] for d in dates(extract, "2011年7月实施，6月初人社部表示", "2012-06-28")] == [
        "2011-07-01", "2011-06-01"]


def test_a_list_is_a_range_only_of_neighbours(extract):
    assert dates(extract, "在2005、2006年的牛市") == [("2005、2006年", "2005-01-01", "2006-12-31", "year")]
    assert dates(extract, "在2005、2008年两次") == [("2008年", "2008-01-01", "2008-12-31", "year")]
    assert [d[0] for d in dates(extract, "1、3月份的数据")] == ["3月份"]
