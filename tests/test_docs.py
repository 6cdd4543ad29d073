"""The README documents every output column, setting and option (datasette's habit)."""

import pytest

from pipeline.cli import build_parser
from pipeline.run.outputs import DOCUMENT_SCHEMA, EDIT_SCHEMA, FACT_SCHEMA
from pipeline.stages.registry import KNOWN_STAGES

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("column", sorted({f.name for s in (DOCUMENT_SCHEMA, FACT_SCHEMA, EDIT_SCHEMA) for f in s}))
def test_every_output_column_is_documented(column):
    assert f"`{column}`" in README


@pytest.mark.parametrize("stage,setting", [(n, k) for n, cls in KNOWN_STAGES.items() for k in cls.defaults])
def test_every_stage_setting_is_documented(stage, setting):
    assert f"[stages.{stage}]" in README and f"{setting} =" in README


def _options():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        yield name, None
        for action in p._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help":
                    yield name, opt


@pytest.mark.parametrize("command,option", list(_options()))
def test_every_command_and_option_is_documented(command, option):
    assert f"pipeline {command}" in README
    if option:
        assert option in README
