"""scripts/ner_data.py: label mapping, de-duplication, the dev split, span checks, DocBin output.

Small in-test samples only: no ../shared, no trained model.
"""

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import load_script

# The training-data tooling (spaCy DocBins), not the pipeline: not in `make quick`.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]


def _load():
    return load_script("scripts/ner_data.py")


nd = _load()

CLUENER = {
    "id": "cluener_train:0",
    "text": "浙商银行企业信贷部叶老桂博士则从另一个角度对五道门槛进行了解读。",
    "entities": [
        {"start": 0, "end": 4, "label": "ORG", "fine_label": "company", "text": "浙商银行"},
        {"start": 9, "end": 12, "label": "PER", "fine_label": "name", "text": "叶老桂"},
        {"start": 12, "end": 14, "label": "POSITION", "fine_label": "position", "text": "博士"},
    ],
}
MSRA = {
    "id": "msra_train:2",
    "text": "因有关日寇在京掠夺文物详情，也是我们收藏北京史料中的要件之一。",
    "entities": [
        {"start": 3, "end": 4, "label": "LOC", "text": "日"},
        {"start": 6, "end": 7, "label": "LOC", "text": "京"},
        {"start": 20, "end": 22, "label": "LOC", "text": "北京"},
    ],
}


def test_cluener_fine_labels_map_to_three_labels():
    assert nd.map_label({"label": "ORG", "fine_label": "government"}) == "ORG"
    assert nd.map_label({"label": "LOC", "fine_label": "scene"}) == "LOC"
    assert nd.map_label({"label": "PER", "fine_label": "name"}) == "PER"
    for fine in ("position", "game", "book", "movie"):
        assert nd.map_label({"label": fine.upper(), "fine_label": fine}) is None
    # The mapping follows fine_label, not a coarse label that disagrees with it.
    assert nd.map_label({"label": "ORG", "fine_label": "movie"}) is None


def test_plain_labels_outside_per_loc_org_are_dropped():
    assert nd.map_label({"label": "LOC"}) == "LOC"
    assert nd.map_label({"label": "MISC"}) is None


def test_unmapped_cluener_spans_are_dropped_with_a_count():
    counts = Counter()
    spans = nd.convert_record(CLUENER, counts)
    assert spans == [(0, 4, "ORG"), (9, 12, "PER")]
    assert counts == Counter({"unmapped:position": 1})


def test_spans_keep_exact_character_offsets():
    spans = nd.convert_record(MSRA, Counter())
    assert [MSRA["text"][s:e] for s, e, _ in spans] == ["日", "京", "北京"]


@pytest.mark.parametrize(
    "entity",
    [
        {"start": 3, "end": 5, "label": "LOC", "text": "日"},  # text does not match the offsets
        {"start": 30, "end": 99, "label": "LOC"},  # past the end
        {"start": 4, "end": 4, "label": "LOC"},  # empty
        {"start": 5, "end": 3, "label": "LOC"},  # reversed
        {"start": "3", "end": 4, "label": "LOC"},  # not an integer
    ],
)
def test_misaligned_spans_are_skipped_and_counted(entity):
    counts = Counter()
    record = {"text": "因有关日寇在京掠夺文物详情", "entities": [entity, {"start": 6, "end": 7, "label": "LOC", "text": "京"}]}
    assert nd.convert_record(record, counts) == [(6, 7, "LOC")]
    assert counts == Counter({"misaligned": 1})


def test_overlapping_spans_keep_the_longest_and_count_the_rest():
    counts = Counter()
    record = {
        "text": "中国科学院生物物理研究所",
        "entities": [
            {"start": 0, "end": 2, "label": "LOC"},
            {"start": 0, "end": 12, "label": "ORG"},
            {"start": 5, "end": 9, "label": "ORG"},
        ],
    }
    assert nd.convert_record(record, counts) == [(0, 12, "ORG")]
    assert counts == Counter({"overlap": 2})


def test_split_is_deterministic_and_ignores_width_and_punctuation():
    text = "１２月３１日，江泽民发表１９９８年新年讲话。"
    assert nd.split_of(text) == nd.split_of(text)
    assert nd.bucket_of(text) == nd.bucket_of("12月31日江泽民发表1998年新年讲话")
    assert 0 <= nd.bucket_of(text) < 1000


def test_dev_split_is_about_five_percent():
    texts = [f"第{i}号句子：北京市{i * 7}区" for i in range(4000)]
    dev = sum(nd.split_of(t) == "dev" for t in texts)
    assert 0.03 * len(texts) < dev < 0.07 * len(texts)
    assert all(nd.split_of(t, dev_per_mille=0) == "train" for t in texts[:50])


def test_combine_deduplicates_in_source_order_and_counts():
    pd_copy = dict(MSRA, id="pku:1", text=MSRA["text"].replace("，", ","))  # same sentence, other comma
    examples, drops = nd.combine([("msra", [MSRA]), ("pd1998", [pd_copy, {"text": "　"}]), ("cluener", [CLUENER])])
    assert [e["source"] for e in examples] == ["msra", "cluener"]
    assert drops["pd1998"] == Counter({"duplicate": 1, "empty": 1})
    assert drops["cluener"] == Counter({"unmapped:position": 1})
    assert {e["split"] for e in examples} <= {"train", "dev"}


def test_sample_takes_lowest_hashes_independent_of_order():
    examples, _ = nd.combine([("msra", [{"text": f"句子{i}", "entities": []} for i in range(200)])])
    picked = {e["text"] for e in nd.sample(examples, 20)}
    assert len(picked) == 20
    assert picked == {e["text"] for e in nd.sample(list(reversed(examples)), 20)}
    assert nd.sample(examples, None) == examples


entity_strategy = st.fixed_dictionaries(
    {"start": st.integers(-3, 30), "end": st.integers(-3, 30), "label": st.sampled_from(["PER", "LOC", "ORG", "X"])},
    optional={"fine_label": st.sampled_from(["name", "game", "address"]), "text": st.text(max_size=3)},
)


@given(st.text(max_size=25), st.lists(entity_strategy, max_size=6))
def test_convert_record_never_raises_and_returns_disjoint_spans_in_range(text, entities):
    counts = Counter()
    spans = nd.convert_record({"text": text, "entities": entities}, counts)
    assert len(spans) + sum(counts.values()) == len(entities)  # every entity kept or counted
    for (s1, e1, _), (s2, _, _) in zip(spans, spans[1:]):
        assert e1 <= s2
    assert all(0 <= s < e <= len(text) for s, e, _ in spans)


@pytest.fixture(scope="module")
def segmenter():
    from pipeline.stages.segment.stage import SegmentStage

    return SegmentStage({}, ROOT / "rules")


def test_docs_have_one_token_per_character_word_features_and_exact_entities(segmenter):
    example = {"source": "cluener", "text": CLUENER["text"], "spans": nd.convert_record(CLUENER, Counter())}
    doc, cut, _ = nd.to_doc(nd.make_vocab(), segmenter, example)
    assert [t.text for t in doc] == list(CLUENER["text"])
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [(0, 4, "ORG"), (9, 12, "PER")]
    words = segmenter.words(CLUENER["text"])
    assert doc[0].lemma_ == words[0].word and doc[0].tag_.startswith(f"B-{words[0].pos}")
    assert all(t.tag_[:2] in ("B-", "M-", "E-", "S-") for t in doc)
    assert cut == 0


def test_entities_cut_by_a_jieba_word_are_counted_and_kept(segmenter):
    # jieba keeps 访华 as one word; MSRA marks 华 (China) as a place.
    text = "访华期间"
    assert [w.word for w in segmenter.words(text)][0] == "访华"
    doc, cut, _ = nd.to_doc(nd.make_vocab(), segmenter, {"source": "msra", "text": text, "spans": [(1, 2, "LOC")]})
    assert [(e.text, e.label_) for e in doc.ents] == [("华", "LOC")]
    assert cut == 1


def test_single_character_places_and_organisations_are_not_names():
    counts = Counter()
    spans = [(0, 1, "LOC"), (1, 2, "ORG"), (2, 3, "PER"), (5, 7, "LOC")]  # 中 美 韩 … 青岛
    assert nd.harmonise(spans, counts) == [(2, 3, "PER"), (5, 7, "LOC")]
    assert counts == {"single_char:LOC": 1, "single_char:ORG": 1}


def test_unlabelled_places_of_a_partial_source_are_left_unannotated(segmenter):
    # CLUENER leaves 中国 unlabelled here; MSRA's plain text is plain text.
    text = "浙商银行在中国开展业务"
    spans = [(0, 4, "ORG")]
    doc, _, missing = nd.to_doc(nd.make_vocab(), segmenter, {"source": "cluener", "text": text, "spans": spans})
    assert missing == 1
    assert [(t.text, t.ent_iob_) for t in doc][4:8] == [("在", "O"), ("中", ""), ("国", ""), ("开", "O")]
    assert [(e.text, e.label_) for e in doc.ents] == [("浙商银行", "ORG")]
    doc, _, missing = nd.to_doc(nd.make_vocab(), segmenter, {"source": "msra", "text": text, "spans": spans})
    assert missing == 0 and all(t.ent_iob_ for t in doc)


def test_write_round_trips_through_docbin(tmp_path):
    import spacy
    from spacy.tokens import DocBin

    examples, drops = nd.combine([("msra", [MSRA]), ("cluener", [CLUENER])], dev_per_mille=1000)
    summary = nd.write(examples, drops, tmp_path)
    nlp = spacy.blank("zh")
    docs = list(DocBin().from_disk(tmp_path / "dev.spacy").get_docs(nlp.vocab))
    # The dev split proper holds the fully annotated sources; CLUENER's dev part has its own file.
    assert [d.text for d in docs] == [nd.halfwidth(MSRA["text"])]
    # Single-character places (日, 京) are harmonised away; 北京 stays.
    assert [(e.start_char, e.end_char, e.label_) for e in docs[0].ents] == [(20, 22, "LOC")]
    assert all(t.tag_ and t.lemma_ for t in docs[0])  # the word features survive the round trip
    cluener = list(DocBin().from_disk(tmp_path / "dev_cluener.spacy").get_docs(nlp.vocab))
    assert [d.text for d in cluener] == [nd.halfwidth(CLUENER["text"])]
    assert not (tmp_path / "train.spacy").exists()
    on_disk = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert on_disk == json.loads(json.dumps(summary))
    assert on_disk["entities"]["dev/cluener"] == {"ORG": 1, "PER": 1}
    assert on_disk["dropped"]["cluener"] == {"unmapped:position": 1}
    assert on_disk["dropped"]["msra"] == {"single_char:LOC": 2}
    assert on_disk["files"] == {"dev": 1, "dev_cluener": 1, "dev_msra": 1}
    assert set(on_disk["jieba_cut"]) == {"msra", "cluener"}


def test_full_width_text_is_made_half_width_with_spans_unchanged():
    record = {"text": "１９９８年李鹏在北京", "entities": [{"start": 5, "end": 7, "label": "PER", "text": "李鹏"}]}
    examples, _ = nd.combine([("pd1998", [record])])
    assert examples[0]["text"] == "1998年李鹏在北京" and examples[0]["spans"] == [(5, 7, "PER")]


def _ner_corpus():
    """scripts/ner_corpus.py as `spacy train --code` loads it (registering its reader and component)."""
    return load_script("scripts/ner_corpus.py")


def _read_with_config(path: Path, config_path: Path):
    """The train corpus as `spacy train` reads it with the config at config_path."""
    import spacy
    from spacy.util import load_config

    _ner_corpus()
    config = load_config(config_path, overrides={"paths.train": str(path), "paths.dev": str(path)}, interpolate=True)
    reader = spacy.registry.resolve({"train": config["corpora"]["train"]})["train"]
    return list(reader(spacy.blank("zh")))


def test_training_examples_carry_the_word_features_the_model_reads_at_run_time(tmp_path):
    # spaCy's own reader would rebuild bare characters: the model would never learn TAG and LEMMA.
    import spacy
    from spacy.tokens import DocBin

    nd.write(*nd.combine([("msra", [MSRA])], dev_per_mille=1000), tmp_path)
    [stored] = DocBin().from_disk(tmp_path / "dev.spacy").get_docs(spacy.blank("zh").vocab)
    [eg] = _read_with_config(tmp_path / "dev.spacy", ROOT / "scripts" / "ner_config.cfg")
    predicted, reference = eg.predicted, eg.reference
    assert [t.text for t in predicted] == [t.text for t in reference] == [t.text for t in stored]
    assert [(t.tag_, t.lemma_) for t in predicted] == [(t.tag_, t.lemma_) for t in stored]
    assert all(t.tag_ for t in predicted) and predicted[20].lemma_ == "北京"
    # NORM is the character's bigram, as pipeline.stages.ner.features.make_doc sets it.
    assert [t.norm_ for t in predicted][19:22] == ["藏北", "北京", "京史"] and predicted[-1].norm_ == "。"
    assert not predicted.ents
    # What the tagger learns: the entities as BILUO tags.
    assert [t.tag_ for t in reference][19:23] == ["O", "B-LOC", "L-LOC", "O"]
    assert [e.text for e in reference.ents] == ["北京"]


def test_characters_without_annotation_get_no_tag_to_learn(tmp_path, segmenter):
    import spacy

    corpus = _ner_corpus()
    text = "浙商银行在中国开展业务"
    doc, _, _ = nd.to_doc(spacy.blank("zh").vocab, segmenter, {"source": "cluener", "text": text, "spans": [(0, 4, "ORG")]})
    tags = [t.tag_ for t in corpus.with_biluo(doc.vocab, doc)]
    assert tags[:8] == ["B-ORG", "I-ORG", "I-ORG", "L-ORG", "O", "", "", "O"]


def test_the_shipped_model_was_trained_on_the_word_features():
    from spacy.util import load_config

    config = load_config(ROOT / "pipeline" / "stages" / "ner" / "models" / "ner_zh" / "config.cfg")
    assert config["corpora"]["train"]["@readers"] == "ner_zh.FeatureCorpus.v1"
    assert config["nlp"]["pipeline"] == ["tagger"]
    # Its checkpoint was picked on decoded sequences, as the stage decodes them.
    assert config["components"]["tagger"]["factory"] == "ner_zh_biluo_tagger"
    # DEP carries the gazetteer lexicon feature, read from lexicon.tsv beside the model when it ships one.
    lexicon = (ROOT / "pipeline" / "stages" / "ner" / "models" / "ner_zh" / "lexicon.tsv").is_file()
    attrs = ["ORTH", "NORM", "TAG", "LEMMA", *(["DEP"] if lexicon else [])]
    assert config["components"]["tagger"]["model"]["tok2vec"]["embed"]["attrs"] == attrs


def test_the_training_component_predicts_the_sequences_the_stage_decodes():
    # Checkpoints are scored on BiluoTagger's tags: they must be the stage's best valid paths.
    import numpy
    import spacy

    from pipeline.stages.ner.biluo import best_paths
    from pipeline.stages.ner.tagger import softmax

    corpus = _ner_corpus()
    tagger = spacy.load(ROOT / "pipeline" / "stages" / "ner" / "models" / "ner_zh").get_pipe("tagger")
    assert isinstance(tagger, corpus.BiluoTagger)
    labels = list(tagger.labels)
    # Each character's best tag reads I-ORG L-ORG O: invalid (no begin); B-ORG is a close second.
    scores = numpy.full((3, len(labels)), 0.01)
    for i, (best, second) in enumerate([("I-ORG", "B-ORG"), ("L-ORG", "O"), ("O", "U-PER")]):
        scores[i, labels.index(best)], scores[i, labels.index(second)] = 0.5, 0.4
    [guess] = tagger._scores2guesses([scores])
    assert [labels[k] for k in guess] == best_paths([softmax(scores)], labels)[0] == ["B-ORG", "L-ORG", "O"]


def _msra(text, spans):
    return {"source": "msra", "text": text, "spans": spans, "split": "train"}


def test_msra_conventions_are_the_analyses_msra_training_sentences_agree_on():
    examples = [_msra(f"{i}日欧盟和中国政府宣布", [(len(str(i)) + 1, len(str(i)) + 3, "ORG"), (len(str(i)) + 4, len(str(i)) + 6, "LOC")]) for i in range(4)]
    examples += [_msra("现代化的现代汽车", [(4, 6, "ORG")]), _msra("现代企业", []), _msra("走向现代", [])]
    examples += [{**_msra("欧盟", []), "split": "dev"}] * 9  # the dev split decides nothing
    examples += [{"source": "pd1998", "text": "中国政府", "spans": [(0, 4, "ORG")], "split": "train"}]
    conventions = nd.msra_conventions(examples)
    assert conventions["欧盟"] == ((0, 2, "ORG"),)
    assert conventions["中国政府"] == ((0, 2, "LOC"),)  # a PD1998 name, as MSRA analyses it
    assert "现代" not in conventions  # 1 name in 4 occurrences: not consistent either way
    examples.pop(0)
    assert "欧盟" not in nd.msra_conventions(examples)  # three occurrences are too few


def test_other_sources_follow_msra_where_it_is_consistent(segmenter):
    conventions = {"中国政府": ((0, 2, "LOC"),), "欧盟": ((0, 2, "ORG"),), "里根": ((0, 2, "PER"),),
                   "邓小平": ((0, 3, "PER"),), "世界银行": ((0, 4, "ORG"),), "现代": (), "贝宁": ((0, 2, "LOC"),)}
    whole = nd.whole_names(conventions)
    counts = Counter()

    def follow(text, spans):
        example = {"source": "pd1998", "text": text, "spans": spans}
        nd.follow_msra(example, conventions, whole, segmenter.words, counts)
        return [(example["text"][s:e], label) for s, e, label in example["spans"]]

    assert follow("中国政府和欧盟发表声明", [(0, 4, "ORG")]) == [("中国", "LOC"), ("欧盟", "ORG")]
    assert follow("学习邓小平理论", []) == [("邓小平", "PER")]  # MSRA: 281 of 287
    assert follow("这里根本没有人", []) == []  # 里根 would cut 这里
    assert follow("世界银行业的发展", []) == []  # 世界 / 银行业
    assert follow("现代汽车公司", [(0, 2, "ORG")]) == [("现代", "ORG")]  # a word MSRA rarely names
    assert follow("欧盟委员会", [(0, 5, "ORG")]) == [("欧盟委员会", "ORG")]  # inside a name: left alone
    # A government is the place it governs, when that is a place.
    assert follow("贝宁政府和北京市人民政府", [(0, 4, "ORG"), (5, 12, "ORG")]) == [("贝宁", "LOC"), ("北京市", "LOC")]
    assert follow("利库德联合政府", [(0, 7, "ORG")]) == []
    assert counts == {"msra:rewritten": 1, "msra:added": 2, "msra:cuts_a_word": 2, "msra:government": 3}


def test_combine_applies_msra_conventions_to_the_other_sources_only():
    msra = [{"text": f"第{i}次欧盟会议在此召开", "entities": [{"start": 2 + len(str(i)), "end": 4 + len(str(i)), "label": "ORG"}]} for i in range(6)]
    msra.append({"text": "欧盟", "entities": []})  # MSRA's own exceptions stay as they are
    pd = [{"text": "欧盟宣布", "entities": []}]
    examples, drops = nd.combine([("msra", msra), ("pd1998", pd)])
    assert sum(e["split"] == "train" for e in examples if e["source"] == "msra") >= nd.MSRA_MIN_COUNT + 1
    assert [e for e in examples if e["text"] == "欧盟"][0]["spans"] == []
    assert [e for e in examples if e["text"] == "欧盟宣布"][0]["spans"] == [(0, 2, "ORG")]
    assert drops["pd1998"]["msra:added"] == 1


NEWS_RECORDS = [
    {"id": "news:a", "split": "train", "reviewed": True, "text": "中美两国在北京会谈。华为公司发布新品。",
     "entities": [{"start": 0, "end": 1, "label": "LOC", "text": "中"}, {"start": 1, "end": 2, "label": "LOC", "text": "美"},
                  {"start": 5, "end": 7, "label": "LOC", "text": "北京"}, {"start": 10, "end": 14, "label": "ORG", "text": "华为公司"}]},
    {"id": "news:dev", "split": "dev", "reviewed": True, "text": "李明在上海。", "entities": [
        {"start": 0, "end": 2, "label": "PER", "text": "李明"}]},
    {"id": "news:b", "split": "train", "reviewed": True, "text": "李明在上海。王芳去了广州。", "entities": [
        {"start": 0, "end": 2, "label": "PER", "text": "李明"}, {"start": 6, "end": 8, "label": "PER", "text": "王芳"}]},
    {"id": "news:unreviewed", "split": "train", "reviewed": False, "text": "张三在深圳。", "entities": []},
]


def _news_file(tmp_path, records):
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _sentences(text):
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch == "。":
            out.append((start, i + 1))
            start = i + 1
    return out


CALIB_RECORD = {"id": "news:calib", "split": "calib", "reviewed": True, "text": "赵六在杭州。王芳去了广州。", "entities": [
    {"start": 0, "end": 2, "label": "PER", "text": "赵六"}, {"start": 3, "end": 5, "label": "LOC", "text": "杭州"}]}


def test_news_articles_are_read_by_their_split_field_alone(tmp_path):
    path = _news_file(tmp_path, NEWS_RECORDS + [CALIB_RECORD])
    assert [r["id"] for r in nd.news_articles(path, "train")] == ["news:a", "news:b"]  # not the unreviewed one
    assert [r["id"] for r in nd.news_articles(path, "calib")] == ["news:calib"]
    assert [r["id"] for r in nd.news_articles(path, "dev")] == ["news:dev"]
    with pytest.raises(ValueError):
        list(nd.news_articles(path, "test"))


def test_calib_articles_are_never_training_examples(tmp_path):
    counts = Counter()
    examples = nd.news_examples(_news_file(tmp_path, NEWS_RECORDS + [CALIB_RECORD]), _sentences, set(), counts)
    assert not any(e["id"].startswith("news:calib") for e in examples)
    # 王芳去了广州。 is in a train article and in the calib article: the calib copy keeps it out of training.
    assert [e["text"] for e in examples] == ["中美两国在北京会谈。", "华为公司发布新品。"]
    assert counts["in_news_calib"] == 1 and counts["in_news_dev"] == 1 and counts["articles"] == 2


def test_news_train_sentences_leave_single_characters_unannotated_and_drop_dev_sentences(tmp_path):
    counts = Counter()
    examples = nd.news_examples(_news_file(tmp_path, NEWS_RECORDS), _sentences, set(), counts)
    got = [(e["text"], [(e["text"][a:b], lab) for a, b, lab in e["spans"]], e["missing"]) for e in examples]
    assert got == [
        ("中美两国在北京会谈。", [("北京", "LOC")], [(0, 1), (1, 2)]),
        ("华为公司发布新品。", [("华为公司", "ORG")], []),
        # 李明在上海。 is also a news_dev sentence: not trained on.
        ("王芳去了广州。", [("王芳", "PER")], []),
    ]
    assert all(e["split"] == "train" and e["source"] == "news" for e in examples)
    assert counts["in_news_dev"] == 1 and counts["single_char_missing:LOC"] == 2 and counts["articles"] == 2


def test_news_sentences_are_repeated_in_the_training_file(tmp_path):
    from spacy.tokens import DocBin

    examples = nd.news_examples(_news_file(tmp_path, NEWS_RECORDS), _sentences, set(), Counter())
    summary = nd.write(examples, {}, tmp_path / "out", news_repeat=3)
    assert summary["files"]["train"] == 3 * len(examples) and summary["news_repeat"] == 3
    docs = list(DocBin().from_disk(tmp_path / "out" / "train.spacy").get_docs(nd.make_vocab()))
    first = next(d for d in docs if d.text.startswith("中美"))
    # 中 and 美 carry no annotation (missing), 两 is outside, 北京 a place.
    assert [t.ent_iob_ for t in first][:4] == ["", "", "O", "O"] and [e.text for e in first.ents] == ["北京"]


def test_lexicon_entries_take_names_short_forms_and_aliases_but_not_township_short_forms(tmp_path):
    rows = {
        "companies.jsonl": [{"name": "中国石油化工股份有限公司", "short": "中国石化", "aliases": ["石化"]}],
        "soes.jsonl": [{"name": "中国石油化工集团有限公司", "aliases": ["中石化", "Ｓ"]}],
        "government.jsonl": [], "media.jsonl": [{"name": "CMG", "aliases": ["总台"]}], "universities.jsonl": [],
        "admin_divisions.jsonl": [{"name": "青岛市", "short": "青岛", "level": "prefecture", "aliases": []},
                                  {"name": "城关镇", "short": "城关", "level": "township"},
                                  {"name": "山东省", "short": "山东", "level": "province", "aliases": ["鲁"]}],
        "countries.jsonl": [{"name": "阿拉伯联合酋长国", "aliases": ["阿联酋"], "kind": "country"}],
    }
    for name, records in rows.items():
        (tmp_path / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    entries = {(n, label) for n, label, _ in nd.lexicon_entries(tmp_path)}
    assert entries == {
        ("中国石油化工股份有限公司", "ORG"), ("中国石化", "ORG"), ("石化", "ORG"), ("中国石油化工集团有限公司", "ORG"),
        ("中石化", "ORG"), ("总台", "ORG"), ("青岛市", "LOC"), ("青岛", "LOC"), ("城关镇", "LOC"), ("山东省", "LOC"),
        ("山东", "LOC"), ("阿拉伯联合酋长国", "LOC"), ("阿联酋", "LOC"),
    }  # no CMG (no Han), no 鲁 or Ｓ (one character), no 城关 (a township's short form)
    assert nd.write_lexicon(tmp_path / "out" / "lexicon.tsv", tmp_path) == len(entries)
