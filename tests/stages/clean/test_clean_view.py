"""The `[view]` of rules/clean/lines.toml: how the clean stage reads a line is rule data."""

from __future__ import annotations

import pytest

from pipeline.core.document import Document
from pipeline.core.rules import RuleError
from pipeline.stages.clean.stage import CleanStage
from pipeline.stages.clean.text import LineView

from conftest import RULES

VIEW = CleanStage({}, RULES).rules.view


def set_view(rules_dir, key: str, value: str) -> int:
    """Replace `key = ...` in the [view] table; returns its line number."""
    path = rules_dir / "clean" / "lines.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith(f"{key} ="))
    lines[n] = f"{key} = {value}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n + 1


def test_the_view_leaves_out_pinyin_after_han_and_folds_width():
    line = LineView(VIEW).split("聯(lián)動　ＡＢ：分享\nx(li)\n")[0]
    assert line.plain == "聯動 ＡＢ：分享" and line.view == "聯動 AB:分享"
    assert LineView(VIEW).plain("x(lián)") == "x(lián)"  # not after a Han character: no annotation


def test_the_view_rules_are_read_from_the_rule_file(rules_copy):
    text = "分享到 ◆ 打印\n"
    doc = Document(doc_id="t", source="t", original=text, text=text, meta={})
    assert CleanStage({}, rules_copy)(doc).text == ""
    set_view(rules_copy, "separators", r"'''[\s|]+'''")  # ◆ no longer separates tokens
    assert CleanStage({}, rules_copy)(doc).text == text
    assert (rules_copy / "clean" / "lines.toml") in CleanStage({}, rules_copy).rule_files()


@pytest.mark.parametrize("key, value, message", [
    ("separators", "'[unclosed'", "`separators` does not compile"),
    ("sentence_marks", '""', "`sentence_marks` must not be empty"),
    ("sentence_mark", '"。"', "unknown key `sentence_mark` \\(did you mean `sentence_marks`\\?\\)"),
])
def test_a_bad_view_is_a_load_error_with_file_and_line(rules_copy, key, value, message):
    path = rules_copy / "clean" / "lines.toml"
    if key == "sentence_mark":  # a misspelt key
        text = path.read_text(encoding="utf-8").replace("sentence_marks =", "sentence_mark =", 1)
        path.write_text(text, encoding="utf-8")
    line = set_view(rules_copy, key, value)
    with pytest.raises(RuleError, match=f"lines.toml:{line}: \\[view\\]: {message}"):
        CleanStage({}, rules_copy)
