"""Turn a library's string-in, string-out change into edits by alignment.

ftfy and OpenCC return only the new string. Their changes are local: mostly
one character for one, sometimes a phrase for a phrase of another length
(`中介軟體` -> `中间件`), never across a line break. So lines are aligned one to
one, equal-length lines character by character, and only lines whose length
changed go through difflib, where a same-length replaced run is split back
into single characters so each edit is as small as the change. A long changed
line is cut at the punctuation marks both versions share before difflib sees it.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from pipeline.core.document import Edit

# difflib's matcher is quadratic or worse on a long line (4,000 characters of repetitive text:
# 110 s), so a changed line longer than this is first cut at punctuation both versions share.
PIECE_FROM = 2_000
ANCHORS = frozenset("，。！？；：、,.!?;:")
WINDOW = 200  # characters a long line without such marks is aligned by at a time


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
    if len(old) > PIECE_FROM:
        pieces = _pieces(old, new)
        if pieces is not None:
            edits: list[Edit] = []
            for (a0, a1), (b0, b1) in pieces:
                if old[a0:a1] != new[b0:b1]:
                    edits.extend(_diff_span(old[a0:a1], new[b0:b1], offset + a0, rule_id))
            return edits
        return _windowed(old, new, offset, rule_id)
    return _opcode_edits(SequenceMatcher(None, old, new, autojunk=False).get_opcodes(), old, new, offset, rule_id)


def _opcode_edits(opcodes, old: str, new: str, offset: int, rule_id: str) -> list[Edit]:
    edits: list[Edit] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        if i2 - i1 == j2 - j1:
            edits.extend(_char_edits(old[i1:i2], new[j1:j2], offset + i1, rule_id))
        else:
            edits.append(Edit(offset + i1, offset + i2, new[j1:j2], rule_id))
    return edits


def _windowed(old: str, new: str, offset: int, rule_id: str) -> list[Edit]:
    """A long line without shared punctuation, aligned WINDOW characters at a time: each window's
    changes up to its last matching run, then on from the end of that run (linear, and the
    same edits as difflib's for changes shorter than a window)."""
    edits: list[Edit] = []
    i = j = 0
    while len(old) - i > WINDOW or len(new) - j > WINDOW:
        a, b = old[i : i + WINDOW], new[j : j + WINDOW]
        opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        last = max((k for k, op in enumerate(opcodes) if op[0] == "equal" and op[2] > 0), default=None)
        if last is None:  # nothing in common: the windows replace each other
            edits.extend(_opcode_edits([("replace", 0, len(a), 0, len(b))], a, b, offset + i, rule_id))
            i, j = i + len(a), j + len(b)
            continue
        edits.extend(_opcode_edits(opcodes[: last + 1], a, b, offset + i, rule_id))
        i, j = i + opcodes[last][2], j + opcodes[last][4]
    matcher = SequenceMatcher(None, old[i:], new[j:], autojunk=False)
    edits.extend(_opcode_edits(matcher.get_opcodes(), old[i:], new[j:], offset + i, rule_id))
    return edits


def _pieces(old: str, new: str) -> list[tuple[tuple[int, int], tuple[int, int]]] | None:
    """Both texts cut after each punctuation mark, when both have the same marks in the same
    order (a library's change leaves them alone), as aligned (old, new) ranges; else None."""
    cuts_old = [i + 1 for i, c in enumerate(old) if c in ANCHORS]
    cuts_new = [i + 1 for i, c in enumerate(new) if c in ANCHORS]
    if not cuts_old or cuts_old[0] == len(old) or [old[i - 1] for i in cuts_old] != [new[i - 1] for i in cuts_new]:
        return None  # no mark, or only one at the very end: no smaller pieces
    starts_old, starts_new = [0, *cuts_old], [0, *cuts_new]
    return list(zip(zip(starts_old, [*cuts_old, len(old)]), zip(starts_new, [*cuts_new, len(new)])))


def _char_edits(old: str, new: str, offset: int, rule_id: str) -> list[Edit]:
    return [
        Edit(offset + i, offset + i + 1, b, rule_id)
        for i, (a, b) in enumerate(zip(old, new))
        if a != b
    ]
