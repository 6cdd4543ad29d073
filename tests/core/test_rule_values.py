"""Rule and setting values that must stop `pipeline run` with `file:line` and exit 2.

Each case edits one value in a private copy of rules/ and runs the pipeline:
it must exit 2 before reading any document, and stderr must name the file and
the line of the offending key (or list item). The first group are values a
hostile-input review found escaping validation; the second the bounds added
where a value outside them would silently change results (see the comments at
each declaration).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.core.postags import JIEBA_TAGS

# Each case is a `pipeline run` of an edited rules folder.
pytestmark = pytest.mark.e2e


def edit(path: Path, old: str, new: str, after: str = "") -> int:
    """Replace the first `old` after the text `after` by `new`; the line `new` starts on.

    An `old` ending in "= …" stands for the setting's whole line whatever its value, so a tuned
    default does not break the case."""
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    if old.endswith("= …"):
        found = re.compile(re.escape(old[:-1]) + r"[^\n]*").search(text, start)
        assert found, f"{old!r} not in {path}"
        at, old = found.start(), found.group()
    else:
        at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    return text.count("\n", 0, at) + 1


def line_of(path: Path, needle: str) -> int:
    """The line of the first occurrence of `needle` in `path`."""
    text = path.read_text(encoding="utf-8")
    return text.count("\n", 0, text.index(needle)) + 1


@pytest.fixture
def run(tmp_path, capsys):
    """Run the pipeline on one small document with the given rules; (exit status, stderr)."""
    doc = tmp_path / "input" / "doc.txt"
    doc.parent.mkdir()
    doc.write_text("第一段。公司收入100万元,增长5%,去年有85家企业参加。\n", encoding="utf-8")

    def go(rules: Path) -> tuple[int, str]:
        status = main(["run", str(doc), "--rules", str(rules), "--out", str(tmp_path / "out"), "--no-cache",
                       "--quiet", "--no-report", "--jobs", "1"])
        return status, capsys.readouterr().err

    return go


def assert_rejected(run, rules: Path, path: Path, line: int, *words: str) -> None:
    status, err = run(rules)
    assert status == 2, err
    assert f"{path.resolve()}:{line}:" in err, err
    for word in words:
        assert word in err, err


def test_the_unedited_rules_run(run, rules_copy, tmp_path):
    status, err = run(rules_copy)
    assert status == 0, err
    assert (tmp_path / "out" / "facts.parquet").exists()


# (file under rules/, text before the value (or ""), old, new, words the message has)
FOUND_IN_REVIEW = {
    "window_string": ("extract/money.toml", "[extractor]", "window = 40", 'window = "wide"', ("`window`",)),
    # -5 used to silently drop money facts (windows of negative width)
    "window_negative": ("extract/money.toml", "[extractor]", "window = 40", "window = -5", ("`window`",)),
    "window_negative_commented": ("extract/money.toml", "", "window = 40", "window = -5  # five", ("-5",)),
    "trigger_int": ("extract/money.toml", "", "trigger = '''{CURRENCY}|{SYMBOL}|块'''", "trigger = 5",
                    ("`trigger`",)),
    "decode_min_confidence": ("pipeline.toml", "[stages.decode]", "min_confidence = 0.9",
                              'min_confidence = "high"', ("[stages.decode]", "`min_confidence`")),
    # was read as true
    "hmm_string": ("pipeline.toml", "[stages.segment]", "hmm = true", 'hmm = "no"', ("[stages.segment]", "`hmm`")),
}


@pytest.mark.parametrize("case", FOUND_IN_REVIEW.values(), ids=FOUND_IN_REVIEW.keys())
def test_values_found_in_review_are_rejected(run, rules_copy, case):
    name, after, old, new, words = case
    path = rules_copy / name
    line = edit(path, old, new, after)
    assert_rejected(run, rules_copy, path, line, *words)


def _comment_every_header(path: Path, header: str) -> None:
    text = path.read_text(encoding="utf-8")
    # Brackets and quotes in the comment must not confuse the line scan.
    path.write_text(text.replace(f"{header}\n", f"{header}  # note [x] ''' \"\n"), encoding="utf-8")


def test_a_commented_rule_header_keeps_the_lines_of_the_keys_in_its_rule(run, rules_copy):
    path = rules_copy / "extract" / "money.toml"
    _comment_every_header(path, "[[rule]]")
    assert path.read_text(encoding="utf-8").count("[[rule]]  # note") == 4
    line = edit(path, "confidence = 0.95", 'confidence = "high"', after='id = "money.symbol_number"')
    assert_rejected(run, rules_copy, path, line, "rule money.symbol_number", "`confidence`")


def test_a_commented_rule_header_is_the_line_of_an_error_about_the_whole_rule(run, rules_copy):
    path = rules_copy / "extract" / "money.toml"
    _comment_every_header(path, "[[rule]]")
    header = line_of(path, 'id = "money.symbol_number"') - 1
    edit(path, "version = …", "", after='id = "money.symbol_number"')  # a missing key: the rule's line
    assert_rejected(run, rules_copy, path, header, "rule money.symbol_number", "missing `version`")


def test_a_commented_table_header_keeps_the_lines_of_its_keys(run, rules_copy):
    path = rules_copy / "extract" / "money.toml"
    _comment_every_header(path, "[extractor]")
    line = edit(path, "window = 40", "window = -5")
    assert_rejected(run, rules_copy, path, line, "[extractor]", "`window`")


def test_a_commented_settings_header_keeps_the_lines_of_its_settings(run, rules_copy):
    path = rules_copy / "pipeline.toml"
    _comment_every_header(path, "[stages.segment]")
    line = edit(path, "hmm = true", 'hmm = "no"')
    assert_rejected(run, rules_copy, path, line, "[stages.segment]", "`hmm`")


TIGHTENED = {
    # a tag jieba never gives is never matched
    "count_object_tag": ("extract/count.toml", "[object]", 'pos = ["n",', 'pos = ["nl", "n",',
                         ("'nl' is not a jieba part-of-speech tag",)),
    "ner_completion_tag": ("ner/org_suffixes.toml", "[completion]", 'allowed_pos = ["n",',
                           'allowed_pos = ["nnt", "n",', ("'nnt' is not a jieba part-of-speech tag",)),
    "extract_window_too_small": ("extract/money.toml", "", "window = 40", "window = 12", (">= 20",)),
    "percent_value": ("extract/percent.toml", "percent.zhe_dui", "value = 50", "value = 150", ("<= 100",)),
    "percent_half_value": ("extract/percent.toml", "", "half_value = 5", "half_value = 0", ("> 0",)),
    # a year written where an offset belongs
    "date_offset": ("extract/date.toml", "[relative_years]", '"去年" = -1', '"去年" = 2020', ("<= 10",)),
    "extractor_twice": ("pipeline.toml", "[stages.extract]", 'extractors = ["money",',
                        'extractors = ["money", "money",', ("twice",)),
    # 5 meant as 5% would switch the flag off
    "spam_threshold": ("pipeline.toml", "", "spam_threshold = 0.0", "spam_threshold = 5", ("<= 1",)),
    "spun_threshold": ("pipeline.toml", "", "spun_threshold = …", "spun_threshold = 1.5", ("<= 1",)),
    "spun_min_hits": ("pipeline.toml", "", "spun_min_hits = …", "spun_min_hits = 0", (">= 1",)),
    "spam_min_density": ("clean/spam.toml", "", "min_density = 0.25", "min_density = 25", ("<= 1",)),
    # only class spam counts toward spam_ratio
    "spam_line_class": ("clean/spam.toml", 'kind = "line"', 'class = "spam"', 'class = "spma"', ("'spam'",)),
    "line_min_above_max": ("clean/lines.toml", 'id = "clean.nav.menu"', "version = 1", "min_chars = 500\nversion = 1",
                           ("never fires",)),
    "island_unknown_class": ("clean/lines.toml", "", 'between_class = "contact"', 'between_class = "contacts"',
                             ("'contacts'",)),
}


@pytest.mark.parametrize("case", TIGHTENED.values(), ids=TIGHTENED.keys())
def test_tightened_values_are_rejected(run, rules_copy, case):
    name, after, old, new, words = case
    path = rules_copy / name
    line = edit(path, old, new, after)
    assert_rejected(run, rules_copy, path, line, *words)


def test_a_user_dictionary_tag_must_be_a_jieba_tag(run, rules_copy):
    path = rules_copy / "segment" / "words.txt"
    with path.open("a", encoding="utf-8") as f:
        f.write("海创计划二期 nl\n")
    line = path.read_text(encoding="utf-8").count("\n")
    assert_rejected(run, rules_copy, path, line, "'nl'")


def test_the_jieba_tags_are_those_jieba_gives():
    import jieba
    from jieba.posseg import prob_start

    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        dictionary = {parts[2] for parts in (line.split() for line in f) if len(parts) > 2}
    assert JIEBA_TAGS == dictionary | {tag for _, tag in prob_start.P} | {"eng", "m", "x"}
