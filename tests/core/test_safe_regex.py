"""Issue 22, safe regexes: the rewritten shipped patterns match what the old ones matched.

Timing is bench/regex.py's (a floor in bench/floors.toml); here the inputs that made the old
patterns backtrack for minutes are compared on sizes the old patterns still finish.
"""

from __future__ import annotations

import itertools
import random
import re

import pytest

from pipeline.cli import main
from pipeline.core.rules import catastrophic_repeat
from pipeline.stages.clean.stage import CleanStage
from pipeline.stages.extract import numerals as n
from conftest import RULES

# {NUM} before issue 22 (exponential on 一 + 16 × 万 + X元).
_OLD_CN_NUM = (f"(?:[{n._CN_DIGIT_CLASS}半]?[{n._CN_DIGIT_CLASS}{n._CN_UNIT_CLASS}]*"
               f"[{n._CN_DIGIT_CLASS}{n._CN_UNIT_CLASS}](?:[点點][{n._CN_DIGIT_CLASS}]+)?)")
OLD_NUM = (f"(?:(?:{n._ARABIC}|{_OLD_CN_NUM})(?:[余餘多几幾]?{n._ALL_UNITS}+(?:{n._ARABIC}|{_OLD_CN_NUM})?)*"
           f"(?:[余餘多几幾](?!{n._ALL_UNITS}){n._BIG}*)?)")
# What may follow a number in a rule: the first end the regex tries among those allowed decides the match.
FOLLOWERS = ("", "元", "(?=[0-9０-９])", "(?=[万十])", "(?=余)", "(?=半)", "(?=点)", "(?=[,.])",
             "(?=[一十])", "(?=[余元])", "$", "\\s?%", "\\s*个?\\s*百分点")


def pairs():
    return [(re.compile(f"(?:{OLD_NUM}){f}"), re.compile(f"(?:{n.FRAGMENTS['NUM']}){f}")) for f in FOLLOWERS]


def first_ends(patterns, text):
    return [[(m.start(), m.end()) if (m := p.match(text, i)) else None for i in range(len(text))] for p in patterns]


def assert_same(compiled, texts):
    old, new = [p for p, _ in compiled], [p for _, p in compiled]
    for text in texts:
        assert first_ends(new, text) == first_ends(old, text), text


@pytest.mark.slow  # every string of up to 4 numeral characters
def test_num_matches_as_before_on_every_short_string():
    # Every string of up to 4 of these, from every start, with each follower: same match.
    alphabet = "1一万十半点余,.２元%"
    texts = ("".join(t) for k in range(1, 5) for t in itertools.product(alphabet, repeat=k))
    assert_same(pairs(), texts)


def test_num_matches_as_before_on_longer_random_strings():
    rnd = random.Random(22)
    alphabet = "1一万十半点余,.0２元二三百千亿两幾多．，%个百分点"
    assert_same(pairs(), ("".join(rnd.choice(alphabet) for _ in range(rnd.randint(5, 12))) for _ in range(3000)))


@pytest.mark.parametrize("unit", ["万", "万1", "万一", "万余", "万半"])
def test_crafted_numbers_match_as_before(unit):
    # The shapes that backtracked exponentially, at a size the old pattern finishes (2^8).
    texts = [f"公司投资一{unit * 8}X{tail}" for tail in ("元", "%", "个百分点", "")]
    assert_same(pairs(), texts)


def test_num_still_reads_numbers_whole():
    num = re.compile(n.FRAGMENTS["NUM"])
    for text in ("714.7亿", "1.2万余", "五百", "两万三千", "十余万", "5万4千6百", "七百一十四点七亿",
                 "四十九兆九千五百九十二亿", "一万5千", "3,500"):
        assert num.fullmatch(text), text
    assert num.match("一" + "万" * 2000 + "X").end() == 2001


OLD_MENU = r"^(?:[^\s|,。,:;!?]{1,6}\s*[|丨/·•]\s*){3,}[^\s|,。,:;!?]{1,6}$"


def menu():
    rule = next(r for r in CleanStage({}, RULES).rules.lines if r.id == "clean.nav.menu")
    return re.compile(rule.pattern.pattern.split("$|")[0] + "$")


def test_menu_lines_read_as_before_where_names_hold_no_separator():
    old, new = re.compile(OLD_MENU), menu()
    # Names of `a`, `/` or `·` only between two name characters: what a menu line holds.
    for k in range(1, 8):
        for t in itertools.product("a/· |,", repeat=k):
            line = "".join(t)
            if all(0 < i < len(line) - 1 and line[i - 1] == line[i + 1] == "a"
                   for i, c in enumerate(line) if c in "/·"):
                assert bool(new.search(line)) == bool(old.search(line)), line
            else:
                assert not new.search(line) or old.search(line), line  # never more than before


def test_crafted_menu_lines_match_as_before():
    old, new = re.compile(OLD_MENU), menu()
    for line in ("a/" * 12 + ",", "a/" * 12 + "a", "首页/" * 6 + "新闻", "a·" * 10 + "a", "a | " * 10 + "a"):
        assert bool(new.search(line)) == bool(old.search(line)), line
    assert new.search("a/" * 60 + "a") and not new.search("a/" * 60 + ",")


@pytest.mark.parametrize("pattern", [r"(?:[0-9]+)+", r"(?:x|[0-9]+)+$", r"(a|a)*", r"(?:a|a?)+", r"(?:a*b?)*"])
def test_catastrophic_shapes_are_named(pattern):
    assert catastrophic_repeat(pattern)


@pytest.mark.parametrize("pattern", [r"(?:[0-9]++)+", r"(?>[0-9]+)+", r"(?:[0-9]+,)+", r"(?:,[0-9]{3})+",
                                     r"[0-9]+元", r"(?:\s*x)+", r"(?:[0-9]+){1,3}", OLD_MENU.replace("|,", "|丨/·•,"),
                                     n.FRAGMENTS["NUM"]])
def test_safe_shapes_pass(pattern):
    assert catastrophic_repeat(pattern) is None


def test_rules_check_rejects_a_catastrophic_user_pattern(rules_copy, capsys):
    path = rules_copy / "extract" / "money.toml"
    text = path.read_text(encoding="utf-8")
    old = "(?P<cur>块)"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, "(?P<cur>块)(?:[0-9]+)+", 1), encoding="utf-8")
    status = main(["rules", "check", "--rules", str(rules_copy), "--no-examples"])
    out = capsys.readouterr()
    assert status == 2
    assert re.search(rf"money.toml:{line}: rule money.kuai: `pattern` can take exponential time", out.out + out.err)
