"""The one rule schema and loader: each kind of mistake in a rule file exits 2 with `file:line`,
through `pipeline rules check` and `pipeline run` alike; the shipped rules and their examples pass.

A load error needs no examples run, so the error tests call `rules check --no-examples`
(a second, not several); one slow test checks a load error and a failing example of
another stage together through the full check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.core.rules import RuleError, load_jsonl_file, load_toml_file, load_word_list, toml_key_lines
from pipeline.core.schema import (
    Enum, Float, Int, JsonlFile, Kind, ListOf, Regex, Section, String, TomlFile, WordList,
)

from conftest import RULES


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace the first `old` in a rule file; the line it was on."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


def check(rules: Path, capsys, *options: str) -> tuple[int, str]:
    status = main(["rules", "check", "--rules", str(rules), *options])
    out = capsys.readouterr()
    return status, out.out + out.err


def run(rules: Path, tmp_path: Path, capsys) -> tuple[int, str]:
    text = tmp_path / "doc.txt"
    text.write_text("青岛科学仪器产业园今天开园。", encoding="utf-8")
    status = main(["run", str(text), "--out", str(tmp_path / "out"), "--rules", str(rules), "--quiet",
                   "--no-cache", "--jobs", "1"])
    return status, capsys.readouterr().err


def assert_reported(rules_copy, tmp_path, capsys, expected: str) -> None:
    for status, output in (check(rules_copy, capsys, "--no-examples"), run(rules_copy, tmp_path, capsys)):
        assert status == 2
        assert re.search(expected, output), output
    assert not (tmp_path / "out" / "documents.parquet").exists()


def test_a_misspelt_key(rules_copy, tmp_path, capsys):
    path = rules_copy / "repair" / "homoglyphs.toml"
    line = edit(path, "not_followed_by =", "not_folowed_by =")
    assert_reported(rules_copy, tmp_path, capsys, rf"homoglyphs.toml:{line}: rule repair.homoglyph.zui: "
                    r"unknown key `not_folowed_by` \(did you mean `not_followed_by`\?\)")


def test_a_bad_enum_value(rules_copy, tmp_path, capsys):
    line = edit(rules_copy / "extract" / "percent.toml", 'unit = "percent"', 'unit = "procent"')
    assert_reported(rules_copy, tmp_path, capsys, rf"percent.toml:{line}: rule percent\.\w+: `unit` 'procent' "
                    r"is not one of 'percent', 'point' \(did you mean 'percent'\?\)")


@pytest.mark.parametrize("value", ["[]", "3", "{ a = 1 }"])
def test_a_variant_chooser_that_is_not_a_string(rules_copy, tmp_path, capsys, value):
    # Found by the rule fuzzer: `kind = []` raised TypeError (a list is not hashable) from the loader.
    line = edit(rules_copy / "clean" / "spam.toml", "\nkind = \"domains\"", f"\nkind = {value}") + 1
    assert_reported(rules_copy, tmp_path, capsys, rf"spam.toml:{line}: \[\[rule\]\] #\d+: `kind` .* is not one of")


def test_a_regex_that_does_not_compile(rules_copy, tmp_path, capsys):
    path = rules_copy / "clean" / "spun.toml"
    text = path.read_text(encoding="utf-8")
    old = re.search(r"(?m)^spun = .*$", text).group()
    line = edit(path, old, "spun = '技能(立异'")
    assert_reported(rules_copy, tmp_path, capsys, rf"spun.toml:{line}: rule clean\.spun\.\w+: `spun` does not "
                    r"compile: missing \), unterminated subpattern")


def test_a_duplicate_id(rules_copy, tmp_path, capsys):
    path = rules_copy / "ner" / "gazetteer.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = next(i for i, x in enumerate(lines, 1) if x.startswith("{"))
    copy = lines[first - 1].replace('"pattern": "', '"pattern": "又')
    path.write_text("\n".join([*lines, copy]) + "\n", encoding="utf-8")
    assert_reported(rules_copy, tmp_path, capsys, rf"gazetteer.jsonl:{len(lines) + 1}: duplicate rule id "
                    rf"'ner.gazetteer.province.beijing' \(first at line {first}\)")


def test_a_wrong_type(rules_copy, tmp_path, capsys):
    # Used to load, then fail every document.
    line = edit(rules_copy / "extract" / "percent.toml", "scale = 1\n", 'scale = "ten"\n')
    assert_reported(rules_copy, tmp_path, capsys, rf"percent.toml:{line}: rule percent\.\w+: `scale` must be a "
                    r'number > 0, got a string "ten"')


def test_a_value_out_of_bounds(rules_copy, tmp_path, capsys):
    line = edit(rules_copy / "extract" / "count.toml", "max_tokens = 5", "max_tokens = 0")
    assert_reported(rules_copy, tmp_path, capsys, rf"count.toml:{line}: \[object\]: `max_tokens` must be >= 1, got 0")


def test_a_setting_of_the_wrong_type(rules_copy, tmp_path, capsys):
    line = edit(rules_copy / "pipeline.toml", "min_gain = 3.0", 'min_gain = "high"')
    assert_reported(rules_copy, tmp_path, capsys, rf"pipeline.toml:{line}: \[stages.repair\]: `min_gain` must be "
                    r'a number >= 0, got a string "high"')


@pytest.mark.slow  # every example again: the per-stage rule tests run them one by one
def test_the_shipped_rules_pass(capsys):
    status, output = check(RULES, capsys)
    assert status == 0, output
    m = re.fullmatch(r"ok: (\d+) rule files, (\d+) rules with examples, (\d+) examples and counterexamples checked\n",
                     output)
    assert m and int(m.group(1)) > 20 and int(m.group(2)) > 100 and int(m.group(3)) > 500, output


def only_stages(rules: Path, *names: str) -> None:
    """Configure only `names`, so `rules check` runs only their examples (fast)."""
    path = rules / "pipeline.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^stages = \[.*\]", f"stages = {list(names)!r}".replace("'", '"'), text, count=1),
                    encoding="utf-8")


def break_an_example(rules: Path) -> tuple[Path, int]:
    path = rules / "convert" / "fixups.toml"
    return path, edit(path, '["著手準備會議", "着手准备会议"]', '["著手準備會議", "著手准备会议"]')


def test_a_broken_example_is_reported_at_its_line(rules_copy, capsys):
    only_stages(rules_copy, "convert")
    path, line = break_an_example(rules_copy)
    assert check(rules_copy, capsys, "--no-examples") == (0, "ok: 2 rule files loaded (examples not run)\n")
    status, output = check(rules_copy, capsys)
    assert status == 2
    assert output.splitlines()[0] == (f"{path}:{line}: rule convert.fixup.zhuoshou: example "
                                      "['著手準備會議', '著手准备会议']: gives '着手准备会议'")
    assert "1 problem(s)" in output


@pytest.mark.slow  # runs every other stage's examples
def test_a_load_error_does_not_hide_another_stages_broken_example(rules_copy, capsys):
    path, line = break_an_example(rules_copy)
    bad = edit(rules_copy / "extract" / "percent.toml", 'unit = "percent"', 'unit = "procent"')
    status, output = check(rules_copy, capsys)
    assert status == 2
    assert re.search(rf"percent.toml:{bad}: rule percent\.\w+: `unit` 'procent'", output), output
    assert f"{path}:{line}: rule convert.fixup.zhuoshou: example" in output
    assert "2 problem(s)" in output


# --- the loader itself ---------------------------------------------------------------------------------

KIND = Kind("t.rule", "a test rule", {
    "pattern": Regex("a regex", required=True, fragments=True),
    "mode": Enum(("a", "b"), "a mode", default="a"),
    "weight": Float("a weight", default=1.0, minimum=0, maximum=1),
    "words": ListOf(String("a word"), "words"),
}, rule=True)
TABLE = Kind("t.table", "a table", {"size": Int("a size", required=True, minimum=1)})
FILE = TomlFile("t", "a test file", {"table": Section(TABLE, required=True), "rule": Section(KIND, array=True)})


def test_key_lines_cover_tables_arrays_of_tables_keys_and_list_items():
    text = ('# c\n[table]\nsize = 1\n\n[[rule]]\nid = "t.a"\nwords = [\n  "x",  # one\n  "y",\n]\n'
            '[[rule]]\n"quoted key" = """multi\nline"""\nnext = {a = 1}\n[stages.clean]\nk = 2\n')
    lines = toml_key_lines(text)
    assert lines[("table",)] == 2 and lines[("table", "size")] == 3
    assert lines[("rule", 0)] == 5 and lines[("rule", 0, "words", 0)] == 8 and lines[("rule", 0, "words", 1)] == 9
    assert lines[("rule", 1, "quoted key")] == 12 and lines[("rule", 1, "next")] == 14
    assert lines[("stages", "clean", "k")] == 16


def test_every_error_of_a_file_is_reported_at_its_key(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('[table]\nsize = 0\n\n[[rule]]\nid = "t.a"\nversion = 1\npattern = "{X}"\nmode = "c"\n'
                    'words = ["a", 3]\n', encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_toml_file(path, FILE)
    assert [(e.line, e.message) for e in err.value.errors] == [(2, "[table]: `size` must be >= 1, got 0")]
    path.write_text(path.read_text(encoding="utf-8").replace("size = 0", "size = 1"), encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_toml_file(path, FILE, fragments={"Y": "y"})
    assert [(e.line, e.message) for e in err.value.errors] == [
        (7, "rule t.a: `pattern` unknown fragment {X}; known: Y"),
        (8, "rule t.a: `mode` 'c' is not one of 'a', 'b'"),
        (9, "rule t.a: `words` item 2: must be a string, got an integer 3"),
    ]


def test_fragments_expand_and_defaults_fill_in(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('[table]\nsize = 2\n[[rule]]\nid = "t.a"\nversion = 1\npattern = "{X}+"\n', encoding="utf-8")
    loaded = load_toml_file(path, FILE, fragments=lambda tables: {"X": "a" * tables["table"]["size"]})
    rule = loaded.arrays["rule"][0]
    assert rule["pattern"].pattern == "aa+" and rule["mode"] == "a" and rule["weight"] == 1.0 and rule.line == 3


def test_jsonl_comments_are_hash_only(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('# ok\n{"id": "t.a", "version": 1, "pattern": "a"}\n// not a comment\n', encoding="utf-8")
    with pytest.raises(RuleError, match=r"r.jsonl:3: comments start with `#`"):
        load_jsonl_file(path, JsonlFile("t", "t", KIND))


def test_word_lists_skip_comments_and_optional_columns_that_do_not_fit(tmp_path):
    kind = Kind("w", "w", {"word": String("w", required=True), "freq": Int("f", minimum=0),
                           "tag": String("t", match="[a-z]+")})
    schema = WordList("w", "w", kind, ("word", "freq", "tag"), separator=None)
    path = tmp_path / "w.txt"
    path.write_text("# words\n科学 n\n仪器 12  # a comment\n\n坏 12x\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"w.txt:5: '12x' is not a valid freq or tag"):
        load_word_list(path, schema)
    path.write_text("# words\n科学 n\n仪器 12  # a comment\n", encoding="utf-8")
    assert [(e["word"], e["freq"], e["tag"], e.line) for e in load_word_list(path, schema)] == [
        ("科学", None, "n", 2), ("仪器", 12, None, 3)]


def test_every_declared_kind_and_field_is_documented():
    from pipeline.stages.rulecheck import rule_file_schemas

    kinds = []
    for items in rule_file_schemas().values():
        for item in items:
            top = [item] if isinstance(item, Kind) else (
                [s.kind for s in item.sections.values()] if isinstance(item, TomlFile) else [item.kind])
            kinds += [k for t in top for k in (t, *t.variants.values())]
    assert len({k.name for k in kinds}) > 50
    undocumented = [(k.name, name) for k in kinds for name, f in k.all_fields().items() if not f.doc]
    assert [k.name for k in kinds if not k.doc] == [] and undocumented == []
