"""count: how many of something; value `value`, `unit` (measure word), `approx`, `object`.

A count is a number with a measure word (85家, 300余名, 十余位). The object is
the noun phrase right after the measure word when there is one (85家企业 ->
企业), read from the segment stage's tokens: the longest run of tokens whose
part of speech `[object]` allows (up to a stop word), trimmed to end on a noun. Without tokens
(segment not run) the object is left out.

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
    code_version = 9  # 9: `min_inclusive`/`max_inclusive` beside each bound; 8: nouns counting themselves (object = the noun), [counts_anyway], [counts_after], [level_words], 十 alone; 7: `min` of over, `max` of under; 6: [not_before] per measure word; 5: 前10名 is a ranking; 4: fuzzy-ended ranges (数千万至一两亿份), approx after a rate; 3: [not_counts]
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
        q = quantity.read(m, ctx.text, self.approx, rule)
        if q is None or (q.value is not None and (q.value <= 0 or q.value != q.value.to_integral_value())):
            return None
        unit = m.group("unit")
        obj = unit if unit in self.nouns else self.object_after(ctx, m.end("unit"))
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

    def object_after(self, ctx: Context, end: int) -> str | None:
        i = ctx.token_at(end)
        if i is None:
            return None
        last = None
        for k in range(i, min(i + self.object_max, len(ctx.tokens))):
            tok = ctx.tokens[k]
            lead = last is None and tok.pos in self.object_lead_pos
            if (tok.pos not in self.object_pos and not lead) or tok.word in self.object_stop:
                break
            if tok.pos in self.object_end_pos or (tok.pos in self.object_alone_pos and last is None):
                last = k
        if last is None:
            return None
        return ctx.text[ctx.tokens[i].start : ctx.tokens[last].end]
