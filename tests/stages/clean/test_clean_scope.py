"""Line rules run in the pass their `scope` names, whatever their id; a bad scope is a load error."""

from __future__ import annotations

import re

import pytest

from pipeline.core.document import Document
from pipeline.core.rules import RuleError
from pipeline.stages.clean.stage import CleanStage

P1 = "青岛市科技局今天发布消息称,全市高新技术企业数量突破一万家,同比增长百分之二十,创下历史新高。"
P2 = "据介绍,今年以来全市新增国家级创新平台十二个,技术合同成交额达到三百亿元,较去年同期明显增长。"
TITLE = "青岛高新技术企业突破一万家"
# A repeated paragraph, a repeated metadata line, the title repeated in the body, and the
# blank lines these removals leave: one case for each single-rule scope.
PAGE = f"{TITLE}\n来源:青岛日报\n来源:青岛日报\n\n{P1}\n\n{TITLE}\n\n{P2}\n\n{P1}\n"

RENAMED = {
    "clean.duplicate.paragraph": "clean.repeat.paragraph_again",
    "clean.duplicate.metadata": "clean.repeat.meta_again",
    "clean.duplicate.title": "clean.repeat.title_again",
    "clean.layout.blank": "clean.spacing.leftover",
}


def edit_lines(rules_dir, old: str, new: str) -> None:
    path = rules_dir / "clean" / "lines.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def removals(stage: CleanStage) -> list[str]:
    text = PAGE
    doc = stage(Document(doc_id="t", source="t", original=text, text=text, meta={}))
    return [e.rule_id for e in doc.layers[-1].edits]


def test_renamed_rules_still_run_their_passes(rules_copy):
    before = removals(CleanStage({}, rules_copy))
    assert set(RENAMED) <= set(before)  # the page exercises every pass below
    for old, new in RENAMED.items():
        edit_lines(rules_copy, f'id = "{old}"', f'id = "{new}"')
    after = removals(CleanStage({}, rules_copy))
    assert after == [RENAMED.get(rule_id, rule_id) for rule_id in before]


def test_a_second_rule_in_a_one_rule_scope_is_a_load_error(rules_copy):
    path = rules_copy / "clean" / "lines.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + '\n[[rule]]\nid = "clean.layout.again"\nversion = 1\nclass = "layout"\nkind = "layout"\n'
                    'scope = "layout"\nreason = "x"\n', encoding="utf-8")
    line = len(text.splitlines()) + 7  # its scope key
    with pytest.raises(RuleError, match=f"lines.toml:{line}: rule clean.layout.again: scope 'layout' already "
                                        "taken by clean.layout.blank"):
        CleanStage({}, rules_copy)


@pytest.mark.parametrize("field, message", [
    ('scope = "paragraph"', r"`scope` 'paragraph' is not one of 'line', 'paragraph-duplicate', 'zone'"),
    ('scope = "zone"', r"a duplicate rule cannot have scope 'zone'"),
    ('scope = "line"\nzones = ["tail"]', r"scope 'line' with zones \['tail'\]"),
])
def test_a_bad_scope_is_a_load_error_with_file_and_line(rules_copy, field, message):
    path = rules_copy / "clean" / "lines.toml"
    text = path.read_text(encoding="utf-8")
    line = text.splitlines().index('scope = "paragraph-duplicate"') + 1  # errors point at the scope key
    edit_lines(rules_copy, 'scope = "paragraph-duplicate"', field)
    if "zones" in field:
        edit_lines(rules_copy, 'kind = "duplicate"\nscope = "line"', 'kind = "pattern"\nscope = "line"\npattern = "x"')
    with pytest.raises(RuleError, match=f"lines.toml:{line}: rule clean.duplicate.paragraph: {message}"):
        CleanStage({}, rules_copy)


def test_a_missing_scope_is_a_load_error(rules_copy):
    edit_lines(rules_copy, 'scope = "layout"\n', "")
    with pytest.raises(RuleError, match=re.escape("rule clean.layout.blank: missing `scope`")):
        CleanStage({}, rules_copy)
