"""Near-duplicates across a batch: grouping signatures, and cluster columns in the run folder."""

import re

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.core.document import Document
from pipeline.run.dedup import DuplicateGrouper, grouper_for, specific_numbers
from pipeline.stages.dedup.stage import DedupStage

from conftest import RULES, SEEDS

ARTICLE = ("新华社北京4月20日电 首批16家基金公司于4月19日晚公布2009年一季报，在所有类型的基金中，货币及债券型基金"
           "遭到大量净赎回，而QDII基金却是唯一呈净申购状态的基金类型。基金一季报显示，固定收益类基金一季度净赎回比例"
           "较高，其中货币市场基金净赎回比例达到两成。业内人士表示，这说明投资者对股票市场的信心正在恢复，资金从低风险"
           "产品流向偏股型产品。统计显示，股票型基金净赎回比例为1.83%，混合型基金净赎回比例仅为0.13%，其中德盛安心"
           "混合型基金净申购比例竟达2倍之多，与其他净赎回状态的偏股型基金呈鲜明的对比。")
# Same topic, same numbers of the season, another article.
OTHER = ("本报讯 随着基金一季报陆续披露，基金仓位变化成为市场关注的焦点。天相投顾统计显示，已公布一季报的100只偏股型"
         "基金一季度平均股票仓位为77.32%，比去年四季度上升约10个百分点。金融保险、房地产和机械设备是基金增持最多的"
         "行业，而医药和食品饮料行业遭到减持。分析人士认为，基金仓位回升反映出机构对二季度行情相对乐观。")
SPIN = {"基金": "基金", "显示": "闪现", "表示": "标明", "投资者": "出资者", "恢复": "康复", "比例": "份额", "市场": "商场",
        "产品": "商品", "其他": "其他", "信心": "决心"}


def spun(text):
    for a, b in SPIN.items():
        text = text.replace(a, b)
    return text


def grouped(docs, **settings):
    stage = DedupStage(settings, RULES)
    grouper = grouper_for([stage])
    for doc in docs:
        grouper.add(stage(doc))
    return grouper.columns()


def doc(doc_id, text, published_at=None, **flags):
    meta = {"published_at": published_at} if published_at else {}
    return Document(doc_id, doc_id, original=text, text=text, meta=meta, flags=flags)


def test_reposts_join_their_original_and_other_articles_stay_apart():
    truncated = ARTICLE[: int(len(ARTICLE) * 0.6)]
    edited = ARTICLE.replace("1.83%", "1.85%").replace("业内人士表示，", "有分析人士指出，")
    docs = [doc("copy", spun(ARTICLE), "2009-04-22", spun=3), doc("other", OTHER, "2009-04-20"),
            doc("orig", ARTICLE, "2009-04-20"), doc("short", truncated), doc("edited", "责任编辑：王伟\n" + edited),
            doc("empty", "")]
    columns = grouped(docs)
    cluster = dict(zip([d.doc_id for d in docs], columns["cluster_id"]))
    assert {k for k, v in cluster.items() if v == "orig"} == {"copy", "orig", "short", "edited"}
    assert cluster["other"] == "other" and cluster["empty"] == "empty"
    assert columns["duplicate_of"] == ["orig", None, None, "orig", "orig", None]


def test_a_template_filled_with_other_facts_is_no_duplicate_but_a_repost_with_one_number_changed_is():
    # thucnews_cnews_b_val:12 and :13 (real news): one site's dividend notice, two funds, other amounts.
    template = ("基金{n}进行08年度分红 每10份派{a}元全景网4月9日讯 鹏华基金周四公告称，旗下基金{n}将进行2008年度收益分配，"
                "每10份基金份额派现{a}元，共计派发现金红利{b}万元，占该基金08年度已实现收益的{c}%。权益登记日为4月14日，"
                "除息日、红利发放日为4月15日。截至2008年12月31日，基金{n}2008年度已实现收益为{d}万元。（全景网/陈丹蓉）")
    one = template.format(n="普丰", a="0.054", b="1620", c="90.94", d="1781.33")
    two = template.format(n="普惠", a="0.480", b="9600", c="96.62", d="9936.24")
    repost = one.replace("1620", "1625")
    columns = grouped([doc("one", one), doc("two", two), doc("repost", repost)])
    assert columns["cluster_id"] == ["one", "two", "one"]
    # Without the numbers the two are one text to the signature.
    columns = grouped([doc("one", re.sub(r"[0-9.]", "", one)), doc("two", re.sub(r"[0-9.]", "", two))])
    assert columns["cluster_id"] == ["one", "one"]


def test_specific_numbers_leave_out_years_and_small_counts():
    assert specific_numbers("2008年12月31日，派现０．０５４元，共1620万元，10份") == {"0.054", "1620"}


def test_the_representative_is_unspun_then_earliest_then_most_complete():
    def rep(docs):
        return grouped(docs)["cluster_id"][0]

    # Earliest date wins over length; a document without a date comes after dated ones.
    assert rep([doc("late", ARTICLE + "（完）", "2009-04-21"), doc("early", ARTICLE, "2009-04-20"),
                doc("undated", ARTICLE + "更多内容请关注本报。")]) == "early"
    # No dates: the most complete copy, then input order.
    assert rep([doc("a", ARTICLE[:200]), doc("b", ARTICLE), doc("c", ARTICLE)]) == "b"
    # A copy flagged as spun is never chosen while an unspun member exists, however early.
    assert rep([doc("spun", spun(ARTICLE), "2009-04-01", spun=5), doc("plain", ARTICLE, "2009-04-20")]) == "plain"


def test_grouping_does_not_depend_on_which_bucket_saw_a_document_first():
    docs = [doc(f"d{i}", ARTICLE[: 120 + 20 * i] + OTHER[: 10 * i]) for i in range(8)] + [doc("x", OTHER)]
    forward = grouped(docs)["cluster_id"]
    backward = grouped(list(reversed(docs)))["cluster_id"]
    assert dict(zip([d.doc_id for d in docs], forward)) == dict(zip([d.doc_id for d in reversed(docs)], backward))


def test_a_stricter_threshold_splits_what_a_looser_one_joins():
    docs = [doc("orig", ARTICLE), doc("copy", spun(ARTICLE))]
    assert grouped(docs, threshold=0.3)["duplicate_of"] == [None, "orig"]
    assert grouped(docs, threshold=1.0, containment=1.0)["duplicate_of"] == [None, None]


def test_no_dedup_stage_no_grouper():
    assert grouper_for([]) is None
    assert isinstance(grouper_for([DedupStage({}, RULES)]), DuplicateGrouper)


# --- whole runs -------------------------------------------------------------------------------

STAGES = ["--stages", "decode,convert,clean,dedup"]
# Spun phrases of seed 001 and what they replaced (rules/clean/spun.toml's pairs), to rebuild an
# unspun original of the real spun page.
UNSPIN = {"立异": "创新", "技能": "技术", "开展水平": "发展水平", "开展机遇": "发展机遇", "根底": "基础", "范畴": "领域",
          "工业": "产业", "局势": "形势", "严重": "重大", "发动": "启动", "东西": "工具", "必需": "必须"}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    seed = (SEEDS / "001_fbfe83f3558ddfde.txt").read_text(encoding="utf-8")
    plain = seed
    for a, b in UNSPIN.items():
        plain = plain.replace(a, b)
    assert plain != seed
    (root / "a_spun_seed.txt").write_text(seed, encoding="utf-8")
    (root / "b_unspun.txt").write_text(plain, encoding="utf-8")
    (root / "c_orig.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "d_other.txt").write_text(OTHER, encoding="utf-8")
    (root / "e_repost.txt").write_text("首页 > 基金 > 正文\n" + spun(ARTICLE) + "\n责任编辑：李娜", encoding="utf-8")
    for i, f in enumerate(sorted(SEEDS.glob("*.txt"))):
        if i != 1:
            (root / f.name).write_bytes(f.read_bytes())
    return root


def clusters(out):
    table = pd.read_parquet(out / "documents.parquet", columns=["doc_id", "cluster_id", "duplicate_of", "minhash"])
    return table


@pytest.mark.e2e
def test_run_folder_has_the_clusters_the_same_with_any_engine_and_from_the_cache(batch, tmp_path):
    ref = tmp_path / "ref"
    assert main(["run", str(batch), "--out", str(ref), "--jobs", "1", "--no-cache", "--quiet", *STAGES]) == 0
    table = clusters(ref)
    got = {d: (None if pd.isna(v) else v) for d, v in zip(table.doc_id, table.duplicate_of)}
    # The real spun page joins the page it was spun from. (Which represents them is the spun flag's
    # business, tested above: with clean's spun table both copies are flagged, the half-unspun one too.)
    pair = {got["a_spun_seed.txt"], got["b_unspun.txt"]}
    assert pair in ({None, "b_unspun.txt"}, {None, "a_spun_seed.txt"})
    # A repost in other furniture joins its original (undated and about as long: either may represent them).
    cluster = dict(zip(table.doc_id, table.cluster_id))
    assert cluster["e_repost.txt"] == cluster["c_orig.txt"]
    assert sum(v is not None for v in got.values()) == 2
    assert len(set(cluster.values())) == len(cluster) - 2  # the other seeds and d_other stay alone
    assert table.minhash.notna().all() and (table.cluster_id.notna()).all()
    reference = (ref / "documents.parquet").read_bytes()
    for extra in (["--jobs", "2"], ["--jobs", "2"], ["--engine", "dask", "--jobs", "2"]):
        out = tmp_path / "out"  # the second --jobs 2 run takes every signature from the cache
        assert main(["run", str(batch), "--out", str(out), "--quiet", *extra, *STAGES]) == 0
        assert (out / "documents.parquet").read_bytes() == reference, extra


@pytest.mark.e2e
def test_without_the_dedup_stage_the_columns_are_null(batch, tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(batch), "--out", str(out), "--jobs", "1", "--no-cache", "--quiet",
                 "--stages", "decode,clean"]) == 0
    table = clusters(out)
    assert table.cluster_id.isna().all() and table.duplicate_of.isna().all() and table.minhash.isna().all()
