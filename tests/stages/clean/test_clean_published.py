"""A record's own published_at and the text's date line disagreeing: both kept, the document not failed."""

from conftest import RULES
from pipeline.run.inputs import InputRecord
from pipeline.run.runner import Pipeline
from pipeline.stages.clean.stage import CleanStage
from pipeline.stages.decode.stage import DecodeStage

TEXT = ("标题在此\n2020-01-02 10:00:00 来源：新华网\n"
        "正文第一段，公司收入100万元。这是一篇足够长的新闻正文，用来测试发布日期的处理是否正确无误。")


def run(meta):
    pipeline = Pipeline([DecodeStage({}, RULES), CleanStage({}, RULES)])
    return pipeline.process_one(InputRecord("a", "in.jsonl:1", TEXT, meta))


def test_a_date_line_other_than_the_records_is_kept_beside_it():
    outcome = run({"published_at": "2021-07-26"})
    assert outcome.error is None, outcome.error
    meta = outcome.document.meta
    assert meta["published_at"] == "2021-07-26" and meta["published_at_in_text"] == "2020-01-02T10:00:00"


def test_a_date_line_agreeing_with_the_record_adds_nothing():
    outcome = run({"published_at": "2020-01-02T10:00:00"})
    assert outcome.error is None, outcome.error
    assert "published_at_in_text" not in outcome.document.meta
