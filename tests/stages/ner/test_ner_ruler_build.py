"""The span ruler's phrases added as character hashes (ruler.add_patterns) make the matcher spaCy's
own add_patterns makes through the tokenizer, and find the same names in real text."""

from __future__ import annotations

import pytest

from conftest import RULES, SEEDS
from pipeline.stages.ner.rulefile import load_name_rules
from pipeline.stages.ner.ruler import NameRuler
from pipeline.stages.registry import configured_stage


class TokenizedRuler(NameRuler):
    """The ruler as it was built before: every pattern through SpanRuler.add_patterns."""

    def nlp(self):
        if self._nlp is None:
            import spacy

            from pipeline.stages.ner.ruler import SPANS_KEY

            nlp = spacy.blank("zh")
            ruler = nlp.add_pipe("span_ruler", config={"spans_key": SPANS_KEY, "validate": True})
            ruler.add_patterns([p for r in self.rules.values() for p in r.spacy_patterns()])
            self._nlp = nlp
        return self._nlp


@pytest.fixture(scope="module")
def rules():
    ner = configured_stage("ner", RULES)
    return list(ner.name_rules.values())


@pytest.fixture(scope="module")
def rulers(rules):
    return NameRuler(rules), TokenizedRuler(rules)


def span_ruler(ruler):
    return ruler.nlp().get_pipe("span_ruler")


def phrases(span_ruler):
    """The phrase matcher's patterns: key -> set of token-hash tuples (what it pickles)."""
    return span_ruler.phrase_matcher.__reduce__()[1][1]


def test_the_matcher_holds_the_same_phrases_keys_and_patterns(rulers):
    fast, slow = map(span_ruler, rulers)
    assert phrases(fast) == phrases(slow)
    assert len(fast.phrase_matcher) == len(slow.phrase_matcher) > 15_000
    assert fast._match_label_id_map == slow._match_label_id_map
    assert fast.patterns == slow.patterns
    assert len(fast.matcher) == len(slow.matcher) > 0  # the token patterns went the usual way


def test_a_phrase_with_spaces_is_tokenized_as_spacy_does(tmp_path):
    # The tokenizer folds a space into the token before it: such a phrase keeps spaCy's tokens.
    path = tmp_path / "names.jsonl"
    path.write_text('{"id": "t.space", "version": 1, "label": "ORG", "pattern": "Acme Corp"}\n'
                    '{"id": "t.plain", "version": 1, "label": "ORG", "pattern": "华为"}\n', encoding="utf-8")
    rules = load_name_rules([path])
    fast, slow = (span_ruler(r) for r in (NameRuler(rules), TokenizedRuler(rules)))
    assert phrases(fast) == phrases(slow)


def real_texts():
    """The seeds after every stage up to segment, and the shipped rules' examples, segmented."""
    from pipeline.run.config import load_config
    from pipeline.run.inputs import expand, read_inputs
    from pipeline.run.runner import Pipeline
    from pipeline.stages.registry import KNOWN_STAGES, build_stages

    config = load_config(RULES, tuple(KNOWN_STAGES))
    names = list(config.stages)
    pipeline = Pipeline(build_stages(config, names[: names.index("segment") + 1]))
    for record in read_inputs(expand([SEEDS])):
        doc = pipeline.process_one(record).document
        yield doc.text, [(t.start, t.end, t.pos) for t in doc.tokens]


# Every stage up to segment over the seeds: not in `make quick`.
@pytest.mark.slow
def test_the_same_names_are_found_in_real_text(rulers, rules):
    segment = configured_stage("segment", RULES)
    examples = {e if isinstance(e, str) else e["text"] for r in rules for e in (*r.examples, *r.counterexamples)}
    texts = [*real_texts(), *((t, [(w.start, w.end, w.pos) for w in segment.words(t)]) for t in sorted(examples))]
    fast, slow = rulers
    found = [fast.find(text, words) for text, words in texts]
    expected = [slow.find(text, words) for text, words in texts]
    assert sum(map(len, expected)) > 100
    assert found == expected


def test_every_phrase_finds_the_same_names_written_out(rulers, rules):
    # Each shipped phrase written out, 2,000 to a text (one character a word): the new build must
    # find what the old one finds, phrase by phrase, overlaps and all.
    names = [r.pattern for r in rules if isinstance(r.pattern, str)]
    fast, slow = rulers
    for k in range(0, len(names), 2_000):
        text = "，".join(names[k : k + 2_000])
        words = [(i, i + 1, "x") for i in range(len(text))]
        found = fast.find(text, words)
        assert found == slow.find(text, words)
        assert len(found) >= len(names[k : k + 2_000]) // 2
