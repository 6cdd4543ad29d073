"""Build rules/clean/lexicon/pinyin_untoned.tsv: untoned readings of common characters.

    .venv/bin/python scripts/build_clean_pinyin.py

Hacked pages annotate characters with untoned pinyin (青(qing)岛(dao)); the clean
stage removes an annotation only where the syllable is a reading of the
character before it. The readings are the repair stage's table
(pipeline/stages/repair/data/pinyin.tsv, from pypinyin, MIT; built by
scripts/build_pinyin_table.py) with the tones taken off, copied here as rule
data so the clean stage does not import the repair stage. Only characters of
GB2312 (the 6,763 common ones) are kept.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "pipeline" / "stages" / "repair" / "data" / "pinyin.tsv"
TARGET = ROOT / "rules" / "clean" / "lexicon" / "pinyin_untoned.tsv"


def untoned(syllable: str) -> list[str]:
    """绿 lǜ: lu and lv (pages write ü either way)."""
    nfd = unicodedata.normalize("NFD", syllable).replace("u\u0308", "v")
    base = "".join(c for c in nfd if not unicodedata.combining(c))
    return [base.replace("v", "u"), base] if "v" in base else [base]


def common(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def main() -> None:
    rows = []
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        ch, readings = line.split("\t")
        if not common(ch):
            continue
        syllables = list(dict.fromkeys(u for r in readings.split(",") for u in untoned(r)))
        rows.append(f"{ch}\t{','.join(syllables)}")
    header = [
        "# Untoned pinyin readings of the GB2312 characters, for the clean stage's annotation rule.",
        "# Source: pipeline/stages/repair/data/pinyin.tsv (pypinyin 0.55.0, MIT; Unicode Unihan), tones taken off.",
        "# Built by: python scripts/build_clean_pinyin.py",
        "# Format: char<TAB>syllable[,syllable...]",
    ]
    TARGET.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    print(f"wrote {TARGET} ({len(rows)} characters)")


if __name__ == "__main__":
    main()
