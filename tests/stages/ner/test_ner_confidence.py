"""Model confidence: a score per name from the model's probabilities, mapped through calibration.json.

The map is fitted by scripts/calibrate_ner.py (a logistic curve per label, or isotonic over bins); the stage
reads it beside the model.
"""

import json
import shutil

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.core.document import Document
from pipeline.stages.ner.stage import NerStage
from pipeline.stages.ner.tagger import (
    CALIBRATION, PACKAGE_MODELS, ModelError, NerModel, interpolate, load_calibration, span_score,
)
from pipeline.stages.segment.stage import SegmentStage

from conftest import load_script, RULES


def _calibrate():
    return load_script("scripts/calibrate_ner.py")


def test_span_score_is_weakest_where_the_model_hesitates_at_an_edge():
    sure = [0.99, 0.99, 0.99, 0.99, 0.99]
    assert span_score(sure, 1, 3) == pytest.approx(0.99, abs=1e-3)
    unsure_edge = [0.99, 0.99, 0.99, 0.40, 0.99]  # the character after the name
    assert span_score(unsure_edge, 1, 3) < span_score(sure, 1, 3)
    # At the sentence's start and end there is no neighbour to count.
    assert span_score([0.5, 0.5], 0, 2) == pytest.approx(0.5)


def test_interpolation_is_linear_between_points_and_flat_beyond():
    points = [(0.4, 0.3), (0.8, 0.7), (0.99, 0.95)]
    assert interpolate(points, 0.1) == 0.3 and interpolate(points, 1.0) == 0.95
    assert interpolate(points, 0.6) == pytest.approx(0.5)
    assert interpolate(points, 0.8) == pytest.approx(0.7)


@settings(deadline=None)  # pure arithmetic, but the machine may be busy
@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=300), st.integers(1, 10),
       st.integers(1, 60))
def test_the_fit_is_monotone_and_keeps_every_name(names, bins, min_bin):
    blocks = _calibrate().fit(names, bins, min_bin)
    assert sum(w for _, _, w in blocks) == len(names)
    assert all(a[1] <= b[1] for a, b in zip(blocks, blocks[1:]))
    assert all(a[0] <= b[0] + 1e-9 for a, b in zip(blocks, blocks[1:]))
    overall = sum(ok for _, ok in names) / len(names)
    assert sum(y * w for _, y, w in blocks) / len(names) == pytest.approx(overall)


def test_platt_recovers_a_known_curve_and_stays_monotone():
    import math
    import random

    calibrate = _calibrate()
    rng = random.Random(0)
    names = []
    for _ in range(4000):  # right with probability sigmoid(0.7 * logit(score) + 0.3)
        score = rng.random()
        names.append((score, rng.random() < 1 / (1 + math.exp(-(0.7 * calibrate._logit(score) + 0.3)))))
    a, b = calibrate.platt(names)
    assert a == pytest.approx(0.7, abs=0.1) and b == pytest.approx(0.3, abs=0.1)
    points = calibrate.platt_points(a, b)
    assert all(p[1] < q[1] for p, q in zip(points, points[1:]))  # a higher score, a higher confidence
    # Below the lowest score of the slice the curve goes on falling (isotonic bins stay flat there).
    assert points[0][1] < 0.2


def test_platt_is_finite_when_every_name_is_right():
    a, b = _calibrate().platt([(0.9, True), (0.99, True), (0.999, True)])
    assert abs(a) < 100 and abs(b) < 100
    points = _calibrate().platt_points(a, b)
    assert all(0 < y < 1 for _, y, _ in points)


def test_cross_check_reports_every_bin_and_the_brier_score():
    names = [("PER", 0.99, True, n) for n in range(40)] + [("PER", 0.5, n % 2 == 0, n) for n in range(40)]
    lines = _calibrate().cross_check(names, "platt", 8, 10)
    assert "Brier score" in lines[-1] and "(80 names)" in lines[-1]


def test_a_bad_calibration_file_is_a_clear_error(tmp_path):
    path = tmp_path / CALIBRATION
    assert load_calibration(path) == {}
    path.write_text(json.dumps({"labels": {"PER": [[0.9, 0.8], [0.5, 0.4]]}}), encoding="utf-8")
    with pytest.raises(ModelError, match="ascending"):
        load_calibration(path)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ModelError):
        load_calibration(path)


def test_confidence_follows_the_calibration_beside_the_model(tmp_path):
    folder = tmp_path / "ner_zh"
    shutil.copytree(PACKAGE_MODELS / "ner_zh", folder)
    (folder / CALIBRATION).unlink(missing_ok=True)
    plain = NerModel(folder)
    # Without a calibration: the label's dev precision, whatever the score.
    assert plain.confidence("ORG", 0.2) == plain.confidence("ORG", 0.99) == plain.precision("ORG")
    before = plain.digest()
    (folder / CALIBRATION).write_text(json.dumps({"labels": {"ORG": [[0.5, 0.4], [0.9, 0.8]]}}), encoding="utf-8")
    model = NerModel(folder)
    assert model.confidence("ORG", 0.7) == pytest.approx(0.6) and model.confidence("ORG", 0.99) == 0.8
    assert model.confidence("PER", 0.7) == model.precision("PER")  # a label without a curve
    assert model.digest() != before  # the calibration is part of the model's identity


def test_stage_names_carry_scores_and_calibrated_confidences(tmp_path):
    folder = tmp_path / "ner_zh"
    shutil.copytree(PACKAGE_MODELS / "ner_zh", folder)
    curve = [[0.0, 0.1], [1.0, 0.9]]  # confidence = 0.1 + 0.8 * score
    (folder / CALIBRATION).write_text(json.dumps({"labels": {x: curve for x in ("PER", "LOC", "ORG")}}), encoding="utf-8")
    stage, segment = NerStage({"model": str(folder)}, RULES), SegmentStage({}, RULES)
    text = "国务院总理李强在北京会见了华为公司的代表。张伟和王芳昨天去了上海。"
    doc = segment(Document(doc_id="d", source="t", original=text, text=text))
    results = {part.name: part.run(doc) for part in stage.parts()}
    assert results["model"] and all(len(row) == 4 and 0 < row[3] <= 1 for row in results["model"])
    score = {tuple(row[:3]): row[3] for row in results["model"]}
    labels = {"person": "PER", "location": "LOC", "org": "ORG"}
    model_facts = [f for f in stage.assemble(doc, results).facts if f.rule_id == "ner.model"]
    assert model_facts
    for f in model_facts:
        assert f.confidence == pytest.approx(0.1 + 0.8 * score[(f.start, f.end, labels[f.type])], abs=1e-3)
