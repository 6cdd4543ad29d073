from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.align import diff_edits
from pipeline.core.document import apply_edits

TEXT = st.text("這個中介軟體这个中间件SQL \n聯联", max_size=60)


@given(TEXT, TEXT)
def test_edits_turn_before_into_after(before, after):
    edits = diff_edits(before, after, "r")
    assert apply_edits(before, edits) == after
    assert all(e.rule_id == "r" for e in edits)
    starts = [e.start for e in edits]
    assert starts == sorted(starts)


@given(st.text("這個中介軟體SQL\n", max_size=60), st.data())
def test_equal_length_change_gives_one_edit_per_changed_character(before, data):
    table = str.maketrans("這個軟體", "这个软体")
    after = before.translate(table)
    edits = diff_edits(before, after, "r")
    assert len(edits) == sum(a != b for a, b in zip(before, after))
    assert all(e.end - e.start == 1 and len(e.replacement) == 1 for e in edits)


def test_phrase_of_other_length_becomes_one_edit():
    edits = diff_edits("這個中介軟體使用SQL隱碼攻擊", "这个中间件使用SQL注入", "r")
    pieces = [(e.start, e.end, e.replacement) for e in edits]
    assert (0, 1, "这") in pieces and (1, 2, "个") in pieces
    assert apply_edits("這個中介軟體使用SQL隱碼攻擊", edits) == "这个中间件使用SQL注入"
    # Nothing outside the changed phrases is touched.
    assert all(not (6 <= e.start < 11) for e in edits)  # 使用SQL


def test_a_long_changed_line_is_aligned_in_linear_time_with_small_edits():
    # difflib alone took 110 s on 4,000 characters of this; cut at shared punctuation, or
    # a window at a time where there is none, each phrase is still its own edit.
    for before, after in [("中介軟體很好，聯動。" * 4000, "中间件很好，联动。" * 4000),
                          ("中介軟體很好" * 1000, "中间件很好" * 1000)]:
        edits = diff_edits(before, after, "r")
        assert apply_edits(before, edits) == after
        assert all(e.end - e.start <= 4 and len(e.replacement) <= 3 for e in edits)
