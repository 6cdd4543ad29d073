"""Build rules/ner/orgs.jsonl (organisation names and short forms) from ../shared/data/gazetteers/.

    .venv/bin/python scripts/build_ner_gazetteer.py [--gazetteers DIR] [--out rules/ner/orgs.jsonl]

The product never reads ../shared at run time: this script turns the gazetteers (licences in their
README) into one phrase rule per surface form in rules/ner/, under the ner name-rule schema
(pipeline/stages/ner/rulefile.py). The same inputs give a byte-identical file.

What goes in, ORG, each with `canonical` (the full name a short form stands for, value.canonical):
- central SOEs (soes.jsonl) with their aliases, central government bodies (government.jsonl, current
  and historical), media outlets (media.jsonl), universities and institutes (universities.jsonl),
  listed companies' full names, current and former short names (companies.jsonl), and the curated
  international bodies below (public facts, not in the gazetteers);
- a web portal's channels (新浪体育, 搜狐公益: CHANNELS), outlets of their own;
- surfaces already named by another rule file (gazetteer.jsonl, countries.jsonl) are left to it.

Weak evidence. A short form that is also an ordinary word or a place is no evidence on its own
(太阳能, 中关村, 金融街): a form is weak when jieba's dictionary has it with a part of speech other
than a name's (nt, nz, j, nr*: jieba tags brands nr), or tagged nr at a frequency of an everyday
word (COMMON_FREQ), when it is a place (an administrative division or its short form, a country or
city), when it is a company short name of two characters jieba does not know, or when it is a
company or SOE short form jieba's dictionary reads as a place and ordinary words only (中国电影,
中国投资, 长江电力), or a company short name it reads as frequent everyday words (新产业, 线上线下). A weak company short name
gets `near`: it stands only with stock-market context within `near_window` characters (公司, 股份,
股价, 公告, a six-digit code …). Other weak forms (a ministry's or outlet's alias) are left out.
Every short form (five characters or fewer) matches on jieba word boundaries only (whole_words).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GAZ = ROOT.parent / "shared" / "data" / "gazetteers"
OUT = ROOT / "rules" / "ner" / "orgs.jsonl"

# Where an org's surface is named twice, the first source here keeps it (its canonical name).
SOURCES = ("intl", "bodies", "congresses", "leagues", "teams", "government", "soes", "media", "channels", "universities", "companies")
CONFIDENCE = {"intl": 0.95, "bodies": 0.9, "congresses": 0.95, "leagues": 0.95, "teams": 0.9, "government": 0.95, "soes": 0.93, "media": 0.93,
              "channels": 0.9, "universities": 0.95, "companies": 0.93}
WEAK_CONFIDENCE = 0.85
NAME_POS = {"nt", "nz", "j", "nr", "nrt", "nrfg"}  # jieba tags brands nr (比亚迪, 同仁堂)
COMMON_FREQ = 500  # a word jieba tags nr this frequent is an ordinary word (金刚; 寒武纪 is rarer)
SHORT = 5  # characters: forms this short match on word boundaries only
COMPANY_CONTEXT = (r"公司|集团|股份|股价|股票|股东|董事|公告|涨停|跌停|上市|证券|深交所|上交所|A股|营收|净利|"
                   r"[(（]?\d{6}(?:\.S[HZ])?[)）]?")
NEAR_WINDOW = 8  # context right next to the name (太阳能(000591), 万科公告), not the next list item

# International bodies by their usual Chinese short forms (public facts): full name, short forms.
INTL = (
    ("联合国", ()),
    ("世界卫生组织", ("世卫组织", "世卫")),
    ("世界贸易组织", ("世贸组织", "世贸", "WTO")),
    ("国际货币基金组织", ("基金组织", "IMF")),
    ("世界银行", ("世行",)),
    ("欧洲联盟", ("欧盟",)),
    ("北大西洋公约组织", ("北约",)),
    ("东南亚国家联盟", ("东盟",)),
    ("非洲联盟", ("非盟",)),
    ("阿拉伯国家联盟", ("阿盟",)),
    ("上海合作组织", ("上合组织",)),
    ("石油输出国组织", ("欧佩克", "OPEC")),
    ("经济合作与发展组织", ("经合组织", "OECD")),
    ("亚洲基础设施投资银行", ("亚投行",)),
    ("亚洲开发银行", ("亚行",)),
    ("欧洲中央银行", ("欧洲央行",)),
    ("美国联邦储备系统", ("美联储",)),
    ("联合国安全理事会", ("安理会", "联合国安理会")),
    ("联合国教育、科学及文化组织", ("联合国教科文组织", "教科文组织")),
    ("联合国儿童基金会", ()),
    ("联合国难民署", ()),
    ("国际原子能机构", ()),
    ("国际能源署", ()),
    ("国际奥林匹克委员会", ("国际奥委会",)),
    ("国际足球联合会", ("国际足联",)),
    ("国际刑事警察组织", ("国际刑警组织",)),
    ("世界气象组织", ()),
    ("世界经济论坛", ()),
    ("海湾阿拉伯国家合作委员会", ("海合会",)),
    ("国际劳工组织", ()),
    ("世界粮食计划署", ()),
    ("红十字国际委员会", ()),
)
# Domestic and foreign bodies by their usual short names (the guide: 港府, 区议会, 国会 naming one body
# are ORG), public facts. 特区政府 and 国会 name different bodies by place: no canonical.
BODIES = (
    ("香港特别行政区政府", ("港府",)),
    ("", ("特区政府", "区议会", "国会", "立法会")),
)
# Party congresses by their short names (MSRA marks 十五大 ORG; the guide: 中共十八大): the 11th to the
# 20th national congress, with and without 中共.
NUMERALS = ("十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十")
CONGRESSES = tuple((f"中国共产党第{n}次全国代表大会", (f"{n}大", f"中共{n}大")) for n in NUMERALS)

# Sports leagues and associations named by acronym (the guide: NBA, CBA, NCAA are ORG), public facts.
LEAGUES = (("美国职业篮球联赛", ("NBA",)), ("中国男子篮球职业联赛", ("CBA",)), ("美国国家大学体育协会", ("NCAA",)),
           ("美国女子职业篮球联赛", ("WNBA",)), ("国家橄榄球联盟", ("NFL",)), ("美国职业棒球大联盟", ("MLB",)),
           ("国家冰球联盟", ("NHL",)), ("国际篮球联合会", ("国际篮联", "FIBA")), ("欧洲足球协会联盟", ("欧足联", "UEFA")))
# NBA teams as Chinese news names them (public facts): the city forms and the nickname. Every form
# is a surface: nickname, nickname + 队, city + nickname (+ 队). Most nicknames are ordinary words
# (火箭 rocket, 太阳 sun, 国王 king, 魔术 magic), so a bare nickname is weak evidence: it stands only
# with basketball context in its sentence (TEAM_CONTEXT, which names the other teams too: 热火vs湖人).
TEAMS = (
    (("亚特兰大",), "老鹰"), (("波士顿",), "凯尔特人"), (("新泽西", "布鲁克林"), "篮网"), (("夏洛特",), "山猫"),
    (("新奥尔良", "夏洛特"), "黄蜂"), (("芝加哥",), "公牛"), (("克利夫兰", "克里夫兰"), "骑士"), (("达拉斯",), "小牛"),
    (("达拉斯",), "独行侠"), (("丹佛",), "掘金"), (("底特律",), "活塞"), (("金州",), "勇士"), (("休斯顿", "休斯敦"), "火箭"),
    (("印第安纳",), "步行者"), (("洛杉矶",), "快船"), (("洛杉矶",), "湖人"), (("孟菲斯",), "灰熊"), (("迈阿密",), "热火"),
    (("密尔沃基",), "雄鹿"), (("明尼苏达",), "森林狼"), (("新奥尔良",), "鹈鹕"), (("纽约",), "尼克斯"),
    (("俄克拉荷马城", "俄克拉何马城"), "雷霆"), (("西雅图",), "超音速"), (("奥兰多",), "魔术"), (("费城",), "76人"),
    (("菲尼克斯",), "太阳"), (("波特兰",), "开拓者"), (("萨克拉门托",), "国王"), (("圣安东尼奥",), "马刺"),
    (("多伦多",), "猛龙"), (("犹他",), "爵士"), (("华盛顿",), "奇才"),
)
TEAM_CONTEXT = ("NBA|季后赛|常规赛|总决赛|东部|西部|分区|主场|客场|篮板|助攻|得分|投篮|三分|上篮|扣篮|首发|替补|"
                "内线|外线|篮下|防守|命中|失误|盖帽|中锋|前锋|后卫|队友|主队|对阵|加时|半场|第[一二三四]节|球迷|球衣|"
                r"球队|球员|主帅|教练|赛季|选秀|击败|战胜|负于|不敌|\d+[-:比]\d+|"
                + "|".join(sorted({nick for _, nick in TEAMS})))
# Characters either side, across sentences: the game report around the name (a sentence of a report
# may name the team and nothing of basketball: 麦基为奇才带来了什么？).
TEAM_WINDOW = 150


def norm(s: str) -> str:
    """NFKC and no spaces between characters: the gazetteers' own normalisation."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def jieba_words() -> dict[str, tuple[int, str]]:
    """jieba's dictionary, word -> (frequency, part of speech) (the segment stage's base dictionary)."""
    import jieba

    out = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                out[parts[0]] = (int(parts[1]), parts[2])
    return out


def place_phrase(surface: str, words: dict[str, tuple[int, str]], where: set[str]) -> bool:
    """Whether jieba's dictionary reads the surface as a place and ordinary words only (中国+电影,
    中国+网, 长江+电力): such a short form is a phrase as often as a name."""
    import jieba

    pieces = jieba.lcut(surface, HMM=False)
    if len(pieces) < 2:
        return False
    kinds = []
    for p in pieces:
        freq, pos = words.get(p, (0, ""))
        if p in where or pos == "ns":
            kinds.append("place")
        elif len(p) >= 2 and pos and pos not in NAME_POS:
            kinds.append("ordinary")
        else:
            return False
    return "place" in kinds


def common_words(surface: str, words: dict[str, tuple[int, str]], where: set[str]) -> bool:
    """Whether jieba's dictionary reads the surface as everyday words only, each frequent (新+产业,
    线+上线+下, 航天+信息) or a place: a company short name that reads as a phrase."""
    import jieba

    pieces = jieba.lcut(surface, HMM=False)
    if len(pieces) < 2:
        return False
    for p in pieces:
        freq, pos = words.get(p, (0, ""))
        if not (p in where or pos == "ns" or (pos and pos not in NAME_POS and freq >= COMMON_FREQ)):
            return False
    return True


def places(gaz: Path) -> set[str]:
    """Place names and their short forms (townships by full name only: their short forms are ordinary)."""
    out = set()
    for r in read(gaz / "admin_divisions.jsonl"):
        out.add(norm(r["name"]))
        if r["level"] != "township" and r.get("short"):
            out.add(norm(r["short"]))
    for r in read(gaz / "countries.jsonl"):
        out.add(norm(r["name"]))
        out.update(norm(a) for a in r.get("aliases", ()) if len(a) > 1)
    return out


def existing(rules_dir: Path) -> set[str]:
    """Phrases another rule file already names."""
    out = set()
    for name in ("gazetteer.jsonl", "countries.jsonl"):
        for line in (rules_dir / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                pattern = json.loads(line)["pattern"]
                if isinstance(pattern, str):
                    out.add(pattern)
    return out


# A portal's channels are outlets of their own, named portal + channel (新浪体育讯, 搜狐公益): the guide
# (eval/ner_guide.md) marks 新浪体育 as one ORG, so the portal's name alone would be cut short there.
CHANNELS = ("体育", "娱乐", "财经", "科技", "汽车", "房产", "家居", "教育", "游戏", "女性", "公益", "健康", "时尚",
            "军事", "读书", "旅游", "数码", "乐居", "新闻")


def candidates(gaz: Path):
    """(source, key, full name, surface, is the company short name) for every surface form."""
    for full, shorts in INTL:
        key = f"{len(full)}_{sum(map(ord, full)) % 100000}"
        for s in (full, *shorts):
            yield "intl", key, full, s, False
    for source, table in (("bodies", BODIES), ("congresses", CONGRESSES)):
        for n, (full, shorts) in enumerate(table):
            for s in ((full,) if full else ()) + shorts:
                yield source, str(n), full, s, False
    for full, shorts in LEAGUES:
        for s in (full, *shorts):
            yield "leagues", shorts[-1].lower(), full, s, False  # the acronym
    for n, (cities, nick) in enumerate(TEAMS):
        full = cities[0] + nick
        for form in (nick, *(c + nick for c in cities)):
            for s in (form, form + "队"):
                yield "teams", str(n), full, s, s == nick
    for source in ("government", "soes", "media", "universities"):
        for n, r in enumerate(read(gaz / f"{source}.jsonl")):
            for s in (r["name"], *r.get("aliases", ())):
                yield source, str(n), r["name"], s, False
                if source == "media" and r["kind"] == "website" and not s.endswith("网") and not s.isascii():
                    for channel in CHANNELS:
                        yield "channels", str(n), "", s + channel, False
    for r in read(gaz / "companies.jsonl"):
        full = r.get("name")
        key = f"{r['code']}"
        if full:
            yield "companies", key, full, full, False
        for s in (r.get("short"), *r.get("aliases", ())):
            if s:
                yield "companies", key, full or "", s, True


def build(gaz: Path, rules_dir: Path) -> tuple[list[dict], dict[str, int]]:
    words, where, taken = jieba_words(), places(gaz), existing(rules_dir)
    context = COMPANY_CONTEXT
    seen: dict[str, dict] = {}
    ids: dict[str, int] = {}
    stats = {"rules": 0, "weak_company_near": 0, "weak_team_near": 0, "weak_skipped": 0, "taken_elsewhere": 0, "unusable": 0}
    order = {s: i for i, s in enumerate(SOURCES)}
    for source, key, full, surface, is_short in sorted(candidates(gaz), key=lambda c: order[c[0]]):
        surface, full = norm(surface), norm(full)
        # ST/PT/*ST and 退 (delisting) marks and one-character forms are not names to match (大通退 in 大通退出).
        if len(surface) < 2 or "*" in surface or "《" in surface or surface.startswith(("ST", "PT", "S*")) \
                or surface.endswith("退") or surface in seen:
            stats["unusable"] += surface not in seen
            continue
        if surface in taken:
            stats["taken_elsewhere"] += 1
            continue
        freq, pos = words.get(surface, (0, ""))
        ordinary = bool(pos) and (pos not in NAME_POS or (pos.startswith("nr") and freq >= COMMON_FREQ))
        # A two-character company short name jieba does not know is as likely a word it cut wrongly.
        weak = (ordinary or surface in where or (is_short and len(surface) <= 2 and not pos)
                or (source in ("companies", "soes") and len(surface) <= SHORT and place_phrase(surface, words, where))
                or (is_short and common_words(surface, words, where)))
        rule = {"id": "", "version": 1, "label": "ORG", "pattern": surface}
        if full and full != surface:
            rule["canonical"] = full
        rule["confidence"] = CONFIDENCE[source]
        # A channel's name runs into what follows in jieba's words (新浪/体育讯): no word boundary there.
        if len(surface) <= SHORT and source != "channels":
            rule["whole_words"] = True
        if source == "teams":
            weak = is_short  # a bare nickname (火箭, 国王): basketball context, whatever jieba says
        elif source in ("bodies", "congresses"):
            weak = False  # curated as names (the guide): jieba's 国会/n says nothing against it
        if weak:
            if source == "teams":
                rule["near"], rule["near_window"], rule["near_sentence"] = TEAM_CONTEXT, TEAM_WINDOW, False
                rule["confidence"] = WEAK_CONFIDENCE
                stats["weak_team_near"] += 1
                weak = False
        if weak:
            if not is_short:
                stats["weak_skipped"] += 1
                continue
            rule["near"] = context
            rule["near_window"] = NEAR_WINDOW
            rule["confidence"] = WEAK_CONFIDENCE
            stats["weak_company_near"] += 1
        base = f"ner.org.{source}.{key.lower()}"
        ids[base] = ids.get(base, 0) + 1
        rule["id"] = f"{base}.{ids[base]}"
        seen[surface] = rule
    rules = list(seen.values())
    stats["rules"] = len(rules)
    return rules, stats


HEADER = """\
# Organisation names and short forms for the ner stage, ORG, built by scripts/build_ner_gazetteer.py
# from ../shared/data/gazetteers/ (central SOEs, central government bodies, media outlets, universities
# and institutes, listed companies; licences in that folder's README) and the script's curated
# international bodies, short names of bodies (港府, 国会) and party congresses (十八大), sports leagues
# and NBA teams. Do not edit by hand: change the script or its inputs and rebuild.
# `canonical` is the full name (value.canonical). Short forms match on jieba word boundaries only.
# A short name that is also an ordinary word or a place (太阳能, 中关村) needs stock-market context
# within `near_window` characters (`near`), else it is no name; a team's bare nickname (火箭, 国王)
# needs basketball context around it (`near_sentence` false: the game report, not only its sentence).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gazetteers", type=Path, default=GAZ)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not (args.gazetteers / "README.md").is_file():
        print(f"build_ner_gazetteer: no gazetteers at {args.gazetteers}", file=sys.stderr)
        return 2
    rules, stats = build(args.gazetteers, ROOT / "rules" / "ner")
    lines = [json.dumps(r, ensure_ascii=False) for r in rules]
    args.out.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: " + ", ".join(f"{k} {v}" for k, v in stats.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
