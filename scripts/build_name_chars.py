"""Build pipeline/stages/repair/data/name_chars.tsv: characters mostly written inside names.

A lost character next to such characters is likely part of a name (a
transliteration such as 海克斯康, a person's name), where the character model
is confidently wrong (福克斯, a common name, for 海克斯康): the repair stage asks
a stricter share there (`frameshift._NAME_CONFIDENCE`).

Source: the NER corpora in ../shared/data/ner (MSRA train, People's Daily
1998-01, CLUENER2020 train; research use, see ../shared/README.md). A Han
character is listed when at least `--min-count` of its occurrences are in those
corpora and at least `--min-share` of them fall inside a PER, LOC or ORG span.
Output: `char<TAB>occurrences<TAB>share in names`, sorted by character;
rebuilding gives the same bytes.

Usage: python scripts/build_name_chars.py [--ner DIR] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NER = REPO.parent / "shared" / "data" / "ner"
OUT = REPO / "pipeline" / "stages" / "repair" / "data" / "name_chars.tsv"
CORPORA = ("msra_train", "pd1998_jan", "cluener2020_train")


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ner", type=Path, default=NER)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--min-count", type=int, default=20)
    ap.add_argument("--min-share", type=float, default=0.5)
    args = ap.parse_args()
    total: Counter = Counter()
    inside: Counter = Counter()
    for name in CORPORA:
        with (args.ner / f"{name}.jsonl").open(encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                text = r["text"]
                total.update(c for c in text if is_han(c))
                for e in r["entities"]:
                    inside.update(c for c in text[e["start"] : e["end"]] if is_han(c))
    rows = sorted(
        (c, n, inside[c] / n) for c, n in total.items() if n >= args.min_count and inside[c] / n >= args.min_share
    )
    with args.out.open("w", encoding="utf-8") as f:
        f.write(f"# characters mostly inside names: scripts/build_name_chars.py (min count {args.min_count}, "
                f"min share {args.min_share}) from {', '.join(CORPORA)}\n")
        for c, n, share in rows:
            f.write(f"{c}\t{n}\t{share:.3f}\n")
    print(f"{len(rows)} characters -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
