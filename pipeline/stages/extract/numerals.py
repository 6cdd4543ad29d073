"""All Chinese numeral handling: reading numbers and the regex fragments that find them.

Numbers in news come as Arabic digits (`3,500`, `714.7`, full-width `３５００`),
Chinese numerals (`一千零二十`, `两万三千`, financial `壹佰`, traditional
`萬`/`億`), or a mix (`1.5万`, `七百一十四点七亿`, `5万4千6百`). `parse_number`
reads all of them into a `Decimal` (exact: 714.7亿 is 71470000000, not a float
near it) and reports the approximation the numeral itself carries (`十余`,
`三十多万`, `二十几万` are "over"). `split_approx` peels the approximation
words around a number (约, 近, 逾, 超过, 左右, 以上, ...) and names their kind;
those words are data (`ApproxWords`, from rules/extract/approx.toml).

The extractors' rule files build their patterns from the fragments of
`fragments(words)` (`{NUM}`, `{ARABIC}`, `{CN_NUM}`, `{APPROX_BEFORE}` ...), so what
a pattern accepts as a number and what `parse_number` can read stay the same thing.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Mapping

from pipeline.core.chars import halfwidth_map
from pipeline.core.patterns import alternation, longest_first

# Bump when parsing or the fragments change meaning: extractor fingerprints include it.
VERSION = 3  # 3: 廿, 卅, 卌 (twenty, thirty, forty: 廿三日, 五百卅四); 2: ranges of neighbouring digits (七八亿), fuzzy numbers (几十, 十几) as ranges, digit groups with full-width commas

_CN_DIGITS = MappingProxyType({
    "零": 0, "〇": 0, "○": 0, "Ｏ": 0,
    "一": 1, "壹": 1, "幺": 1,
    "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "倆": 2, "俩": 2,
    "三": 3, "叁": 3, "參": 3, "叄": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
})
# Tens written as one character (廿三日, 卅年, 一萬零卌): read as the digit and 十 they stand for.
_TENS = MappingProxyType({"廿": "二十", "卄": "二十", "卅": "三十", "卌": "四十"})
_SMALL_UNITS = MappingProxyType({"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000})
_BIG_UNITS = MappingProxyType({"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "兆": 10**12})
_POINT = "点點.．"
_NEGATIVE = "负負-−－"
# Inside a numeral: 十余万, 三十多万, 二十几万, 1000余 ("more than").
_VAGUE = "余餘多几幾"

_FULLWIDTH = halfwidth_map(string.digits + ".,-%")

# A full-width comma between ASCII digits is also clause punctuation ($20，300美圆 are two prices):
# a digit group only in 1，234，567 (two groups or more) or before decimals (12，345.00).
_ARABIC = (
    r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?:，[0-9]{3}){2,}|[0-9]{1,3}，[0-9]{3}(?=[.．][0-9])"
    r"|[０-９]{1,3}(?:[,，][０-９]{3})+|[0-9０-９]+)(?:[.．][0-9０-９]+)?"
)
_CN_DIGIT_CLASS = "".join(_CN_DIGITS) + "".join(_TENS)
_CN_UNIT_CLASS = "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)
# (Was `[digit半]?[digit unit]*[digit unit]`: the same strings, tried in the same order, but with
# quadratically many ways to match each.)
_CN_NUM = f"(?:半?[{_CN_DIGIT_CLASS}{_CN_UNIT_CLASS}]+(?:[点點][{_CN_DIGIT_CLASS}]+)?)"
_BIG = f"[{''.join(_BIG_UNITS)}]"
_ALL_UNITS = f"[{_CN_UNIT_CLASS}]"


def _num_fragment() -> str:
    """`{NUM}`: Arabic or Chinese numbers joined by units (5万4千6百, 七百一十四点七亿, 十余万).

    It matches what `(?:ARABIC|CN_NUM)(?:V?U+(?:ARABIC|CN_NUM)?)*(?:V(?!U))?` matched (the
    pattern before issue 22; V a vague marker, U a unit), and tries the ends of a number in the
    same order, so every rule picks the same match. That pattern could split a run of
    digits and units between CN_NUM and U+ in exponentially many ways (`一` + 24 × `万` + `X元`
    ran for minutes). Here a run of digits and units is one possessive run, followed by what
    may come after it (a point and decimals, a vague marker, an Arabic number or 半 after a
    unit), so each end is reached once: a failing match costs time linear in the number.
    tests/core/test_safe_regex.py compares both on every short string of numeral characters.
    """
    run, unit, digit = f"[{_CN_DIGIT_CLASS}{_CN_UNIT_CLASS}]", _ALL_UNITS, f"[{_CN_DIGIT_CLASS}]"
    vague, point = "[余餘多几幾]", "[点點]"
    decimals = f"{point}{digit}+"
    then_number = f"(?:(?:{_ARABIC}){vague}?|半)"  # after a unit: 5万4千, 一万半
    # A run starting the number or after 半: any run may take decimals; a number follows a run of
    # two or more that ends in a unit. Empty alternatives stand where the old pattern tried
    # ending the number, between the longer continuations.
    free = (f"{run}(?:{run}*+(?:{decimals}{vague}?|{vague})"
            f"|{run}++(?:(?<={unit}){then_number})??|(?!{run}))")
    # A run after a number, decimals or a vague marker: it starts with a unit.
    after_break = (f"{unit}{unit}*+(?:(?!{run})(?:{then_number}|{vague}||(?<={unit}{unit}){decimals}{vague}?)"
                   f"|{digit}{run}*+(?:{decimals}{vague}?|{vague}||(?<={unit}){then_number}))")
    # The last run, which may end anywhere; or nothing (after a vague marker only before a non-unit).
    last = (f"(?:(?<=半){run}+(?:{decimals})?"
            f"|(?<!半)(?:{unit}(?:{run}+(?:{decimals})?)?|(?<!{vague})|(?<={vague})(?!{unit})))")
    return (f"(?:(?:(?:{_ARABIC}){vague}?|半?{free})(?:(?<!半){after_break}|(?<=半){free})*{last}"
            f"|半?{run}+(?:{decimals})?)")


# Named regex fragments for rule patterns; `{NAME}` in a pattern expands to one of these.

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class ApproxWords:
    """Approximation words around a number, by kind (DESIGN.md: exact, about, over, under);
    they are data: rules/extract/approx.toml (`pipeline.stages.extract.approx` loads it)."""

    before: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # 约300, 超过5万
    context: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # 突破700亿元: before a match only
    after: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # 300左右
    not_after: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # 约 -> 签节预…: 签约 is not 约
    copulas: tuple[str, ...] = ()  # 约为, 超过了
    # Words whose bound includes the number written (以上, 不少于: [inclusive]); other over/under words
    # exclude it (超过, 不到). Chinese legal usage: 以上、以下、以内 include the number, 超过、不满 do not.
    inclusive: frozenset = frozenset()

    # Speed: the word lists in the order they are tried, sorted once per instance, not per number read.
    @cached_property
    def before_longest(self) -> tuple[str, ...]:
        return tuple(longest_first(self.before))

    @cached_property
    def with_context(self) -> Mapping[str, str]:
        return MappingProxyType({**self.before, **self.context})

    @cached_property
    def with_context_longest(self) -> tuple[str, ...]:
        return tuple(longest_first(self.with_context))

    @cached_property
    def after_longest(self) -> tuple[str, ...]:
        return tuple(longest_first(self.after))

    @cached_property
    def _copula_end(self) -> re.Pattern | None:
        return re.compile(alternation(self.copulas) + "$") if self.copulas else None

    def strip_copula(self, before: str) -> str:
        """`before` without a linking verb at its end (约为 -> 约)."""
        if self._copula_end is None:
            return before
        return self._copula_end.sub("", before)

    def not_word_tail(self, word: str) -> str:
        """`word` as a regex that does not match where it ends another word (签约)."""
        chars = self.not_after.get(word)
        return f"(?<![{chars}]){word}" if chars else word

    def ends_another_word(self, before: str, word: str) -> bool:
        """Whether `word` at the end of `before` is the end of another word (签约)."""
        chars = self.not_after.get(word, "")
        prev = before[-len(word) - 1 : -len(word)]
        return bool(chars and prev and prev in chars)


NO_APPROX = ApproxWords()


def fragments(words: ApproxWords) -> dict[str, str]:
    """The named fragments, with the approximation words' alternations."""
    return {
        **FRAGMENTS,
        "APPROX_BEFORE": _first_chars(words.before) + alternation(words.before, each=words.not_word_tail),
        "APPROX_AFTER": _first_chars(words.after) + alternation(words.after),
    }


def _first_chars(words) -> str:
    """A lookahead for the words' first characters: speed, since patterns try the approximation words at
    every position, and most positions fail on the first character (the same matches)."""
    first = sorted({w[0] for w in words})
    return "(?=[" + "".join(re.escape(c) for c in first) + "])" if first else ""


FRAGMENTS = MappingProxyType({
    # An Arabic number: 3,500  714.7  ３５００  (thousands separators only in groups of three)
    "ARABIC": _ARABIC,
    # Arabic digits only, no separators or decimals (years, months, days)
    "DIGITS": r"[0-9０-９]+",
    # Chinese numeral digits (二零二三) and the whole character class
    "CN_DIGIT": f"[{_CN_DIGIT_CLASS}]",
    "CN_NUM": _CN_NUM,
    # Any number, with multipliers and the vague markers inside it:
    # 714.7亿 1.2万余 11280万 五百 两万三千 十余万 5万4千6百 七百一十四点七亿
    "NUM": _num_fragment(),
    "BIG_UNIT": _BIG,
    "NEG": f"[{_NEGATIVE}]",
})


@dataclass(frozen=True)
class Number:
    """A number read from text: its value, and `over` when the numeral says "more than"."""

    value: Decimal
    approx: str = "exact"


def normalise_digits(text: str) -> str:
    """Full-width digits and separators to ASCII."""
    return text.translate(_FULLWIDTH)


def parse_number(text: str, allow_bare_unit: bool = False, words: ApproxWords = NO_APPROX) -> Number:
    """Read an Arabic, Chinese or mixed numeral. Raises ValueError when it is not one.

    A bare 万/亿 is a number only after an approximation word (逾亿, one of
    `words.before`) or when the caller saw one (`allow_bare_unit`: 上亿元, 过亿元).

    >>> parse_number("七百一十四点七亿").value
    Decimal('71470000000.0')
    """
    s = normalise_digits(text).replace(" ", "").replace("\u3000", "")
    if any(c in _TENS for c in s):
        s = "".join(_TENS.get(c, c) for c in s)
    if not s:
        raise ValueError("empty numeral")
    approx = "exact"
    sign = 1
    if s[0] in _NEGATIVE:
        sign, s = -1, s[1:]
    for word in words.before_longest:
        if s.startswith(word) and len(s) > len(word):
            s, approx = s[len(word):], words.before[word]
            break
    if any(c in _VAGUE for c in s):
        approx = "over" if approx == "exact" else approx
        s = "".join(c for c in s if c not in _VAGUE)
    # Thousands separators: only between digit groups (3,500); anything else is not a number.
    s = re.sub(r"(?<=[0-9]),(?=[0-9]{3})", "", s).replace("，", "")
    if not s or (approx == "exact" and not allow_bare_unit and all(c in _BIG_UNITS for c in s)):
        # A bare 万/亿 is a number only after a word saying how it compares (逾亿, 上亿).
        raise ValueError(f"not a number: {text!r}")
    value = _parse(s, text)
    return Number(sign * value, approx)


def to_json_number(value: Decimal) -> int | float:
    """A Decimal as the JSON number a reader expects: int when whole."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


@dataclass
class _Reading:
    """Where reading one numeral, left to right, has got to."""

    original: str            # the numeral as given, for error messages
    total: Decimal = Decimal(0)      # everything closed by a big unit (万, 亿, 兆)
    section: Decimal = Decimal(0)    # the part below the current big unit
    pending: Decimal | None = None   # a digit (or Arabic number) not yet multiplied
    cn_digits: int = 0               # how many Chinese digits in a row make `pending` (二零零四 reads 2004)
    last_unit: int = 0               # the last unit seen, for 一万三 = 13000
    last_big: int = 0
    zero_gap: bool = False           # 一百零一: a 零 means the next digit is literal

    def error(self, why: str = "not a number") -> ValueError:
        return ValueError(f"{why}: {self.original!r}")


def _parse(s: str, original: str) -> Decimal:
    """The value of a normalised numeral `s` (no sign, approximation or separators); `original` names it in errors."""
    r = _Reading(original)
    i = 0
    while i < len(s):
        i = _read_token(r, s, i)
    return _finish(r, s)


def _read_token(r: _Reading, s: str, i: int) -> int:
    """Reads the token at `i` (a number, a digit, 半, a point and its decimals, or a unit); the index after it."""
    c = s[i]
    if c.isdigit() and c.isascii():
        return _read_arabic(r, s, i)
    if c in _CN_DIGITS:
        _read_cn_digit(r, _CN_DIGITS[c])
    elif c == "半":
        r.pending, r.cn_digits = Decimal("0.5"), 0
    elif c in _POINT:
        return _read_decimals(r, s, i)
    elif c in _SMALL_UNITS:
        _read_small_unit(r, _SMALL_UNITS[c])
    elif c in _BIG_UNITS:
        _read_big_unit(r, _BIG_UNITS[c])
    else:
        raise r.error()
    return i + 1


def _read_arabic(r: _Reading, s: str, i: int) -> int:
    """Reads an Arabic number (digits and points) at `i` as the pending value; the index after it."""
    j = i
    while j < len(s) and s[j].isascii() and (s[j].isdigit() or s[j] == "."):
        j += 1
    try:
        r.pending = Decimal(s[i:j])
    except InvalidOperation:
        raise r.error() from None
    r.cn_digits = 0
    return j


def _read_cn_digit(r: _Reading, d: int) -> None:
    """Reads one Chinese digit: a new pending digit, or the next place of a positional run (二零二三)."""
    if d == 0:
        r.zero_gap = True
        if r.pending is not None and r.cn_digits:
            r.pending = r.pending * 10
            r.cn_digits += 1
        elif r.pending is None and r.last_unit == 0:
            r.pending, r.cn_digits = Decimal(0), 1
    elif r.pending is not None and r.cn_digits:
        r.pending = r.pending * 10 + d  # positional: 二零二三, 三六七
        r.cn_digits += 1
    else:
        r.pending, r.cn_digits = Decimal(d), 1


def _read_decimals(r: _Reading, s: str, i: int) -> int:
    """Reads a point (点, .) at `i` and the digits after it into the pending value; the index after them."""
    if i == 0:
        raise r.error()
    j = i + 1
    digits = []
    while j < len(s) and (s[j] in _CN_DIGITS or (s[j].isascii() and s[j].isdigit())):
        digits.append(str(_CN_DIGITS[s[j]]) if s[j] in _CN_DIGITS else s[j])
        j += 1
    if not digits:
        raise r.error()
    r.pending = r.section + (r.pending or 0) + Decimal("0." + "".join(digits))
    r.cn_digits = 0
    r.section = Decimal(0)
    return j


def _check_not_a_range(r: _Reading) -> None:
    """Before a unit: two or more Chinese digits in a row are a range (二三十, 三四百), not a number."""
    if r.pending is not None and r.cn_digits > 1 and r.pending >= 10:
        raise r.error("a range, not a number")


def _read_small_unit(r: _Reading, u: int) -> None:
    """Reads 十, 百 or 千: the pending digit (1 without one) times the unit joins the section."""
    _check_not_a_range(r)
    if r.last_unit and u >= r.last_unit and r.last_unit < 10**4 and r.section:
        raise r.error("units out of order")  # 七十百
    r.section += (r.pending if r.pending is not None else 1) * u
    r.pending, r.cn_digits, r.last_unit, r.zero_gap = None, 0, u, False


def _read_big_unit(r: _Reading, u: int) -> None:
    """Reads 万, 亿 or 兆: the section (and pending digit) times the unit joins the total."""
    _check_not_a_range(r)
    part = r.section + (r.pending or 0)
    if part == 0 and (r.total or r.last_big):
        r.total *= u  # 万万, 万亿: the unit multiplies everything before it
    elif part == 0:
        r.total = Decimal(u)  # a bare 亿 (逾亿元)
    elif r.last_big and u > r.last_big:
        r.total = (r.total + part) * u  # 4.78万亿
    else:
        r.total += part * u
    r.section, r.pending, r.cn_digits = Decimal(0), None, 0
    r.last_unit, r.last_big, r.zero_gap = u, u, False


def _finish(r: _Reading, s: str) -> Decimal:
    """The value once all of `s` is read: a trailing lone digit after a unit is one place below it (一万三)."""
    pending = r.pending
    if pending is not None and r.cn_digits == 1 and r.last_unit >= 100 and not r.zero_gap:
        pending = pending * (r.last_unit // 10)  # 一万三 = 13000, 两千四百五 = 2450, 百三 = 130
    elif pending is not None and r.cn_digits == 0 and r.last_unit >= 100 and not r.zero_gap and s[-1].isdigit() \
            and "." not in s and _after_unit(s):
        pending = pending * (r.last_unit // 10)  # 7万5 = 75000 (colloquial, as 七万五)
    return r.total + r.section + (pending or 0)

def _after_unit(s: str) -> bool:
    """The trailing Arabic digit follows a unit directly (7万5), not a whole number (1.5)."""
    m = re.search(r"([0-9]+)$", s)
    return bool(m) and m.start() > 0 and len(m.group(1)) == 1 and s[m.start() - 1] in (_SMALL_UNITS.keys() | _BIG_UNITS.keys())


def adjacent_range(text: str) -> tuple[Decimal, Decimal] | None:
    """Two neighbouring Chinese digits before the same units are a range: 七八亿 is 7亿 to 8亿,
    三四百 300 to 400, 二三十万 200000 to 300000, 一两亿 1亿 to 2亿, 三四 3 to 4. None otherwise."""
    s = text.replace(" ", "").replace("\u3000", "")
    if len(s) < 2 or s[0] not in _CN_DIGITS or s[1] not in _CN_DIGITS:
        return None
    a, b = _CN_DIGITS[s[0]], _CN_DIGITS[s[1]]
    tail = s[2:]
    if not (a >= 1 and b == a + 1) or any(c not in _SMALL_UNITS and c not in _BIG_UNITS for c in tail):
        return None
    return _parse(s[0] + tail, text), _parse(s[1] + tail, text)


def fuzzy_range(text: str) -> tuple[Decimal, Decimal] | None:
    """A number with 几 (or a leading 数) for a digit, as the range it allows: 几十 and 数十 are
    20 to 90 (几 before a unit: two to nine of it), 十几 11 to 19, 二十几万 210000 to 290000
    (几 after 十: one to nine). None when there is no such digit or the rest is not a number."""
    s = normalise_digits(text).replace(" ", "").replace("\u3000", "")
    s = s.replace("好几", "几").replace("幾", "几")
    if s.startswith("数") or s.startswith("數"):
        s = "几" + s[1:]
    if s == "几":
        return Decimal(2), Decimal(9)  # 几次, 几个: a few
    if s.count("几") != 1:
        return None
    i = s.index("几")
    after_ten = i > 0 and s[i - 1] in "十拾"
    before_unit = i + 1 < len(s) and (s[i + 1] in _SMALL_UNITS or s[i + 1] in _BIG_UNITS)
    if after_ten:
        low, high = "一", "九"
    elif before_unit:
        low, high = "二", "九"
    else:
        return None
    try:
        return _parse(s[:i] + low + s[i + 1:], text), _parse(s[:i] + high + s[i + 1:], text)
    except ValueError:
        return None


def split_approx(before: str, after: str, words: ApproxWords, context: bool = False) -> str:
    """The approximation kind from the words right before and right after a number.

    With `context`, `before` is the text preceding a match, where verbs such as
    突破 (`words.context`) also count.
    """
    return approx_word(before, after, words, context)[0]


def approx_word(before: str, after: str, words: ApproxWords, context: bool = False) -> tuple[str, str]:
    """(kind, word): split_approx's kind and the approximation word that gave it ("" for exact)."""
    kinds, order = (words.with_context, words.with_context_longest) if context else (words.before, words.before_longest)
    if before:
        for word in order:
            if before.endswith(word):
                if words.ends_another_word(before, word):
                    continue  # 签约 is not 约
                return kinds[word], word
    if after:
        for word in words.after_longest:
            if after.startswith(word):
                return words.after[word], word
    return "exact", ""
