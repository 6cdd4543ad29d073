"""Bylines inside the text (clean.meta.byline): what is lifted, what is removed, what stays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.core.examples import sample_doc
from pipeline.stages.clean.stage import CleanStage

from conftest import RULES, examples

STAGE = CleanStage({}, RULES)
PARSER = STAGE.cleaner.bylines
BODY = "青岛市科技局今天发布消息称，全市高新技术企业数量突破一万家，同比增长百分之二十，创下历史新高。"
BYLINES = Path(__file__).resolve().parents[3] / "eval" / "data" / "clean" / "bylines.jsonl"
NEWS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "news" / "news_zh.jsonl"


def clean(text: str):
    return STAGE.run(sample_doc(text))


def test_a_dateline_byline_in_brackets_is_lifted_and_cut_out_exactly():
    doc, result = clean(f"本报讯 (记者 张奕 实习生 范凌子){BODY}\n")
    assert doc.meta["author"] == "张奕、范凌子"
    assert doc.text == f"本报讯 {BODY}\n"
    (edit,) = [e for e in result.edits if e.rule_id == "clean.meta.byline"]
    assert doc.original[edit.start:edit.end] == "(记者 张奕 实习生 范凌子)"


def test_a_foot_byline_with_a_bracketed_source_keeps_every_source_in_order():
    doc, _ = clean(f"{BODY}作者：刘俊\u3000（来源：广州日报、新华社）\n")
    assert doc.meta["author"] == "刘俊"
    assert doc.meta["news_source"] == "广州日报"
    assert doc.meta["news_sources"] == ["广州日报", "新华社"]
    assert doc.text == f"{BODY}\n"


def test_editor_and_source_on_a_line_of_their_own_go_with_the_page_number():
    doc, _ = clean(f"{BODY}\n26 编辑：张明 刘洋 来源：某某能源网\n")
    assert doc.meta["editor"] == "张明、刘洋"
    assert doc.meta["news_sources"] == ["某某能源网"]
    assert doc.text == f"{BODY}\n"


@pytest.mark.parametrize("text, name", [
    ("华商开通旗下基金转换业务⊙本报记者 王文清华商基金公告称，自2月24日起开通转换业务。", "王文清"),
    ("银华基金发行⊙本报记者 潘琦银华基金管理公司今日发布公告，银华和谐主题基金将发行。", "潘琦"),
    ("基金分红同比缩水超一半文/表 记者崔群根据记者的初步统计，截至2月24日，共有20只基金分红。", "崔群"),
    ("上投摩根基金打开申购证券时报记者 余子君本报讯 进入4月，分红市场终于再度活跃。", "余子君"),
])
def test_a_name_glued_to_the_article_ends_where_the_article_starts(text, name):
    assert [b.values for b in PARSER.find(text)] == [{"author": [name]}]


@pytest.mark.parametrize("text, name", [
    # a dictionary word right after one given character, none after two
    ("稳定仓位 QFII持股以静制动⊙本报记者 周宏牛年第一期QFII月报今日亮相。", "周宏"),
    ("东吴价值成长双动力□本报记者 李良初见王炯，第一感觉是，她很低调谦和。", "李良"),
    # a word only after two given characters
    ("政策红利效应持续本报记者 马薪婷清明后开盘至昨日，上证综指涨幅为3.06%。", "马薪婷"),
])
def test_a_glued_three_character_run_is_split_where_a_word_starts(text, name):
    assert [b.values for b in PARSER.find(text)] == [{"author": [name]}]


def test_a_byline_that_starts_a_story_inside_a_long_line_is_found():
    before = "自始至终，村里都没有将土地使用权交给广州土地储备中心。" * 4
    text = f"{before}本报记者 陈小瑛 广州报道金地零成本退回广州番禺地王似乎是个不错的选择。{before}"
    (found,) = PARSER.find(text)
    assert text[found.start:found.end] == "本报记者 陈小瑛 广州报道"
    assert found.values == {"author": ["陈小瑛"]}
    # glued, inside a sentence, it is the reporter the story tells about
    assert PARSER.find(f"{before}本报记者陈小瑛昨日来到村委会，村干部告诉她土地从未交出。{before}") == []


def test_a_speakers_label_is_no_byline_but_a_bracketed_one_is():
    long = "市场人士认为，二季度的行情仍将以结构性机会为主，投资者应当关注业绩确定的品种。" * 3
    assert PARSER.find(f"{long}记者：李老师，您以前也曾信笃价值投资，为何又说巴菲特过时了？{long}") == []
    assert PARSER.find("民警孟繁勇告诉记者：汽车有一定闭水性能，一旦汽车被水淹要立即解开安全带。") == []
    assert [b.values for b in PARSER.find(f"{long}(记者：湛卢)")] == [{"author": ["湛卢"]}]


@pytest.mark.parametrize("text, name", [
    ("富士J35仅售1080元作者：玛琪雅朵富士J35搭载一枚1/2.33英寸CCD传感器，1200万有效像素。", "玛琪雅朵"),
    ("停产双模存储DV 佳能FS10现售价3690元    作者：飘雪    [河南行情] 在闪存式数码摄像机产品中", "飘雪"),
    ("665分牛人心得：四级高分背新概念背出来的作者：季超 在经过两个月的漫长等待后，我拿到了成绩。", "季超"),
])
def test_a_pen_name_under_a_title_ends_where_the_text_starts(text, name):
    assert [b.values for b in PARSER.find(text)] == [{"author": [name]}]


def test_a_pen_name_after_a_role_at_a_boundary_needs_a_closed_end():
    # 文/深锐观察组ESPN记者…: no end a reader can see, so nothing is lifted
    assert PARSER.find("但谁能确定芝加哥人将带来怎样的季后赛套路？文/深锐观察组ESPN记者贝克利-梅森是忠实的公牛粉。") == []


@pytest.mark.parametrize("text", [
    "他告诉记者，自己之所以从泰国北部来到曼谷求职，主要是因为在曼谷有亲戚。",
    "组图：范冰冰冬日写真 羽绒服也能穿出女人味",
    "《休斯敦纪事报》专栏记者乔纳森-费根在博客里回答了球迷们的提问。",
    "编辑点评：佳能 7D 无疑是本年度最受人关注的产品之一。",
    "记者：很多明星的孩子也都进入了娱乐圈，你有类似的打算吗？",
    "中国已经成为加拿大最大的留学生来源国。",
    "外交部发言人在记者会上，就韩国记者关于中国是否建议朝鲜推进改革开放的问题表示。",
])
def test_text_that_mentions_reporters_is_no_byline(text):
    assert PARSER.find(text) == []


def test_a_byline_line_is_no_title():
    doc, _ = clean(f"文／记者\u3000陈晶\u3000图／\u3000记者\u3000刘畅\n{BODY}\n")
    assert "title" not in doc.meta
    assert doc.meta["author"] == "陈晶、刘畅"


@settings(max_examples=examples(200), deadline=None)
@given(st.text(alphabet="记者作者编辑来源原标题：:/（）()【】 \u3000本报讯王李张文图陈晶，。a1", max_size=60))
def test_bylines_found_lie_inside_the_text_in_order_without_overlap(text):
    found = PARSER.find(text)
    last = 0
    for b in found:
        assert last <= b.start < b.end <= len(text)
        last = b.end


@pytest.mark.skipif(not NEWS.is_file(), reason="the news set lives in ../shared/data/news/")
def test_labelled_bylines_point_at_their_surface_in_the_news_set():
    texts = {}
    with NEWS.open(encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            texts[obj["id"]] = obj["text"]
    gold = [json.loads(line) for line in BYLINES.open(encoding="utf-8")]
    assert len(gold) >= 150
    assert {g["split"] for g in gold} == {"dev", "heldout", "heldout2", "dev3", "heldout3"}
    assert sum(g["split"] == "heldout2" for g in gold) >= 60
    assert sum(g["split"] == "heldout3" for g in gold) >= 60
    for g in gold:
        assert texts[g["doc_id"]][g["start"]:g["end"]] == g["surface"]
    by_doc = {}
    for g in gold:  # split by article: an article's bylines are all on one side
        by_doc.setdefault(g["doc_id"], set()).add(g["split"])
    assert all(len(s) == 1 for s in by_doc.values())


def test_a_byline_glued_between_title_and_text_leaves_a_line_break():
    doc, _ = clean("长盛基金去年获净利2.4亿⊙本报记者 谢卫国国元证券股份有限公司今日披露2008年报，年报显示其参股公司盈利。\n")
    assert doc.meta["author"] == "谢卫国"
    assert doc.text == "长盛基金去年获净利2.4亿\n国元证券股份有限公司今日披露2008年报，年报显示其参股公司盈利。\n"


@pytest.mark.parametrize("line, values", [
    ("球队还需要时间来磨合。(张 哲)", {"author": ["张哲"]}),
    ("货币基金也是很好的投资对象。（易非 徐国杰）", {"author": ["易非", "徐国杰"]}),
    ("至今仍是未知之数。(魑魅)", {"author": ["魑魅"]}),
    ("还能有啥期待呢？(XWT185)", {"author": ["XWT185"]}),
    ("上述修改自公告之日起生效。（全景网/陈丹蓉）", {"author": ["陈丹蓉"]}),
    ("应该并无大碍。(新浪体育 张海彦 发自休斯敦)", {"author": ["张海彦"]}),
    ("已引起市场重视。(王雨/文)", {"author": ["王雨"]}),
    ("分列第二至第五位。(新快报 何宁整理)", {"author": ["何宁"]}),
    ("只要不太累就好。” (尤优文并图)", {"author": ["尤优"]}),
    ("合作已进入实质阶段。(新华社)", {"news_source": ["新华社"]}),
    ("宏观经济数据差强人意。(据《21世纪经济报道》)", {"news_source": ["21世纪经济报道"]}),
])
def test_a_closing_signature_ends_the_last_line(line, values):
    found = PARSER.find(line, last=True)
    start = max(line.rfind("("), line.rfind("（"))
    assert [(b.start, b.end, b.values) for b in found] == [(start, len(line), values)]
    if "/" not in line:  # (王雨/文) has a role: the grammar reads it anywhere
        assert PARSER.find(line) == []  # not the article's last line: a bracket closing a paragraph stays


@pytest.mark.parametrize("line", [
    "会议于昨日召开，各方出席。(完)",
    "剧情渐入佳境，别提多混乱了。(未完待续)",
    "外交部发言人就南海问题等答问(实录)",
    "秋季新款连衣裙，售价￥7,800(Gap)",
    "更多游戏资讯，请登录：(www.x6game.cn)",
    "申购业务暂停(截止2009年4月13日)",
    "报名表请注明志愿服务时间（可注明上午、下午或全天）",
])
def test_a_bracket_closing_the_text_that_names_no_writer_stays(line):
    assert PARSER.find(line, last=True) == []


def test_a_signature_before_a_story_starting_inside_the_line():
    line = "起到重要的示范作用。(杨 磊)本报讯 记者近日从广发基金了解到，该公司中标。"
    found = PARSER.find(line)
    assert [(line[b.start:b.end], b.values) for b in found] == [("(杨 磊)", {"author": ["杨磊"]})]


def test_the_clean_stage_lifts_a_signature_only_from_the_last_line():
    doc, _ = clean(f"{BODY}\n球队还需要时间来磨合。(张 哲)\n")
    assert doc.meta["author"] == "张哲"
    assert doc.text.rstrip().endswith("球队还需要时间来磨合。")
    doc, _ = clean(f"球队还需要时间来磨合。(张 哲)\n{BODY}\n")
    assert "author" not in doc.meta


@pytest.mark.parametrize("line, names", [
    ("海外股市回暖带热QDII基金□文 易无花 摄影 李瞻主持人：美联储开动印钞机之后，美股从底部开始反弹。", ["易无花", "李瞻"]),
    ("色彩穿于一身。(文/马焱 摄/滚叔)", ["马焱", "滚叔"]),
    ("这也是部分家庭试图转租的潜在诱因。文/记者赖伟行、黄琮金沙洲新社区 肉菜每斤要贵一元。" + "昨日下午记者走访了金沙洲的市场。" * 6,
     ["赖伟行", "黄琮"]),
    ("成为机构持有比例最高的封基。本组撰文 新报记者 王伟代码500056的基金天华。" + "数据显示基金表现平稳。" * 6, ["王伟"]),
    ("张合义竟与死人签下了合同。文/图 中国质量万里行杂志记者 刘 畅“死人”卖房奇闻" + "温县国土局原局长借名义卖房。" * 6, ["刘畅"]),
    ("尚志民：2008年值得铭记本报记者 李良接到中国证券报记者采访的邀约时，尚志民正在休假。", ["李良"]),
])
def test_role_chains_and_glued_names(line, names):
    found = PARSER.find(line)
    assert [v for b in found for v in b.values.get("author", [])] == names


def test_a_byline_repeated_is_no_evidence_for_a_short_name():
    line = "券商债券型产品上周跑输同类基金证券时报记者 吴清桦本报讯 上周，券商集合理财产品收益由负转正。"
    found = PARSER.find(line + line)
    assert [b.values["author"] for b in found] == [["吴清桦"], ["吴清桦"]]


@pytest.mark.parametrize("text", [
    "七匹狼已连续两天放量向上突破，昨日大涨7.28%，收于13.41元。(每日)",  # 每日经济新闻 cut short: a pronoun
    "华商收益A(12.5亿)、诺德增强收益(11.9亿)。 (证报)",  # 上海证券报 or 中国证券报: which is not said
])
def test_a_closing_word_or_outlet_cut_short_is_no_byline(text):
    doc, _ = clean(text)
    assert "author" not in doc.meta and "news_source" not in doc.meta
    assert doc.text == text


def test_a_pen_name_that_is_a_verb_still_signs():
    doc, _ = clean("“他的表现太突出了，理应获得称赞。”(喜欢)")
    assert doc.meta["author"] == "喜欢"
