import re

from hypothesis import given, settings, strategies as st

from conftest import examples
from pipeline.core.patterns import Literals, alternation

# A small alphabet, so that words share prefixes and overlap in the text.
CHARS = st.sampled_from("元美港币万亿a.")
WORDS = st.lists(st.text(CHARS, min_size=1, max_size=4), max_size=12)


@settings(max_examples=examples(300))
@given(words=WORDS, text=st.text(CHARS, max_size=40))
def test_literals_find_what_the_trie_regex_finds(words, text):
    expected = re.compile(alternation(words, trie=True))
    assert [m.span() for m in Literals(words).finditer(text)] == [m.span() for m in expected.finditer(text)]
    assert Literals(words).findall(text) == expected.findall(text)


def test_the_longest_word_at_a_position_wins_and_matches_do_not_overlap():
    found = Literals(["美元", "元", "美元汇率", "汇率"]).finditer("美元汇率和元，美元汇")
    assert [(m.span(), m.group()) for m in found] == [((0, 4), "美元汇率"), ((5, 6), "元"), ((7, 9), "美元")]


def test_no_words_find_nothing():
    assert Literals([]).findall("任何文字") == [] and Literals([""]).findall("abc") == []
