"""Build pipeline/stages/repair/data/pinyin.tsv: toned pinyin readings of every GBK character.

The repair stage needs two look-ups: "is `lián` a reading of 聯?" (pinyin
annotation removal) and "which GBK characters whose first byte is 0xF2 read
`qū`?" (frame-shift repair recovers a lost lead byte from the pinyin the
source site inserted). Both are answered from this table, so pypinyin is a
build-time tool only.

Source: pypinyin's character dictionary (`pypinyin.pinyin_dict`, MIT licence,
itself from the Unicode Unihan kHanyuPinyin/kMandarin/kXHC1983 data).
Characters: every two-byte GBK code (lead 0x81-0xFE, trail 0x40-0xFE except
0x7F) that pypinyin knows. Readings are in pypinyin's order (most common
first), tone marks as diacritics (`lǜ`, `ń`).

Output: `char<TAB>reading[,reading...]` lines in GBK code order, so the file is
byte-for-byte reproducible.

Usage: python scripts/build_pinyin_table.py [--out PATH]   (needs `pip install .[build]`)
"""

from __future__ import annotations

import argparse
import importlib.metadata
from pathlib import Path

from pypinyin import pinyin_dict

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "pipeline" / "stages" / "repair" / "data" / "pinyin.tsv"


def gbk_chars() -> list[str]:
    chars = []
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            if trail == 0x7F:
                continue
            try:
                chars.append(bytes((lead, trail)).decode("gbk"))
            except UnicodeDecodeError:
                continue
    return chars


def build_rows() -> list[tuple[str, str]]:
    table = pinyin_dict.pinyin_dict
    rows = []
    for ch in gbk_chars():
        readings = table.get(ord(ch))
        if readings:
            rows.append((ch, readings))
    return rows


def render(rows: list[tuple[str, str]]) -> str:
    version = importlib.metadata.version("pypinyin")
    header = [
        f"# Toned pinyin readings of GBK characters. Source: pypinyin {version} pinyin_dict "
        "(MIT licence; data from Unicode Unihan).",
        "# Built by: python scripts/build_pinyin_table.py",
        "# Format: char<TAB>reading[,reading...], most common reading first, GBK code order.",
    ]
    return "\n".join(header + [f"{ch}\t{r}" for ch, r in rows]) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    text = render(build_rows())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {args.out} ({len(text.encode('utf-8'))} bytes)")


if __name__ == "__main__":
    main()
