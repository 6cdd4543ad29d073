"""Evaluate near-duplicate grouping (the dedup stage and the batch step) on a repost set.

Built here from real news (../shared/data/news/news_zh.jsonl), split by
article BEFORE any result was looked at: an article whose id's SHA-256 starts
below 0x80 is `dev` (the set the settings were chosen on), the rest
`heldout`. In each split, originals are drawn and each gets one to three
reposts made by:

- `edits`: sentences dropped, a sentence added, numbers changed, a paragraph split;
- `furniture`: site header and footer lines (breadcrumbs, share widgets, editor,
  copyright, ICP, related headlines taken from other articles);
- `spin`: a synonym spinner ("伪原创") written here from common spin substitutions
  (发展→开展, 技术→技能, 介绍→先容, 公司→企业, 希望→希翼 ...), each occurrence replaced with
  probability 0.9;
- `truncate`: only the first 55-85% of the sentences;
- combinations of two of these.

Hard negatives: for each original, the other article of its split most
similar to it (character 4-gram Jaccard over the raw text), a distinct
article on the same topic, plus background articles. Every document runs
through `pipeline run` (decode, convert, clean, dedup) into a run folder;
documents.parquet's `cluster_id` is scored pairwise: precision and recall
over pairs of documents that share a cluster (truth: the same original).
Also printed: the recall of each repost kind (repost in its original's
cluster), the share of groups whose representative (`duplicate_of`) is the
original (the original has the earliest date where dates are given), and
the hard negatives' similarity. Articles the source holds twice (judged
`same` in eval/data/dedup/news_pairs.tsv) enter a split once.

Then the real news set as it is (1,516 articles, its own reposts): pairwise
precision and recall against the hand-labelled pairs of
eval/data/dedup/news_pairs.tsv (`news_*`), a set nothing was tuned on.
`--check` compares with [dedup] in eval/floors.toml.

Usage: .venv/bin/python eval/dedup.py [--news PATH] [--originals N] [--work DIR] [--check] [--print-floors] [--show N]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

from pipeline.inspect.floors import finish_floors, floor_options  # noqa: E402
from pipeline.run.batch import run_batch  # noqa: E402
from pipeline.run.config import load_config  # noqa: E402
from pipeline.stages.registry import KNOWN_STAGES, build_stages  # noqa: E402

DEFAULT_NEWS = REPO.parent / "shared" / "data" / "news" / "news_zh.jsonl"
FLOORS = REPO / "eval" / "floors.toml"
PAIRS = REPO / "eval" / "data" / "dedup" / "news_pairs.tsv"
SECTION = "dedup"
SEED = 20261207
STAGES = ["decode", "convert", "clean", "dedup"]
MIN_CHARS = 300  # shorter articles leave too little to edit, spin and truncate
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*[”」』]?|\n")

# Common substitutions of Chinese article spinners (synonym tables of 伪原创 tools),
# written from memory of such output, not copied from a table or from the seeds.
SPIN = {
    "发展": "开展", "技术": "技能", "介绍": "先容", "希望": "希翼", "创新": "立异", "公司": "企业", "中国": "我国",
    "领域": "范畴", "基础": "根底", "重大": "严重", "形势": "局势", "实现": "完成", "必须": "必需", "工具": "东西",
    "产业": "工业", "启动": "发动", "举行": "举办", "表示": "标明", "认为": "以为", "目前": "当前", "已经": "现已",
    "通过": "经过", "问题": "疑问", "非常": "十分", "主要": "首要", "提高": "进步", "增加": "添加", "成为": "变成",
    "但是": "可是", "需要": "需求", "比赛": "竞赛", "市场": "商场", "投资": "出资", "情况": "状况", "参加": "参与",
    "开始": "开端", "最后": "最终", "获得": "取得", "继续": "持续", "其中": "其间", "同时": "一起", "虽然": "尽管",
    "包括": "包含", "提供": "供给", "支持": "支撑", "使用": "运用", "世界": "国际", "表现": "体现", "过程": "进程",
    "方法": "办法", "建设": "建造", "管理": "办理", "服务": "效劳", "研究": "研讨", "选择": "挑选", "效果": "作用",
    "确实": "的确", "保持": "坚持", "机会": "时机", "全部": "悉数", "所有": "一切", "立即": "当即", "能力": "才能",
    "特点": "特色", "增长": "增加", "超过": "超越", "分析": "剖析", "显示": "闪现", "强调": "着重", "关注": "重视",
    "经验": "经历", "改变": "改动", "控制": "操控", "结果": "成果", "准备": "预备", "预计": "估计", "球员": "球手",
    "球队": "部队", "教练": "教练员", "赛季": "赛季", "表演": "扮演", "观众": "观众", "电影": "影片", "导演": "导演",
    "银行": "银行", "价格": "价格", "上涨": "上涨", "下跌": "跌落", "股票": "股票", "基金": "基金", "数据": "数据",
    "记者": "记者", "消息": "音讯", "帮助": "协助", "方面": "方面", "因为": "由于", "可能": "或许", "一些": "一些",
}
SPIN = {k: v for k, v in SPIN.items() if k != v}
SPIN_RE = re.compile("|".join(sorted(map(re.escape, SPIN), key=len, reverse=True)))

SITES = ["青岛新闻网", "大众网", "新浪新闻", "搜狐资讯", "网易新闻", "凤凰网", "东方财富网", "中国经济网", "央广网", "腾讯新闻"]
SECTIONS = ["新闻中心", "要闻", "国内", "社会", "财经", "体育", "娱乐", "科技", "教育", "房产"]
NAMES = ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄婷"]


def split_of(record_id: str) -> str:
    return "dev" if hashlib.sha256(record_id.encode("utf-8")).digest()[0] < 0x80 else "heldout"


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE.findall(text) if s]


def spin(text: str, rng: random.Random) -> str:
    return SPIN_RE.sub(lambda m: SPIN[m.group()] if rng.random() < 0.9 else m.group(), text)


def edit(text: str, rng: random.Random, other: str) -> str:
    parts = sentences(text)
    body = [i for i, s in enumerate(parts) if s != "\n"]
    for i in rng.sample(body, k=min(len(body) // 6 + 1, max(0, len(body) - 3))):
        parts[i] = ""  # dropped sentences
    extra = [s for s in sentences(other) if len(s) > 15]
    if extra:  # a sentence from elsewhere (an editor's addition)
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(extra))
    out = "".join(parts)
    out = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)) if rng.random() < 0.3 else m.group(), out)
    cut = out.find("。", len(out) // 2)
    if cut > 0:  # a paragraph split
        out = out[: cut + 1] + "\n" + out[cut + 1 :]
    return out


def truncate(text: str, rng: random.Random) -> str:
    parts = sentences(text)
    keep = max(2, int(len(parts) * rng.uniform(0.55, 0.85)))
    return "".join(parts[:keep]) + rng.choice(["", "\n(未完)", "……\n阅读全文", "\n点击查看全文>>"])


def furnish(text: str, rng: random.Random, headlines: list[str], date: str | None) -> str:
    site = rng.choice(SITES)
    # The page's date line is the record's date (clean lifts it; a different one is kept as
    # `published_at_in_text`).
    date = date or f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    head = [f"{site}首页 > {rng.choice(SECTIONS)} > 正文", f"{date} 来源：{site}",
            "分享到：微信 微博 QQ空间", "【字体：大 中 小】"]
    foot = [f"责任编辑：{rng.choice(NAMES)}", "相关新闻", *[f"· {h}" for h in headlines],
            f"版权所有 © 2024 {site} 京ICP备{rng.randint(10000000, 99999999)}号", "扫一扫关注我们的微信公众号"]
    return "\n".join(rng.sample(head, k=rng.randint(2, 4)) + [text] + foot[: rng.randint(2, len(foot))])


KINDS = ["edits", "furniture", "spin", "truncate", "edits+furniture", "spin+furniture", "spin+truncate",
         "truncate+furniture", "spin+edits"]


def repost(kind: str, text: str, rng: random.Random, other: str, headlines: list[str], date: str | None) -> str:
    for step in kind.split("+"):
        if step == "edits":
            text = edit(text, rng, other)
        elif step == "spin":
            text = spin(text, rng)
        elif step == "truncate":
            text = truncate(text, rng)
    if "furniture" in kind:
        text = furnish(text, rng, headlines, date)
    return text


def grams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i : i + 4] for i in range(len(text) - 3)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / max(1, len(a | b))


def source_groups(path: Path) -> dict[str, str]:
    """Each article judged `same` as another in news_pairs.tsv -> its group's first id (sorted)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            a, b, label, *_ = line.split("\t")
            if label == "same":
                ra, rb = find(a), find(b)
                parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


def build(records: list[dict], originals: int, rng: random.Random, same: dict[str, str]) -> tuple[list[dict], dict[str, str], dict]:
    """Documents (JSONL records), each one's group (its original's id), and what was made.

    Articles the source itself holds twice (news_pairs.tsv, `same`) enter once: another copy
    would be a repost the truth calls distinct."""
    seen: set[str] = set()
    pool = []
    for r in records:
        group = same.get(r["id"], r["id"])
        if len(r["text"]) >= MIN_CHARS and group not in seen:
            seen.add(group)
            pool.append(r)
    chosen = rng.sample(pool, k=min(originals, len(pool) // 3))
    chosen_ids = {r["id"] for r in chosen}
    rest = [r for r in pool if r["id"] not in chosen_ids]
    rest_grams = [grams(r["text"]) for r in rest]
    docs, group, info = [], {}, {"kinds": {}, "negatives": []}
    negatives: set[str] = set()
    for n, r in enumerate(chosen):
        dated = n % 3 != 0  # a third of the groups carry no dates at all
        day = rng.randint(1, 20)
        oid = f"orig:{r['id']}"
        docs.append({"id": oid, "text": r["text"], **({"published_at": f"2024-03-{day:02d}"} if dated else {})})
        group[oid] = oid
        g = grams(r["text"])
        sims = [jaccard(g, h) for h in rest_grams]
        best = max(range(len(rest)), key=sims.__getitem__)
        info["negatives"].append(sims[best])
        negatives.add(rest[best]["id"])
        for k in range(rng.choice([1, 2, 3])):
            kind = KINDS[(n * 3 + k) % len(KINDS)]
            other = rng.choice(rest)["text"]
            headlines = [s[:24] for s in (rng.choice(rest)["text"] for _ in range(3))]
            rid = f"repost{k}:{r['id']}"
            later = {"published_at": f"2024-03-{day + 1 + k:02d}"} if dated and rng.random() < 0.8 else {}
            text = repost(kind, r["text"], rng, other, headlines, later.get("published_at"))
            docs.append({"id": rid, "text": text, **later})
            group[rid] = oid
            info["kinds"][rid] = kind
    background = rng.sample([r for r in rest if r["id"] not in negatives], k=min(len(rest) // 2, originals))
    for r in [r for r in rest if r["id"] in negatives] + background:
        docs.append({"id": f"neg:{r['id']}", "text": r["text"]})
        group[f"neg:{r['id']}"] = f"neg:{r['id']}"
    order = list(range(len(docs)))
    rng.shuffle(order)  # originals are not always first in the batch
    return [docs[i] for i in order], group, info


def pairs(labels: dict[str, str]) -> set[tuple[str, str]]:
    by = defaultdict(list)
    for doc, label in labels.items():
        by[label].append(doc)
    return {tuple(sorted(p)) for members in by.values() for p in itertools.combinations(members, 2)}


def run_clusters(path: Path, out: Path) -> dict[str, str]:
    """doc_id -> cluster_id of a `pipeline run` of `path` through STAGES."""
    config = load_config(REPO / "rules", tuple(KNOWN_STAGES))
    run_batch([str(path)], out, config, build_stages(config, STAGES), jobs=1, show_progress=False)
    table = pd.read_parquet(out / "documents.parquet", columns=["doc_id", "cluster_id"])
    return dict(zip(table.doc_id, table.cluster_id))


def score_news(path: Path, records: list[dict], same: dict[str, str], work: Path, show: int) -> dict[str, float]:
    """The real news set as it is, against the hand-labelled pairs (news_pairs.tsv): never tuned on."""
    cluster = run_clusters(path, work / "run-news")
    truth = pairs({r["id"]: same.get(r["id"], r["id"]) for r in records})
    predicted = pairs(cluster)
    tp = len(truth & predicted)
    print(f"news (real, hand-labelled, held out): {len(cluster)} documents, {len(truth)} true pairs, "
          f"{len(predicted)} predicted, {tp} right")
    for a, b in sorted(predicted - truth)[:show]:
        print(f"  false pair: {a} ~ {b}")
    for a, b in sorted(truth - predicted)[:show]:
        print(f"  missed pair: {a} ~ {b}")
    return {"news_precision": tp / max(1, len(predicted)), "news_recall": tp / max(1, len(truth))}


def score(split: str, docs: list[dict], group: dict[str, str], info: dict, work: Path, show: int) -> dict[str, float]:
    path = work / f"{split}.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    cluster = run_clusters(path, work / f"run-{split}")
    truth, predicted = pairs(group), pairs(cluster)
    tp = len(truth & predicted)
    figures = {f"{split}_precision": tp / max(1, len(predicted)), f"{split}_recall": tp / max(1, len(truth))}
    found, total = Counter(), Counter()
    for rid, kind in info["kinds"].items():
        total[kind] += 1
        found[kind] += cluster[rid] == cluster[group[rid]]
    for kind in KINDS:
        figures[f"{split}_recall_{kind.replace('+', '_')}"] = found[kind] / max(1, total[kind])
    originals = [d for d in group.values() if d.startswith("orig:")]
    reps = [cluster[o] == o for o in set(originals) if sum(cluster[d] == cluster[o] for d in cluster) > 1]
    figures[f"{split}_representative"] = sum(reps) / max(1, len(reps))
    print(f"{split}: {len(docs)} documents, {len(set(originals))} originals, {len(info['kinds'])} reposts, "
          f"{len(truth)} true pairs, {len(predicted)} predicted, {tp} right")
    sims = sorted(info["negatives"])
    print(f"  hard negatives: 4-gram Jaccard with their original median {sims[len(sims) // 2]:.3f}, "
          f"max {sims[-1]:.3f}")
    for a, b in sorted(predicted - truth)[:show]:
        print(f"  false pair: {a} ~ {b}")
    for a, b in sorted(truth - predicted)[:show]:
        print(f"  missed pair: {a} ~ {b} ({info['kinds'].get(a) or info['kinds'].get(b)})")
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    ap.add_argument("--originals", type=int, default=150, help="originals per split")
    floor_options(ap, SECTION, FLOORS)
    ap.add_argument("--work", type=Path, help="keep the repost sets and run folders here (default: a temporary folder)")
    ap.add_argument("--show", type=int, default=10, help="print up to N false and missed pairs per split")
    args = ap.parse_args(argv)
    if not args.news.is_file():
        print(f"eval: {args.news} not found (it lives in ../shared/data/news/)", file=sys.stderr)
        return 2
    with args.news.open(encoding="utf-8") as fh:
        records = sorted((json.loads(line) for line in fh if line.strip()), key=lambda r: r["id"])
    same = source_groups(PAIRS)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="eval-dedup-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for split in ("dev", "heldout"):
            rng = random.Random(f"{SEED}:{split}")
            docs, group, info = build([r for r in records if split_of(r["id"]) == split], args.originals, rng, same)
            figures.update(score(split, docs, group, info, work, args.show))
        figures.update(score_news(args.news, records, same, work, args.show))
    for key in sorted(figures):
        print(f"  {key:<36} {figures[key]:.4f}")
    return finish_floors(figures, args, SECTION)


if __name__ == "__main__":
    sys.exit(main())
