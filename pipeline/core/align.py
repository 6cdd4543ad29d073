"""Turn a library's string-in, string-out change into edits by alignment.

ftfy and OpenCC return only the new string. Their changes are local: mostly
one character for one, sometimes a phrase for a phrase of another length
(`中介軟體` -> `中间件`), never across a line break. So lines are aligned one to
one, equal-length lines character by character, and only lines whose length
changed go through difflib, where a same-length replaced run is split back
into single characters so each edit is as small as the change.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from pipeline.core.document import Edit


def diff_edits(before: str, after: str, rule_id: str) -> list[Edit]:
    """Edits that turn `before` into `after`, in `before`'s coordinates.

    A phrase of another length is one edit, a same-length change one edit per character:

    >>> diff_edits("中介軟體很好", "中间件很好", "convert.opencc.tw2sp")
    [Edit(start=1, end=4, replacement='间件', rule_id='convert.opencc.tw2sp')]
    >>> [e.replacement for e in diff_edits("聯動", "联动", "convert.opencc.t2s")]
    ['联', '动']
    """
    if before == after:
        return []
    old_lines = before.splitlines(keepends=True)
    new_lines = after.splitlines(keepends=True)
    if len(old_lines) != len(new_lines):
        return _diff_span(before, after, 0, rule_id)
    edits: list[Edit] = []
    offset = 0
    for old, new in zip(old_lines, new_lines):
        if old != new:
            edits.extend(_diff_span(old, new, offset, rule_id))
        offset += len(old)
    return edits


def _diff_span(old: str, new: str, offset: int, rule_id: str) -> list[Edit]:
    if len(old) == len(new):
        return _char_edits(old, new, offset, rule_id)
    edits: list[Edit] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 - i1 == j2 - j1:
            edits.extend(_char_edits(old[i1:i2], new[j1:j2], offset + i1, rule_id))
        else:
            edits.append(Edit(offset + i1, offset + i2, new[j1:j2], rule_id))
    return edits


def _char_edits(old: str, new: str, offset: int, rule_id: str) -> list[Edit]:
    return [
        Edit(offset + i, offset + i + 1, b, rule_id)
        for i, (a, b) in enumerate(zip(old, new))
        if a != b
    ]
