"""count: how many of something; value `value`, `unit` (measure word), `approx`, `object`.

A count is a number with a measure word (85家, 300余名, 十余位). The object is
the noun phrase right after the measure word when there is one (85家企业 ->
企业), read from the segment stage's tokens: the longest run of tokens whose
part of speech `[object]` allows (up to a stop word or a name after a common noun: 两家股东广发证券
is 股东), trimmed to end on a noun; a quoted noun right after it (七位“大佬”). When nothing follows,
the noun phrase before the number when the count ends its clause (`[object_before]`: 中国留学生17934名,
参赛队伍共12支, across link words and amount nouns such as 人数, 数量). Without tokens (segment not
run) the object is left out.

A number and measure word inside one segmenter word that names or idiomatically uses them are no
count (`[in_word]`: 七匹狼, 三个代表, 语惊四座). This one reads the segment stage's words, so without
them such a name is counted: the dictionary that knows 七匹狼 is the segmenter's.

A lone 一 is the indefinite article far more often than a count (一个国家,
一批企业), and a lone 二 an ordinal (二次装修, 二套房), so those numerals alone
(`[not_counts]`) are not counts, except before the measure words `[counts_anyway]` lists for
them (二人 is two people: 二 there is no ordinal) and after a frequency adverb (`[counts_after]`:
曾有二次 is twice); numbers written only with multipliers (万家灯火,
千家万户) are not counts either, except after 上 (上百人: over 100). A number of
位/名 after a ranking word (`[rank]`: 排在股基中152位) is a place, not a count.

Nouns that count themselves (`[units] nouns`: 两国, 6省区, 三方面, 九常委) are measure words whose
object is the noun itself: in 两国演员 the count is of 国, not of 演员.

A level comparison before a count followed by what is counted (`[level_words]`: 也低于8个重点城市的
涨幅) compares with the counted things; it is not an approximation of the count: the count is exact
and its span starts at the number. With nothing counted after it (数量低于300家。) it bounds the count
as usual, and quantity comparisons (少于, 不低于, 超过 …) always do. "Followed by what is counted" is
read from the next character (a Chinese character that is not `not_object`), not from the segment
stage's tokens, so the fact is the same with or without them.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from pipeline.stages.extract import quantity
from pipeline.stages.extract.base import START_KEY, Context, Extractor
from pipeline.core.patterns import alternation
from pipeline.core.postags import JiebaTags
from pipeline.core.schema import Int, Kind, ListOf, Section, String

_HAN = re.compile(r"[\u4e00-\u9fff]")
# 十 alone is ten (十位归侨, 十个新客户), unlike 百/千/万 alone (百家争鸣, 千家万户, 万家灯火).
_HAS_DIGIT = re.compile(r"[0-9０-９零〇一二两兩三四五六七八九十壹贰貳叁參肆伍陆陸柒捌玖俩倆余餘多几幾]")


class CountExtractor(Extractor):
    name = "count"
    code_version = 10  # 10: the object before the number ([object_before]), quoted objects, no count inside a name or idiom ([in_word]); 9: `min_inclusive`/`max_inclusive` beside each bound; 8: nouns counting themselves (object = the noun), [counts_anyway], [counts_after], [level_words], 十 alone; 7: `min` of over, `max` of under; 6: [not_before] per measure word; 5: 前10名 is a ranking; 4: fuzzy-ended ranges (数千万至一两亿份), approx after a rate; 3: [not_counts]
    normaliser_names = ("count",)
    tables = {
        "units": Section(Kind("extract.count.units", "Measure words that count things ([units]).", {
            "words": ListOf(String("a measure word"), "measure words (量词)", required=True, non_empty=True),
            "nouns": ListOf(String("a noun"), "nouns that count themselves (两国, 三方面): the object is the noun"),
        }), required=True),
        "counts_anyway": Section(Kind("extract.count.counts_anyway", "A [not_counts] numeral -> measure words "
                                      "before which it is a count all the same (二人) ([counts_anyway]).",
                                      values=ListOf(String("a measure word"), "measure words"))),
        "counts_after": Section(Kind("extract.count.counts_after", "A [not_counts] numeral with its measure word "
                                     "-> words right before it that make it a count (曾有二次) ([counts_after]).",
                                     values=ListOf(String("a word"), "frequency adverbs"))),
        "level_words": Section(Kind("extract.count.level_words", "Comparison words before a count that compare "
                                    "a level with the counted things, not approximations ([level_words]).", {
            "words": ListOf(String("a word"), "level comparisons (低于, 高于)"),
            "not_object": ListOf(String("a character"), "after the measure word, these start no object (的, 以)"),
        })),
        "not_before": Section(Kind("extract.count.not_before", "A measure word -> what, right after it, makes it "
                                   "the start of another word (具备, 首次, 国际) ([not_before]).",
                                   values=ListOf(String("a word"), "words starting with the measure word's end"))),
        "not_counts": Section(Kind("extract.count.not_counts", "Numerals that alone before a measure word are "
                                   "not counts ([not_counts]).", {
            "numerals": ListOf(String("a numeral"), "numerals (一: the article)"),
            "names": ListOf(String("a name"), "names written as a count (76人, a team)"),
        })),
        "rank": Section(Kind("extract.count.rank", "Ranking words that make 第152位-like places of a number "
                             "([rank]).", {
            "words": ListOf(String("a word"), "ranking words before the number (排在, 名列)"),
            "units": ListOf(String("a measure word"), "measure words that then are places (位, 名)"),
            "window": Int("how far before the number a ranking word counts, in characters", default=8, minimum=1),
            "prefixes": ListOf(String("a character"), "right before the number, a ranking (前10名)"),
            "prefix_not_after": ListOf(String("a character"), "before a prefix, it ends another word (目前, 此前)"),
        })),
        "object": Section(Kind("extract.count.object", "What may form the object after the measure word ([object]).", {
            "pos": JiebaTags("parts of speech of the object's tokens"),
            "end_pos": JiebaTags("parts of speech the object may end on"),
            "lead_pos": JiebaTags("parts of speech allowed only before the object's first noun (偏 in 偏股基金)"),
            "alone_pos": JiebaTags("parts of speech that may end an object only before any noun (比赛 in 49场比赛)"),
            "max_tokens": Int("longest object, in tokens", default=5, minimum=1),
            "stop_words": ListOf(String("a word"), "words that end an object rather than belong to it"),
            "name_pos": JiebaTags("parts of speech of names: after a common noun they start an apposition "
                                  "(两家股东广发证券 -> 股东), not more of the object"),
            "open_quotes": ListOf(String("a quotation mark"), "right after the measure word, an object quoted "
                                  "up to the matching mark (七位“大佬”)"),
            "close_quotes": ListOf(String("a quotation mark"), "marks that close a quoted object"),
        })),
        "object_before": Section(Kind("extract.count.object_before", "The object before the number, when nothing "
                                      "counted follows the measure word ([object_before]).", {
            "links": ListOf(String("a word"), "words that may stand between the object and the number (共, 达到, 有)"),
            "quantity_nouns": ListOf(String("a word"), "nouns naming the amount, skipped like links (人数, 数量)"),
            "quantity_suffixes": ListOf(String("a character"), "nouns ending in these name an amount too "
                                        "(持股数, 开户数, 成交量)"),
            "max_links": Int("most links (and amount nouns) between the object and the number", default=3, minimum=0),
            "end_pos": JiebaTags("parts of speech the object may end on (not places or names: 海淀区113套 is where)"),
            "clause_end": ListOf(String("a character"), "right after the count, characters ending its clause"),
            "not_objects": ListOf(String("a word"), "words jieba tags as nouns that, right before a count, are its "
                                  "verb (四川报告3例, 治愈出院135例)"),
            "min_chars": Int("shortest object before the number, in characters (执法车3900辆 gives no 车)", default=2,
                             minimum=1),
            "named_units": ListOf(String("a measure word"), "measure words that name the things themselves (股, 份: "
                                  "shares, fund units): the object before them must hold the word (基金份额68.52亿份), "
                                  "else it is whose they are (增持华电国际713.94万股)"),
        })),
        "in_word": Section(Kind("extract.count.in_word", "Segmenter words that hold a number and its measure "
                                "word without being a count ([in_word]).", {
            "pos": JiebaTags("parts of speech of a word that holds the number and its measure word and goes on "
                             "after them (七匹狼, 三棵树, 三个代表): no count"),
            "idiom_pos": JiebaTags("parts of speech of a word that holds the number and its measure word at all "
                                   "(语惊四座): no count"),
        })),
    }

    def setup(self, data: Mapping[str, Mapping[str, Any]]) -> None:
        self.not_counts = frozenset(data["not_counts"]["numerals"])
        self.names = frozenset(data["not_counts"]["names"])
        self.nouns = frozenset(data["units"].get("nouns", ()))
        self.counts_anyway = {k: frozenset(v) for k, v in data.get("counts_anyway", {}).items()}
        self.twice_after = {k: tuple(v) for k, v in data.get("counts_after", {}).items()}
        self.level_words = frozenset(data.get("level_words", {}).get("words", ()))
        self.level_not_object = frozenset(data.get("level_words", {}).get("not_object", ()))
        rank = data["rank"]
        self.rank_words = tuple(rank["words"])
        self.rank_units = frozenset(rank["units"])
        self.rank_window = rank["window"]
        self.rank_prefixes = frozenset(rank["prefixes"])
        self.rank_prefix_not_after = frozenset(rank["prefix_not_after"])
        obj = data["object"]
        self.object_pos = frozenset(obj["pos"])
        self.object_end_pos = frozenset(obj["end_pos"])
        self.object_lead_pos = frozenset(obj["lead_pos"])
        self.object_alone_pos = frozenset(obj["alone_pos"])
        self.object_max = obj["max_tokens"]
        self.object_stop = frozenset(obj["stop_words"])
        self.object_name_pos = frozenset(obj.get("name_pos", ()))
        self.open_quotes = frozenset(obj.get("open_quotes", ()))
        self.close_quotes = frozenset(obj.get("close_quotes", ()))
        before = data.get("object_before", {})
        self.before_links = frozenset(before.get("links", ())) | frozenset(before.get("quantity_nouns", ()))
        self.before_suffixes = tuple(before.get("quantity_suffixes", ()))
        self.before_max_links = before.get("max_links", 3)
        self.before_end_pos = frozenset(before.get("end_pos", ()))
        self.before_clause_end = frozenset(before.get("clause_end", ()))
        self.before_min_chars = before.get("min_chars", 2)
        self.before_not_objects = frozenset(before.get("not_objects", ()))
        self.unit_words = frozenset(data["units"]["words"])
        self.before_named_units = frozenset(before.get("named_units", ()))
        in_word = data.get("in_word", {})
        self.in_word_pos = frozenset(in_word.get("pos", ()))
        self.in_word_idiom_pos = frozenset(in_word.get("idiom_pos", ()))

    def fragments(self, data: Mapping[str, Any]) -> dict[str, str]:
        # One lookahead per measure word: (?!(?<=具)(?:备|有)) keeps 3具备 from counting 具.
        guards = "".join(f"(?!(?<={re.escape(unit)}){alternation(after)})"
                         for unit, after in sorted(data.get("not_before", {}).items()) if after)
        units = list(data["units"]["words"]) + list(data["units"].get("nouns", ()))
        return {"UNIT": alternation(units), "UNIT_NOT_BEFORE": guards}

    def normalise_count(self, m, rule, ctx: Context):
        num = quantity.group(m, "num")
        if not num and not quantity.group(m, "vague"):
            return None
        if not (_HAS_DIGIT.search(num) or quantity.group(m, "vague") or quantity.group(m, "up")) or (
                num in self.not_counts and not quantity.group(m, "num2")
                and m.group("unit") not in self.counts_anyway.get(num, ())
                and not self._counted_by_adverb(ctx.text, m)):
            return None
        if m.group(0) in self.names:
            return None  # 76人: a team
        if m.group("unit") in self.rank_units:
            before = ctx.text[max(0, m.start() - self.rank_window) : m.start()]
            if any(w in before for w in self.rank_words):
                return None  # 排在第152位: a place in a ranking
            if before[-1:] in self.rank_prefixes and before[-2:-1] not in self.rank_prefix_not_after:
                return None  # 前10名: the top ten, a ranking
        if ctx.tokens and self._inside_word(ctx, m):
            return None  # 七匹狼, 三个代表, 语惊四座: a name or idiom the segmenter reads as one word
        q = quantity.read(m, ctx.text, self.approx, rule)
        if q is None or (q.value is not None and (q.value <= 0 or q.value != q.value.to_integral_value())):
            return None
        unit = m.group("unit")
        obj = unit if unit in self.nouns else (self.object_after(ctx, m.end("unit"))
                                               or self.object_before(ctx, m.start(), m.end(), unit))
        level = (quantity.group(m, "pre") in self.level_words and unit not in self.nouns
                 and _HAN.match(ctx.text, m.end()) is not None and ctx.text[m.end()] not in self.level_not_object)
        if level and q.value is not None:
            q = quantity.Quantity(q.value, "exact")  # 低于8个重点城市的涨幅: eight cities, compared with
        value: dict[str, Any] = {}
        quantity.with_range(value, q, "value")
        value["unit"] = unit
        if obj:
            value["object"] = obj
        keys = ("value", "unit", *quantity.BOUND_KEYS, "object")
        out = {k: value[k] for k in keys if k in value}
        if level:
            out[START_KEY] = m.end("pre")  # the span starts at the number
        return out

    def _counted_by_adverb(self, text: str, m) -> bool:
        """曾有二次不假离营: a frequency adverb right before 二次 makes it twice, not secondary."""
        words = self.twice_after.get(m.group(0), ())
        return any(text.endswith(w, 0, m.start()) for w in words)

    def _inside_word(self, ctx: Context, m) -> bool:
        """The number and its measure word lie inside one segmenter word that names or idiomatically uses
        them: a name going on after the measure word (七匹狼, 三棵树, 三个代表: nz, ns) or an idiom (语惊四座)."""
        start = next(m.start(g) for g in ("vague", "up", "num") if m.start(g) >= 0)
        k = ctx.token_containing(start)
        if k is None:
            return False
        tok = ctx.tokens[k]
        if tok.end < m.end("unit") or (tok.start, tok.end) == (start, m.end("unit")):
            return False
        return tok.pos in self.in_word_idiom_pos or (tok.pos in self.in_word_pos and tok.end > m.end("unit"))

    def object_before(self, ctx: Context, start: int, end: int, unit: str) -> str | None:
        """The noun phrase right before the number (across link words: 参赛队伍共12支, 基金数量则有39家) when
        the count ends its clause (学生3名。): what nothing after the measure word names."""
        if end < len(ctx.text) and ctx.text[end] not in self.before_clause_end:
            return None
        i = ctx.token_at(start)
        if i is None:
            return None
        k = i - 1
        for _ in range(self.before_max_links):
            if k < 0 or not (ctx.tokens[k].word in self.before_links or self._amount_noun(ctx.tokens[k])):
                break
            k -= 1
        if k < 0 or ctx.tokens[k].pos not in self.before_end_pos or ctx.tokens[k].word in self.object_stop or (
                ctx.tokens[k].word in self.before_not_objects):
            return None
        first = k
        while first > 0 and k - first + 1 < self.object_max:
            tok = ctx.tokens[first - 1]
            if tok.word in self.object_stop or tok.word in self.before_links or not (
                    tok.pos in self.object_pos or tok.pos in self.object_lead_pos):
                break
            first -= 1
        while first < k and ctx.tokens[first].pos in self.object_alone_pos:
            first += 1  # 参与重组省重点实验室30家: a verbal noun leading it is the verb (重组), not the object
        obj = ctx.text[ctx.tokens[first].start : ctx.tokens[k].end]
        if len(obj) < self.before_min_chars or (unit in self.before_named_units and unit not in ctx.tokens[k].word):
            return None
        if obj in self.unit_words:
            return None  # 观看人次达19.4亿次: a measure word names the amount, not the things
        return obj

    def _amount_noun(self, tok) -> bool:
        return tok.pos.startswith("n") and tok.word.endswith(self.before_suffixes)

    def object_after(self, ctx: Context, end: int) -> str | None:
        i = ctx.token_at(end)
        if i is None:
            return None
        quoted = ctx.tokens[i].word in self.open_quotes
        if quoted:
            i += 1  # 七位“大佬”: the object is what the quotation marks hold
        last = None
        common = False  # a common noun taken: a name after it is an apposition (两家股东广发证券)
        for k in range(i, min(i + self.object_max, len(ctx.tokens))):
            tok = ctx.tokens[k]
            lead = last is None and tok.pos in self.object_lead_pos
            if (tok.pos not in self.object_pos and not lead) or tok.word in self.object_stop or (
                    common and tok.pos in self.object_name_pos):
                break
            common = common or (tok.pos in self.object_end_pos and tok.pos not in self.object_name_pos)
            if tok.pos in self.object_end_pos or (tok.pos in self.object_alone_pos and last is None):
                last = k
        if last is None:
            return None
        if quoted:
            # The quotation marks must close right after it, and no noun follow them (三家“金”字辈的企业:
            # the quoted word modifies what is counted).
            close = last + 1
            if close >= len(ctx.tokens) or ctx.tokens[close].word not in self.close_quotes or (
                    close + 1 < len(ctx.tokens) and ctx.tokens[close + 1].pos in self.object_pos
                    and ctx.tokens[close + 1].start == ctx.tokens[close].end):
                return None
        return ctx.text[ctx.tokens[i].start : ctx.tokens[last].end]
