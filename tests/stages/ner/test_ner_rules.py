"""rules/ner/: the rule files load, their examples hold, and the merge policy does what the README says.

No trained model here: rule matches run through spaCy's span_ruler on the same
character Docs the model reads; completion and merging are plain functions.
"""

from pathlib import Path

import pytest

from pipeline.stages.ner.features import char_features, halfwidth, make_doc
from pipeline.stages.ner.merge import (
    Span, complete, complete_left, drop_broken, drop_country_generic, join_dotted, merge, propagate,
)
from pipeline.stages.ner.examples import completion_cases, name_rule_cases
from pipeline.stages.ner.rulefile import EXPAND_FIRST, expand_chars, load_completion, load_completion_entries, load_name_rules
from pipeline.stages.ner.ruler import NameRuler
from pipeline.core.rules import RuleError
from pipeline.stages.segment.stage import SegmentStage

RULES = Path(__file__).resolve().parents[3] / "rules"
NAME_FILES = [RULES / "ner" / f for f in ("gazetteer.jsonl", "countries.jsonl", "patterns.jsonl")]
NAME_RULES = load_name_rules(NAME_FILES)
COMPLETION, COMPLETION_EXAMPLES = load_completion(RULES / "ner" / "org_suffixes.toml")


def words_of(segment, text):
    return [(w.start, w.end, w.pos) for w in segment.words(text)]


def matches(segment, rule, text):
    ruler = NameRuler([rule])
    return [(text[s:e], label, rid) for s, e, label, rid in ruler.find(text, words_of(segment, text))]


def test_rule_files_load_with_unique_ids_and_every_rule_has_an_example_or_is_a_phrase():
    assert len(NAME_RULES) == len({r.id for r in NAME_RULES}) > 40
    for rule in NAME_RULES:
        assert isinstance(rule.pattern, str) or rule.examples, f"{rule.id}: a token pattern needs examples"


SEGMENT = SegmentStage({}, RULES)
CASES = [*name_rule_cases(NAME_RULES, SEGMENT),
         *completion_cases(*load_completion_entries(RULES / "ner" / "org_suffixes.toml"), SEGMENT)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_pattern_and_completion_examples(case):
    assert case.run() is None


def test_phrases_match_exactly_and_report_their_rule(segment):
    rule = next(r for r in NAME_RULES if r.pattern == "科技部")
    assert matches(segment, rule, "科技部基础司") == [("科技部", "ORG", rule.id)]
    assert matches(segment, rule, "科技局") == []


def test_company_completion_takes_in_a_place_and_leaves_covered_names_alone(segment):
    text = "签约青岛言鼎生物医疗科技有限公司。"
    tokens = segment.words(text)
    place = _span(2, 4, "LOC")
    out = complete_left([place], text, tokens, COMPLETION)
    assert [(text[s.start:s.end], s.label, s.rule_id) for s in out] == [("青岛言鼎生物医疗科技有限公司", "ORG", COMPLETION.left_id)]
    found = _span(2, 16)
    assert complete_left([found], text, tokens, COMPLETION) == [found]


def _span(start, end, label="ORG", source="model", rule_id="ner.model"):
    return Span(start, end, label, source, rule_id, None if source == "model" else 1, 0.9)


def test_merge_keeps_the_longest_and_prefers_rules_at_equal_length():
    model = [_span(0, 10), _span(12, 14, "LOC"), _span(16, 18, "ORG")]
    rules = [_span(0, 3, "LOC", "rule", "ner.gazetteer.x"), _span(12, 14, "LOC", "rule", "ner.gazetteer.y"),
             _span(16, 20, "LOC", "rule", "ner.gazetteer.w"), _span(22, 24, "LOC", "rule", "ner.gazetteer.v")]
    out = merge(model, rules)
    assert [(s.start, s.end, s.label, s.source) for s in out] == [
        (0, 10, "ORG", "model"), (12, 14, "LOC", "rule"), (16, 20, "LOC", "rule"), (22, 24, "LOC", "rule")]
    # The same name with another label: the model's label, read from the sentence, stands.
    out = merge([_span(12, 14, "ORG")], [_span(12, 14, "LOC", "rule", "ner.gazetteer.y")])
    assert [(s.label, s.source) for s in out] == [("ORG", "model")]
    # Unless the rule stood on context (`near`: a team's nickname in a game report): its label stands.
    out = merge([_span(12, 14, "PER")], [_span(12, 14, "ORG", "rule", "ner.org.teams.1.1")], {"ner.org.teams.1.1"})
    assert [(s.label, s.source) for s in out] == [("ORG", "rule")]
    # A longer rule match replaces the shorter model entity it overlaps.
    out = merge([_span(0, 5)], [_span(0, 8, "ORG", "rule", "ner.gazetteer.z")])
    assert [(s.end, s.source) for s in out] == [(8, "rule")]


def test_model_names_holding_a_particle_are_dropped(segment):
    text = "联盟调集了中电科思仪科技股份有限公司"
    tokens = segment.words(text)
    kept = drop_broken([_span(0, 7), _span(5, 18)], text, tokens, COMPLETION)
    assert [(s.start, s.end) for s in kept] == [(5, 18)]
    text = "青岛科技通”公众号"
    assert drop_broken([_span(0, 8, "LOC")], text, segment.words(text), COMPLETION) == []


def test_model_names_with_half_a_pair_of_brackets_are_dropped(segment):
    text = "与致真精密仪器(青岛)有限公司签约"
    tokens = segment.words(text)
    half, whole = _span(8, 15), _span(1, 15)
    assert text[8:15] == "青岛)有限公司"
    assert drop_broken([half], text, tokens, COMPLETION) == []
    assert drop_broken([whole], text, tokens, COMPLETION) == [whole]


def test_a_model_company_name_that_starts_too_late_grows_leftwards(segment):
    # jieba cuts 中 / 电 / 科思 / 仪 …: the model's name starts at 科思.
    text = "指导,中电科思仪科技股份有限公司、青岛"
    tokens = segment.words(text)
    short = _span(5, 16)
    assert text[short.start:short.end] == "科思仪科技股份有限公司"
    out = complete_left([short], text, tokens, COMPLETION)
    assert [(text[s.start:s.end], s.rule_id) for s in out] == [("中电科思仪科技股份有限公司", COMPLETION.left_id)]
    # Not past an odd word (派, a verb, is a boundary here: 北京 派 尔特…, so it stays as it is).
    text = "北京派尔特医疗科技股份有限公司"
    short = _span(3, 15)
    assert complete_left([short], text, segment.words(text), COMPLETION) == [short]
    # Nor when it starts with a place, where such names start.
    text = "淀粉类物质制品汕头市新星乳业有限公司"
    whole = _span(7, 18)
    assert text[whole.start:whole.end] == "汕头市新星乳业有限公司"
    assert complete_left([whole], text, segment.words(text), COMPLETION) == [whole]


def test_model_organisations_running_into_a_verb_are_cut_back(segment):
    text = "该展览由北京市联合主办。联想发布新品。推进中科院大学海洋学院科教融合建设。团队调集资源"
    tokens = segment.words(text)
    assert [t.pos for t in tokens if t.word in ("联合", "联想", "建设", "调集")] == ["v", "v", "vn", "vn"]
    spans = [_span(4, 9), _span(12, 14), _span(21, 36), _span(37, 41)]
    kept = drop_broken(spans, text, tokens, COMPLETION)
    # To the place it starts with; a one-word name stays; to the last suffix; dropped.
    assert [(text[s.start:s.end], s.label) for s in kept] == [("北京市", "LOC"), ("联想", "ORG"), ("中科院大学海洋学院", "ORG")]


def test_completion_stops_before_the_next_name_and_after_one_verb_too_many(segment):
    text = "青岛市签署协议共建中科院海洋大科学研究中心"
    tokens = segment.words(text)
    spans = [_span(0, 3, "LOC"), _span(9, 21)]
    assert [(s.start, s.end) for s in complete(spans, text, tokens, COMPLETION)] == [(0, 3), (9, 21)]
    # Without the second name, 签署 … 共建 is two verbs: still no completion.
    assert [(s.start, s.end) for s in complete(spans[:1], text, tokens, COMPLETION)] == [(0, 3)]


def test_completion_does_not_cross_a_gap_or_a_sentence_break(segment):
    text = "青岛市。仪器仪表行业协会"
    tokens = [t for t in segment.words(text)]
    out = complete([_span(0, 3, "LOC")], text, tokens, COMPLETION)
    assert [(s.start, s.end, s.label) for s in out] == [(0, 3, "LOC")]


def test_expand_chars_splits_multi_character_text_and_refuses_an_op_on_it():
    assert expand_chars([{"TEXT": "政府"}, {"TAG": "E-ns"}]) == [{"TEXT": "政"}, {"TEXT": "府"}, {"TAG": "E-ns"}]
    with pytest.raises(ValueError):
        expand_chars([{"TEXT": "政府", "OP": "?"}])


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"id": "ner.x.a", "version": 1, "label": "PER", "pattern": "张三"', "invalid JSON"),
        ('{"id": "ner.x.a", "version": 1, "label": "PERSON", "pattern": "张三"}', "`label` 'PERSON' is not one of"),
        ('{"id": "Bad Id", "version": 1, "label": "PER", "pattern": "张三"}', "dotted lowercase"),
        ('{"id": "ner.x.a", "version": 0, "label": "PER", "pattern": "张三"}', "version"),
        ('{"id": "ner.x.a", "version": 1, "label": "PER", "pattern": [{"POS": "PROPN"}]}', "not available"),
        ('{"id": "ner.x.a", "version": 1, "label": "PER", "pattern": [{"TEXT": "张三", "OP": "+"}]}', "OP cannot"),
        ('{"id": "ner.x.a", "version": 1, "label": "PER", "pattern": "张三", "colour": 1}', "unknown key `colour`"),
        ('{"id": "ner.x.a", "version": 1, "label": "PER", "pattern": ""}', "empty pattern"),
        ('{"id": "ner.x.a", "version": 1, "label": "PER", "pattern": "张三", "after": "记者"}', "`after` must be a list"),
        ('{"id": "ner.x.a", "version": 1, "label": "LOC", "pattern": "马里", "whole_words": "yes"}', "`whole_words` must be true or false"),
    ],
)
def test_bad_rule_lines_are_reported_with_file_and_line(tmp_path, line, message):
    path = tmp_path / "g.jsonl"
    path.write_text('# a comment\n{"id": "ner.x.ok", "version": 1, "label": "LOC", "pattern": "青岛"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_name_rules([path])
    assert f"{path}:3" in str(err.value) and message in str(err.value)


def test_duplicate_ids_across_files_are_an_error(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    line = '{"id": "ner.x.a", "version": 1, "label": "LOC", "pattern": "青岛"}\n'
    a.write_text(line, encoding="utf-8")
    b.write_text(line, encoding="utf-8")
    with pytest.raises(RuleError, match="duplicate rule id 'ner.x.a' \\(first at a.jsonl:1\\)"):
        load_name_rules([a, b])


@pytest.mark.parametrize("old, new, field", [
    ("max_verbs = 1", 'max_verbs = "one"', "max_verbs"),
    ("bare_suffix = false", "bare_suffix = 0", "bare_suffix"),
    ('clause_pos = ["ns"', 'clause_pos = [1, "ns"', r"\[completion\]: `clause_pos`"),
    ('org_end_pos = ["v", "vn"]', 'org_end_pos = "v"', r"\[filter\]: `org_end_pos`"),
])
def test_completion_file_errors_name_the_field(tmp_path, old, new, field):
    path = tmp_path / "c.toml"
    text = (RULES / "ner" / "org_suffixes.toml").read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(RuleError, match=field):
        load_completion(path)


def test_char_features_mark_word_positions_and_words():
    tags, lemmas = char_features("青岛市 科技局", [(0, 3, "ns"), (4, 6, "n"), (6, 7, "n")])
    # 局 ends an organisation-like word: the characters up to it are marked |o; the space ends the clause.
    assert tags == ["B-ns", "M-ns", "E-ns", "S-x", "B-n|o", "E-n|o", "S-n|o"]
    assert lemmas == ["青岛市"] * 3 + [" ", "科技", "科技", "局"]


def test_halfwidth_keeps_length():
    text = "１９９８年　ＡＢＣ，"
    assert halfwidth(text) == "1998年 ABC," and len(halfwidth(text)) == len(text)


def test_make_doc_gives_the_model_characters_bigrams_and_word_features():
    import spacy

    doc = make_doc(spacy.blank("zh").vocab, "ＡＢ青岛", [(0, 2, "eng"), (2, 4, "ns")])
    assert [t.text for t in doc] == ["A", "B", "青", "岛"]  # full-width folded
    assert [t.norm_ for t in doc] == ["AB", "B青", "青岛", "岛"]
    assert [t.tag_ for t in doc] == ["B-eng", "E-eng", "B-ns", "E-ns"]
    assert [t.lemma_ for t in doc] == ["AB", "AB", "青岛", "青岛"]  # folded as in training
    # The rules' Docs: no |o marks, no bigrams.
    doc = make_doc(spacy.blank("zh").vocab, "科技局", [(0, 2, "n"), (2, 3, "n")], for_model=False)
    assert [t.tag_ for t in doc] == ["B-n", "E-n", "S-n"] and [t.norm_ for t in doc] == ["科", "技", "局"]


def test_a_first_token_of_several_values_becomes_one_pattern_per_value():
    rule = next(r for r in NAME_RULES if r.id == "ner.pattern.person_after_title")
    patterns = rule.spacy_patterns()
    assert [p["pattern"][0] for p in patterns] == [{"TAG": v} for v in rule.pattern[0]["TAG"]["IN"]]
    assert all(p["pattern"][1:] == rule.pattern[1:] and p["id"] == rule.id for p in patterns)
    phrase = next(r for r in NAME_RULES if r.pattern == "科技部")
    assert phrase.spacy_patterns() == [{"label": "ORG", "pattern": "科技部", "id": phrase.id}]


def test_a_first_token_of_many_values_stays_one_pattern_and_matches_the_same():
    import spacy
    from spacy.matcher import Matcher

    rule = next(r for r in NAME_RULES if r.id == "ner.pattern.abbrev_route")
    assert len(rule.pattern[0]["TEXT"]["IN"]) > EXPAND_FIRST
    (pattern,) = rule.spacy_patterns()
    assert pattern["pattern"][0] == rule.pattern[0]
    # The split form finds the same matches (it is only slower).
    nlp = spacy.blank("zh")
    tagged = [("在", "p"), ("京港澳", "j"), ("高速", "n"), ("受灾", "v"), ("，", "x"), ("沪昆", "j"), ("铁路", "n"),
              ("与", "c"), ("新", "a"), ("高速公路", "n")]
    words, at = [], 0
    for word, pos in tagged:
        words.append((at, at + len(word), pos))
        at += len(word)
    doc = make_doc(nlp.vocab, "".join(w for w, _ in tagged), words, for_model=False)
    one, split = Matcher(nlp.vocab), Matcher(nlp.vocab)
    one.add("x", [pattern["pattern"]])
    first, *rest = pattern["pattern"]
    split.add("x", [[{"TEXT": v}, *rest] for v in first["TEXT"]["IN"]])
    assert sorted(one(doc)) == sorted(split(doc)) and one(doc)


def _dotted(text, spans):
    out = join_dotted([Span(s, e, lab, "model", "ner.model", None, 0.8) for s, e, lab in spans], text, COMPLETION)
    return [(text[s.start:s.end], s.label, s.rule_id) for s in out]


def test_a_foreign_name_is_one_person_across_its_dots():
    dotted = COMPLETION.dotted_id
    assert dotted and "乔" in COMPLETION.dotted_chars and "的" not in COMPLETION.dotted_chars
    # A person ending at the dot grows over the name after it.
    text = "的导演罗伯·可汗公布了"
    assert _dotted(text, [(3, 6, "PER")]) == [("罗伯·可汗", "PER", dotted)]
    # Two persons joined by a dot are one, and a part before the dot is taken in.
    text = "迈克尔·乔丹和阿什丽•格林尼"
    assert _dotted(text, [(0, 3, "PER"), (4, 6, "PER"), (11, 14, "PER")]) == [
        ("迈克尔·乔丹", "PER", dotted), ("阿什丽•格林尼", "PER", dotted)]
    # A dot with nothing to take in is cut off; a whole name and other labels stay as they are.
    text = "《竞雄女侠·秋瑾》和科比．布莱恩特"
    assert _dotted(text, [(5, 8, "PER"), (10, 17, "PER")]) == [("秋瑾", "PER", dotted), ("科比．布莱恩特", "PER", "ner.model")]
    text = "监督·意大利生活"
    assert _dotted(text, [(3, 6, "LOC")]) == [("意大利", "LOC", "ner.model")]
    # One letter after the last dot: the name was cut short.
    text = "伊顿校长托尼·利图说"
    assert _dotted(text, [(4, 8, "PER")]) == [("托尼·利图", "PER", dotted)]
    # A name run together with its Latin original is two names.
    text = "编剧本·拉姆西Ben Ramsey接受"
    assert _dotted(text, [(2, 17, "PER")]) == [("本·拉姆西", "PER", dotted), ("Ben Ramsey", "PER", dotted)]


def test_a_first_tokens_sets_are_checked_after_the_match_where_an_exact_value_is_left():
    import spacy

    rule = next(r for r in NAME_RULES if r.id == "ner.pattern.team_place_then")
    first = rule.pattern[0]
    assert set(first) == {"TAG", "LEMMA"} and "NOT_IN" in first["LEMMA"]
    (pattern,) = rule.spacy_patterns()
    assert pattern["pattern"][0] == {"TAG": first["TAG"]}  # exact: compared in C at every character
    vocab = spacy.blank("zh").vocab
    # 上半场 is in the rule's NOT_IN list: a match starting on it is dropped after the fact.
    doc = make_doc(vocab, "上半场北京", [(0, 3, "ns"), (3, 5, "ns")], for_model=False)
    assert not rule.first_token_ok(doc[0]) and rule.first_token_ok(doc[3])
    # A first token that may be skipped (OP) or has no exact value keeps its sets in the pattern.
    st_stock = next(r for r in NAME_RULES if r.id == "ner.pattern.st_stock")
    assert st_stock.spacy_patterns()[0]["pattern"] == expand_chars(st_stock.pattern)
    route = next(r for r in NAME_RULES if r.id == "ner.pattern.abbrev_route")
    assert route.spacy_patterns()[0]["pattern"][0] == route.pattern[0]


def test_a_country_and_a_common_noun_is_the_country_not_an_organisation():
    countries = frozenset(r.pattern for r in NAME_RULES if r.id.startswith(COMPLETION.country_rules))
    assert "美国" in countries and "大学" in COMPLETION.country_generic
    text = "许多英国大学明年涨学费，美国银行和北京大学"
    got = drop_country_generic([_span(2, 6), _span(12, 16), _span(17, 21)], countries, text, COMPLETION)
    # 英国大学 -> 英国 (a place); 美国银行 is a bank (银行 is no common noun here); 北京 is no country.
    assert [(text[s.start:s.end], s.label) for s in got] == [("英国", "LOC"), ("美国银行", "ORG"), ("北京大学", "ORG")]


def _conf(span, confidence):
    return Span(span.start, span.end, span.label, span.source, span.rule_id, span.rule_version, confidence)


def test_a_sure_name_stands_at_its_other_mentions_and_a_guess_does_not(segment):
    text = "周冬雨出演新片。导演说，周冬雨很好，二手房和周冬雨。二手房价格涨了。"
    tokens = segment.words(text)
    found = [_conf(_span(0, 3, "PER"), 0.95), _conf(_span(18, 21, "LOC"), 0.95)]
    out = propagate(found, text, tokens, COMPLETION)
    got = [(text[s.start:s.end], s.start, s.rule_id) for s in out]
    assert ("周冬雨", 12, COMPLETION.propagate_id) in got and ("周冬雨", 22, COMPLETION.propagate_id) in got
    # 二手房 is one jieba noun: the model's misreading is not carried to 二手房价格 … nor elsewhere.
    assert [g for g in got if g[0] == "二手房"] == [("二手房", 18, "ner.model")]
    # A guess (low confidence) is not carried; nor a text found with two labels.
    assert propagate([_conf(found[0], 0.5)], text, tokens, COMPLETION) == [_conf(found[0], 0.5)]
    two = [found[0], _conf(_span(12, 15, "ORG"), 0.95)]
    assert propagate(two, text, tokens, COMPLETION) == two
    # Nor a title in 《》 named after the person (a film).
    film = "苏乞儿突遭陷害。新版的《苏乞儿》是一部武侠正剧"
    hero = [_conf(_span(0, 3, "PER"), 0.95)]
    assert propagate(hero, film, segment.words(film), COMPLETION) == hero
    # Nothing where a mask took the text (blocked) or a name covers it.
    out = propagate(found, text, tokens, COMPLETION, blocked=[(12, 15)])
    assert [s.start for s in out if text[s.start:s.end] == "周冬雨"] == [0, 22]
