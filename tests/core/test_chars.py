"""pipeline.core.chars and pipeline.core.patterns: character classes and the longest-first alternation."""

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.chars import (
    HAN, HAN_RANGES, fullwidth_class, halfwidth_map, is_fullwidth_ascii, is_han, to_fullwidth, unseen_cost,
)
from pipeline.core.patterns import alternation, longest_first
from conftest import examples


@given(st.characters())
def test_han_class_and_predicate_agree(ch):
    assert bool(re.fullmatch(f"[{HAN}]", ch)) == is_han(ch)


@pytest.mark.parametrize("ch, han", [("中", True), ("㐀", True), ("豈", True), ("𠀀", True), ("\U0003134a", True),
                                     ("a", False), ("，", False), ("ぁ", False), ("\u4dc0", False), ("\U00040000", False)])
def test_han_ranges(ch, han):
    assert is_han(ch) is han
    assert HAN_RANGES[0][0] == 0x3400


def test_halfwidth_map_folds_every_printable_ascii_form_and_named_spaces():
    table = halfwidth_map(spaces="\u3000")
    printable = "".join(chr(c) for c in range(0x21, 0x7F))
    wide = "".join(to_fullwidth(c) for c in printable)
    assert wide.translate(table) == printable
    assert "\u3000\u00a0、。“".translate(table) == " \u00a0、。“"  # CJK punctuation has no ASCII form


def test_halfwidth_map_limited_to_some_characters():
    table = halfwidth_map(string.digits)
    assert "２０２１ＡＩ％".translate(table) == "2021ＡＩ％"


@given(st.text())
def test_halfwidth_keeps_length(text):
    assert len(text.translate(halfwidth_map(spaces="\u3000"))) == len(text)


def test_fullwidth_forms():
    assert to_fullwidth("A") == "Ａ" and is_fullwidth_ascii("Ａ") and not is_fullwidth_ascii("A")
    assert re.fullmatch(f"[{fullwidth_class('09')}]+", "０９") and not re.search(f"[{fullwidth_class('09')}]", "１")
    with pytest.raises(ValueError):
        to_fullwidth(" ")


def test_unseen_cost_orders_han_other_junk():
    assert unseen_cost("𠀀") < unseen_cost("α") < unseen_cost("\ue000") == unseen_cost("\ufffd") == unseen_cost("\U000e0001")


def test_longest_first_dedupes_and_orders():
    assert longest_first(["元", "美元", "元", "港元"]) == ["港元", "美元", "元"]


def test_alternation_escapes_and_prefers_longer():
    pattern = re.compile(alternation(["a.b", "a.b.c", "+"]))
    assert pattern.match("a.b.c").group() == "a.b.c"
    assert pattern.match("axb") is None
    assert pattern.match("+").group() == "+"


def test_empty_alternation_never_matches():
    assert re.search(alternation([]), "anything") is None
    assert re.search(alternation([], trie=True), "") is None


WORDS = st.lists(st.text(alphabet="ab元美港.", min_size=1, max_size=4), min_size=1, max_size=12)


@settings(max_examples=examples(300))
@given(WORDS, st.text(alphabet="ab元美港.x", max_size=20), st.booleans())
def test_alternation_matches_the_longest_listed_word_at_every_position(words, text, trie):
    pattern = re.compile(alternation(words, trie=trie))
    for i in range(len(text) + 1):
        m = pattern.match(text, i)
        listed = [w for w in words if text.startswith(w, i)]
        if not listed:
            assert m is None
        else:
            assert m is not None and m.group() == max(listed, key=len)


@given(WORDS, st.text(alphabet="ab元美港.x", max_size=20))
def test_trie_and_flat_alternation_find_the_same(words, text):
    flat, trie = re.compile(alternation(words)), re.compile(alternation(words, trie=True))
    assert [m.span() for m in flat.finditer(text)] == [m.span() for m in trie.finditer(text)]


def test_alternation_each_word_through_a_function():
    pattern = re.compile(alternation(["约", "大约"], each=lambda w: f"(?<!签){w}" if w == "约" else w))
    assert pattern.search("签约") is None and pattern.search("大约").group() == "大约"
