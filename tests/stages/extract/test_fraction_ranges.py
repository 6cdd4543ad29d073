"""Two fractions joined by a range word are one range fact (issue 19, h19e), smaller share first."""

from __future__ import annotations

import pytest

from pipeline.core.document import Document


def percents(extract, text: str):
    d = Document(doc_id="d", source="d", original=text, text=text, meta={})
    return [(f.text, f.value) for f in extract(d).facts if f.type == "percent"]


@pytest.mark.parametrize("text,surface,low,high", [
    ("价格是同类产品价格的五分之一到七分之一。", "五分之一到七分之一", 100 / 7, 20.0),
    ("约占三分之一至二分之一。", "三分之一至二分之一", 100 / 3, 50.0),
    ("仓位在1/3至1/2之间。", "1/3至1/2", 100 / 3, 50.0),
])
def test_two_fractions_with_a_range_word_are_one_range(extract, text, surface, low, high):
    [(got, value)] = percents(extract, text)
    assert got == surface and value["approx"] == "range" and value["value"] is None
    assert value["min"] == pytest.approx(low) and value["max"] == pytest.approx(high)
    assert value["min_inclusive"] is True and value["max_inclusive"] is True


def test_fractions_without_a_range_word_stay_apart(extract):
    assert [s for s, _ in percents(extract, "三分之一和二分之一。")] == ["三分之一", "二分之一"]
    # An approximated fraction is no range end (近三分之一到一半 stays two facts or one share).
    assert all(v["approx"] != "range" for _, v in percents(extract, "近三分之一到二分之一。"))
