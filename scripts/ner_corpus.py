"""The corpus reader and scorer `spacy train` uses for the NER model (scripts/ner_config.cfg, --code).

spaCy's own reader (spacy.Corpus.v1) gives the model `nlp.make_doc(text)`: the
characters without the word features (TAG, LEMMA) that scripts/ner_data.py stored
and that the ner stage sets at run time (pipeline/stages/ner/features.py). The model then
learns from characters alone and meets feature values at run time it never saw in
training. This reader hands the model the stored features, entities left out, and
each character's bigram (NORM) as pipeline.stages.ner.features.make_doc does, and with a
lexicon (`lexicon` in the config: scripts/train_ner.py --lexicon) each character's lexicon tag
in DEP, as make_doc does with the model folder's lexicon.tsv.

The model is a tagger over BILUO tags (pipeline/stages/ner/biluo.py): the reader writes
each reference character's tag (`B-ORG`, `O`; no tag where the annotation is
missing) to the reference's TAG, which is what spaCy's tagger learns from. The
component `ner_zh_biluo_tagger` is spaCy's tagger predicting the best valid tag
sequence, as the ner stage decodes it (a character's best tag alone scores about
two points of F1 lower), and `ner_zh.biluo_scorer.v1` scores those tags as
entities (ents_f): the checkpoint is picked on what the stage will do.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy
import spacy
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, LEMMA, NORM, TAG
from spacy.language import Language
from spacy.pipeline.tagger import Tagger
from spacy.scorer import get_ner_prf
from spacy.tokens import Doc, Span
from spacy.training import Corpus, Example
from spacy.training.iob_utils import doc_to_biluo_tags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.stages.ner.biluo import best_paths, spans  # noqa: E402
from pipeline.stages.ner.features import Lexicon, bigrams  # noqa: E402
from pipeline.stages.ner.tagger import softmax  # noqa: E402

FEATURES = [TAG, LEMMA]


def _same_tokens(vocab, reference: Doc) -> Doc:
    return Doc(vocab, words=[t.text for t in reference], spaces=[bool(t.whitespace_) for t in reference])


def with_features(vocab, reference: Doc, lexicon: Lexicon | None = None) -> Doc:
    """What the model reads for `reference`: its characters, TAG, LEMMA and bigram NORM (and the
    lexicon's tags in DEP); no entities."""
    doc = _same_tokens(vocab, reference)
    if len(doc):
        text = "".join(t.text for t in reference)
        attrs, extra = [NORM], [bigrams(text)]
        if lexicon is not None:
            attrs, extra = [NORM, DEP], [bigrams(text), lexicon.tags(text)]
        columns = numpy.array([[vocab.strings.add(x) for x in column] for column in extra], dtype="uint64").T
        doc.from_array(FEATURES + attrs, numpy.hstack([reference.to_array(FEATURES), columns]))
    return doc


def with_biluo(vocab, reference: Doc) -> Doc:
    """`reference` with its entities as BILUO tags in TAG (none where the annotation is missing)."""
    doc = _same_tokens(vocab, reference)
    if len(doc):
        # "-" for every character outside an entity, then "O" where it is annotated as outside.
        tags = [t if t != "-" or tok.ent_iob != 2 else "O" for t, tok in zip(doc_to_biluo_tags(reference, missing="-"), reference)]
        ids = numpy.array([[0 if t == "-" else vocab.strings.add(t)] for t in tags], dtype="uint64")
        doc.from_array([TAG, ENT_IOB, ENT_TYPE], numpy.hstack([ids, reference.to_array([ENT_IOB, ENT_TYPE])]))
    return doc


@spacy.registry.readers("ner_zh.FeatureCorpus.v1")
def feature_corpus(path: Path, limit: int = 0, lexicon: Path | None = None):
    corpus = Corpus(path, limit=limit)
    table = None if lexicon is None else Lexicon.load(lexicon)

    def read(nlp):
        for eg in corpus(nlp):
            yield Example(with_features(nlp.vocab, eg.reference, table), with_biluo(nlp.vocab, eg.reference))

    return read


@spacy.registry.scorers("ner_zh.biluo_scorer.v1")
def biluo_scorer():
    def score(examples, **kwargs):
        for eg in examples:  # the entities the predicted tags spell
            doc = eg.predicted
            doc.ents = [Span(doc, s, e, label=x) for s, e, x in spans([t.tag_ for t in doc])]
        return get_ner_prf(examples)

    return score


class BiluoTagger(Tagger):
    """spaCy's tagger, choosing the best valid BILUO sequence rather than each character's best tag."""

    def _scores2guesses(self, scores):
        index = {label: i for i, label in enumerate(self.labels)}
        probs = [softmax(x) for x in scores]  # as the stage decodes (pipeline/stages/ner/tagger.py)
        return [numpy.array([index[t] for t in path], dtype="int64") for path in best_paths(probs, self.labels)]


@Language.factory(
    "ner_zh_biluo_tagger",
    default_config={"overwrite": True, "scorer": {"@scorers": "ner_zh.biluo_scorer.v1"}, "neg_prefix": "!",
                    "label_smoothing": 0.0},
)
def make_biluo_tagger(nlp, name, model, overwrite, scorer, neg_prefix, label_smoothing):
    return BiluoTagger(nlp.vocab, model, name=name, overwrite=overwrite, scorer=scorer, neg_prefix=neg_prefix,
                       label_smoothing=label_smoothing)
