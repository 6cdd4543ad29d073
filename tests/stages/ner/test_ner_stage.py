"""The ner stage: facts and their spans, caching of its parts, settings and errors.

Runs the shipped model (pipeline/stages/ner/models/ner_zh). What it finds on the seeds is
tests/stages/ner/test_ner_seeds.py; here the assertions hold for any model.
"""

import json
import shutil

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.run.cache import StageCache
from pipeline.run.inputs import InputRecord
from pipeline.core.document import Document, Fact
from pipeline.stages.ner.tagger import PACKAGE_MODELS
from pipeline.core.rules import RuleError
from pipeline.run.runner import Pipeline
from pipeline.stages.convert.stage import ConvertStage
from pipeline.stages.decode.stage import DecodeStage
from pipeline.stages.extract.stage import ExtractStage
from pipeline.stages.ner.stage import NerStage
from pipeline.stages.segment.stage import SegmentStage

from conftest import examples, load_script, RULES

TEXT = "國務院總理李強在北京會見了中國科學院生物物理研究所的專家。会议由工业和信息化部指导。"
NAMES = {"org", "person", "location"}


@pytest.fixture(scope="module")
def stages():
    return [DecodeStage({}, RULES), ConvertStage({}, RULES), SegmentStage({}, RULES), NerStage({}, RULES)]


def run_all(stages, text=TEXT):
    pipeline = Pipeline(stages)
    return pipeline.process_one(InputRecord("d", "d.txt", text.encode("utf-8"))).document


def test_names_have_spans_in_clean_and_original_text_and_their_makers(stages):
    doc = run_all(stages)
    names = [f for f in doc.facts if f.type in NAMES]
    assert names
    model = stages[-1].model
    for f in names:
        assert f.text == doc.text[f.start:f.end] and f.value == {"name": f.text}
        assert (f.orig_start, f.orig_end) == doc.to_original(f.start, f.end)
        assert f.extractor in (model.label, "rule")
        assert 0 < f.confidence <= 1
        assert f.sentence == (0 if f.start < doc.text.index("。") else 1)
        if f.rule_id == "ner.model":
            assert f.rule_version is None and f.extractor == model.label
    # The gazetteer's ministry, traced back to the traditional original.
    ministry = next(f for f in names if f.text == "工业和信息化部")
    assert (ministry.type, ministry.extractor, ministry.rule_id) == ("org", "rule", "ner.gazetteer.gov.miit")
    state_council = next(f for f in names if f.text == "国务院")
    assert doc.original[state_council.orig_start:state_council.orig_end] == "國務院"
    spans = sorted((f.start, f.end) for f in names)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), "names never overlap"


def test_ner_without_the_segment_stage_is_refused_before_any_work(tmp_path, capsys):
    from pipeline.cli import main

    from conftest import SEEDS

    assert main(["run", str(SEEDS), "--out", str(tmp_path / "o"), "--quiet", "--skip", "segment"]) == 2
    assert "'ner' reads sentences, which only 'segment' assigns" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_empty_text_gives_no_names(stages):
    doc = stages[-1](Document(doc_id="e", source="e", original="", text=""))
    assert doc.facts == ()


# Name material and what breaks it: suffixes, titles, brackets, punctuation, spaces, Latin,
# full-width letters, private-use and astral characters, lone newlines.
NAME_TEXTS = st.text(
    alphabet="中国科学院青岛市北京李强王晓方记者书记有限公司研究所协会局部中心大学的了与和在、，。：“”()（）《》 \n\tABC１２\ue49e😀",
    max_size=60,
)


@settings(max_examples=examples(150), deadline=None)
@given(NAME_TEXTS)
def test_any_text_gives_disjoint_names_that_match_the_text(stages, text):
    segment, ner = stages[2], stages[3]
    doc = segment(Document(doc_id="p", source="p", original=text, text=text))
    out = ner(doc)
    last_end = 0
    for f in sorted(out.facts, key=lambda f: f.start):
        assert f.type in NAMES and last_end <= f.start < f.end <= len(text)
        assert f.text == text[f.start : f.end] and (f.orig_start, f.orig_end) == (f.start, f.end)
        last_end = f.end
    assert ner(out).facts == out.facts  # rerunning replaces its own facts with the same ones


def test_ner_and_extract_replace_only_their_own_facts(stages):
    doc = run_all(stages, "2024年，科技部在北京投资5亿元。")
    names = [f for f in doc.facts if f.type in NAMES]
    assert names
    extracted = ExtractStage({}, RULES)(doc)
    assert [f for f in extracted.facts if f.type in NAMES] == names
    again = stages[-1](extracted)
    assert [f for f in again.facts if f.type not in NAMES] == [f for f in extracted.facts if f.type not in NAMES]
    assert [f for f in again.facts if f.type in NAMES] == names


@pytest.mark.slow  # loads the model twice
def test_a_gazetteer_edit_reruns_the_rules_part_only(tmp_path, rules_copy, monkeypatch):
    from pipeline.stages.ner import stage as ner_module

    calls = {"model": 0, "rules": 0}
    for cls, key in ((ner_module.ModelPart, "model"), (ner_module.RulesPart, "rules")):
        original = cls.run

        def counting(self, doc, original=original, key=key):
            calls[key] += 1
            return original(self, doc)

        monkeypatch.setattr(cls, "run", counting)

    cache = StageCache(tmp_path / "cache.sqlite")
    item = InputRecord("d", "d.txt", "青岛言鼎生物医疗科技有限公司落户青岛。".encode("utf-8"))

    def build():
        return Pipeline([DecodeStage({}, rules_copy), SegmentStage({}, rules_copy), NerStage({}, rules_copy)], cache)

    first = build().process_one(item).document
    assert calls == {"model": 1, "rules": 1}
    with (rules_copy / "ner" / "gazetteer.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "ner.gazetteer.test.yanding", "version": 1, "label": "ORG",
                             "pattern": "言鼎生物医疗科技有限公司"}, ensure_ascii=False) + "\n")
    second = build().process_one(item).document
    assert calls == {"model": 1, "rules": 2}
    assert [f.text for f in second.facts if f.type == "org"][0].endswith("有限公司")
    assert first.text == second.text
    cache.close()


@pytest.mark.slow  # builds every stage twice
def test_a_money_rule_edit_does_not_rerun_ner(tmp_path, rules_copy, monkeypatch):
    from pipeline.run.config import load_config
    from pipeline.stages.registry import KNOWN_STAGES, build_stages
    from pipeline.stages.ner import stage as ner_module

    calls = []
    original = ner_module.NerStage.assemble
    monkeypatch.setattr(ner_module.NerStage, "assemble", lambda self, doc, results: calls.append(1) or original(self, doc, results))
    cache = StageCache(tmp_path / "cache.sqlite")
    item = InputRecord("d", "d.txt", "2024年，科技部在北京投资5亿元。".encode("utf-8"))

    def run():
        config = load_config(rules_copy, tuple(KNOWN_STAGES))
        assert config.stages.index("ner") < config.stages.index("extract")
        return Pipeline(build_stages(config, list(config.stages)), cache).process_one(item).document

    first = run()
    assert len(calls) == 1
    with (rules_copy / "extract" / "money.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n# an edit\n")
    second = run()
    assert len(calls) == 1, "ner ran again after a money-rule edit"
    assert second.facts == first.facts
    cache.close()


def test_model_identity_is_in_the_fingerprint(tmp_path):
    copy = tmp_path / "ner_copy"
    shutil.copytree(PACKAGE_MODELS / "ner_zh", copy)
    base = NerStage({"model": str(copy)}, RULES)
    meta = json.loads((copy / "meta.json").read_text(encoding="utf-8"))
    meta["version"] = meta["version"] + "-retrained"
    (copy / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    changed = NerStage({"model": str(copy)}, RULES)
    assert changed.fingerprint() != base.fingerprint()
    assert changed.parts()[0].fingerprint() != base.parts()[0].fingerprint()
    assert changed.parts()[1].fingerprint() == base.parts()[1].fingerprint()
    assert changed.model.label.endswith("-retrained")


def test_a_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(RuleError, match="NER model 'no_such_model' not found.*make train-ner"):
        NerStage({"model": "no_such_model"}, RULES)


def test_a_model_of_another_kind_is_a_clear_error(tmp_path):
    copy = tmp_path / "old_model"
    shutil.copytree(PACKAGE_MODELS / "ner_zh", copy)
    meta = json.loads((copy / "meta.json").read_text(encoding="utf-8"))
    (copy / "meta.json").write_text(json.dumps({**meta, "pipeline": ["tok2vec", "ner"]}), encoding="utf-8")
    with pytest.raises(RuleError, match="not a BILUO tagger model"):
        NerStage({"model": str(copy)}, RULES)


@pytest.mark.parametrize("settings, message", [
    ({"batch_size": 0}, "`batch_size` must be >= 1"),
    ({"rules": "ner/gazetteer.jsonl"}, "`rules` must be a list"),
    ({"colour": "red"}, "unknown setting"),
])
def test_bad_settings_are_errors(settings, message):
    with pytest.raises(RuleError, match=message):
        NerStage(settings, RULES)


def test_facts_round_trip_through_the_cache(tmp_path, stages):
    cache = StageCache(tmp_path / "c.sqlite")
    item = InputRecord("d", "d.txt", TEXT.encode("utf-8"))
    first = Pipeline(stages, cache).process_one(item)
    again = Pipeline(stages, cache).process_one(item)
    assert again.cached == len(stages)
    assert again.document.facts == first.document.facts
    assert all(isinstance(f, Fact) for f in again.document.facts)
    cache.close()


def test_eval_pools_only_fully_annotated_sources(stages):
    ev = load_script("eval/ner.py")
    text = "李强在北京会见专家。"
    examples = [
        {"source": "msra", "text": text, "spans": [(0, 2, "PER"), (3, 5, "LOC")], "pooled": True},
        # A partially annotated source: scored on its own, never in `all`.
        {"source": "cluener", "text": text, "spans": [(0, 2, "PER")], "pooled": False},
    ]
    scores, _, chars = ev.run(examples, stages[-1], stages[-2], errors=0)
    assert chars == 2 * len(text)
    assert scores[("stage", "all")].prf()[3] == 2  # the gold names of msra only
    assert scores[("stage", "cluener")].prf()[3] == 1
    assert ("stage", "all") in scores and ("model", "cluener") in scores


def test_a_mask_rule_takes_away_the_names_inside_it_and_gives_none(stages):
    # 华商盛世成长 is a fund product named after its company: the guide marks nothing, not 华 of 华商 as
    # a place (the abbreviation rule's 华商 shape), nor 长城 of 景顺长城 and 长城久富 (the model's place).
    doc = run_all(stages, "华商盛世成长基金和景顺长城货币基金、长城久富基金今年以来收益居前。只有华商与中邮两家公司旗下基金全部跑赢。")
    names = [(f.text, f.type) for f in doc.facts if f.type in NAMES]
    assert not any(t in ("华", "长城", "景顺长城", "华商") for t, _ in names[:-2]), names
    assert ("华商", "org") in names and not any(f.rule_id.endswith(".product") for f in doc.facts)
    ner = stages[-1]
    assert "ner.org.funds.42.product" in ner.masks and "ner.org.funds.42.bare" not in ner.masks
