"""The known-miss cases (tests/missed.py) fail for the right reason and notice a fix."""

from types import SimpleNamespace

import pytest

import missed


def doc(text, *facts):
    return SimpleNamespace(
        doc_id="000_x.txt",
        text=text,
        facts=[SimpleNamespace(type=t, start=text.index(s), end=text.index(s) + len(s), text=s, value=v) for t, s, v in facts],
    )


def case(expect, type_, text, context="", value=""):
    return {"doc": "000", "expect": expect, "type": type_, "text": text, "context": context,
            "value": value, "why": "test", "where": "t.tsv:2"}


def test_a_found_case_passes_once_the_fact_is_there():
    docs = [doc("在大众日报刊登", ("org", "大众日报", {"name": "大众日报"}))]
    missed.check(case("found", "org|location", "大众日报"), docs)
    with pytest.raises(AssertionError):
        missed.check(case("found", "location", "大众日报"), docs)


def test_found_with_a_context_looks_only_there():
    docs = [doc("山东省陆海中心,其中陆海中心", ("org", "山东省陆海中心", {}))]
    with pytest.raises(AssertionError):
        missed.check(case("found", "org", "陆海中心", context="其中陆海中心"), docs)


def test_found_with_a_value_needs_that_value():
    docs = [doc("26家企业", ("count", "26家", {"value": 26, "object": "企业"}))]
    missed.check(case("found", "count", "26家", value='{"object": "企业"}'), docs)
    with pytest.raises(AssertionError):
        missed.check(case("found", "count", "26家", value='{"object": "重点企业"}'), docs)


def test_absent_fails_while_the_fact_is_there():
    docs = [doc("开园典礼", ("location", "开园", {}))]
    with pytest.raises(AssertionError):
        missed.check(case("absent", "location", "开园"), docs)
    missed.check(case("absent", "org", "开园"), docs)


@pytest.mark.parametrize("bad", [case("found", "org", "不在文中"), case("found", "org", "大众日报", context="其中大众日报"),
                                 {**case("found", "org", "大众日报"), "doc": "009"}])
def test_a_case_that_does_not_fit_its_document_is_an_error_not_an_expected_failure(bad):
    with pytest.raises(missed.CaseError):
        missed.check(bad, [doc("在大众日报刊登")])
