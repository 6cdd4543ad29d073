"""The ner stage on long documents: bounded pieces and windows, the same names as reading it whole.

The merge steps index what they once rescanned per name (quadratic on a long document); the
reference versions below are those scans, kept as the oracle the indexed ones must agree with.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.core.document import Document, Token
from pipeline.stages.ner import stage as ner_stage
from pipeline.stages.ner.features import make_doc
from pipeline.stages.ner.merge import (
    Span, _cut_verb_ended, _overlaps, _suffix_end, complete, complete_left, drop_broken, join_dotted, merge,
)
from pipeline.stages.ner.rulefile import NameRule
from pipeline.stages.ner.rulefile import load_completion
from pipeline.stages.ner.stage import NerStage
from pipeline.stages.segment.stage import SegmentStage

from conftest import RULES, examples

COMPLETION, _ = load_completion(RULES / "ner" / "org_suffixes.toml")


# --- the scans the indexed merge steps replaced -------------------------------------------------

def reference_drop_broken(model, text, tokens, c):
    bad = [(t.start, t.end) for t in tokens if t.pos in c.filter_pos]
    starts = [t.start for t in tokens]
    out = []
    for m in model:
        name = text[m.start : m.end]
        if any(m.start <= a and b <= m.end for a, b in bad) or not c.filter_chars.isdisjoint(name):
            continue
        if any(name.count(o) != name.count(e) for o, e in c.brackets):
            continue
        if m.label == "ORG":
            inside = tokens[bisect.bisect_left(starts, m.start) : bisect.bisect_left(starts, m.end)]
            m = _cut_verb_ended(m, text, inside, c)
        if m is not None:
            out.append(m)
    return out


def reference_merge(model, rules):
    labels = {(s.start, s.end): s.label for s in model}
    rules = [r for r in rules if labels.get((r.start, r.end), r.label) == r.label]
    chosen = []
    for span in sorted([*rules, *model], key=lambda s: (s.start - s.end, s.source != "rule", s.start)):
        if not any(_overlaps(span, c) for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def reference_complete(spans, text, tokens, completion):
    starts = [t.start for t in tokens]
    ordered = sorted(spans, key=lambda s: s.start)
    out = []
    for k, span in enumerate(ordered):
        if out and span.start < out[-1].end:
            continue
        if span.label in ("ORG", "LOC"):
            limit = next((s.start for s in ordered[k + 1 :] if s.label != "LOC"), len(text))
            end = _suffix_end(span, text, tokens, starts, completion, limit)
            if end is not None:
                span = replace(span, end=end, label="ORG", rule_id=completion.id, rule_version=completion.version,
                               confidence=min(span.confidence, completion.confidence))
        out.append(span)
    return out


def reference_complete_left(spans, text, tokens, c):
    out = list(spans)
    covered = [(s.start, s.end) for s in spans]
    place_ends = {s.end: s for s in spans if s.label == "LOC"}

    def free(start, end):
        return not any(a < end and start < b for a, b in covered)

    for k, tok in enumerate(tokens):
        suffix = next((x for x in c.left_suffixes if tok.word.endswith(x)), None)
        if suffix is None:
            continue
        short = next((s for s in out if s.source == "model" and s.label == "ORG" and s.end == tok.end
                      and not any(t.start == s.start and t.pos.startswith("ns") for t in tokens[:k])), None)
        if short is None and not free(tok.start, tok.end):
            continue
        start, clean = (short.start if short else tok.start), True
        for prev in reversed(tokens[:k]):
            if prev.start >= start:
                continue
            if prev.end != start:
                break
            if start in place_ends:
                start = place_ends[start].start
                break
            if prev.pos in c.left_boundary_pos and free(prev.start, prev.end):
                break
            if prev.pos not in c.left_allowed_pos or not free(prev.start, prev.end) or tok.end - prev.start > c.max_extension:
                clean = False
                break
            start = prev.start
        if not clean or tok.end - start - len(suffix) < c.left_min_chars or (short and start == short.start):
            continue
        out = [s for s in out if not (start <= s.start and s.end <= tok.end)]
        out.append(Span(start, tok.end, "ORG", "rule", c.left_id, c.left_version, c.left_confidence))
        covered.append((start, tok.end))
    return sorted(out, key=lambda s: s.start)


# Words that exercise the steps: places, suffixes, verbs, particles, brackets, gaps.
WORDS = [("青岛", "ns"), ("北京市", "ns"), ("言鼎", "nz"), ("生物", "n"), ("科技", "n"), ("有限公司", "n"),
         ("公司", "n"), ("集团", "n"), ("研究所", "n"), ("的", "uj"), ("签署", "v"), ("设立", "v"),
         ("（", "x"), ("）", "x"), ("。", "x"), ("张", "nr"), ("中", "j"), ("电", "n"), ("科思", "nz"),
         ("银行", "n"), ("大学", "n"), (" ", None)]


@st.composite
def documents(draw):
    picks = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=40))
    text, tokens = "", []
    for word, pos in picks:
        if pos is not None:
            tokens.append(Token(len(text), len(text) + len(word), word, pos))
        text += word
    bounds = sorted({0, len(text), *(t.start for t in tokens)})

    def spans(source):
        out = []
        for _ in range(draw(st.integers(0, 8))):
            a, b = sorted(draw(st.lists(st.sampled_from(bounds), min_size=2, max_size=2, unique=True))
                          if len(bounds) > 1 else [0, 0])
            if a < b:
                label = draw(st.sampled_from(["ORG", "LOC", "PER"]))
                out.append(Span(a, b, label, source, "r", 1, 0.9))
        return out

    return text, tokens, spans("model"), spans("rule")


@settings(max_examples=examples(300), deadline=None)
@given(documents())
def test_indexed_merge_steps_agree_with_the_scans(case):
    text, tokens, model, rules = case
    assert drop_broken(model, text, tokens, COMPLETION) == reference_drop_broken(model, text, tokens, COMPLETION)
    kept = reference_drop_broken(model, text, tokens, COMPLETION)
    assert merge(kept, rules) == reference_merge(kept, rules)
    merged = reference_merge(kept, rules)
    assert complete(merged, text, tokens, COMPLETION) == reference_complete(merged, text, tokens, COMPLETION)
    done = reference_complete(merged, text, tokens, COMPLETION)
    assert complete_left(done, text, tokens, COMPLETION) == reference_complete_left(done, text, tokens, COMPLETION)
    # And on the raw spans too (overlapping model spans reach complete_left in no other way).
    assert complete_left(model + rules, text, tokens, COMPLETION) == reference_complete_left(model + rules, text, tokens, COMPLETION)


# --- pieces and windows -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def stages():
    return SegmentStage({}, RULES), NerStage({}, RULES)


def segmented(stages, text):
    return stages[0](Document(doc_id="d", source="d", original=text, text=text))


def test_a_long_sentence_is_read_in_bounded_pieces_at_word_boundaries(stages, monkeypatch):
    monkeypatch.setattr(ner_stage, "MAX_PIECE", 50)
    text = "，".join(["青岛言鼎生物医疗科技有限公司与北京大学签署合作协议"] * 20) + "。" + "7" * 130 + "。短句。"
    doc = segmented(stages, text)
    pieces = list(stages[1].pieces(doc))
    assert all(0 < end - start <= 50 for start, end, _ in pieces)
    # In order, not overlapping, covering every sentence.
    covered = [(start, end) for start, end, _ in pieces]
    for a, b in zip(covered, covered[1:]):
        assert a[1] <= b[0]
    assert sum(e - s for s, e in covered) == sum(s.end - s.start for s in doc.sentences)
    # Cut between words, except inside the 130-digit word, which is cut in three.
    bounds = {t.start for t in doc.tokens} | {t.end for t in doc.tokens}
    digits = text.index("7")
    inner = [s for s, _ in covered if s not in bounds]
    assert inner == [digits + 50, digits + 100]
    for start, end, words in pieces:
        assert all(start <= a < b <= end for a, b, _ in words)


def test_rules_read_in_windows_find_what_the_whole_text_gives(stages, monkeypatch):
    text = "新华社记者张三报道，工业和信息化部与国务院在北京召开会议。\n" * 30 + "中国科学院生物物理研究所发布报告。"
    doc = segmented(stages, text)
    ner = stages[1]
    words = [(t.start, t.end, t.pos) for t in doc.tokens]
    whole = [list(m) for m in ner.ruler.find(doc.text, words)]
    assert whole
    rules = ner.parts()[1]
    assert rules.run(doc) == whole  # one window: the document is short
    monkeypatch.setattr(ner_stage, "RULE_CHARS", 40)
    assert rules.run(doc) == whole  # a window a sentence or two


def test_model_docs_hash_features_without_keeping_their_strings(stages):
    tagger = stages[1].model.nlp().get_pipe("tagger")
    vocab = tagger.vocab
    text, words = "一二三四五六七八九零" * 3 + "某新词", [(0, 30, "m"), (30, 33, "nz")]
    before = len(vocab.strings)
    lean = make_doc(vocab, text, words, strings=False)
    assert len(vocab.strings) == before
    full = make_doc(vocab, text, words)
    assert len(vocab.strings) > before
    from spacy.attrs import LEMMA, NORM, TAG
    assert (lean.to_array([TAG, LEMMA, NORM]) == full.to_array([TAG, LEMMA, NORM])).all()


# --- whole-document steps: linear in the document ---------------------------------------------------

@st.composite
def dotted_texts(draw):
    """Texts of dots, transliteration letters and others, with non-overlapping spans (mostly persons)."""
    alphabet = ["·", "•", "托", "尼", "利", "图", "乔", "丹", "说", "。", "的", "B", "e", "n"]
    text = "".join(draw(st.lists(st.sampled_from(alphabet), min_size=1, max_size=30)))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=10))))
    spans = [Span(a, b, draw(st.sampled_from(["PER", "PER", "LOC"])), "model", "ner.model", None, 0.8)
             for a, b in zip(cuts[::2], cuts[1::2]) if a < b]
    return text, spans


@settings(max_examples=examples(300), deadline=None)
@given(dotted_texts())
def test_joining_dotted_names_ends_and_gives_names_without_edge_dots(case):
    # The step once looped for ever on a part cut short that grew back to where it was (托尼·利 + 。),
    # which is what kept `eval/ner.py --check` running: every shape of dots and letters must end.
    text, spans = case
    out = join_dotted(spans, text, COMPLETION)
    assert all(0 <= s.start < s.end <= len(text) for s in out)
    assert all(a.end <= b.start for a, b in zip(out, out[1:]))
    dots = COMPLETION.dotted_dots
    assert all(text[s.start] not in dots and text[s.end - 1] not in dots for s in out if s.rule_id != "ner.model")
    assert len(out) <= 2 * len(spans)


def test_a_part_cut_short_at_the_end_of_a_sentence_stays_as_it_is(stages):
    text = "校长托尼·利。"
    out = join_dotted([Span(2, 6, "PER", "model", "ner.model", None, 0.8)], text, COMPLETION)
    assert [(text[s.start:s.end], s.label) for s in out] == [("托尼·利", "PER")]
    # Nor over a function word (可是, a conjunction): 裘德•洛 is the whole name there.
    text = "与裘德•洛可是金童玉女"
    doc = segmented(stages, text)
    spans = [Span(1, 5, "PER", "model", "ner.model", None, 0.8)]
    assert [text[s.start:s.end] for s in join_dotted(spans, text, COMPLETION, doc.tokens)] == ["裘德•洛"]
    assert [text[s.start:s.end] for s in join_dotted(spans, text, COMPLETION)] == ["裘德•洛可"]  # without words


def test_weak_names_are_read_once_per_mention_however_long_the_document(stages, monkeypatch):
    """A document of N repeated sentences: context reads (`has_context`) and the names found grow
    linearly with N (the list reading and the propagation index the mentions, no pair scan)."""
    calls = {"n": 0}
    has_context = NameRule.has_context

    def counted(self, *args, **kwargs):
        calls["n"] += 1
        return has_context(self, *args, **kwargs)

    monkeypatch.setattr(NameRule, "has_context", counted)
    rules = stages[1].parts()[1]
    first = "北新建材发布公告称利润增长。"
    again = "北新建材与远洋中广、中天科技和云南城投结为合作伙伴。"
    counts, names = [], []
    for n in (10, 40):
        doc = segmented(stages, first + again * n)
        calls["n"] = 0
        found = rules.run(doc)
        counts.append(calls["n"])
        names.append(sum(1 for m in found if doc.text[m[0]:m[1]] == "北新建材"))
    assert names == [11, 41]  # the first mention's context lets every later one stand
    # Linear: 4x the sentences, at most 4x the context reads (plus the first sentence's).
    assert 0 < counts[0] and counts[1] <= 4 * counts[0] + 4, counts
