"""Any value in any rule file either loads or is refused with a RuleError naming file:line.

A rule author's typo must never surface as a traceback from deep inside a stage (a TypeError from a
regex given an int, a KeyError from a missing table): hypothesis puts arbitrary TOML values —
including strings TOML itself cannot hold — in place of the values of the shipped rule files.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import RULES, examples
from pipeline.core.rules import RuleError
from pipeline.run.config import load_config
from pipeline.stages.registry import KNOWN_STAGES

# Single-line `key = value` assignments of the TOML rule files, by file: what the fuzzer may replace.
ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$", re.M)
FILES = sorted(p.relative_to(RULES).as_posix() for p in RULES.rglob("*.toml") if p.name != "pipeline.toml")


def _sites(name: str) -> list[tuple[int, int]]:
    text = (RULES / name).read_text(encoding="utf-8")
    return [m.span(2) for m in ASSIGNMENT.finditer(text)]


def toml_literal() -> st.SearchStrategy[str]:
    scalars = st.one_of(
        st.integers(-10**6, 10**6).map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.booleans().map(lambda b: "true" if b else "false"),
        # json.dumps escapes are TOML escapes, except lone surrogates (\ud800): invalid TOML on purpose.
        st.text(max_size=12).map(lambda s: json.dumps(s)),
        st.sampled_from(['"(?:[0-9]+)+"', '"{NOPE}"', '"["', '"wide"', '"high"', '"no"', "'\\\\d+'"]),
    )
    return st.one_of(scalars, st.lists(scalars, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    return root


@settings(deadline=None, max_examples=examples(25),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_value_loads_or_is_refused_with_file_and_line(scratch, data):
    name = data.draw(st.sampled_from(FILES), label="file")
    sites = _sites(name)
    start, end = data.draw(st.sampled_from(sites), label="site")
    literal = data.draw(toml_literal(), label="value")
    rules = scratch / "rules"
    shutil.rmtree(rules, ignore_errors=True)
    shutil.copytree(RULES, rules)
    path = rules / name
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:start] + literal + text[end:], encoding="utf-8")
    stage = name.split("/", 1)[0]
    try:
        config = load_config(rules, tuple(KNOWN_STAGES))
        KNOWN_STAGES[stage](config.settings.get(stage, {}), config.rules_dir)
    except RuleError as exc:
        assert str(path.resolve()) in str(exc) or path.name in str(exc), str(exc)
