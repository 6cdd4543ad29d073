import re

import pytest

from pipeline.run.config import load_config
from pipeline.core.rules import RuleError
from pipeline.stages.registry import KNOWN_STAGES, StageSelectionError, build_stages, configured_stage, select_stages

from conftest import RULES


def test_order_comes_from_config_and_selection_narrows_it(config):
    assert select_stages(config) == list(config.stages)
    assert select_stages(config, only=["convert"]) == ["decode", "convert"]
    assert select_stages(config, skip=["convert"]) == [s for s in config.stages if s != "convert"]


def test_unknown_stage_names_the_known_ones(config):
    with pytest.raises(StageSelectionError) as err:
        select_stages(config, only=["convrt"])
    for name in KNOWN_STAGES:
        assert name in str(err.value)


def test_decode_cannot_be_skipped(config):
    with pytest.raises(StageSelectionError, match="cannot be skipped"):
        select_stages(config, skip=["decode"])


def test_a_stage_needs_the_stage_that_assigns_what_it_reads(config):
    assert "sentences" in KNOWN_STAGES["ner"].reads
    with pytest.raises(StageSelectionError, match="'ner' reads sentences, which only 'segment' assigns"):
        select_stages(config, skip=["segment"])
    with pytest.raises(StageSelectionError, match="'ner' reads"):
        select_stages(config, only=["ner"])
    assert "extract" in select_stages(config, skip=["segment", "ner"])


def test_document_columns_come_from_what_stages_assign():
    from pipeline.run.outputs import DOCUMENT_SCHEMA

    columns = DOCUMENT_SCHEMA.names
    for name, cls in KNOWN_STAGES.items():
        assert set(cls.assigns.meta) <= set(columns), name
        assert (f"edits_{name}" in columns) == cls.assigns.layer, name
    assert columns.index("encoding") < columns.index("author")  # pipeline order


def fingerprints(rules_dir):
    config = load_config(rules_dir, tuple(KNOWN_STAGES))
    return {s.name: s.fingerprint() for s in build_stages(config, config.stages)}


def test_fingerprint_follows_rule_files_and_settings(rules_copy):
    base = fingerprints(rules_copy)
    assert base == fingerprints(rules_copy)  # stable
    fix = rules_copy / "convert" / "fixups.toml"
    fix.write_text(fix.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    after_rule = fingerprints(rules_copy)
    assert after_rule["convert"] != base["convert"] and after_rule["decode"] == base["decode"]
    conf = rules_copy / "pipeline.toml"
    conf.write_text(conf.read_text(encoding="utf-8").replace('config = "t2s"', 'config = "tw2sp"'), encoding="utf-8")
    after_setting = fingerprints(rules_copy)
    assert after_setting["convert"] not in (base["convert"], after_rule["convert"])


def test_unknown_setting_and_unknown_stage_in_config_are_rule_errors(rules_copy):
    conf = rules_copy / "pipeline.toml"
    text = conf.read_text(encoding="utf-8")
    conf.write_text(text.replace("[stages.convert]", "[stages.convert]\ncolour = 1"), encoding="utf-8")
    config = load_config(rules_copy, tuple(KNOWN_STAGES))
    with pytest.raises(RuleError, match="unknown setting.*colour"):
        build_stages(config, config.stages)
    conf.write_text(re.sub(r"(?m)^stages = .*$", 'stages = ["decode", "segmentt"]', text), encoding="utf-8")
    with pytest.raises(RuleError, match="unknown stage.*segmentt.*known stages: decode, "):
        load_config(rules_copy, tuple(KNOWN_STAGES))


def test_invalid_toml_reports_file_and_line(rules_copy):
    fix = rules_copy / "convert" / "fixups.toml"
    lines = fix.read_text(encoding="utf-8").splitlines()
    lines.insert(20, "this is = not = toml")
    fix.write_text("\n".join(lines), encoding="utf-8")
    config = load_config(rules_copy, tuple(KNOWN_STAGES))
    with pytest.raises(RuleError, match=r"fixups.toml:21: invalid TOML"):
        build_stages(config, config.stages)


@pytest.mark.parametrize("entry,offset,message", [
    ('id = "Bad Id"\nversion = 1\nfrom = "a"\nto = "b"', 1, "must be dotted lowercase"),
    ('id = "convert.fixup.x"\nversion = 0\nfrom = "a"\nto = "b"', 2, "`version` must be >= 1"),
    ('id = "convert.fixup.x"\nversion = 1\nto = "b"', 0, "missing `from`"),
    ('id = "convert.fixup.zhuoli"\nversion = 1\nfrom = "a"\nto = "b"', 1, "duplicate rule id"),
])
def test_rule_validation_errors_point_at_the_rule(rules_copy, entry, offset, message):
    fix = rules_copy / "convert" / "fixups.toml"
    text = fix.read_text(encoding="utf-8")
    line = len(text.splitlines()) + 2 + offset
    fix.write_text(text + "\n[[rule]]\n" + entry + "\n", encoding="utf-8")
    config = load_config(rules_copy, tuple(KNOWN_STAGES))
    with pytest.raises(RuleError, match=f"fixups.toml:{line}: .*{message}"):
        build_stages(config, config.stages)


def test_configured_stage_takes_pipeline_toml_settings_and_overrides(rules_copy):
    # Evaluations and benchmarks build their stages this way: a setting edited in pipeline.toml must
    # reach what they measure (they used the stage's defaults before).
    toml = rules_copy / "pipeline.toml"
    text = toml.read_text(encoding="utf-8")
    assert '\nbackend = "jieba"' in text
    toml.write_text(text.replace('\nbackend = "jieba"', '\nbackend = "rjieba"'), encoding="utf-8")
    assert configured_stage("segment", rules_copy).settings["backend"] == "rjieba"
    assert configured_stage("segment", rules_copy, backend="jieba").settings["backend"] == "jieba"
    assert configured_stage("segment", RULES).settings["backend"] == "jieba"
