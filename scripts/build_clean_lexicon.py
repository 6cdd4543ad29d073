"""Build the clean stage's copied word lists from ../shared/data/wordlists/spam_zh.jsonl.

    .venv/bin/python scripts/build_clean_lexicon.py [--shared PATH]

The shared list is blunt: many of its words are ordinary Chinese (高潮, 刺激,
按摩). Each word is looked up in ordinary news text (the NER corpora in
../shared/data/ner/: People's Daily 1998 and THUCNews sentences; not the news
sample that eval/clean.py measures on) and gets a weight for the clean
stage's combined-evidence spam score: 1.0 if it never occurs there, 0.35 if it
occurs a few times, dropped if it is common. Writes, with source and licence in
each file's header (records keep their own source's licence):

    rules/clean/lexicon/porn_konsheng.tsv      konsheng/Sensitive-lexicon (MIT)
    rules/clean/lexicon/porn_bigscience.tsv    bigscience-workshop/data_tooling (Apache-2.0)
    rules/clean/lexicon/spam_domains_konsheng.txt  konsheng/Sensitive-lexicon (MIT)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from pipeline.core.patterns import alternation  # noqa: E402

OUT = ROOT / "rules" / "clean" / "lexicon"
STRONG, WEAK = 1.0, 0.35
# A word seen this often in ordinary news is no evidence of spam at all.
DROP_AT = 8
# Words the corpora happen not to contain but that ordinary news uses (medicine,
# crime reports, film titles, brands, plain insults): evidence, but weak.
ORDINARY = {
    "乳房", "乳头", "肛门", "阴部", "阴道", "阴茎", "精液", "射精", "摇头丸", "人渣", "发生关系", "美腿", "猛男",
    "舞女", "色界", "白嫩", "粉嫩", "媚外", "花花公子", "赤裸", "脱光", "全裸", "一丝不挂", "双臀", "男公关",
    "精神药品", "麻醉药", "性伴侣", "包二奶", "无耻", "混蛋", "贱人", "下贱", "傻逼", "卧槽", "我草", "真他妈",
    "狗日的", "白痴", "迷幻药", "春药", "迷药", "强暴", "凌辱", "乱伦", "强奸处女", "兽性", "兽欲", "写真",
    "美女写真", "火辣", "浑圆", "前凸后翘", "性感诱惑", "体位", "adult", "amateur", "incest", "morphine",
    "narcotic", "secom", "sm", "fuck", "cougar", "erotic", "vibrator",
}
LICENCES = {
    "konsheng": ("konsheng/Sensitive-lexicon (GitHub), Vocabulary/色情词库.txt, 色情类型.txt, 非法网址.txt", "MIT"),
    "bigscience": ("bigscience-workshop/data_tooling (GitHub), ac_dc/flagged_words.py [zh]", "Apache-2.0"),
}


def reference_counts(shared: Path, words: set[str]) -> Counter:
    """Occurrences of each word in the NER corpora's sentences (case-insensitive for Latin)."""
    pattern_cjk = re.compile(alternation(w for w in words if not w.isascii()))
    pattern_latin = re.compile(r"(?<![a-z0-9])" + alternation(w.lower() for w in words if w.isascii()) + r"(?![a-z0-9])")
    counts: Counter = Counter()
    for name in ("msra_train.jsonl", "pd1998_jan.jsonl", "cluener2020_train.jsonl"):
        with (shared / "data" / "ner" / name).open(encoding="utf-8") as fh:
            for line in fh:
                text = json.loads(line)["text"]

                counts.update(m.group() for m in pattern_cjk.finditer(text))
                counts.update(m.group() for m in pattern_latin.finditer(text.lower()))
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    by_source: dict[str, list[str]] = defaultdict(list)
    domains: list[str] = []
    with (args.shared / "data" / "wordlists" / "spam_zh.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            key = "konsheng" if rec["source"].startswith("konsheng/") else "bigscience"
            if rec["category"] == "illegal_url_domain":
                domains.append(rec["word"].strip().lower())
            else:
                by_source[key].append(rec["word"].strip())
    words = {w for ws in by_source.values() for w in ws if w}
    counts = reference_counts(args.shared, words)
    OUT.mkdir(parents=True, exist_ok=True)
    for key, ws in sorted(by_source.items()):
        source, licence = LICENCES[key]
        rows, dropped = [], 0
        for w in sorted(set(ws)):
            n = counts[w.lower() if w.isascii() else w]
            if not w or (len(w) < 2 and w.isascii()) or n >= DROP_AT:
                dropped += 1
                continue
            strong = n == 0 and w not in ORDINARY and w.lower() not in ORDINARY
            rows.append(f"{w}\t{STRONG if strong else WEAK}\tporn")
        header = [
            f"# Copied from {source}; licence {licence}.",
            "# Built by scripts/build_clean_lexicon.py: weight 1.0 = never seen in the NER news corpora,",
            f"# 0.35 = seen 1-{DROP_AT - 1} times or listed as ordinary in the script; {dropped} words seen {DROP_AT}+ times (ordinary words) left out.",
            "# word<TAB>weight<TAB>category",
        ]
        (OUT / f"porn_{key}.tsv").write_text("\n".join(header + rows) + "\n", encoding="utf-8")
        print(f"porn_{key}.tsv: {len(rows)} words, {dropped} dropped")
    source, licence = LICENCES["konsheng"]
    header = [f"# Copied from {source} (非法网址.txt); licence {licence}.", "# One spam/illegal site domain a line."]
    uniq = sorted(set(d for d in domains if d and "." in d))
    (OUT / "spam_domains_konsheng.txt").write_text("\n".join(header + uniq) + "\n", encoding="utf-8")
    print(f"spam_domains_konsheng.txt: {len(uniq)} domains")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
