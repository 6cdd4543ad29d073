"""Property tests: spans survive any sequence of layers of edits."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.document import Document, Edit, apply_edits
from conftest import examples

ALPHABET = "ab中文聯(lián)網 \n"


@st.composite
def edit_lists(draw, text: str):
    """Sorted, non-overlapping edits: insertions, deletions, replacements of any length."""
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    edits = []
    prev = 0
    for a, b in zip(cuts[::2], cuts[1::2]):
        if a < prev:
            continue
        repl = draw(st.text(ALPHABET, max_size=4))
        edits.append(Edit(a, b, repl, "test.rule"))
        prev = b
    return edits


@st.composite
def documents(draw):
    text = draw(st.text(ALPHABET, max_size=40))
    doc = Document(doc_id="d", source="test", original=text, text=text)
    for i in range(draw(st.integers(0, 4))):
        doc = doc.with_edits(f"step{i}", draw(edit_lists(doc.text)))
    return doc


@st.composite
def doc_and_span(draw, min_size=0):
    doc = draw(documents())
    a = draw(st.integers(0, len(doc.text)))
    b = draw(st.integers(a, len(doc.text)))
    return doc, a, b


@given(st.text(ALPHABET, max_size=40).flatmap(lambda t: st.tuples(st.just(t), edit_lists(t))))
def test_applying_a_layer_reproduces_its_output(text_edits):
    text, edits = text_edits
    doc = Document(doc_id="d", source="t", original=text, text=text).with_edits("s", edits)
    # Rebuild the output from the layer alone, piece by piece.
    if doc.layers:
        assert apply_edits(text, doc.layers[0].edits) == doc.text
        rebuilt, pos = [], 0
        for e in doc.layers[0].edits:
            rebuilt += [text[pos : e.start], e.replacement]
            pos = e.end
        assert "".join(rebuilt) + text[pos:] == doc.text
    else:
        assert doc.text == text


@given(documents())
def test_text_is_original_with_all_layers_applied(doc):
    text = doc.original
    for layer in doc.layers:
        assert layer.input_length == len(text)
        text = apply_edits(text, layer.edits)
    assert text == doc.text


@settings(max_examples=examples(300))
@given(doc_and_span())
def test_mapped_span_lies_inside_original(case):
    doc, a, b = case
    s, e = doc.to_original(a, b)
    assert 0 <= s <= e <= len(doc.original)


@settings(max_examples=examples(300))
@given(doc_and_span())
def test_back_and_forth_is_stable(case):
    doc, a, b = case
    orig = doc.to_original(a, b)
    cur = doc.from_original(*orig)
    assert 0 <= cur[0] <= cur[1] <= len(doc.text)
    assert doc.to_original(*cur) == orig
    assert doc.from_original(*orig) == cur


@given(st.text(ALPHABET, min_size=1, max_size=30), st.data())
def test_deleted_text_maps_to_empty_span_at_deletion_point(text, data):
    a = data.draw(st.integers(0, len(text) - 1))
    b = data.draw(st.integers(a + 1, len(text)))
    doc = Document(doc_id="d", source="t", original=text, text=text)
    doc = doc.with_edits("del", [Edit(a, b, "", "test.delete")])
    assert doc.from_original(a, b) == (a, a)
    assert doc.text[:a] == text[:a]
    # The characters on either side still map to themselves.
    if a > 0:
        assert doc.from_original(a - 1, a) == (a - 1, a)
    if b < len(text):
        assert doc.from_original(b, b + 1) == (a, a + 1)


def test_fact_inside_replacement_covers_whole_replaced_region():
    text = "部市聯(lián)動 推動"
    doc = Document(doc_id="d", source="t", original=text, text=text)
    doc = doc.with_edits("repair", [Edit(3, 9, "", "repair.pinyin")])  # drop (lián)
    assert doc.text == "部市聯動 推動"
    doc = doc.with_edits("convert", [Edit(2, 4, "联动", "convert.opencc")])
    assert doc.text == "部市联动 推動"
    assert doc.to_original(2, 4) == (2, 10)  # 聯(lián)動
    assert doc.to_original(5, 7) == (11, 13)  # 推動 -> unchanged position shift
    assert doc.original[11:13] == "推動"
    assert doc.to_original(2, 3) == (2, 10)  # part of one two-character replacement


def test_length_changing_replacement_maps_both_ways():
    text = "這個中介軟體使用SQL"
    doc = Document(doc_id="d", source="t", original=text, text=text)
    doc = doc.with_edits("convert", [Edit(0, 2, "这个", "c"), Edit(2, 6, "中间件", "c")])
    assert doc.text == "这个中间件使用SQL"
    assert doc.to_original(2, 5) == (2, 6)
    assert doc.from_original(2, 6) == (2, 5)
    assert doc.to_original(5, 10) == (6, 11)
    assert doc.original[6:11] == doc.text[5:10] == "使用SQL"


def test_insertion_stays_outside_adjacent_spans():
    doc = Document(doc_id="d", source="t", original="abcd", text="abcd")
    doc = doc.with_edits("s", [Edit(2, 2, "XY", "ins")])
    assert doc.text == "abXYcd"
    assert doc.to_original(2, 4) == (2, 2)  # inserted text has no original
    assert doc.to_original(0, 2) == (0, 2)
    assert doc.to_original(4, 6) == (2, 4)
    assert doc.from_original(0, 4) == (0, 6)
