"""percent: shares and changes; value `value` (in percent), `unit`, `approx`.

`unit` is `percent` or `point` (percentage points are their own unit: 提高5个百分点
is not 5%). Each rule names the scale of what it reads (`scale`): 百分之/% are 1,
千分之 0.1, 万分之 0.01; 成 (tenths) and 折 (discount, tenths of the price) are
read as tenths when written with one digit (九成 90%, 7.5折 75%) and as percent
when written with two (五五折 55%, 75折 75%). Fractions (三分之一) are their share in percent; two
fractions joined by a range word (五分之一到七分之一, 1/3至1/2) are one range, from the smaller share to
the larger whichever is written first (`[fraction_range]`).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from pipeline.stages.extract import numerals, quantity
from pipeline.stages.extract.base import Candidate, Context, Extractor
from pipeline.stages.extract.rulefile import word_list
from pipeline.core.schema import Bool, Enum, Float, Section

UNITS = ("percent", "point")
# The rules whose facts are fractions (joined into ranges by PercentExtractor.find).
_FRACTION_RULES = frozenset({"percent.fraction", "percent.fraction_digits"})


class PercentExtractor(Extractor):
    name = "percent"
    code_version = 7  # 7: ranges of tenths (三至四成, 两三成, 五到六折); 6: `min_inclusive`/`max_inclusive` beside each bound; fraction ranges (五分之一到七分之一); 5: `min` of over, `max` of under; 4: `proper` fractions (1/3, not 2/2); 3: ranges with fuzzy ends, approx after a rate; 2: 约 at the end of 签约 is not one
    normaliser_names = ("percent", "tenths", "fixed", "fraction")
    tables = {
        "fraction_range": Section(word_list("Words between two fractions that make them one range "
                                            "(五分之一到七分之一) ([fraction_range]).", "extract.percent.fraction_range")),
    }
    rule_fields = {
        "unit": Enum(UNITS, "what the value is in", default="percent"),
        "scale": Float("what one of the numbers read is worth in percent (千分之: 0.1)", above=0),
        # Shares of a whole: a value outside 0-100 is a slip (0.5 meant as 50, or a count), not a percentage.
        "value": Float("the value of a word that is a percentage by itself (normaliser fixed)",
                       minimum=0, maximum=100),
        "half_value": Float("the value of 半 (半成 5, 半折 50) (normaliser tenths)", above=0, maximum=100),
        "proper": Bool("a fraction must be below a whole (2/2 is a score, not 100%) (normaliser fraction)",
                       default=False),
    }
    rule_checks = (lambda v: ("normaliser", "normaliser fixed needs `value`")
                   if v["normaliser"] == "fixed" and v["value"] is None else None,)

    def setup(self, data) -> None:
        self.fraction_range = frozenset(data.get("fraction_range", {}).get("words", ()))

    def find(self, ctx: Context) -> list[Candidate]:
        """The rules' shares, plus one range for two exact fractions joined by a range word; the overlap
        policy keeps the longer."""
        found = super().find(ctx)
        fractions = {c.start: c for c in found if c.rule_id in _FRACTION_RULES and c.value.get("approx") == "exact"}
        joined = []
        for a in sorted(fractions.values(), key=lambda c: c.start):
            for gap in range(1, 3):
                b = fractions.get(a.end + gap)
                if b is None or ctx.text[a.end : a.end + gap].strip() not in self.fraction_range:
                    continue
                low, high = sorted((a.value["value"], b.value["value"]))
                if low == high:
                    break
                value = {"value": None, "unit": "percent", "approx": "range", "min": low, "max": high,
                         "min_inclusive": True, "max_inclusive": True}
                joined.append(Candidate(self.name, a.start, b.end, value, a.rule_id, a.rule_version,
                                        min(a.confidence, b.confidence)))
                break
        return found + joined

    def normalise_percent(self, m, rule, ctx: Context):
        scale = Decimal(str(rule.fields.get("scale", 1)))
        q = quantity.read(m, ctx.text, self.approx, rule, scale)
        return self._value(q, m, rule)

    def normalise_fraction(self, m, rule, ctx: Context):
        """三分之一: the numerator (num) over the denominator (den), in percent; a whole at most."""
        try:
            den = numerals.parse_number(quantity.group(m, "den")).value
        except ValueError:
            return None
        q = quantity.read(m, ctx.text, self.approx, rule, Decimal(100) / den)
        if q is None or q.value is None or not 0 < q.value <= 100:
            return None
        if rule.fields.get("proper") and q.value >= 100:
            return None
        return self._value(q, m, rule)

    def normalise_fixed(self, m, rule, ctx: Context):
        """A word that is a percentage by itself (打对折: 50%): the rule's `value`."""
        q = quantity.Quantity(Decimal(str(rule.fields["value"])), "exact")
        return self._value(q, m, rule)

    def normalise_tenths(self, m, rule, ctx: Context):
        if quantity.group(m, "num") == "半" and "half_value" in rule.fields:
            # 半成 is 5%, 半折 half price (50%): the rule says which.
            return self._value(quantity.Quantity(Decimal(str(rule.fields["half_value"])), "exact"), m, rule)
        q = quantity.read(m, ctx.text, self.approx, rule)
        if q is None:
            return None
        if q.value is None:
            # 三至四成, 两三成: a range of tenths (30-40%); two-digit ends are percent already (五五折)
            if q.low is None or q.high is None or not (0 < q.low < q.high <= 100):
                return None
            scale = 10 if q.high <= 10 else 1
            return self._value(replace(q, low=q.low * scale, high=q.high * scale), m, rule)
        v = q.value
        if v <= 0 or v > 100:
            return None
        if v <= 10:
            v = v * 10
        if quantity.group(m, "half"):
            v += 5  # 三成半
        return self._value(quantity.Quantity(v, q.approx), m, rule)

    def _value(self, q, m, rule) -> dict[str, Any] | None:
        if q is None:
            return None
        if quantity.group(m, "neg"):
            q = replace(q, value=None if q.value is None else -q.value,
                        low=None if q.low is None else -q.high, high=None if q.high is None else -q.low)
        value: dict[str, Any] = {}
        quantity.with_range(value, q, "value")
        if value.get("value") is not None:
            value["value"] = float(value["value"])
        for k in ("min", "max"):
            if k in value:
                value[k] = float(value[k])
        value["unit"] = rule.fields.get("unit", "percent")
        keys = ("value", "unit", *quantity.BOUND_KEYS)
        return {k: value[k] for k in keys if k in value}
