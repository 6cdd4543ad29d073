"""Append the second held-out part of the labelled real bylines (issue 21, 2026-12-07, h21e).

The items below were labelled by hand from articles of ../shared/data/news/news_zh.jsonl that
had no byline in eval/data/clean/bylines.jsonl (candidates: role words anywhere in the text,
sentence uses left out), before the clean stage was run on any of them. Each item is
(doc_id, a character offset near the byline, the byline as written with one space standing
for any run of white space, author, editor, news_source). The offsets are found by code here and
`text[start:end] == surface` is asserted; the items get split `heldout2`.

    python scripts/label_bylines_new.py [--check]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NEWS = REPO.parent / "shared" / "data" / "news" / "news_zh.jsonl"
OUT = REPO / "eval" / "data" / "clean" / "bylines.jsonl"
SPLIT = "heldout2"

C, B = "thucnews_cnews_val:", "thucnews_cnews_b_val:"
# doc_id, near, surface, authors, editors, sources
ITEMS = [
    (C + "173", 1401, "本报记者 赵晓霞", ["赵晓霞"], [], []),
    (C + "436", 273, "文/本报记者 莫斯其格", ["莫斯其格"], [], []),
    (C + "479", 852, "晨报记者 孙韬", ["孙韬"], [], []),
    (C + "604", 250, "本报记者李芳明实习记者周浩", ["李芳明", "周浩"], [], []),
    (C + "626", 212, "采写 _ 本刊记者 卓伟 摄影_ 特约记者 风行", ["卓伟", "风行"], [], []),
    (C + "660", 2111, "商报记者 王格/文 吴厚斌/摄", ["王格", "吴厚斌"], [], []),
    (C + "673", 372, "(文/马焱 摄/滚叔)", ["马焱", "滚叔"], [], []),
    (C + "724", 715, "首席记者 孙黎明 记者 敖祥菲", ["孙黎明", "敖祥菲"], [], []),
    (C + "823", 223, "文/记者赖伟行、黄琮", ["赖伟行", "黄琮"], [], []),
    (C + "831", 195, "文/图 中国质量万里行杂志记者 刘 畅", ["刘畅"], [], []),
    ("thucnews_cnews_b_test:3", 57, "文/陈鹏", ["陈鹏"], [], []),
    (B + "17", 1215, "本组撰文 新报记者 王伟", ["王伟"], [], []),
    (B + "21", 16, "文 易无花 摄影 李瞻", ["易无花", "李瞻"], [], []),
    (B + "80", 71, "文/本刊记者 冯庆汇", ["冯庆汇"], [], []),
    (B + "117", 185, "本报记者 易非", ["易非"], [], []),
    (B + "124", 179, "本专题撰文 记者吴倩", ["吴倩"], [], []),
    (B + "143", 19, "时代周报记者 毛瀚民", ["毛瀚民"], [], []),
    (B + "151", 17, "证券时报记者 杨 磊", ["杨磊"], [], []),
    (B + "153", 22, "每经记者 李娜", ["李娜"], [], []),
    (B + "154", 13, "本报记者 弘文", ["弘文"], [], []),
    (B + "155", 14, "21世纪经济报道记者 申剑丽", ["申剑丽"], [], []),
    (B + "156", 20, "每经记者 李娜 实习生 徐皓", ["李娜", "徐皓"], [], []),
    (B + "157", 10, "证券时报记者 付建利", ["付建利"], [], []),
    (B + "159", 22, "本报记者 曹元", ["曹元"], [], []),
    (B + "163", 16, "(记者 吕佳)", ["吕佳"], [], []),
    (B + "165", 228, "理财一周报记者/仇晓慧", ["仇晓慧"], [], []),
    (B + "167", 34, "本报记者 高和平", ["高和平"], [], []),
    (B + "174", 15, "每经记者 巩万龙 李娜", ["巩万龙", "李娜"], [], []),
    (B + "177", 21, "本报记者 刘建强", ["刘建强"], [], []),
    (B + "178", 41, "本报记者 丁学梅", ["丁学梅"], [], []),
    (B + "180", 17, "理财周报实习记者 王韵亭/文", ["王韵亭"], [], []),
    (B + "181", 16, "本报记者 龚小磊", ["龚小磊"], [], []),
    (B + "182", 16, "证券时报记者 余子君", ["余子君"], [], []),
    (B + "184", 17, "证券时报记者 木 鱼", ["木鱼"], [], []),
    (B + "185", 17, "本报记者 龚小磊", ["龚小磊"], [], []),
    (B + "186", 14, "本报记者 吴晓婧", ["吴晓婧"], [], []),
    (B + "187", 17, "理财周报记者 代星/文", ["代星"], [], []),
    (B + "189", 16, "本报记者 弘文", ["弘文"], [], []),
    (B + "190", 13, "本报记者 弘文", ["弘文"], [], []),
    (B + "191", 12, "记者 钱妤", ["钱妤"], [], []),
    (B + "193", 12, "证券时报记者 程俊琳", ["程俊琳"], [], []),
    (B + "195", 17, "本报记者 龚小磊", ["龚小磊"], [], []),
    (B + "196", 12, "理财周报记者 王小静/文", ["王小静"], [], []),
    (B + "197", 10, "证券时报记者 杜志鑫", ["杜志鑫"], [], []),
    (B + "198", 12, "理财周报记者 曾芳/文", ["曾芳"], [], []),
    (B + "201", 1761, "本报记者 贾肖明", ["贾肖明"], [], []),
    (B + "203", 17, "本报记者 易非", ["易非"], [], []),
    (B + "204", 32, "(记者桑彤)", ["桑彤"], [], []),
    (B + "205", 20, "21世纪经济报道记者 刘建强", ["刘建强"], [], []),
    (B + "206", 16, "(记者窦红梅)", ["窦红梅"], [], []),
    (B + "207", 13, "证券时报记者 吴清桦", ["吴清桦"], [], []),
    (B + "207", 448, "证券时报记者 吴清桦", ["吴清桦"], [], []),
    (B + "210", 19, "每经实习生 徐皓", ["徐皓"], [], []),
    (B + "213", 1302, "本报记者 贾肖明", ["贾肖明"], [], []),
    (B + "214", 29, "(记者 桑彤)", ["桑彤"], [], []),
    (B + "216", 15, "本报记者 易非", ["易非"], [], []),
    (B + "217", 24, "证券时报记者 张 哲", ["张哲"], [], []),
    (B + "218", 19, "每经记者 巩万龙", ["巩万龙"], [], []),
    (B + "221", 26, "(记者 吴谭)", ["吴谭"], [], []),
    (B + "224", 14, "21世纪经济报道记者 简俊东", ["简俊东"], [], []),
    (B + "226", 901, "本报记者 吕佳", ["吕佳"], [], []),
    (B + "228", 22, "每经记者 魏玉卿", ["魏玉卿"], [], []),
    (B + "231", 13, "(记者邵泽慧)", ["邵泽慧"], [], []),
    (B + "232", 19, "每经记者 巩万龙", ["巩万龙"], [], []),
    (B + "233", 20, "21世纪经济报道记者 雷李平", ["雷李平"], [], []),
    (B + "234", 13, "(记者孟梅 实习生夏冬梅)", ["孟梅", "夏冬梅"], [], []),
    (B + "235", 242, "晨报记者 王洁", ["王洁"], [], []),
    (B + "236", 40, "本报记者 弘文", ["弘文"], [], []),
    (B + "237", 535, "记者 仲阳", ["仲阳"], [], []),
    (B + "238", 22, "晨报记者 李锐", ["李锐"], [], []),
]


def locate(text: str, near: int, surface: str) -> tuple[int, int]:
    """The occurrence of the surface (a space: any run of white space) nearest `near`."""
    pattern = re.compile(r"[ \t\u3000\u00a0]+".join(re.escape(p) for p in surface.split(" ")))
    hits = [m.span() for m in pattern.finditer(text)]
    if not hits:
        raise SystemExit(f"label: {surface!r} not in the text")
    start, end = min(hits, key=lambda s: abs(s[0] - near))
    if abs(start - near) > 40:
        raise SystemExit(f"label: {surface!r} found at {start}, far from {near}")
    return start, end


def read_texts(news: Path, wanted: set[str] | None = None) -> dict[str, str]:
    """id -> text of the news set's articles (those in `wanted`, when given)."""
    texts = {}
    with news.open(encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            if wanted is None or obj["id"] in wanted:
                texts[obj["id"]] = obj["text"]
    return texts


def labelled(items, news: Path, split_of, same) -> list[dict]:
    """The label rows of `items` (doc_id, near, surface, authors, editors, sources): offsets found by
    `locate`, `same(found text, surface)` asserted, the split `split_of(doc_id)`."""
    texts = read_texts(news, {i[0] for i in items})
    out = []
    for doc_id, near, surface, authors, editors, sources in items:
        text = texts[doc_id]
        start, end = locate(text, near, surface)
        assert same(text[start:end], surface), (doc_id, text[start:end], surface)
        out.append({"doc_id": doc_id, "start": start, "end": end, "surface": text[start:end],
                    "author": authors, "editor": editors, "news_source": sources,
                    "original_title": None, "split": split_of(doc_id)})
    return out


def write_splits(items: list[dict], splits: set[str]) -> int:
    """OUT with its rows of `splits` replaced by `items` (after the others); refuses an article that is
    labelled in another split. The number of rows kept."""
    old = [json.loads(line) for line in OUT.open(encoding="utf-8") if line.strip()]
    kept = [g for g in old if g["split"] not in splits]
    clash = sorted({i["doc_id"] for i in items} & {g["doc_id"] for g in kept})
    if clash:
        raise SystemExit(f"label: already labelled articles: {clash}")
    with OUT.open("w", encoding="utf-8") as fh:
        for g in kept + items:
            fh.write(json.dumps(g, ensure_ascii=False) + "\n")
    return len(kept)


def build(news: Path) -> list[dict]:
    # White space inside the byline may be any run of it (the surface writes one space).
    return labelled(ITEMS, news, lambda _: SPLIT, lambda found, surface: found.split() == surface.split()
                    or re.sub(r"\s+", " ", found) == surface)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", type=Path, default=NEWS)
    ap.add_argument("--check", action="store_true", help="print the items, write nothing")
    args = ap.parse_args(argv)
    items = build(args.news)
    if args.check:
        for i in items:
            print(i["doc_id"], i["start"], i["end"], repr(i["surface"]), i["author"])
        return 0
    kept = write_splits(items, {SPLIT})
    print(f"label: {len(items)} {SPLIT} bylines in {len({i['doc_id'] for i in items})} articles; {kept} kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
