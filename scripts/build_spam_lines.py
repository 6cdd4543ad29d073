"""Build the labelled lines the spam line classifier learns from and is measured on.

    .venv/bin/python scripts/build_spam_lines.py [--news PATH] [--words PATH]

Writes eval/data/clean/spam_lines.jsonl, one line a record:
`{"label": "spam"|"ham", "kind", "source", "split": "train"|"heldout"}` and either `text`
(synthetic lines, SogouCS titles) or `start`/`end`/`head` (a real line: offsets into the
news record `source`, its first characters as a check; eval/clean.py's
`load_spam_lines` reads the text back and asserts the head).

- Ham, real: line-like pieces of every article of ../shared/data/news/news_zh.jsonl
  (paragraphs of 2-4 sentences or SogouCS U+E40C segments, single sentences, the
  text before the first sentence mark (a title glued to the text), comma clauses,
  SogouCS titles), with `start`/`end` offsets into the record's text
  (`text[start:end] == line` asserted). None of these 1,516 articles is a hijacked
  page: every piece the fitted classifier scored above 0.5 was read by hand
  (scripts/fit_spam_classifier.py --show) and none is spam; the ones that look
  unusual are listed in eval/data/clean/README.md.
- Ham, synthetic: site navigation, related-headline lines (section names, real
  titles) and website/hotline pointers (an organisation, a made-up ordinary host) -
  page furniture shaped like a keyword list or a link line but not spam; and article
  paragraphs with brand names stuffed into them (kind `stuffed`): still article lines,
  whose names go inline (clean.spam.inline_shape), so the line classifier must keep them.
- Spam, synthetic: seven shapes of hijack line (keyword strings, lists of brand
  names with decorations, 文章摘要/关键词 strings, link lines, casino ads, porn title
  strings, domain lists). Brand names are made here: 2-4 characters from a pool of
  the characters casino brands use, plus a suffix (贵宾会, 娱乐城 …); terms are a
  gambling list written here, the porn words and the spam domains of
  ../shared/data/wordlists/spam_zh.jsonl, and made-up domains.

The split comes first, before any fitting: real lines by article (sha1 of the id,
even: train, odd: heldout - as eval/data/clean/bylines.jsonl); synthetic lines by
vocabulary: every brand character, suffix, term, domain and top-level domain
belongs to one side by its own hash, and held-out lines are made only from
held-out vocabulary, so the held-out figures are on brands and terms the fit never
saw.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NEWS = ROOT.parent / "shared" / "data" / "news" / "news_zh.jsonl"
DEFAULT_WORDS = ROOT.parent / "shared" / "data" / "wordlists" / "spam_zh.jsonl"
OUT = ROOT / "eval" / "data" / "clean" / "spam_lines.jsonl"
SEED = 2112
HEAD = 6  # characters of a real line kept in the file as a check of its offsets
SENTENCE_END = re.compile(r"(?<=[。!?！？])")
CLAUSE = re.compile(r"[^，,。！？!?；;：:]+")

# Characters casino and betting brands are made of (金狮, 鸿运, 皇冠, 永利, 澳博 …).
BRAND_CHARS = ("金银狮龙凤虎鸿运发财富贵皇冠博彩永利威尼斯澳葡京新天地星际宝马豪盈胜赢乐百福禄喜吉祥瑞兴旺隆昌盛泰"
               "华帝王尊爵鼎玖九八六亿万钻玉翠珠海洋月日光辉耀神仙君美高梅太阳城大满贯红蓝紫鑫淼森焱")
SUFFIXES = ("贵宾会", "娱乐城", "娱乐场", "现金网", "国际", "棋牌", "彩票", "体育", "平台", "娱乐", "会所", "俱乐部")
DECOR = ("官网", "官方网站", "app", "APP下载", "登录", "登录网址", "网址", "注册", "开户", "入口", "首页", "手机版",
         "网页版", "下载", "最新网址", "备用网址", "客户端", "在线", "(中国)官方网站", "官网入口")
GAMBLING = ("百家乐", "老虎机", "真人视讯", "电子游艺", "体育投注", "彩金", "注册送彩金", "首存优惠", "返水", "时时彩",
            "快三", "六合彩", "北京赛车", "幸运飞艇", "龙虎斗", "炸金花", "牛牛", "德州扑克", "轮盘", "骰宝", "捕鱼游戏",
            "真人荷官", "网上赌场", "线上赌场", "博彩网站", "赌球", "外围投注", "足球投注", "篮球投注", "电竞投注",
            "彩票计划", "包赢", "稳赚", "提款秒到", "日出千万", "信誉平台", "大额无忧", "注册就送", "棋牌游戏", "斗地主赢钱")
PORN_EXTRA = ("在线观看", "免费观看", "高清", "无码", "一区二区", "视频", "在线播放", "国产", "精品", "福利", "资源", "成人")
CALLS = ("欢迎您", "点击进入", "最新地址", "永久地址", "立即注册", "马上体验", "官方推荐", "诚信经营", "火爆上线")
TLDS = ("com", "net", "vip", "cc", "top", "xyz", "cn", "me", "co", "tv")
SEPARATORS = (",", "，", "|", " | ", " ", "、", "_", "-", "  ", ";")
LABELS = ("文章摘要：", "本文关键词：", "关键词：", "标签：", "摘要：", "热门搜索：", "tags:")
# Navigation ham: what site menus are made of.
SECTIONS = ("首页", "新闻", "国内", "国际", "社会", "财经", "科技", "体育", "娱乐", "教育", "房产", "汽车", "健康",
            "旅游", "文化", "军事", "评论", "图片", "视频", "专题", "本地", "政务", "民生", "法治", "彩票", "游戏",
            "读书", "时尚", "女性", "数码", "手机", "家居", "理财", "股票", "基金", "博客", "论坛", "平台", "公益")


def side(word: str) -> str:
    return "heldout" if hashlib.sha1(word.encode("utf-8")).digest()[-1] % 2 else "train"


def article_side(doc_id: str) -> str:
    return "heldout" if int(hashlib.sha1(doc_id.encode("utf-8")).hexdigest(), 16) % 2 else "train"


def pieces(record: dict, rng: random.Random) -> list[tuple[int, int, str]]:
    """(start, end, kind) of line-like pieces of one article."""
    text = record["text"]
    out: list[tuple[int, int, str]] = []

    def add(start: int, end: int, kind: str) -> None:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start >= 4:
            out.append((start, end, kind))

    bounds = [0] + [m.end() for m in SENTENCE_END.finditer(text)]
    if bounds[-1] < len(text):
        bounds.append(len(text))
    sentences = list(zip(bounds, bounds[1:]))
    if "\ue40c" in text:
        pos = 0
        for seg in text.split("\ue40c"):
            add(pos, pos + len(seg), "paragraph")
            pos += len(seg) + 1
    else:
        i = 0
        while i < len(sentences):
            n = rng.randint(2, 4)
            chunk = sentences[i:i + n]
            add(chunk[0][0], chunk[-1][1], "paragraph")
            i += n
    for a, b in rng.sample(sentences, min(3, len(sentences))):
        add(a, b, "sentence")
    if sentences and sentences[0][1] - sentences[0][0] > 0:
        first_mark = re.search(r"[，,。！？!?]", text)
        if first_mark and first_mark.start() <= 80:
            add(0, first_mark.start(), "head")
    clauses = [m for m in CLAUSE.finditer(text) if 4 <= m.end() - m.start() <= 40]
    for m in rng.sample(clauses, min(3, len(clauses))):
        add(m.start(), m.end(), "clause")
    return out


class Vocab:
    """One side's vocabulary (train or heldout)."""

    def __init__(self, part: str, porn: list[str], domains: list[str]):
        pick = lambda words: [w for w in words if side(w) == part]  # noqa: E731
        self.brand_chars = pick(BRAND_CHARS)
        self.suffixes = pick(SUFFIXES)
        self.decor = pick(DECOR)
        self.gambling = pick(GAMBLING)
        self.porn = pick(porn) + pick(PORN_EXTRA)
        self.domains = pick(domains)
        self.tlds = pick(TLDS)
        self.calls = pick(CALLS)
        self.labels = pick(LABELS)

    def brand(self, rng: random.Random) -> str:
        return "".join(rng.choice(self.brand_chars) for _ in range(rng.randint(2, 4))) + rng.choice(self.suffixes)

    def fake_domain(self, rng: random.Random) -> str:
        name = "".join(rng.choice("abcdefghjkmnpqrstwxyz") for _ in range(rng.randint(2, 5)))
        name += str(rng.randint(1, 99999)) if rng.random() < 0.7 else ""
        host = rng.choice(["", "www.", "m.", "app."])
        return host + name + "." + rng.choice(self.tlds)

    def domain(self, rng: random.Random) -> str:
        return rng.choice(self.domains) if rng.random() < 0.5 else self.fake_domain(rng)

    def term(self, rng: random.Random) -> str:
        r = rng.random()
        if r < 0.4:
            return rng.choice(self.gambling)
        if r < 0.7:
            return rng.choice(self.porn)
        return self.brand(rng) + (rng.choice(self.decor) if rng.random() < 0.6 else "")


def spam_line(v: Vocab, rng: random.Random, shape: str) -> str:
    sep = rng.choice(SEPARATORS)
    if shape == "keywords":
        return sep.join(v.term(rng) for _ in range(rng.randint(3, 10)))
    if shape == "brand_list":
        brands = [v.brand(rng) for _ in range(rng.randint(1, 2))]
        return sep.join(rng.choice(brands) + rng.choice(v.decor) for _ in range(rng.randint(2, 6)))
    if shape == "summary":
        brand = v.brand(rng)
        items = [brand + rng.choice(v.decor) if rng.random() < 0.6 else v.term(rng) for _ in range(rng.randint(2, 7))]
        return rng.choice(v.labels) + sep.join(items)
    if shape == "link":
        parts = [v.brand(rng) + rng.choice(v.decor), v.domain(rng)]
        if rng.random() < 0.6:
            parts.append(rng.choice(v.calls))
        if rng.random() < 0.4:
            parts.append(v.domain(rng))
        rng.shuffle(parts)
        return rng.choice([" ", "  ", "：", ",", " - "]).join(parts)
    if shape == "ad":
        brand = v.brand(rng)
        bits = [f"{brand}{rng.choice(v.decor)}", f"注册即送{rng.choice([18, 38, 58, 88, 188, 888])}元{rng.choice(['彩金', '红包'])}",
                f"{rng.choice(v.gambling)}、{rng.choice(v.gambling)}应有尽有", f"首存{rng.randint(10, 100)}%返利",
                f"{rng.choice(v.calls)}{v.domain(rng)}"]
        rng.shuffle(bits)
        return "，".join(bits[:rng.randint(3, 5)]) + rng.choice(["", "。", "!", "！"])
    if shape == "porn_title":
        words = [rng.choice(v.porn) for _ in range(rng.randint(2, 6))]
        line = "".join(words) if rng.random() < 0.5 else sep.join(words)
        return line + (" " + v.domain(rng) if rng.random() < 0.3 else "")
    if shape == "domain_list":
        return sep.join(v.domain(rng) for _ in range(rng.randint(2, 6)))
    raise ValueError(shape)


SHAPES = ("keywords", "brand_list", "summary", "link", "ad", "porn_title", "domain_list")


# Contact ham: how news pages point to a website or a hotline (made-up but plausible hosts).
HOSTS = ("qingdao", "dazhong", "jinan", "xinhua", "people", "chinanews", "gov", "edu", "kepu", "wenming", "jiankang",
         "huanbao", "shangwu", "nongye", "keji", "jiaoyu", "wenhua", "tiyu", "lvyou", "caijing")
CONTACT = ("更多信息请访问{org}官方网站 {d}", "详情请登录{org}网站：{d}", "{org}官方网站：{d} 咨询电话：{p}",
           "报名网址：{d}", "网址：{d}  电话：{p}", "{org}官网 {d}", "欢迎访问{org}门户网站 {d}", "查询网址为：{d}")
ORGS = ("市政府", "组委会", "市科技局", "大学招生办", "博物馆", "市教育局", "红十字会", "主办方", "景区管委会", "图书馆")


def contact_line(part: str, rng: random.Random) -> str:
    host = rng.choice([h for h in HOSTS if side(h) == part])
    domain = rng.choice(["www.", "", "http://www."]) + host + rng.choice([".com", ".cn", ".gov.cn", ".org.cn", ".com.cn"])
    phone = f"0{rng.randint(10, 999)}-{rng.randint(1000000, 99999999)}"
    org = rng.choice([o for o in ORGS if side(o) == part] or ORGS)
    return rng.choice(CONTACT).format(org=org, d=domain, p=phone)


def stuffed_line(v: Vocab, rng: random.Random, line: str) -> str:
    """An article line with brand names stuffed into it: still an article line (the names go
    inline, clean.spam.inline_shape), not a spam line."""
    brand = v.brand(rng)
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(1, max(1, len(line) - 1))
        line = line[:at] + brand + (rng.choice(v.decor) if rng.random() < 0.5 else "") + line[at:]
    return line


def nav_line(part: str, rng: random.Random, titles: list[str]) -> tuple[str, str]:
    if rng.random() < 0.34:
        return contact_line(part, rng), "contact"
    if rng.random() < 0.5:
        sections = [s for s in SECTIONS if side(s) == part]
        sep = rng.choice([" | ", "|", " ", "  ", " > ", "·", "、"])
        return sep.join(rng.sample(sections, rng.randint(3, min(9, len(sections))))), "nav"
    return rng.choice(["  ", " ", " | "]).join(rng.sample(titles, rng.randint(2, 4))), "related"


def load_words(path: Path) -> tuple[list[str], list[str]]:
    porn, domains = [], []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["category"] == "illegal_url_domain":
                domains.append(rec["word"])
            elif rec["category"] == "porn" and not rec["word"].isascii():
                porn.append(rec["word"])
    return sorted(set(porn)), sorted(set(domains))


def build(news: Path, words: Path, spam_per_shape: int = 320, nav_per_side: int = 400,
          stuffed_per_side: int = 400) -> list[dict]:
    rng = random.Random(SEED)
    with news.open(encoding="utf-8") as fh:
        records = sorted((json.loads(line) for line in fh if line.strip()), key=lambda r: r["id"])
    out: list[dict] = []
    titles = {"train": [], "heldout": []}
    for record in records:
        text = record["text"]
        part = article_side(record["id"])
        for start, end, kind in pieces(record, rng):
            out.append({"label": "ham", "kind": kind, "source": record["id"], "start": start, "end": end,
                        "head": text[start:min(end, start + HEAD)], "split": part})
        if record.get("title"):
            titles[part].append(record["title"])
            out.append({"text": record["title"], "label": "ham", "kind": "title", "source": record["id"],
                        "split": part})
    porn, domains = load_words(words)
    for part in ("train", "heldout"):
        v = Vocab(part, porn, domains)
        for shape in SHAPES:
            for _ in range(spam_per_shape):
                out.append({"text": spam_line(v, rng, shape), "label": "spam", "kind": shape,
                            "source": f"synthetic:{shape}", "split": part})
        # Article paragraphs as the clean stage knows them (sentence marks, 40 characters or more)
        # short enough for the line check.
        texts = {rec["id"]: rec["text"] for rec in records}
        paragraphs = [r for r in out if r["split"] == part and r["kind"] == "paragraph"
                      and 40 <= r["end"] - r["start"] <= 250 and SENTENCE_END.search(texts[r["source"]][r["start"]:r["end"]])]
        for r in rng.sample(paragraphs, min(stuffed_per_side, len(paragraphs))):
            line = stuffed_line(v, rng, texts[r["source"]][r["start"]:r["end"]])
            out.append({"text": line, "label": "ham", "kind": "stuffed", "source": f"synthetic:stuffed:{r['source']}",
                        "split": part})
        for _ in range(nav_per_side):
            line, kind = nav_line(part, rng, titles[part])
            out.append({"text": line, "label": "ham", "kind": kind, "source": f"synthetic:{kind}", "split": part})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    ap.add_argument("--words", type=Path, default=DEFAULT_WORDS)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rows = build(args.news, args.words)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[tuple, int] = {}
    for row in rows:
        key = (row["split"], row["label"], "real" if ":" not in row["source"] or not row["source"].startswith("synthetic") else "synthetic")
        counts[key] = counts.get(key, 0) + 1
    for key in sorted(counts):
        print(" ".join(key), counts[key])
    print(f"{len(rows)} lines -> {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
