"""eval/repair.py's scoring helpers: the fast forms give what the plain ones gave."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import load_script


def _load_eval():
    return load_script("eval/repair.py")


EVAL = _load_eval()


def _tuple_align(out: str, ref: str) -> tuple[int, int, int]:
    """The alignment as rows of (cost, wrong, U+FFFD) tuples, min taken on tuples."""
    if not out or not ref:
        return max(len(out), len(ref)), sum(c != "\ufffd" for c in out), out.count("\ufffd")
    prev = [(j, 0, 0) for j in range(len(ref) + 1)]
    for i, co in enumerate(out, 1):
        bad = co != "\ufffd"
        cur = [(i, prev[0][1] + bad, prev[0][2] + (not bad))]
        for j, cr in enumerate(ref, 1):
            d, w, f = prev[j - 1]
            same = co == cr
            sub = (d + (not same), w + (not same and bad), f + (not same and not bad))
            d, w, f = prev[j]
            ins = (d + 1, w + bad, f + (not bad))
            d, w, f = cur[j - 1]
            cur.append(min(sub, ins, (d + 1, w, f)))
        prev = cur
    return prev[-1]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab\ufffdc", max_size=14), st.text(alphabet="abc\ufffd", max_size=14))
def test_packed_alignment_gives_the_tuple_alignment(out, ref):
    assert EVAL._align(out, ref) == _tuple_align(out, ref)


def test_alignment_counts_wrong_and_replacement_characters():
    # 青岛 -> 青X� : one wrong character written, one U+FFFD, against 青岛市.
    assert EVAL._align("青X\ufffd", "青岛市") == (2, 1, 1)
    assert EVAL.distance("今天发布了", "今天发布了") == 0


def test_the_choice_memo_answers_as_the_model_and_asks_it_once():
    calls = []

    class Model:
        def choose(self, before, cands, after):
            calls.append((before, cands, after))
            return cands[-1], 0.5

    memo = EVAL.ChoiceMemo(Model())
    assert memo.choose("青岛", ("市", "是"), "科技") == ("是", 0.5)
    assert memo.choose("青岛", ("市", "是"), "科技") == ("是", 0.5)
    assert memo.choose("青岛", ("市",), "科技") == ("市", 0.5)
    assert len(calls) == 2
