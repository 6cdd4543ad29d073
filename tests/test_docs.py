"""The README documents every output column, setting and option (datasette's habit),
its generated sections are current, and the code it names exists."""

import difflib
import importlib
import re
import tomllib

import pytest

from pipeline.cli import build_parser
from pipeline.run.outputs import DOCUMENT_SCHEMA, EDIT_SCHEMA, FACT_SCHEMA
from pipeline.stages.registry import KNOWN_STAGES

from conftest import load_script, ROOT

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


# ---- generated sections and references that must not drift ------------------

def _gen_docs():
    return load_script("scripts/gen_docs.py")


def test_generated_sections_are_what_the_code_says():
    # rules-check runs every rule example: the slow test below checks that section.
    wanted = _gen_docs().render(README, skip=frozenset({"rules-check"}))
    diff = "".join(difflib.unified_diff(README.splitlines(True), wanted.splitlines(True), "README.md", "generated", n=1))
    assert wanted == README, f"README.md is out of date: run `python scripts/gen_docs.py` (make docs)\n{diff}"


def _package_paths():
    for m in re.finditer(r"pipeline/[\w./<>*-]*", README):
        yield m.group().rstrip(".")


@pytest.mark.parametrize("path", sorted(set(_package_paths())))
def test_every_package_path_in_the_readme_exists(path):
    pattern = re.sub(r"<[^>]+>", "*", path)  # pipeline/stages/<name>/ stands for any stage
    assert list(ROOT.glob(pattern.rstrip("/"))), f"README.md names {path}, which does not exist"


def _dotted_names():
    for m in re.finditer(r"\bpipeline(?:\.\w+)+", README):
        if m.group() != "pipeline.toml":
            yield m.group()


@pytest.mark.parametrize("name", sorted(set(_dotted_names())))
def test_every_dotted_name_in_the_readme_resolves(name):
    parts = name.split(".")
    for i in range(len(parts), 0, -1):  # the longest importable module, then attributes
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            assert hasattr(obj, attr), f"README.md names {name}: {obj.__name__} has no {attr}"
            obj = getattr(obj, attr)
        return
    raise AssertionError(f"README.md names {name}, which is not a module")


def _stage_tables():
    """[stages.<name>] tables of the README's TOML examples."""
    for block in re.findall(r"```toml\n(.*?)```", README, re.S):
        if "[stages." in block:
            yield from tomllib.loads(block).get("stages", {}).items()


def test_settings_shown_in_the_readme_are_the_defaults():
    shown = list(_stage_tables())
    assert {name for name, _ in shown} == set(KNOWN_STAGES)
    for name, table in shown:
        for key, value in table.items():
            assert key in KNOWN_STAGES[name].defaults, f"README shows [stages.{name}] {key}, not a setting"
            assert value == KNOWN_STAGES[name].defaults[key], f"README shows [stages.{name}] {key} = {value!r}"


def test_a_readme_missing_a_section_or_with_an_unknown_one_is_an_error():
    gen = _gen_docs()
    with pytest.raises(ValueError, match="missing"):
        gen.render("no markers at all")
    with pytest.raises(ValueError, match="unknown"):
        gen.render(README + "<!-- gen:nosuch -->\n<!-- /gen:nosuch -->\n")


def _rule_kind_reference() -> str:
    return re.search(r"<!-- gen:rule-kinds -->\n(.*?)<!-- /gen:rule-kinds -->", README, re.S).group(1)


def test_the_rule_kind_reference_heads_every_shipped_rule_file_and_shows_every_field():
    from pipeline.core.schema import TomlFile
    from pipeline.stages.rulecheck import rule_file_schemas

    reference = _rule_kind_reference()
    headings = re.findall(r"^#### `(\w+)`: (.*)$", reference, re.M)
    rules = ROOT / "rules"
    for name, cls in KNOWN_STAGES.items():
        for path in cls({}, rules).rule_files():
            rel = f"`{path.relative_to(rules).as_posix()}`"
            assert any(n == name and rel in h for n, h in headings), f"no heading for {name}'s {rel}"
    for items in rule_file_schemas().values():
        for item in items:
            tops = [s.kind for s in item.sections.values()] if isinstance(item, TomlFile) else [getattr(item, "kind", item)]
            for kind in (k for t in tops for k in (t, *t.variants.values())):
                for key in kind.all_fields():
                    if not (kind.rule and key in ("id", "version")):
                        assert f"| `{key}` |" in reference, f"{kind.name}: `{key}` is not in the reference"


@pytest.mark.slow  # runs every rule example
def test_the_rules_check_output_shown_in_the_readme_is_what_it_prints():
    from pipeline.stages.rulecheck import check_rules

    report = check_rules(ROOT / "rules")
    assert not report.problems
    assert f"ok: {report.summary()}" in README, "README.md is out of date: run `make docs`"
