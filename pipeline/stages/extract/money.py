"""money: amounts of money; value `amount` (in currency units), `currency` (ISO 4217), `approx`.

The currency words and their ISO codes are the `[currencies]` table of
`rules/extract/money.toml`; `[subunits]` gives the fraction a subunit word is
worth (角 0.1, 分 0.01) so 50元6角三分 reads 50.63.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, Mapping

from pipeline.stages.extract import numerals
from pipeline.stages.extract import quantity
from pipeline.stages.extract.base import Candidate, Context, Extractor
from pipeline.stages.extract.region import load_region
from pipeline.core.patterns import alternation
from pipeline.stages.extract.rulefile import word_list, word_table
from pipeline.core.schema import Enum, Section, String, Value

_ISO = String("an ISO 4217 code", match="[A-Z]{3}")


def _subunit(spec) -> str | None:
    if (isinstance(spec, list) and len(spec) == 2 and isinstance(spec[0], str) and len(spec[0]) == 3
            and isinstance(spec[1], (int, float)) and not isinstance(spec[1], bool)):
        return None
    return "must be [ISO code, fraction of the unit]"


class MoneyExtractor(Extractor):
    name = "money"
    code_version = 7  # 7: `min_inclusive`/`max_inclusive` beside each bound (approx.toml [inclusive]); 6: `min` of over, `max` of under (the bound an approximation word sets); 5: a bare 元 takes the document's region currency; 4: ranges with fuzzy ends, approx after a rate (4万元/平方米左右); 3: 一块二
    normaliser_names = ("money",)
    tables = {
        "currencies": Section(word_table("Currency words after a number and their ISO 4217 codes ([currencies]).",
                                         _ISO, "extract.money.currencies", non_empty=True), required=True),
        "symbols": Section(word_table("Currency symbols before a number and their ISO codes ([symbols]).",
                                      _ISO, "extract.money.symbols")),
        "subunits": Section(word_table("Subunit words after the unit: [ISO code, fraction] ([subunits]).",
                                       Value("[ISO code, fraction]", check=_subunit), "extract.money.subunits")),
        "range": Section(word_list("Words between two whole amounts that make them one range "
                                   "(五元六角-五元七毛八分) ([range]).", "extract.money.range")),
    }
    rule_fields = {
        "currency": _ISO,
        "approx": Enum(("exact", "about", "over", "under"), "approximation when the text says none"),
    }

    def __init__(self, path, approx=numerals.NO_APPROX, approx_path=None, region_path=None):
        super().__init__(path, approx, approx_path, region_path)
        # The currency words a region changes (元 alone): from the region rules, else none.
        self.local_words = load_region(region_path).bare if region_path is not None else frozenset()

    def setup(self, data: Mapping[str, Mapping[str, Any]]) -> None:
        self.currencies = {**data["currencies"], **data["symbols"]}
        self.subunits = {word: (spec[0], Decimal(str(spec[1]))) for word, spec in data["subunits"].items()}
        self.range_words = frozenset(data["range"]["words"])

    def find(self, ctx: Context) -> list[Candidate]:
        """The rules' amounts, plus one range for two whole amounts of one currency joined by a range
        word (五元六角-五元七毛八分, 五块六到五块七毛八); the overlap policy keeps the longer."""
        found = super().find(ctx)
        exact = sorted((c for c in found if c.value.get("approx") == "exact"), key=lambda c: (c.start, -c.end))
        ends = {}
        for c in exact:
            ends.setdefault(c.start, c)  # the longest amount starting there
        joined = []
        for a in exact:
            for gap in range(0, 3):
                between = ctx.text[a.end : a.end + gap]
                if between.strip() not in self.range_words:
                    continue
                b = ends.get(a.end + gap)
                if b is None or b.value["currency"] != a.value["currency"] or b.value["amount"] <= a.value["amount"]:
                    continue
                value = {"amount": None, "currency": a.value["currency"], "approx": "range",
                         "min": a.value["amount"], "max": b.value["amount"], "min_inclusive": True,
                         "max_inclusive": True}
                joined.append(Candidate(self.name, a.start, b.end, value, a.rule_id, a.rule_version,
                                        min(a.confidence, b.confidence)))
                break
        return found + joined

    def fragments(self, data: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
        return {
            "CURRENCY": alternation(list(data["currencies"])),
            "SYMBOL": alternation(list(data["symbols"])),
            "SUBUNIT": alternation(list(data["subunits"]) or ["\uffff"]),
        }

    def normalise_money(self, m, rule, ctx: Context):
        q = quantity.read(m, ctx.text, self.approx, rule)
        if q is None:
            return None
        word = quantity.group(m, "cur") or quantity.group(m, "sym")
        code = rule.fields.get("currency") or self.currencies.get(word.strip())
        if ctx.local_currency and not rule.fields.get("currency") and word.strip() in self.local_words:
            code = ctx.local_currency  # a bare 元 in a Hong Kong article is HKD (rules/extract/region.toml)
        if code is None:
            return None
        extra = Decimal(0)
        for i in ("1", "2"):
            sub_num, sub_word = quantity.group(m, "sub" + i), quantity.group(m, "subunit" + i)
            if sub_num and sub_word in self.subunits:
                try:
                    extra += numerals.parse_number(sub_num, words=self.approx).value * self.subunits[sub_word][1]
                except ValueError:
                    return None
        tail = quantity.group(m, "tail")
        if tail:
            # 一块二: a lone digit after the unit is tenths; after 零 or a 角 (三块零四, 七毛八), hundredths.
            fraction = Decimal("0.01") if quantity.group(m, "zero") or quantity.group(m, "subunit1") else Decimal("0.1")
            extra += numerals.parse_number(tail).value * fraction
        if q.value is not None:
            q = replace(q, value=q.value + extra)
        value: dict[str, Any] = {}
        quantity.with_range(value, q, "amount")
        value["currency"] = code
        return _ordered(value)


def _ordered(value: dict) -> dict:
    keys = ("amount", "currency", *quantity.BOUND_KEYS)
    return {k: value[k] for k in keys if k in value}
