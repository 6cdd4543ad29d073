"""Decoding the tagger's BILUO scores into entities (pipeline/stages/ner/biluo.py)."""

import numpy
import pytest
from hypothesis import given, settings, strategies as st

from pipeline.stages.ner.biluo import best_paths, spans, transitions
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
