"""percent: shares and changes; value `value` (in percent), `unit`, `approx`.

`unit` is `percent` or `point` (percentage points are their own unit: 提高5个百分点
is not 5%). Each rule names the scale of what it reads (`scale`): 百分之/% are 1,
千分之 0.1, 万分之 0.01; 成 (tenths) and 折 (discount, tenths of the price) are
read as tenths when written with one digit (九成 90%, 7.5折 75%) and as percent
when written with two (五五折 55%, 75折 75%). Fractions (三分之一) are their share in percent.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from pipeline.stages.extract import numerals, quantity
from pipeline.stages.extract.base import Context, Extractor
from pipeline.core.schema import Bool, Enum, Float

UNITS = ("percent", "point")


class PercentExtractor(Extractor):
    name = "percent"
    code_version = 6  # 6: `min_inclusive`/`max_inclusive` beside each bound; 5: `min` of over, `max` of under; 4: `proper` fractions (1/3, not 2/2); 3: ranges with fuzzy ends, approx after a rate; 2: 约 at the end of 签约 is not one
    normaliser_names = ("percent", "tenths", "fixed", "fraction")
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
        if q is None or q.value is None:
            return None
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
