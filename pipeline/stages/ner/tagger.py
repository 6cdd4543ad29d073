"""The trained spaCy NER model: where it lives, what it is, running it on sentences.

The model is a folder written by `spacy train` (scripts/train_ner.py), shipped in
the package (pipeline/stages/ner/models/ner_zh) with its model card. It reads character
Docs with word features (pipeline/stages/ner/features.py), one sentence each: the
sentences of the segment stage, as it was trained on sentences. It is a spaCy
tagger over BILUO tags; the names are decoded here (pipeline/stages/ner/biluo.py).

Each name gets a score from the model's own probabilities (span_score), and its
confidence is that score mapped through the calibration stored beside the model
(`calibration.json`, fitted by scripts/calibrate_ner.py on held-out news): the
precision names of that label and score had there. A model folder without one
falls back to its dev precision for the label, a constant.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from pathlib import Path
from typing import Iterable, Sequence

import numpy

from pipeline.stages.ner.biluo import best_index_paths, index_spans
from pipeline.stages.ner.features import Lexicon, feature_rows

PACKAGE_MODELS = Path(__file__).resolve().parent / "models"
CALIBRATION = "calibration.json"
# The gazetteer names a model trained with the lexicon feature reads (features.Lexicon).
LEXICON = "lexicon.tsv"
# Characters per model batch at most (speed only: the model reads each sentence on its own).
BATCH_CHARS = 16_000


class ModelError(ValueError):
    """The model folder is missing or unusable."""


def resolve_model(name_or_path: str, rules_dir: Path | None = None) -> Path:
    """A model folder: a name under pipeline/stages/ner/models, or a path (relative to rules/ or absolute)."""
    candidates = [PACKAGE_MODELS / name_or_path]
    path = Path(name_or_path)
    if path.is_absolute():
        candidates = [path]
    elif rules_dir is not None and ("/" in name_or_path or name_or_path.startswith(".")):
        candidates = [rules_dir / path]
    for folder in candidates:
        if (folder / "meta.json").is_file():
            return folder
    raise ModelError(
        f"NER model {name_or_path!r} not found (looked in {', '.join(str(c) for c in candidates)}); "
        "`make train-ner` builds pipeline/stages/ner/models/ner_zh"
    )


class NerModel:
    """A spaCy NER model folder, loaded on first use (workers each load it once)."""

    def __init__(self, folder: Path, batch_size: int = 256):
        self.folder = folder
        self.batch_size = batch_size
        try:
            self.meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"{folder}/meta.json: {exc}") from None
        if self.meta.get("pipeline") != ["tagger"]:
            # Models before 2.0.0 (spaCy's transition-based ner) are decoded differently.
            raise ModelError(f"{folder}: not a BILUO tagger model (its pipeline: {self.meta.get('pipeline')})")
        self.name = str(self.meta.get("name", folder.name))
        self.version = str(self.meta.get("version", "0"))
        self._nlp = None
        self._digest: str | None = None
        self.calibration = load_calibration(folder / CALIBRATION)
        self._lexicon: Lexicon | None = None
        self._lexicon_read = False

    @property
    def label(self) -> str:
        """The `extractor` of the facts it makes: ner:<name>@<version>."""
        return f"ner:{self.name}@{self.version}"

    def digest(self) -> str:
        """sha256 over every file of the folder: a retrained model is a different model."""
        if self._digest is None:
            h = hashlib.sha256()
            for path in sorted(p for p in self.folder.rglob("*") if p.is_file()):
                h.update(path.relative_to(self.folder).as_posix().encode())
                h.update(hashlib.sha256(path.read_bytes()).digest())
            self._digest = h.hexdigest()[:16]
        return self._digest

    def precision(self, label: str) -> float:
        """The model's precision for `label` on its dev split (meta.json), its confidence."""
        per_type = (self.meta.get("performance") or {}).get("ents_per_type") or {}
        value = (per_type.get(label) or {}).get("p")
        return round(float(value), 4) if isinstance(value, (int, float)) else 0.5

    def confidence(self, label: str, score: float | None) -> float:
        """A name's confidence: its score through the label's calibration map, else the label's dev precision."""
        curve = self.calibration.get(label)
        if curve is None or score is None:
            return self.precision(label)
        return round(interpolate(curve, score), 4)

    def lexicon(self) -> Lexicon | None:
        """The model's lexicon (LEXICON in its folder), loaded on first use; None for a model without."""
        if not self._lexicon_read:
            path = self.folder / LEXICON
            self._lexicon = Lexicon.load(path) if path.is_file() else None
            self._lexicon_read = True
        return self._lexicon

    def nlp(self):
        if self._nlp is None:
            import spacy

            # Docs are built here, a character a token, and only the tagger's network runs:
            # spaCy's own tagger and scorer stand in for the training ones (scripts/ner_corpus.py).
            spacy_tagger = {"factory": "tagger", "scorer": {"@scorers": "spacy.tagger_scorer.v1"}}
            self._nlp = spacy.load(self.folder, config={"components": {"tagger": spacy_tagger}})
            # thinc multiplies matrices with blis by default; the blis wheels run at a quarter of
            # numpy's BLAS on this model's shapes (bench/ner.py), so the network uses numpy's.
            from thinc.api import NumpyOps

            ops = NumpyOps(use_blis=False)
            for node in self._nlp.get_pipe("tagger").model.walk():
                node.ops = ops
        return self._nlp

    def predict(self, sentences: Iterable[tuple[str, Iterable[tuple[int, int, str]]]]) -> list[list[tuple[int, int, str, float]]]:
        """Entities (start, end, label, score) per sentence; each sentence is (text, words (start, end, pos));
        score is span_score.

        The model tags each character (BILUO); the best valid tag sequence is decoded
        here rather than by spaCy, which would take each character's best tag alone.
        """
        tagger = self.nlp().get_pipe("tagger")
        lexicon = self.lexicon()
        found: list[list[tuple[int, int, str]]] = []
        # Read as they come, a batch at a time: a batch holds at most batch_size sentences and
        # BATCH_CHARS characters (or one sentence), so memory stays bounded however long the document.
        batch, chars = [], 0
        for text, words in sentences:
            found.append([])
            if not text:
                continue
            if batch and (len(batch) >= self.batch_size or chars + len(text) > BATCH_CHARS):
                self._tag(tagger, batch, found)
                batch, chars = [], 0
            batch.append((len(found) - 1, feature_rows(text, words, lexicon)))
            chars += len(text)
        if batch:
            self._tag(tagger, batch, found)
        return found

    @staticmethod
    def _tag(tagger, batch: list, found: list) -> None:
        labels = tagger.labels
        probs = [softmax(x) for x in tagger.model.predict([doc for _, doc in batch])]
        # Paths as label indices, names read off them: no tag string per character.
        for (i, _), p, path in zip(batch, probs, best_index_paths(probs, labels)):
            picked = p[numpy.arange(len(path)), path]
            found[i] = [(s, e, label, span_score(picked, s, e)) for s, e, label in index_spans(path, labels)]


def softmax(scores) -> numpy.ndarray:
    """Each character's tag probabilities: the network's outputs are unnormalised (spacy.Tagger.v2 with
    normalize = false), and both the decoding (best_paths takes their logarithm) and span_score need
    probabilities."""
    logits = numpy.asarray(scores, dtype="float64")
    if not len(logits):
        return logits
    exp = numpy.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def span_score(picked: Sequence[float], start: int, end: int) -> float:
    """How sure the model is of the name at [start, end): the geometric mean of the probabilities it
    gave the decoded tags of the name's characters and of the character just before and after it
    (whose tags say where the name ends: most wrong names are wrong at an edge). On the calibration
    slice it separated right from wrong names a little better than the lowest of those
    probabilities or the mean inside the name (AUC 0.818 against 0.809 and 0.803, model 2.1.0)."""
    edge = numpy.asarray(picked[max(start - 1, 0) : end + 1], dtype="float64")
    return round(float(numpy.exp(numpy.log(numpy.maximum(edge, 1e-12)).mean())), 4)


def load_calibration(path: Path) -> dict[str, list[tuple[float, float]]]:
    """label -> [(score, precision), ...] ascending, from calibration.json (empty when there is none)."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        curves = {label: [(float(x), float(y)) for x, y in points] for label, points in data["labels"].items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path}: {exc}") from None
    for label, points in curves.items():
        if not points or [x for x, _ in points] != sorted(x for x, _ in points):
            raise ModelError(f"{path}: {label}: points must be given in ascending score")
    return curves


def interpolate(points: list[tuple[float, float]], score: float) -> float:
    """The calibration curve at `score`: linear between its points, flat beyond the first and last."""
    xs = [x for x, _ in points]
    k = bisect.bisect_left(xs, score)
    if k == 0:
        return points[0][1]
    if k == len(points):
        return points[-1][1]
    (x0, y0), (x1, y1) = points[k - 1], points[k]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (score - x0) / (x1 - x0)
