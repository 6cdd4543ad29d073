"""`numerals._parse` gives the same results as before it was split into steps.

`tests/golden/numerals_parse.tsv` pins what the old, one-function `_parse`
(92 lines, commit acb7998) gave on the inputs `golden_inputs()` generates:
a value, or the ValueError's message. It was written by the old code with

    PYTHONPATH=$PWD:$PWD/tests python -c "from stages.extract.test_numerals_parse import write_golden; write_golden()"

(run again only after a deliberate change to parsing, and say why in the commit).
The inputs are number-like strings built from the pieces `_parse` reads
(Arabic and Chinese digits, small and big units, points, 半, 零, separators
left after normalisation) plus random strings over the same alphabet, so
most of its branches, errors included, are covered.

This is a refactoring pin, not a table of right answers: most inputs are
generated junk, and some pinned values are wrong as numbers (九兆九兆 ->
18000000000000, 8572玖75888 -> 75888, 仟百 -> 1100). It says "the split
changed nothing"; what `parse_number` should give is in tests/stages/extract/test_numerals.py.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pipeline.stages.extract import numerals

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "numerals_parse.tsv"

_CN = "零〇一壹二两兩三叁四五六七八九玖"
_SMALL = "十拾百千仟"
_BIG = "万萬亿億兆"
_POINT = "点點."
_ALPHABET = "0123456789" + _CN + _SMALL + _BIG + _POINT + "半" + ",x"


def _piece(rng: random.Random) -> str:
    """One number-like piece: Arabic digits, a Chinese digit run, or a digit with units."""
    r = rng.random()
    if r < 0.3:
        text = str(rng.randint(0, 99999))
        if rng.random() < 0.3:
            text += "." + str(rng.randint(0, 999))
        return text
    if r < 0.5:
        return "".join(rng.choice(_CN) for _ in range(rng.randint(1, 4)))
    return rng.choice(_CN[2:] + "半") + rng.choice(_SMALL + _BIG)


def golden_inputs(count: int = 600, seed: int = 17) -> list[str]:
    """The inputs pinned in the golden file: number-like strings, then random ones."""
    rng = random.Random(seed)
    out = ["一万三", "两千四百五", "百三", "7万5", "1.5", "一百零一", "二零二三", "二三十", "七十百", "万万",
           "4.78万亿", "亿", "七百一十四点七亿", "5万4千6百", "点五", "三点", "1..2", "零", "半", "十"]
    while len(out) < count * 3 // 4:
        text = "".join(_piece(rng) for _ in range(rng.randint(1, 4)))
        if rng.random() < 0.15:
            text += rng.choice(_POINT) + "".join(rng.choice("0123456789" + _CN) for _ in range(rng.randint(0, 3)))
        out.append(text)
    while len(out) < count:
        out.append("".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 8))))
    return list(dict.fromkeys(out))


def parse_result(text: str) -> str:
    """What `_parse` gives for `text`: the value, or `ValueError: message`."""
    try:
        return str(numerals._parse(text, text))
    except ValueError as exc:
        return f"ValueError: {exc}"


def write_golden() -> None:
    rows = [f"{text}\t{parse_result(text)}" for text in golden_inputs()]
    GOLDEN.write_text("input\tresult\n" + "\n".join(rows) + "\n", encoding="utf-8")


def _golden_rows() -> list[tuple[str, str]]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()[1:]
    return [tuple(line.split("\t", 1)) for line in lines]


def test_the_golden_file_covers_values_and_errors():
    results = [r for _, r in _golden_rows()]
    assert len(results) >= 400
    assert sum(r.startswith("ValueError") for r in results) >= 50
    assert sum(not r.startswith("ValueError") for r in results) >= 300


@pytest.mark.parametrize("text, expected", _golden_rows())
def test_parse_gives_the_pinned_result(text, expected):
    assert parse_result(text) == expected
