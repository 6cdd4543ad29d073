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

`--translit` writes the other list the ner rules build from data: the characters of transliterated
foreign names (rules/ner/org_suffixes.toml [dotted] chars), from the persons joined by a dot in the
training corpora's gold (MSRA, PD1998 in ../shared/data/ner).
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
# Clubs come last: a sponsor that is a listed company (恒大, 苏宁) keeps the company's rule.
SOURCES = ("intl", "bodies", "congresses", "leagues", "teams", "government", "soes", "media", "channels", "universities",
           "foreign_universities", "funds", "companies", "company_places", "clubs")
CONFIDENCE = {"intl": 0.95, "bodies": 0.9, "congresses": 0.95, "leagues": 0.95, "teams": 0.9, "government": 0.95, "soes": 0.93, "media": 0.93,
              "channels": 0.9, "universities": 0.95, "foreign_universities": 0.93, "funds": 0.93, "companies": 0.93, "company_places": 0.93,
              "clubs": 0.9}
WEAK_CONFIDENCE = 0.85
NAME_POS = {"nt", "nz", "j", "nr", "nrt", "nrfg"}  # jieba tags brands nr (比亚迪, 同仁堂)
COMMON_FREQ = 500  # a word jieba tags nr this frequent is an ordinary word (金刚; 寒武纪 is rarer)
SHORT = 5  # characters: forms this short match on word boundaries only
COMPANY_CONTEXT = (r"公司|集团|股份|股价|股票|股东|董事|公告|涨停|跌停|上市|证券|深交所|上交所|A股|营收|净利|"
                   r"增发|定增|停牌|复牌|该股|个股|重仓|增持|减持|持股|市值|年报|募资|"
                   r"[(（]?\d{6}(?:\.S[HZ])?[)）]?")
NEAR_WINDOW = 8  # context right next to the name (太阳能(000591), 万科公告), not the next list item
SCHOOL_WINDOW = 20  # a weak university short name: school words in its sentence (牛津的学生, 被剑桥录取)

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
    ("香港特别行政区政府", ("港府", "香港特区政府", "香港政府")),
    ("澳门特别行政区政府", ("澳府", "澳门特区政府", "澳门政府")),
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
# Foreign universities and schools as Chinese news names them (public facts): full name, short forms.
# A short form that is also a place or a person's name (牛津, 剑桥, 杜克, 伊顿) is weak evidence: it
# stands only with school context in its sentence (SCHOOL_CONTEXT); every short form is weak but these.
STRONG_SCHOOL_FORMS = {"哈佛", "耶鲁", "斯坦福", "麻省理工", "加州理工", "帝国理工", "早稻田", "南洋理工", "伦敦政经",
                       "巴黎高师", "新国大"}
FOREIGN_UNIVERSITIES = (
    ("哈佛大学", ("哈佛",)), ("耶鲁大学", ("耶鲁",)), ("斯坦福大学", ("斯坦福",)), ("普林斯顿大学", ("普林斯顿",)),
    ("麻省理工学院", ("麻省理工", "MIT")), ("哥伦比亚大学", ()), ("芝加哥大学", ()), ("宾夕法尼亚大学", ("宾大",)),
    ("康奈尔大学", ("康奈尔",)), ("杜克大学", ("杜克",)), ("布朗大学", ()), ("达特茅斯学院", ("达特茅斯",)),
    ("加州理工学院", ("加州理工",)), ("加州大学伯克利分校", ("伯克利",)), ("加州大学洛杉矶分校", ("UCLA",)),
    ("约翰斯·霍普金斯大学", ("约翰斯·霍普金斯", "霍普金斯大学")), ("西北大学", ()), ("纽约大学", ()),
    ("密歇根大学", ()), ("亚利桑那大学", ("亚利桑那",)), ("北卡罗来纳大学", ("北卡",)), ("乔治城大学", ("乔治城",)),
    ("牛津大学", ("牛津",)), ("剑桥大学", ("剑桥",)), ("帝国理工学院", ("帝国理工",)),
    ("伦敦政治经济学院", ("伦敦政经", "LSE")), ("伦敦大学学院", ("UCL",)), ("伊顿公学", ("伊顿",)),
    ("东京大学", ()), ("早稻田大学", ("早稻田",)), ("庆应义塾大学", ("庆应",)), ("京都大学", ()),
    ("首尔大学", ()), ("高丽大学", ()), ("延世大学", ()), ("新加坡国立大学", ("新国大",)),
    ("南洋理工大学", ("南洋理工",)), ("多伦多大学", ()), ("麦吉尔大学", ("麦吉尔",)), ("墨尔本大学", ()),
    ("悉尼大学", ()), ("澳大利亚国立大学", ()), ("苏黎世联邦理工学院", ()), ("巴黎高等师范学校", ("巴黎高师",)),
    ("索邦大学", ("索邦",)), ("海德堡大学", ()), ("慕尼黑工业大学", ()), ("莫斯科大学", ()),
)
SCHOOL_CONTEXT = ("大学|学院|学校|名校|学生|学子|毕业|留学|就读|求学|录取|申请|入学|招生|教授|讲师|学者|校友|校园|校长|"
                  "学位|博士|硕士|本科|学士|学费|奖学金|常春藤|商学院|MBA|NCAA|出品|研究")
# Fund management companies (public facts): the name before 基金 in 华夏基金, 易方达基金. The bare name
# is left out: the guide does not mark fund products, which begin with it (华夏大盘, 易方达50指数).
FUNDS = (
    "华夏", "易方达", "南方", "嘉实", "博时", "广发", "汇添富", "富国", "工银瑞信", "招商", "景顺长城", "大成",
    "华安", "鹏华", "银华", "国泰", "中欧", "华宝兴业", "上投摩根", "交银施罗德", "兴业全球", "融通", "长城",
    "长盛", "诺安", "国投瑞银", "信达澳银", "友邦华泰", "国联安", "泰达宏利", "光大保德信", "海富通", "万家",
    "宝盈", "银河", "东方", "金鹰", "天弘", "农银汇理", "建信", "中银", "摩根士丹利华鑫", "华商", "泰信",
    "申万巴黎", "申万菱信", "东吴", "新华", "益民", "民生加银", "浦银安盛", "诺德", "汇丰晋信", "中海", "华富",
    "长信", "天治", "国海富兰克林", "中邮创业", "信诚", "华泰柏瑞", "浙商", "平安大华", "兴全", "前海开源",
    "中信保诚", "兴证全球", "永赢", "鑫元", "圆信永丰", "创金合信",
)
# A fund company's bare short name (华商, 鹏华) in fund news (FUND_CONTEXT within FUND_WINDOW characters
# in its sentence) is one of two things, told by what follows it: the company (ORG, the guide: 华商与中邮
# 两家公司, 嘉实、华安、华夏在内, 鹏华表示) before a separator, a conjunction or a word of the company
# (FUND_COMPANY_THEN; not where the word begins a product's name: 银华和谐, 光大保德信均衡); a fund product named after it (华商盛世成长, 鹏华沪深300, 景顺长城货币: nothing is
# marked, not 华 of 华商 as a place, not 长城) before the rest of the product's name (FUND_PRODUCT_THEN,
# a `mask` rule: no name, and the names inside it go). A continuation that starts another company's
# name (招商银行, 银河证券, 国泰君安) is neither: the longer name decides.
FUND_CONTEXT = "基金"
FUND_WINDOW = 20
FUND_COMPANY_THEN = (r"(?:[、，,；;）)]|与|和(?!谐)|及|等|在内|旗下|公司|基金(?:公司|管理)|两家|三家|这|也|则|将|已|都|均(?!衡)|"
                     r"认为|表示|称|指出|介绍|透露|方面|的(?!基金))")
FUND_PRODUCT_THEN = r"(?:和谐|均衡|(?![与和及等在旗公基两三这也则将已都均认表称指介透方的证银地保信集控期电日时晚周网君])[\u4e00-\u9fffA-Za-z0-9])"
FUND_EXAMPLES = {
    "华商": ({"examples": [{"text": "只有华商与中邮两家公司旗下基金全部跑赢", "match": "华商"}],
              "counterexamples": ["华商盛世成长基金今年以来", "海外华商回国投资"]},
             {"examples": [{"text": "华商盛世成长基金今年以来", "match": "华商"}],
              "counterexamples": ["只有华商与中邮两家公司旗下基金", "华商基金管理有限公司"]}),
}

# Chinese basketball (CBA) and football (中超) clubs by sponsor (public facts, 2005-2024): the places a
# club is named by, and its sponsors' names. Forms: place + sponsor (辽宁盼盼), sponsor + 队, and the
# bare sponsor (盼盼, 宏远), which is weak evidence: sports context in the report around it (CLUB_CONTEXT).
# Sponsors that are everyday words on their own (东方, 黄金, 高速, 农商) are named with their place only.
CLUBS = (
    (("广东",), ("宏远", "东莞银行", "华南虎"), ()), (("辽宁",), ("盼盼", "衡业", "本钢", "飞豹"), ("辽篮",)),
    (("新疆",), ("广汇", "伊力特"), ()), (("北京",), ("金隅", "首钢", "北控", "国安", "中赫国安"), ()),
    (("上海",), ("大鲨鱼", "久事", "申花", "上港", "绿地申花", "申鑫", "海港"), ()),
    (("上海",), ("东方",), ()), (("浙江",), ("广厦", "稠州", "稠州银行", "金牛", "万马", "东阳光", "绿城"), ()),
    (("江苏",), ("南钢", "中天钢铁", "肯帝亚", "舜天", "苏宁"), ()), (("南京",), ("同曦",), ()),
    (("山东",), ("黄金", "高速", "西王", "鲁能", "泰山", "鲁能泰山"), ()),
    (("青岛",), ("双星", "国信", "中能", "黄海", "海牛"), ()), (("福建",), ("浔兴", "SBS"), ()),
    (("八一",), ("双鹿", "富邦", "南昌"), ()), (("东莞",), ("马可波罗", "新世纪"), ()),
    (("佛山",), ("农商", "龙狮"), ()), (("山西",), ("中宇", "汾酒", "猛龙", "国投"), ()),
    (("天津",), ("荣钢", "融宝支付", "先行者", "泰达", "权健", "亿利", "津门虎"), ()),
    (("吉林",), ("东北虎",), ()), (("深圳",), ("烈豹", "领航者", "红钻", "佳兆业"), ()), (("四川",), ("金强", "品胜"), ()),
    (("广州",), ("恒大", "富力", "恒大淘宝", "龙狮", "证券"), ()), (("长春",), ("亚泰",), ()), (("河南",), ("建业",), ()),
    (("大连",), ("实德", "阿尔滨", "一方"), ()), (("杭州",), ("绿城",), ()), (("成都",), ("谢菲联", "蓉城"), ()),
    (("陕西",), ("中建", "浐灞"), ()), (("辽宁",), ("宏运",), ()), (("重庆",), ("力帆", "当代力帆", "斯威"), ()),
    (("南昌",), ("衡源",), ()), (("贵州",), ("人和", "茅台", "恒丰"), ()), (("河北",), ("华夏幸福",), ()),
    (("武汉",), ("卓尔",), ()), (("石家庄",), ("永昌",), ()), (("延边",), ("富德",), ()),
)
CLUB_PLACE_ONLY = {"东方", "黄金", "高速", "农商", "证券", "泰山", "南昌", "国投", "一方", "海港", "先行者", "人和", "中建"}

# Characters either side, across sentences: the game report around the name (a sentence of a report
# may name the team and nothing of basketball: 麦基为奇才带来了什么？).
TEAM_WINDOW = 150
# A club's bare sponsor name (盼盼, 申花) needs a game report around it: basketball's and football's
# words only (not 首发, 东部, 得分: a fund's first issue, a region, a score in an exam), and a
# score as 3:2 or 3比2 (2009-10 in a finance report is a date).
CLUB_CONTEXT = ("CBA|中超|联赛|亚冠|季后赛|常规赛|总决赛|主场|客场|篮板|助攻|投篮|三分球|扣篮|外援|进球|射门|门将|"
                "点球|角球|逼平|战平|积分榜|降级|争冠|球场|球队|球员|主帅|主教练|教练|赛季|球迷|击败|战胜|负于|"
                r"不敌|第[一二三四]节|半场|加时|\d+[:比]\d+")


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
    for n, (full, shorts) in enumerate(FOREIGN_UNIVERSITIES):
        for s in (full, *shorts):
            yield "foreign_universities", str(n), full, s, s != full
    for n, name in enumerate(FUNDS):
        yield "funds", str(n), f"{name}基金管理有限公司", f"{name}基金管理有限公司", False
        yield "funds", str(n), f"{name}基金管理有限公司", f"{name}基金", False
    for n, (where, sponsors, aliases) in enumerate(CLUBS):
        for k, sponsor in enumerate(sponsors):
            full = where[0] + sponsor
            forms = [p + sponsor for p in where] + [a for a in aliases]
            if sponsor not in CLUB_PLACE_ONLY:
                forms += [sponsor + "队", sponsor]
            for s in forms:
                yield "clubs", f"{n}_{k}", full, s, s == sponsor
    for source in ("government", "soes", "media", "universities"):
        for n, r in enumerate(read(gaz / f"{source}.jsonl")):
            for s in (r["name"], *r.get("aliases", ())):
                yield source, str(n), r["name"], s, False
                if source == "media" and r["kind"] == "website" and not s.endswith("网") and not s.isascii():
                    for channel in CHANNELS:
                        yield "channels", str(n), "", s + channel, False
    where = places(gaz)
    for r in read(gaz / "companies.jsonl"):
        full = r.get("name")
        key = f"{r['code']}"
        if full:
            yield "companies", key, full, full, False
        for s in (r.get("short"), *r.get("aliases", ())):
            if s:
                yield "companies", key, full or "", s, True
        # The short name with the place its full name starts with (浙江 + 海正药业 in 浙江海正药业股份有限公司,
        # 深圳(市) + 德赛电池): news writes it so, and the whole is one name (the guide), not a place and a name.
        for s in (r.get("short"), *r.get("aliases", ())):
            at = full.find(s) if full and s and len(s) >= 2 else -1
            if at > 0 and full[:at] in where:
                for p in dict.fromkeys((full[:at], full[:at].removesuffix("市").removesuffix("省"))):
                    if p in where:
                        yield "company_places", key, full, p + s, False


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
        if source == "company_places":
            # Only on a short name that is a name on its own: 深圳市 + 农产品 is a place and a word.
            short = next((surface[i:] for i in range(1, len(surface) - 1)
                          if seen.get(surface[i:], {}).get("canonical") == full), None)
            if short is None or "near" in seen[short]:
                stats["weak_skipped"] += 1
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
        if source == "foreign_universities":
            weak = is_short and surface not in STRONG_SCHOOL_FORMS
        elif source in ("teams", "clubs"):
            weak = is_short  # a bare nickname (火箭, 国王) or sponsor (盼盼): a game report, whatever jieba says
        elif source in ("bodies", "congresses"):
            weak = False  # curated as names (the guide): jieba's 国会/n says nothing against it
        if weak:
            if source in ("teams", "clubs"):
                near = TEAM_CONTEXT if source == "teams" else CLUB_CONTEXT
                rule["near"], rule["near_window"], rule["near_sentence"] = near, TEAM_WINDOW, False
                rule["confidence"] = WEAK_CONFIDENCE
                stats["weak_team_near"] += 1
                weak = False
        if weak:
            if not is_short:
                stats["weak_skipped"] += 1
                continue
            school = source == "foreign_universities"
            rule["near"] = SCHOOL_CONTEXT if school else context
            rule["near_window"] = SCHOOL_WINDOW if school else NEAR_WINDOW
            rule["confidence"] = WEAK_CONFIDENCE
            stats["weak_company_near"] += 1
        base = f"ner.org.{source}.{key.lower()}"
        ids[base] = ids.get(base, 0) + 1
        rule["id"] = f"{base}.{ids[base]}"
        seen[surface] = rule
    rules = list(seen.values())
    for n, name in enumerate(FUNDS):
        company, product = FUND_EXAMPLES.get(name, ({}, {}))
        for kind, then, extra in (("bare", FUND_COMPANY_THEN, company), ("product", FUND_PRODUCT_THEN, product)):
            rule = {"id": f"ner.org.funds.{n}.{kind}", "version": 1, "label": "ORG", "pattern": name}
            if kind == "bare" and name not in seen:  # 长城, 银河: the company another rule names keeps the full name
                rule["canonical"] = f"{name}基金管理有限公司"
            # The bare company stood 118 times in 122 on the news train split (eval/ner_news_errors.py):
            # the funds' confidence, not a weak name's.
            rule.update({"confidence": CONFIDENCE["funds"] if kind == "bare" else WEAK_CONFIDENCE,
                         "whole_words": True, "then": then, "near": FUND_CONTEXT,
                         "near_window": FUND_WINDOW, **({"mask": True} if kind == "product" else {}), **extra})
            rules.append(rule)
            stats["fund_" + kind] = stats.get("fund_" + kind, 0) + 1
    stats["rules"] = len(rules)
    return rules, stats


HEADER = """\
# Organisation names and short forms for the ner stage, ORG, built by scripts/build_ner_gazetteer.py
# from ../shared/data/gazetteers/ (central SOEs, central government bodies, media outlets, universities
# and institutes, listed companies; licences in that folder's README) and the script's curated
# international bodies, short names of bodies (港府, 国会) and party congresses (十八大), sports leagues,
# NBA teams, foreign universities (哈佛, 牛津), fund companies (华夏基金; the bare 华商 in fund news: the company
# before 、/与/旗下 …, a `mask` before a product's name, 华商盛世成长) and CBA/中超 clubs by sponsor. Do not edit by hand: change the script or its inputs and rebuild.
# `canonical` is the full name (value.canonical). Short forms match on jieba word boundaries only.
# A short name that is also an ordinary word or a place (太阳能, 中关村) needs stock-market context
# within `near_window` characters (`near`), else it is no name; a team's bare nickname (火箭, 国王)
# needs basketball context around it (`near_sentence` false: the game report, not only its sentence),
# a club's bare sponsor (盼盼) a game report, a university's short name that is also a place (牛津) school words.
"""


NER_DATA = ROOT.parent / "shared" / "data" / "ner"
TRANSLIT_SOURCES = ("msra_train.jsonl", "pd1998_jan.jsonl")  # the training corpora's gold persons
TRANSLIT_MIN = 3  # a character seen this often in dotted names (one-off characters are noise: 中, 大)
DOTS = "·•．‧・"
COMPLETION_FILE = ROOT / "rules" / "ner" / "org_suffixes.toml"


def translit_chars(ner: Path) -> str:
    """The characters of transliterated foreign names: those in the training corpora's gold
    persons joined by a dot (迈克尔·乔丹) at least TRANSLIT_MIN times, in code-point order."""
    counts: dict[str, int] = {}
    for name in TRANSLIT_SOURCES:
        for r in read(ner / name):
            for e in r["entities"]:
                surface = r["text"][e["start"]:e["end"]]
                if e["label"] == "PER" and any(d in surface for d in DOTS):
                    for ch in surface:
                        if "\u4e00" <= ch <= "\u9fff":
                            counts[ch] = counts.get(ch, 0) + 1
    return "".join(sorted(ch for ch, n in counts.items() if n >= TRANSLIT_MIN))


def write_translit(ner: Path, path: Path) -> int:
    """Rewrite the `chars` line of [dotted] in org_suffixes.toml from the corpora."""
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(r'(?m)^(\[dotted\](?:\n(?!\[).*)*?\nchars = )"[^"]*"', lambda m: f'{m.group(1)}"{translit_chars(ner)}"', text)
    if n != 1:
        print(f"build_ner_gazetteer: no [dotted] chars line in {path}", file=sys.stderr)
        return 2
    path.write_text(new, encoding="utf-8")
    print(f"wrote {path}: [dotted] chars, {len(translit_chars(ner))} characters")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gazetteers", type=Path, default=GAZ)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--translit", action="store_true",
                        help="instead: rewrite [dotted] chars in rules/ner/org_suffixes.toml from ../shared/data/ner")
    parser.add_argument("--completion", type=Path, default=COMPLETION_FILE)
    args = parser.parse_args(argv)
    if args.translit:
        return write_translit(NER_DATA, args.completion)
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
