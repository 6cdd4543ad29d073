"""Decoding the tagger's BILUO scores into entities (pipeline/stages/ner/biluo.py)."""

import numpy
import pytest
from hypothesis import given, settings, strategies as st

from pipeline.stages.ner import biluo
from pipeline.stages.ner.biluo import best_index_paths, best_paths, index_spans, spans, transitions
from conftest import examples

LABELS = ["B-LOC", "B-ORG", "I-LOC", "I-ORG", "L-LOC", "L-ORG", "O", "U-LOC", "U-ORG"]


def probs(rows):
    """Probabilities that pick the given tag per character (0.6), the rest spread evenly."""
    out = numpy.full((len(rows), len(LABELS)), 0.4 / (len(LABELS) - 1))
    for i, row in enumerate(rows):
        for tag, p in (row.items() if isinstance(row, dict) else [(row, 0.6)]):
            out[i, LABELS.index(tag)] = p
    return out


def valid(tags):
    trans, first, last = transitions(LABELS)
    ks = [LABELS.index(t) for t in tags]
    return first[ks[0]] == 0 and last[ks[-1]] == 0 and all(trans[a, b] == 0 for a, b in zip(ks, ks[1:]))


def test_transitions_allow_only_well_formed_sequences():
    assert valid(["B-ORG", "I-ORG", "L-ORG", "O", "U-LOC"])
    assert not valid(["O", "I-ORG", "L-ORG"])  # inside without a begin
    assert not valid(["B-LOC", "L-ORG"])  # label changes inside an entity
    assert not valid(["B-LOC", "O"])  # entity left open
    assert not valid(["B-LOC"])  # ends open


def test_a_valid_best_pick_is_kept():
    rows = ["O", "B-ORG", "I-ORG", "L-ORG", "U-LOC"]
    assert best_paths([probs(rows)], LABELS) == [rows]


def test_an_invalid_pick_becomes_the_best_valid_sequence():
    # Per character the best tags read B-LOC I-ORG L-ORG; the first character is
    # almost as likely B-ORG, so the valid sequence is one organisation.
    rows = [{"B-LOC": 0.5, "B-ORG": 0.45}, "I-ORG", "L-ORG"]
    (path,) = best_paths([probs(rows)], LABELS)
    assert path == ["B-ORG", "I-ORG", "L-ORG"]
    assert spans(path) == [(0, 3, "ORG")]


def test_sentences_are_decoded_independently_and_empty_ones_kept():
    out = best_paths([probs(["U-LOC"]), numpy.zeros((0, len(LABELS))), probs(["B-ORG", "L-ORG"])], LABELS)
    assert out == [["U-LOC"], [], ["B-ORG", "L-ORG"]]


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.lists(st.floats(0.001, 1.0), min_size=len(LABELS), max_size=len(LABELS)), min_size=1, max_size=12))
def test_best_paths_are_always_valid_and_at_least_as_likely_as_any_valid_sequence(rows):
    p = numpy.array(rows)
    (path,) = best_paths([p], LABELS)
    assert valid(path)
    logp = numpy.log(p)
    score = sum(logp[i, LABELS.index(t)] for i, t in enumerate(path))
    # Compare with a few valid alternatives: all O, and one entity over the whole sentence.
    n = len(rows)
    whole = ["U-ORG"] if n == 1 else ["B-ORG"] + ["I-ORG"] * (n - 2) + ["L-ORG"]
    for other in (["O"] * n, whole):
        assert score >= sum(logp[i, LABELS.index(t)] for i, t in enumerate(other)) - 1e-9


@pytest.mark.parametrize(
    "tags, expected",
    [
        (["O", "B-ORG", "I-ORG", "L-ORG", "U-PER"], [(1, 4, "ORG"), (4, 5, "PER")]),
        (["B-LOC", "L-ORG"], [(1, 2, "ORG")]),  # the label changes: B-LOC dropped, L-ORG read alone
        (["B-LOC", "I-LOC", "O"], []),  # left open
        (["O", "I-LOC", "L-LOC"], [(1, 3, "LOC")]),  # a missing begin is forgiven
        (["L-PER", "O"], [(0, 1, "PER")]),
    ],
)
def test_spans_read_entities_off_a_tag_sequence(tags, expected):
    assert spans(tags) == expected


# --- the vectorised decoding against the one-sentence-at-a-time reference -----------------------

# The shipped model's labels (no U-LOC/U-ORG), and a set with every tag.
MODEL_LABELS = ["B-LOC", "B-ORG", "B-PER", "I-LOC", "I-ORG", "I-PER", "L-LOC", "L-ORG", "L-PER", "O", "U-PER"]


def reference_best_paths(scores, labels):
    """best_paths as it was before it was vectorised (Viterbi a character at a time, per sentence)."""
    trans, first, last = transitions(labels)
    out = []
    for probs in scores:
        n = len(probs)
        if n == 0:
            out.append([])
            continue
        logp = numpy.log(numpy.maximum(numpy.asarray(probs, dtype="float64"), 1e-12))
        pick = logp.argmax(axis=1)
        if first[pick[0]] == 0 and last[pick[-1]] == 0 and (n == 1 or (trans[pick[:-1], pick[1:]] == 0).all()):
            out.append([labels[k] for k in pick])
            continue
        delta = logp[0] + first
        back = numpy.zeros((n, len(labels)), dtype="int64")
        for t in range(1, n):
            cand = delta[:, None] + trans
            back[t] = cand.argmax(axis=0)
            delta = cand[back[t], numpy.arange(len(labels))] + logp[t]
        k = int((delta + last).argmax())
        path = [k]
        for t in range(n - 1, 0, -1):
            k = int(back[t, k])
            path.append(k)
        out.append([labels[k] for k in reversed(path)])
    return out


# Few distinct values (0 among them, floored to 1e-12 by the decoder): ties within a character's
# row and between whole paths are common, and argmax must break them the same way.
TIED = st.sampled_from([0.0, 0.25, 0.5, 0.5, 1.0])


@st.composite
def score_batches(draw):
    # A label set without B-X (forbidden transitions can decide: the plain Viterbi runs), and
    # scores above 1 (not probabilities: likewise), beside the usual ones.
    labels = draw(st.sampled_from([MODEL_LABELS, LABELS, ["O", "I-X", "L-X", "U-Y"]]))
    value = draw(st.sampled_from([TIED, st.floats(0.0, 1.0), st.floats(0.0, 3.0)]))
    lengths = draw(st.lists(st.integers(0, 30), min_size=1, max_size=12))
    batch = [numpy.array(draw(st.lists(st.lists(value, min_size=len(labels), max_size=len(labels)),
                                       min_size=n, max_size=n)), dtype="float64").reshape(n, len(labels))
             for n in lengths]
    return labels, batch


@settings(max_examples=examples(300), deadline=None)
@given(score_batches())
def test_vectorised_paths_are_the_reference_paths_ties_included(case):
    labels, batch = case
    expected = reference_best_paths(batch, labels)
    assert best_paths(batch, labels) == expected
    assert [list(p) for p in best_index_paths(batch, labels)] == [[labels.index(t) for t in tags] for tags in expected]


@pytest.mark.parametrize("grouped", [True, False])
def test_many_sentences_decode_as_the_reference_does_on_either_viterbi(grouped, monkeypatch):
    # Model-like probabilities (peaked), many sentences whose picks are invalid; the grouped
    # Viterbi and the plain one each give the reference's paths.
    if not grouped:
        monkeypatch.setattr(biluo, "MAX_GROUPED", 0)
    rng = numpy.random.default_rng(23)
    batch = [rng.dirichlet(numpy.ones(len(MODEL_LABELS)) * 0.3, size=int(n)) for n in rng.integers(0, 200, 150)]
    expected = reference_best_paths(batch, MODEL_LABELS)
    assert sum(1 for p, tags in zip(batch, expected) if len(p) and [MODEL_LABELS[k] for k in p.argmax(axis=1)] != tags) > 50
    assert best_paths(batch, MODEL_LABELS) == expected


@settings(max_examples=examples(300), deadline=None)
@given(st.sampled_from([MODEL_LABELS, LABELS, ["O", "B-X", "X-Y", "L-X", "I"]]).flatmap(
    lambda labels: st.tuples(st.just(labels), st.lists(st.integers(0, len(labels) - 1), max_size=40))))
def test_index_spans_read_what_a_character_by_character_reader_reads(case):
    # Any sequence, valid or not (and tags that are neither O nor B/I/L/U): the same names.
    labels, path = case
    tags = [labels[k] for k in path]
    assert index_spans(numpy.array(path, dtype="int64"), labels) == reference_spans(tags)
    assert spans(tags) == reference_spans(tags)


def reference_spans(tags):
    """The reader before index_spans, a character at a time: the reference it is checked against."""
    out = []
    start, label = None, None
    for i, tag in enumerate(tags):
        kind, x = ("O", "") if tag == "O" or "-" not in tag else tag.split("-", 1)
        if start is not None and (kind in ("O", "B", "U") or x != label):
            start = None  # an entity left open, or changing label, is not an entity
        if kind == "U":
            out.append((i, i + 1, x))
        elif kind == "B" or (kind in ("I", "L") and start is None):
            start, label = i, x
            if kind == "L":
                out.append((i, i + 1, x))
                start = None
        elif kind == "L" and start is not None:
            out.append((start, i + 1, x))
            start = None
    return out
