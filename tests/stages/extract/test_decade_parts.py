"""Parts of a decade (90年代初, 80年代中期, 九十年代末期): every word of [decade_parts] gives years
inside its decade, early before middle before late, and a part joins ranges like a decade does."""

from __future__ import annotations

import tomllib

import pytest

from pipeline.core.document import Document

from conftest import RULES

PARTS = tomllib.loads((RULES / "extract" / "date.toml").read_text(encoding="utf-8"))["decade_parts"]


def dates(extract, text: str):
    d = Document(doc_id="d", source="d", original=text, text=text, meta={})
    return [(f.text, f.value["start"], f.value["end"]) for f in extract(d).facts if f.type == "date"]


@pytest.mark.parametrize("word,years", sorted(PARTS.items()))
@pytest.mark.parametrize("decade,first", [("90", 1990), ("八十", 1980), ("上世纪70", 1970), ("20世纪30", 1930)])
def test_every_part_gives_its_years_of_the_decade(extract, word, years, decade, first):
    surface = f"{decade}年代{word}"
    assert dates(extract, f"早在{surface}，") == [
        (surface, f"{first + years[0]}-01-01", f"{first + years[1]}-12-31")]


def test_parts_are_ordered_and_inside_the_decade():
    early, middle, late = PARTS["初"], PARTS["中期"], PARTS["末"]
    assert 0 == early[0] <= early[1] < middle[0] <= middle[1] < late[0] <= late[1] == 9


def test_a_part_joins_a_range(extract):
    assert dates(extract, "上世纪90年代初到2005年，") == [("上世纪90年代初到2005年", "1990-01-01", "2005-12-31")]
    assert dates(extract, "80年代末90年代初的事") == [("80年代末", "1987-01-01", "1989-12-31"),
                                                  ("90年代初", "1990-01-01", "1993-12-31")]
