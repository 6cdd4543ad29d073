"""jieba's part-of-speech tags, for rule fields that name them.

Rules that read tokens (count objects, organisation-name completion) and the
segment stage's user dictionaries name jieba tags; a tag jieba never gives
(`nl`, a typo such as `nnt`) would be silently never matched, so such a
field is a `JiebaTag`: one of these, or a rule error.

`JIEBA_TAGS` is what jieba 0.42 gives: the tags of its dictionary
(jieba/dict.txt), of its HMM for unknown words (jieba/posseg/prob_start.py)
and the three `jieba.posseg` assigns itself (`eng`, `m`, `x`);
tests/core/test_rule_values.py checks it against the installed jieba.

>>> JiebaTag("a tag").check("nt") is None, JiebaTag("a tag").check("nl")
(True, "'nl' is not a jieba part-of-speech tag (did you mean 'n'?)")
"""

from __future__ import annotations

import difflib

from pipeline.core.schema import Field, ListOf, String

JIEBA_TAGS = frozenset((
    "a", "ad", "ag", "an", "b", "bg", "c", "d", "df", "dg", "e", "en", "eng", "f", "g", "h", "i", "in", "j",
    "jn", "k", "l", "ln", "m", "mg", "mq", "n", "ng", "nr", "nrfg", "nrt", "ns", "nt", "nz", "o", "p", "q",
    "qe", "qg", "r", "rg", "rr", "rz", "s", "t", "tg", "u", "ud", "ug", "uj", "ul", "uv", "uz", "v", "vd",
    "vg", "vi", "vn", "vq", "w", "x", "y", "yg", "z", "zg",
))


def _jieba_tag(value: str) -> str | None:
    if value in JIEBA_TAGS:
        return None
    close = difflib.get_close_matches(value, sorted(JIEBA_TAGS), n=1)
    return f"{value!r} is not a jieba part-of-speech tag" + (f" (did you mean {close[0]!r}?)" if close else "")


def JiebaTag(doc: str) -> Field:
    """A jieba part-of-speech tag (`n`, `nt`, `vn` ...)."""
    return String(doc, check=_jieba_tag)


def JiebaTags(doc: str, *, required: bool = False) -> Field:
    """A list of jieba part-of-speech tags."""
    return ListOf(JiebaTag("a jieba tag"), doc, required=required)
