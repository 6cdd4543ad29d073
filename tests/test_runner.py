"""One document failing inside a stage never stops the others."""

import io

from pipeline.run.inputs import InputError, InputRecord
from pipeline.core.document import Edit
from pipeline.run.progress import Progress
from pipeline.run.runner import Timings, process
from pipeline.core.stage import Stage
from pipeline.stages.decode.stage import DecodeStage

from conftest import RULES


class Exploding(Stage):
    name = "explode"
    version = 1

    def __call__(self, doc):
        if "炸" in doc.text:
            raise RuntimeError("boom on purpose")
        return doc.with_edits(self.name, [Edit(0, 0, ">", "explode.mark")])


def test_failure_in_a_later_stage_is_recorded_and_the_rest_run():
    stages = [DecodeStage({}, RULES), Exploding({}, RULES)]
    items = [
        InputRecord("a", "a.txt", "第一篇".encode()),
        InputRecord("b", "b.txt", "炸了".encode()),
        InputError("c", "c.txt", "FileNotFoundError", "cannot read c.txt"),
        InputRecord("d", "d.txt", "第四篇".encode("gbk")),
    ]
    timings = Timings()
    outcomes = list(process(items, stages, timings))
    assert [o.document.text if o.document else None for o in outcomes] == [">第一篇", None, None, ">第四篇"]
    err = outcomes[1].error
    assert (err.doc_id, err.stage, err.error, err.message) == ("b", "explode", "RuntimeError", "boom on purpose")
    assert outcomes[2].error.stage == "read"
    assert set(timings.seconds) == {"decode", "explode"}


def test_progress_logs_plain_lines_off_a_terminal():
    stream = io.StringIO()
    progress = Progress(total=3, stream=stream, log_every=0.0)
    for failed in (False, True, False):
        progress.update(failed=failed)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert lines[0].startswith(" 33.3%  1/3 docs")
    assert lines[-1].startswith("100.0%  3/3 docs") and "1 failed" in lines[-1]


def test_progress_can_be_silenced():
    stream = io.StringIO()
    progress = Progress(total=2, stream=stream, enabled=False)
    progress.update()
    progress.close()
    assert stream.getvalue() == ""


def test_published_at_keeps_the_precision_given():
    from pipeline.run.runner import normalise_iso8601

    assert normalise_iso8601("2021-07-26") == "2021-07-26"
    assert normalise_iso8601("2021-07-26 11:43") == "2021-07-26T11:43"
    assert normalise_iso8601("2021-07-26T11:43:05+08:00") == "2021-07-26T11:43:05+08:00"
    assert normalise_iso8601("2024-02-25 10:58:02") == "2024-02-25T10:58:02"
    assert normalise_iso8601("2021年7月26日") is None
    assert normalise_iso8601("yesterday") is None
