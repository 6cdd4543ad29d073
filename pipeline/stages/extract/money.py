"""money: amounts of money; value `amount` (in currency units), `currency` (ISO 4217), `approx`.

The currency words and their ISO codes are the `[currencies]` table of
`rules/extract/money.toml`; `[subunits]` gives the fraction a subunit word is
worth (角 0.1, 分 0.01) so 50元6角三分 reads 50.63.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from pipeline.stages.extract import numerals
from pipeline.stages.extract import quantity
from pipeline.stages.extract.base import Context, Extractor
from pipeline.core.patterns import alternation
from pipeline.core.rules import RuleError


class MoneyExtractor(Extractor):
    name = "money"
    code_version = 2  # 2: 约 at the end of 签约 etc. is not an approximation
    normaliser_names = ("money",)

    def setup(self, data: Mapping[str, Any]) -> None:
        currencies = data.get("currencies")
        symbols = data.get("symbols", {})
        subunits = data.get("subunits", {})
        if not isinstance(currencies, dict) or not currencies:
            raise RuleError(self.path, None, "[currencies] must map currency words to ISO codes")
        for table in (currencies, symbols):
            for word, code in table.items():
                if not (isinstance(code, str) and len(code) == 3 and code.isupper()):
                    raise RuleError(self.path, None, f"currency {word!r}: {code!r} is not an ISO 4217 code")
        self.currencies = {**currencies, **symbols}
        self.subunits = {}
        for word, spec in subunits.items():
            if not (isinstance(spec, list) and len(spec) == 2):
                raise RuleError(self.path, None, f"[subunits] {word!r} must be [ISO code, fraction]")
            self.subunits[word] = (spec[0], Decimal(str(spec[1])))

    def fragments(self, data: Mapping[str, Any]) -> dict[str, str]:
        return {
            "CURRENCY": alternation(list(data["currencies"])),
            "SYMBOL": alternation(list(data.get("symbols", {}))),
            "SUBUNIT": alternation(list(data.get("subunits", {})) or ["\uffff"]),
        }

    def normalise_money(self, m, rule, ctx: Context):
        q = quantity.read(m, ctx.text, rule)
        if q is None:
            return None
        word = quantity.group(m, "cur") or quantity.group(m, "sym")
        code = rule.fields.get("currency") or self.currencies.get(word.strip())
        if code is None:
            return None
        extra = Decimal(0)
        for i in ("1", "2"):
            sub_num, sub_word = quantity.group(m, "sub" + i), quantity.group(m, "subunit" + i)
            if sub_num and sub_word in self.subunits:
                try:
                    extra += numerals.parse_number(sub_num).value * self.subunits[sub_word][1]
                except ValueError:
                    return None
        if q.value is not None:
            q = quantity.Quantity(q.value + extra, q.approx)
        value: dict[str, Any] = {}
        quantity.with_range(value, q, "amount")
        value["currency"] = code
        return _ordered(value)


def _ordered(value: dict) -> dict:
    keys = ("amount", "currency", "approx", "min", "max")
    return {k: value[k] for k in keys if k in value}
