"""One document failing inside a stage never stops the others."""

import io

from pipeline.run.inputs import InputError, InputRecord
from pipeline.core.document import Edit
from pipeline.run.progress import Progress
from pipeline.run.runner import Timings, process
from pipeline.core.document import Fact
from pipeline.core.stage import Assigns, Stage
from pipeline.stages.decode.stage import DecodeStage

from conftest import RULES


class Exploding(Stage):
    name = "explode"
    version = 1
    assigns = Assigns(layer=True)

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


class Overreaching(Stage):
    """Declares one fact type and a text layer, then does more on some documents."""

    name = "overreach"
    version = 1
    assigns = Assigns(layer=True, facts=("money",))

    def __call__(self, doc):
        money = Fact(doc.doc_id, "m", "money", "", {}, 0, 0, 0, 0, None, "x.money", 1, "rule", 1.0)
        doc = doc.with_edits(self.name, [Edit(0, 0, ">", "overreach.mark")])
        doc = doc.__class__(**{**doc.__dict__, "facts": (money,)})
        if "题" in doc.text:
            return doc.with_meta(title="not mine")
        return doc


def test_a_stage_that_changes_what_it_does_not_assign_fails_that_document():
    stages = [DecodeStage({}, RULES), Overreaching({}, RULES)]
    items = [InputRecord(i, i, text.encode()) for i, text in (("a", "第一篇"), ("b", "标题"), ("c", "第三篇"))]
    outcomes = list(process(items, stages, Timings()))
    assert outcomes[0].document.text == ">第一篇" and [f.type for f in outcomes[0].document.facts] == ["money"]
    err = outcomes[1].error
    assert (err.stage, err.error) == ("overreach", "AssignsError") and "meta 'title'" in err.message
    assert outcomes[2].document.text == ">第三篇"  # the batch goes on


def test_facts_of_other_types_are_protected():
    class Thief(Stage):
        name, version = "thief", 1
        assigns = Assigns(facts=("money",))

        def __call__(self, doc):
            return doc.__class__(**{**doc.__dict__, "facts": ()})

    date = Fact("a", "d", "date", "", {}, 0, 0, 0, 0, None, "x.date", 1, "rule", 1.0)

    class Dater(Stage):
        name, version = "dater", 1
        assigns = Assigns(facts=("date",))

        def __call__(self, doc):
            return doc.__class__(**{**doc.__dict__, "facts": (date,)})

    outcome = next(process([InputRecord("a", "a", "文".encode())],
                           [DecodeStage({}, RULES), Dater({}, RULES), Thief({}, RULES)], Timings()))
    assert outcome.error.error == "AssignsError" and "facts it does not own" in outcome.error.message
