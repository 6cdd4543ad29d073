"""date: dates, months, years, parts of years, relative dates and ranges.

Each rule's match is read into a `Partial` (what the text says: year, month,
day, time, a relative word, a part of a year). Two partials with a range
connector between them become one range (7月27至28日: the second inherits the
first's year and month). Then each is resolved against the article's
published date, never the clock: a missing year is the one that puts the date
nearest the published date (a date after it counts double, since news
reports the recent past more than the future); without a published date the
year stays unknown and `resolved` says so.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Mapping

from pipeline.stages.extract import numerals
from pipeline.stages.extract.base import Candidate, Context, Extractor
from pipeline.stages.extract.overlap import longest_first, resolve
from pipeline.core.patterns import alternation
from pipeline.stages.extract.rulefile import word_list, word_table
from pipeline.core.schema import Bool, Field, Int, Kind, ListOf, Section, String


def _date(value: str) -> str | None:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return "must be an ISO date (2021-07-26 or 2021-07-26T11:43)"
    return None


_MONTH = Int("a month", minimum=1, maximum=12)
# Relative words reach a few units from the published date (大前天 -3, 后年 +2); the bounds catch
# a date written where an offset belongs (去年 = 2020), which would silently move dates by millennia.
_OFFSET_BOUND = {"years": 10, "months": 12, "days": 31}


def _offset(unit: str) -> Field:
    bound = _OFFSET_BOUND[unit]
    return Int(f"{unit} from the published date", minimum=-bound, maximum=bound)

GRANULARITY_ORDER = ("year", "half", "season", "quarter", "month", "day", "hour", "minute", "second")


@dataclass(frozen=True)
class Partial:
    start: int
    end: int
    rule: Any
    y: int | None = None
    m: int | None = None
    d: int | None = None
    H: int | None = None
    MI: int | None = None
    S: int | None = None
    months: tuple[int, int] | None = None  # a part of a year: first and last month (winter: 12..14)
    part_gran: str | None = None
    days: tuple[int, int] | None = None  # a part of a month: first and last day (下旬: 21..31)
    years: int = 1  # how many years from y: a decade (90年代) is 10
    rel_year: int | None = None
    rel_month: int | None = None
    rel_day: int | None = None
    rel_quarter: int | None = None  # 上季度 -1, 本季度 0, 下季度 1: quarters from the published one
    invalid: bool = False  # a date the calendar lacks (2月30日): blocks the shorter matches inside it

    @property
    def granularity(self) -> str:
        if self.S is not None:
            return "second"
        if self.MI is not None:
            return "minute"
        if self.H is not None:
            return "hour"
        if self.d is not None or self.rel_day is not None or self.days is not None:
            return "day"
        if self.m is not None or self.rel_month is not None:
            return "month"
        if self.months is not None or self.rel_quarter is not None:
            return self.part_gran or "month"
        return "year"

    @property
    def relative(self) -> bool:
        return self.y is None


class DateExtractor(Extractor):
    name = "date"
    code_version = 5  # 5: spans of relative years (明后年); a range prefix (自) before 后/以来 is left out ([range] open_after); 4: MM-DD after a day in the same sentence (after_a_day); lists of three or more (2008、2009、2010年) are one expression; 3: relative quarters (上季度), a `fact` group's span, lists of neighbours only; 2: two-digit years, decades, parts of years and months,
    # seasons, neighbours in a sentence
    normaliser_names = ("date",)
    tables = {
        "relative_years": Section(word_table("Relative year words -> offset in years ([relative_years]).",
                                             _offset("years"), "extract.date.relative_years")),
        "relative_year_spans": Section(word_table("Relative words for two or more years -> [first, last] offsets "
                                                  "(明后年: [1, 2]) ([relative_year_spans]).",
                                                  ListOf(_offset("years"), "the first and last offsets"),
                                                  "extract.date.relative_year_spans")),
        "relative_months": Section(word_table("Relative month words -> offset in months ([relative_months]).",
                                              _offset("months"), "extract.date.relative_months")),
        "relative_days": Section(word_table("Relative day words -> offset in days ([relative_days]).",
                                            _offset("days"), "extract.date.relative_days")),
        "relative_quarters": Section(word_table("Relative quarter words -> offset in quarters "
                                                "([relative_quarters]).", Int("quarters from the published date",
                                                                              minimum=-4, maximum=4),
                                                "extract.date.relative_quarters")),
        "parts": Section(word_table("Parts of a year -> [first month, last month] ([parts]).",
                                    ListOf(_MONTH, "[first month, last month]",
                                           check=lambda v: None if len(v) == 2 and v[0] <= v[1] else
                                           "must be [first month, last month]"), "extract.date.parts")),
        "year_parts": Section(word_table("Words right after 年 (2008年末, 去年底) -> [first month, last "
                                         "month] ([year_parts]).", ListOf(_MONTH, "[first month, last month]"),
                                         "extract.date.year_parts")),
        "month_parts": Section(word_table("Words right after 月 (3月底, 5月下旬) -> [first day, last day] "
                                          "([month_parts]).", ListOf(Int("a day", minimum=1, maximum=31),
                                                                     "[first day, last day]"),
                                          "extract.date.month_parts")),
        "seasons": Section(word_table("Seasons after a year (去年夏天, 2009年春季, 今夏) -> [first month, last "
                                      "month], 13 and 14 being the next year's January and February ([seasons]).",
                                      ListOf(Int("a month", minimum=1, maximum=14), "[first month, last month]"),
                                      "extract.date.seasons")),
        "season_years": Section(word_table("One-character relative years before a season (今夏, 去冬) -> offset "
                                           "in years ([season_years]).", _offset("years"),
                                           "extract.date.season_years")),
        "decade_parts": Section(word_table("Words right after 年代 (90年代初, 80年代中期, 九十年代末) -> [first "
                                           "year, last year] within the decade ([decade_parts]).",
                                           ListOf(Int("a year of the decade", minimum=0, maximum=9),
                                                  "[first year, last year]"), "extract.date.decade_parts")),
        "centuries": Section(word_table("Centuries before a decade (上世纪90年代) -> the century's first year "
                                        "([centuries]).", Int("a year", minimum=1000, maximum=2100),
                                        "extract.date.centuries")),
        "night": Section(word_list("Words before a clock time that make 12 midnight (今天晚上12点) ([night]).",
                                   "extract.date.night")),
        "afternoon": Section(word_list("Words before a clock time that put it after noon ([afternoon]).",
                                       "extract.date.afternoon")),
        "range": Section(Kind("extract.date.range", "What joins two dates into a range ([range]).", {
            "connectors": ListOf(String("a connector"), "words between two dates that make a range (至, 到, -)"),
            "prefixes": ListOf(String("a prefix"), "words before a range that belong to it (从, 自)"),
            "open_after": ListOf(String("a word"), "words after a range that make its prefix part of an open period "
                                                   "instead (自…后, 自…以来: since), left out of the span"),
            "lists": ListOf(String("a connector"), "words that join a range only after a date written once "
                                                   "(1、2月份, 80、90年代)"),
        })),
    }
    rule_fields = {
        "range_start_only": Bool("a match that stands only as the start of a range", default=False),
        "this_year": Bool("a match without a year is of the published year (年底 alone)", default=False),
        "after_a_day": Bool("kept only after a month-and-day date earlier in the same sentence (7月18日 … 7-20)",
                            default=False),
    }
    header_fields = {
        "examples_published_at": String("the published date the examples resolve against", check=_date),
        "two_digit_pivot": Int("without a published date, a two-digit year below this is 20xx, else 19xx",
                               default=30, minimum=0, maximum=100),
    }

    def setup(self, data: Mapping[str, Mapping[str, Any]]) -> None:
        self.rel_years = dict(data["relative_years"])
        # 明后年: a span of years, read as its first year plus how many (`years`, as a decade).
        self.rel_year_spans = {w: (v[0], v[-1] - v[0] + 1) for w, v in data.get("relative_year_spans", {}).items()
                               if v and v[-1] >= v[0]}
        self.rel_months = dict(data["relative_months"])
        self.rel_days = dict(data["relative_days"])
        self.rel_quarters = dict(data["relative_quarters"])
        self.parts = {k: (v[0], v[1]) for k, v in data["parts"].items()}
        self.afternoon = frozenset(data["afternoon"]["words"])
        self.night = frozenset(data["night"]["words"])
        self.year_parts = {k: (v[0], v[1]) for k, v in data["year_parts"].items()}
        self.month_parts = {k: (v[0], v[1]) for k, v in data["month_parts"].items()}
        self.seasons = {k: (v[0], v[1]) for k, v in data["seasons"].items()}
        self.season_years = dict(data["season_years"])
        self.centuries = dict(data["centuries"])
        self.decade_parts = {k: (v[0], v[1]) for k, v in data.get("decade_parts", {}).items()}
        self.pivot = data["extractor"]["two_digit_pivot"]
        self.connectors = frozenset(data["range"]["connectors"])
        self.lists = frozenset(data["range"]["lists"])
        self.prefixes = tuple(data["range"]["prefixes"])
        self.open_after = tuple(data["range"]["open_after"])
        published = data["extractor"]["examples_published_at"]
        self.examples_published = datetime.fromisoformat(published) if published else None

    def fragments(self, data: Mapping[str, Any]) -> dict[str, str]:
        return {
            "REL_YEAR": alternation([*self.rel_years, *self.rel_year_spans]),
            "REL_MONTH": alternation(list(self.rel_months)),
            "REL_DAY": alternation(list(self.rel_days)),
            "REL_QUARTER": alternation(list(self.rel_quarters) or ["\uffff"]),
            "PART": alternation(list(self.parts)),
            "YEAR_PART": alternation(list(self.year_parts)),
            "MONTH_PART": alternation(list(self.month_parts)),
            "SEASON": alternation(list(self.seasons)),
            "SEASON_YEAR": alternation(list(self.season_years)),
            "CENTURY": alternation(list(self.centuries)),
            "DECADE_PART": alternation(list(self.decade_parts)) if self.decade_parts else "(?!)",
        }

    # The rule's normaliser reads the groups; resolution happens in `find`, after ranges are joined.
    def normalise_date(self, m, rule, ctx: Context) -> Partial | None:
        g = m.groupdict()
        try:
            p = Partial(*self.span(m), rule)  # the `fact` group when the rule has context around it
            if g.get("y"):
                y = _number(_zeros_as_chinese(g["y"]))
                if not 1000 <= y <= 2199:
                    return None
                p = replace(p, y=y)
            if g.get("y2"):
                p = replace(p, y=self._two_digit_year(_number(g["y2"]), ctx.published))
            if g.get("dec"):
                base = self.centuries[g["cent"]] if g.get("cent") else 1900
                last = _decade(g["dec"])
                first = _decade(g["dec0"]) if g.get("dec0") else last
                if last is None or first is None or first > last:
                    return None
                # 90年代初: the part's years of the (last) decade; 70至90年代末 ends with that part.
                lo, hi = self.decade_parts.get(g.get("dpart") or "", (0, 9))
                start = base + first + (lo if not g.get("dec0") else 0)
                p = replace(p, y=start, years=base + last + hi - start + 1)
            if g.get("ypart"):
                p = replace(p, months=self.year_parts[g["ypart"]], part_gran="month")
            if g.get("season"):
                p = replace(p, months=self.seasons[g["season"]], part_gran="season")
            if g.get("sy"):
                p = replace(p, rel_year=self.season_years[g["sy"]])
            if g.get("mpart"):
                p = replace(p, days=self.month_parts[g["mpart"]])
            if g.get("firstm"):
                p = replace(p, months=(1, _number(g["firstm"])), part_gran="month")
            if g.get("m"):
                p = replace(p, m=_number(g["m"]))
            if g.get("d") or g.get("dd"):
                p = replace(p, d=_number(g.get("d") or g["dd"]))
            if g.get("H"):
                # 今晚6点: the relative word says evening when no 下午/晚上 does.
                ap = g.get("ap") or ("晚" if "晚" in (g.get("rd") or "") else None)
                p = replace(p, H=self._hour(_number(g["H"]), ap))
                minute = g.get("MI") or g.get("MI2")
                if minute:
                    p = replace(p, MI=_number(minute))
                elif g.get("half"):
                    p = replace(p, MI=30)
                if g.get("S"):
                    p = replace(p, S=_number(g["S"]))
            if g.get("ry") in self.rel_year_spans:
                first, years = self.rel_year_spans[g["ry"]]
                p = replace(p, rel_year=first, years=years)
            elif g.get("ry"):
                p = replace(p, rel_year=self.rel_years[g["ry"]])
            elif rule.fields.get("this_year") and p.y is None:
                p = replace(p, rel_year=0)  # 年底, 前8个月 alone: of the published year
            if g.get("rm"):
                p = replace(p, rel_month=self.rel_months[g["rm"]])
            if g.get("rd"):
                p = replace(p, rel_day=self.rel_days[g["rd"]])
            if g.get("rq"):
                p = replace(p, rel_quarter=self.rel_quarters[g["rq"]], part_gran="quarter")
            if g.get("part"):
                p = replace(p, months=self.parts[g["part"]], part_gran="half" if "半" in g["part"] else "month")
                if self.parts[g["part"]][1] - self.parts[g["part"]][0] == 2:
                    p = replace(p, part_gran="quarter")
            if g.get("q"):
                q = _number(g["q"])
                if not 1 <= q <= 4:
                    return None
                p = replace(p, months=(3 * q - 2, 3 * q), part_gran="quarter")
        except ValueError:
            return None
        if not _valid(p):
            return replace(p, invalid=True)
        return p

    def _hour(self, hour: int, ap: str | None) -> int:
        if ap and hour == 12 and ap in self.night:
            return 24  # 今天晚上12点: the midnight that ends the day
        if ap and hour < 12 and (ap in self.afternoon or (ap == "中午" and hour <= 3)):
            return hour + 12
        return hour

    def _two_digit_year(self, yy: int, published: datetime | None) -> int:
        """97年 is 1997, 08年 2008: the century that does not put the year after the published one
        (two years of slack); without a published date, below `two_digit_pivot` is 20xx."""
        if published is not None:
            return 2000 + yy if 2000 + yy <= published.year + 2 else 1900 + yy
        return 2000 + yy if yy < self.pivot else 1900 + yy

    def find(self, ctx: Context) -> list[Candidate]:
        partials = []
        windows = self.windows(ctx.text)
        for rule in self.rules:
            if rule.anchor is not None and not rule.anchor.search(ctx.text):
                continue  # speed: the rule's anchor is nowhere in the text
            for m in self.matches(rule, ctx.text, windows):
                p = self.normalise_date(m, rule, ctx)
                if p is not None:
                    partials.append(p)
        partials = [p for p in _longest_first(partials) if not p.invalid]
        partials = _after_a_day(ctx.text, partials)
        partials = _inherit_neighbours(ctx.text, partials)
        partials = self._join_ranges(ctx.text, partials)
        published = ctx.published
        out = []
        for first, last, start, end in partials:
            value = self._resolve(first, last, published)
            if value is None:
                continue
            rule = first.rule
            out.append(Candidate(self.name, start, end, value, rule.id, rule.version, rule.confidence))
        return out

    def _join_ranges(self, text: str, partials: list[Partial]) -> list[tuple[Partial, Partial, int, int]]:
        """Join `A <connector> B` into one range; drop range-start-only partials left alone."""
        partials = _attach_years(text, partials)
        out = []
        i = 0
        while i < len(partials):
            a = partials[i]
            chain = self._list_chain(text, partials, i)
            if len(chain) >= 3:
                # 2008、2009、2010年, 1534、1538、1541年: three or more sharing the last one's unit are
                # one expression, from the first to the last.
                last = _inherit(a, chain[-1])
                if last is not None:
                    out.append((a, last, a.start, chain[-1].end))
                    i += len(chain)
                    continue
            b = partials[i + 1] if i + 1 < len(partials) else None
            between = text[a.end : b.start].strip() if b is not None else None
            # A list (03、04年, 1、2月份) is a range only of neighbours: 2005、2008年 are two years.
            joins = between in self.connectors or (between in self.lists and a.rule.fields.get("range_start_only")
                                                   and b is not None and _neighbours(a, b))
            if b is not None and joins and b.start > a.end:
                b_full = _inherit(a, b)
                if b_full is not None:
                    start = a.start
                    # 自2005年3月5日-20日后 is "since" the range: 自 belongs to 后, not to the range.
                    since = text.startswith(self.open_after, b.end) if self.open_after else False
                    for prefix in () if since else self.prefixes:
                        if text[:start].endswith(prefix):
                            start -= len(prefix)
                            break
                    out.append((a, b_full, start, b.end))
                    i += 2
                    continue
            if not a.rule.fields.get("range_start_only"):
                out.append((a, a, a.start, a.end))
            i += 1
        return out

    def _list_chain(self, text: str, partials: list[Partial], i: int) -> list[Partial]:
        """Partials from i joined by list words (、), each but the last a range start only."""
        chain = [partials[i]]
        while chain[-1].rule.fields.get("range_start_only") and i + len(chain) < len(partials):
            nxt = partials[i + len(chain)]
            if text[chain[-1].end : nxt.start].strip() not in self.lists or nxt.start <= chain[-1].end:
                break
            chain.append(nxt)
        # The last one carries the unit (09年 after 07、08、 is itself a range end only).
        closed = not chain[-1].rule.fields.get("range_start_only") or text[chain[-1].end - 1 : chain[-1].end] in "年月"
        return chain if closed else []

    def _resolve(self, first: Partial, last: Partial, published: datetime | None) -> dict[str, Any] | None:
        single = last is first
        if first.relative:
            if published is None:
                return _unresolved(first, last)
            first = _anchor(first, published)
            if first is None:
                return None
            resolved = "published_at"
        else:
            resolved = "explicit"
        if single:
            last = first
        else:
            last = _inherit(first, last) if last.relative else last
            if last is None:
                return None
            if last.relative:
                last = _anchor(last, published) if published is not None else None
                if last is None:
                    return None
        lo, _ = _bounds(first)
        _, hi = _bounds(last)
        if not single and hi < lo:
            if last.y == first.y and last.granularity != "year":
                last = replace(last, y=last.y + 1)  # 12月30日至1月2日
                _, hi = _bounds(last)
            if hi < lo:
                return None
        gran = _finer(first.granularity, last.granularity)
        return {"start": _iso(lo, first.granularity, True), "end": _iso(hi, last.granularity, False),
                "granularity": gran, "resolved": resolved}


def _zeros_as_chinese(year: str) -> str:
    """二0一0: a year in Chinese digits with 0 for 零 reads as 二零一零."""
    if any(c in "一二三四五六七八九" for c in year):
        return year.replace("0", "零").replace("０", "零")
    return year


def _decade(text: str) -> int | None:
    """The decade a 年代 names, within its century: 90 and 九十 are 90, 八 (in 八九十年代) 80."""
    value = _number(text)
    if text in "一二三四五六七八九" or (len(text) == 1 and text.isdigit()):
        value *= 10
    return value if value % 10 == 0 and 0 <= value <= 90 else None


def _number(text: str) -> int:
    value = numerals.parse_number(text).value
    if value != value.to_integral_value():
        raise ValueError(text)
    return int(value)


def _valid(p: Partial) -> bool:
    if p.m is not None and not 1 <= p.m <= 12:
        return False
    if p.d is not None:
        if not 1 <= p.d <= 31:
            return False
        if p.m is not None:
            last = calendar.monthrange(p.y if p.y else 2000, p.m)[1]  # 2000: a leap year, 29 Feb allowed
            if p.d > last:
                return False
    if p.H is not None and not 0 <= p.H <= 24:
        return False
    if p.MI is not None and not 0 <= p.MI <= 59:
        return False
    if p.S is not None and not 0 <= p.S <= 59:
        return False
    return True


def _longest_first(partials: list[Partial]) -> list[Partial]:
    """Overlapping partials: the longest keeps its span; the rest in text order."""
    span = lambda p: (p.start, p.end)  # noqa: E731
    kept = resolve(partials, span, longest_first(span))
    return sorted(kept, key=lambda p: p.start)


def _after_a_day(text: str, partials: list[Partial]) -> list[Partial]:
    """Drop `after_a_day` partials (7-20) with no month-and-day date before them in their sentence."""
    out: list[Partial] = []
    for p in partials:
        if p.rule.fields.get("after_a_day"):
            earlier = [q for q in out if q.m is not None and q.d is not None and not q.rule.fields.get("after_a_day")]
            if not earlier or any(c in _SENTENCE_END for c in text[earlier[-1].end : p.start]):
                continue
        out.append(p)
    return out


def _attach_years(text: str, partials: list[Partial]) -> list[Partial]:
    """A year right before a month without one is its year (今年1-5月, 2024年 1至5月)."""
    out: list[Partial] = []
    for p in partials:
        prev = out[-1] if out else None
        if (prev is not None and not text[prev.end : p.start].strip() and _year_only(prev)
                and p.y is None and p.rel_year is None and p.rel_month is None and p.rel_day is None
                and (p.m is not None or p.months is not None)):
            out[-1] = replace(p, start=prev.start, y=prev.y, rel_year=prev.rel_year)
            continue
        out.append(p)
    return out


# What ends the stretch a date may take its year or month from (news_zh has no paragraph breaks: a
# whole article is one line, and its earlier dates are often years away: a sentence is the scope).
_SENTENCE_END = frozenset("。！？!?；;\n")  # as facts' context (pipeline/run/outputs.py)


def _inherit_neighbours(text: str, partials: list[Partial]) -> list[Partial]:
    """A date without a year takes the year of the nearest earlier date in the same sentence that
    states one (2011年8月25日 … 8月26日), and a bare day (23日) the month as well; a date the
    text gives no such neighbour stays as it is (resolved from the published date, or not)."""
    out: list[Partial] = []
    last_year: Partial | None = None
    last_month: Partial | None = None
    prev_end = 0
    for p in partials:
        if any(c in _SENTENCE_END for c in text[prev_end : p.start]):
            last_year = last_month = None
        prev_end = p.end
        plain = p.rel_year is None and p.rel_month is None and p.rel_day is None and p.y is None
        if plain and p.m is None and p.d is not None and p.months is None and last_month is not None:
            p = replace(p, m=last_month.m, y=last_month.y)
            if not _valid(p):
                p = replace(p, m=None, y=None)
        elif plain and p.m is not None and last_year is not None and not p.rule.fields.get("range_start_only"):
            p = replace(p, y=last_year.y)
        if p.y is not None and p.m is not None and p.years == 1:
            last_year = p
        if p.m is not None and p.rel_month is None and p.rel_day is None and p.rel_year is None:
            last_month = p
        out.append(p)
    return out


def _neighbours(a: Partial, b: Partial) -> bool:
    """B is the year, month or day right after A (what a list joined by 、 may span)."""
    if a.d is not None or b.d is not None:
        return a.d is not None and b.d is not None and b.d == a.d + 1
    if a.m is not None or b.m is not None:
        return a.m is not None and b.m is not None and b.m == a.m + 1
    return a.y is not None and b.y is not None and b.y == a.y + 1


def _year_only(p: Partial) -> bool:
    return (p.y is not None or p.rel_year is not None) and p.m is None and p.months is None \
        and p.d is None and p.rel_month is None and p.rel_day is None


def _inherit(a: Partial, b: Partial) -> Partial | None:
    """B of a range takes what it does not say from A (7月27至28日: 28 is in July)."""
    if b.y is None and b.rel_year is None and b.rel_month is None and b.rel_day is None:
        if a.y is not None:
            b = replace(b, y=a.y)
        elif a.rel_year is not None:
            b = replace(b, rel_year=a.rel_year)
        if b.m is None and b.d is not None:
            if a.m is None and a.rel_month is None:
                if a.d is None:
                    return None  # 16日至18日: both bare days, the month unknown to both
            else:
                b = replace(b, m=a.m, rel_month=a.rel_month)
    if b.granularity in ("hour", "minute", "second") and b.d is None:
        return None
    return b if _valid(b) else None


def _anchor(p: Partial, published: datetime) -> Partial | None:
    """Fill in the year (and month) of a partial from the published date."""
    pub = published.date()
    if p.rel_day is not None:
        day = pub + timedelta(days=p.rel_day)
        return replace(p, y=day.year, m=day.month, d=day.day, rel_day=None)
    if p.rel_month is not None:
        y, m = _add_months(pub.year, pub.month, p.rel_month)
        return replace(p, y=y, m=m, rel_month=None)
    if p.rel_quarter is not None:
        index = pub.year * 4 + (pub.month - 1) // 3 + p.rel_quarter
        y, q = divmod(index, 4)
        return replace(p, y=y, months=(3 * q + 1, 3 * q + 3), rel_quarter=None)
    if p.rel_year is not None:
        return replace(p, y=pub.year + p.rel_year, rel_year=None)
    if p.m is None and p.d is not None:
        options = [_add_months(pub.year, pub.month, k) for k in (-1, 0, 1)]
        options = [(y, m) for y, m in options if p.d <= calendar.monthrange(y, m)[1]]
        if not options:
            return None
        y, m = min(options, key=lambda ym: _distance(date(ym[0], ym[1], p.d), pub))
        return replace(p, y=y, m=m)
    if p.m is None and p.months is None:
        return replace(p, y=pub.year)
    candidates = []
    for y in (pub.year - 1, pub.year, pub.year + 1):
        trial = replace(p, y=y)
        if not _valid(trial):
            continue
        lo, hi = _bounds(trial)
        mid = lo + (hi - lo) / 2
        candidates.append((_distance(mid.date(), pub), y))
    if not candidates:
        return None
    if p.months is not None and p.m is None:
        return replace(p, y=pub.year)  # 上半年, 一季度: of the published year
    return replace(p, y=min(candidates)[1])


def _distance(d: date, pub: date) -> int:
    days = (d - pub).days
    return days * 2 if days > 0 else -days


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    index = y * 12 + (m - 1) + k
    return index // 12, index % 12 + 1


def _bounds(p: Partial) -> tuple[datetime, datetime]:
    y = p.y
    if p.d is not None:
        start = datetime(y, p.m, p.d, p.H if p.H is not None and p.H < 24 else 0, p.MI or 0, p.S or 0)
        if p.H == 24:
            start += timedelta(days=1)  # 24时, 晚上12点: the next day's 00:00
        return start, start
    if p.m is not None and p.days is not None:
        last = calendar.monthrange(y, p.m)[1]
        return datetime(y, p.m, p.days[0]), datetime(y, p.m, min(p.days[1], last))
    if p.m is not None:
        return datetime(y, p.m, 1), datetime(y, p.m, calendar.monthrange(y, p.m)[1])
    if p.months is not None:
        lo, hi = p.months
        hy, hm = (y + 1, hi - 12) if hi > 12 else (y, hi)  # winter: into the next year
        return datetime(y, lo, 1), datetime(hy, hm, calendar.monthrange(hy, hm)[1])
    return datetime(y, 1, 1), datetime(y + p.years - 1, 12, 31)


def _iso(t: datetime, granularity: str, is_start: bool) -> str:
    if granularity == "second":
        return t.strftime("%Y-%m-%dT%H:%M:%S")
    if granularity in ("minute", "hour"):
        return t.strftime("%Y-%m-%dT%H:%M")
    return t.strftime("%Y-%m-%d")


def _finer(a: str, b: str) -> str:
    return max(a, b, key=GRANULARITY_ORDER.index)


def _partial_iso(p: Partial) -> str | None:
    """What an unresolved date says, in ISO 8601's forms without a year: --MM-DD, --MM, ---DD."""
    if p.rel_year is not None or p.rel_month is not None or p.rel_day is not None or p.rel_quarter is not None:
        return None
    if p.m is not None and p.d is not None:
        return f"--{p.m:02d}-{p.d:02d}"
    if p.m is not None and p.days is not None:
        return f"--{p.m:02d}-{p.days[0]:02d}"
    if p.m is not None:
        return f"--{p.m:02d}"
    if p.d is not None:
        return f"---{p.d:02d}"
    return None


def _unresolved(first: Partial, last: Partial) -> dict[str, Any]:
    if last.days is not None and last.m is not None:
        last = replace(last, d=min(last.days[1], calendar.monthrange(2000, last.m)[1]), days=None)
    return {"start": _partial_iso(first), "end": _partial_iso(last),
            "granularity": _finer(first.granularity, last.granularity), "resolved": "unresolved"}
