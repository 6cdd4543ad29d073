"""The corpus reader `spacy train` uses for the NER model (scripts/ner_config.cfg, --code).

spaCy's own reader (spacy.Corpus.v1) gives the model `nlp.make_doc(text)`: the
characters without the word features (TAG, LEMMA) that scripts/ner_data.py stored
and that the ner stage sets at run time (pipeline/ner/features.py). The model then
learns from characters alone and meets feature values at run time it never saw in
training. This reader hands the model the stored features, entities left out.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.attrs import LEMMA, TAG
from spacy.tokens import Doc
from spacy.training import Corpus, Example

FEATURES = [TAG, LEMMA]


def with_features(vocab, reference: Doc) -> Doc:
    """What the model reads for `reference`: its characters, TAG and LEMMA; no entities."""
    doc = Doc(vocab, words=[t.text for t in reference], spaces=[bool(t.whitespace_) for t in reference])
    if len(doc):
        doc.from_array(FEATURES, reference.to_array(FEATURES))
    return doc


@spacy.registry.readers("ner_zh.FeatureCorpus.v1")
def feature_corpus(path: Path, limit: int = 0):
    corpus = Corpus(path, limit=limit)

    def read(nlp):
        for eg in corpus(nlp):
            yield Example(with_features(nlp.vocab, eg.reference), eg.reference)

    return read
