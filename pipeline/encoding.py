"""Detect the encoding of crawled bytes and decode them, never raising.

Order of evidence: a BOM settles it; pure ASCII is UTF-8; otherwise every
candidate (UTF-8, GB18030, Big5) decodes a sample and a unigram character
model scores the result. The score is the log-likelihood of the bytes under
"this encoding + Chinese news text", so decodings into rare or nonsensical
characters lose even when they are strictly valid, which matters because
short GBK/Big5 strings are often valid in another encoding too.
"""

from __future__ import annotations

import codecs
import math
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

# Candidates as (label, Python codec). The GB label is refined after choice.
_CANDIDATES = (("utf-8", "utf-8"), ("gb18030", "gb18030"), ("big5", "cp950"))
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)

# Log-prior bonus for UTF-8: the web's default, and strict UTF-8 validity of
# non-ASCII text is rare by chance, so ties go to it.
_UTF8_PRIOR = 3.0
# Per U+FFFD introduced: far more than any plausible character costs, so a
# candidate that decodes strictly nearly always beats one that does not.
_REPLACEMENT_PENALTY = 25.0
# Bytes scored per candidate, counted from the first non-ASCII byte (ASCII
# decodes identically everywhere and carries no evidence). A few hundred Han
# characters decide all but pathological cases.
_SAMPLE_BYTES = 1536
# Binary sniffing window, as git does for its NUL check.
_SNIFF_BYTES = 8000
_MAX_CONTROL_SHARE = 0.05

_ASCII = bytes(range(0x80))
# C0 controls other than the ones text uses (\t \n \v \f \r, ESC for ANSI colour).
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\x0b\x0c\r\x1b") + b"\x7f"

# Log-probability offsets (nats) below the rarest modelled Han character for
# characters the model has not seen, by how plausible they are in news.
_UNSEEN_HAN = 1.0  # a rare hanzi: names, places
_UNSEEN_OTHER = 4.0  # foreign letters, symbols: unusual in Chinese news
_UNSEEN_JUNK = 12.0  # controls, private use, unassigned, U+FFFD

_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    confidence: float
    replacements: int
    binary: bool


class _LogProbs(dict):
    """char -> log-probability; misses are priced by Unicode category.

    A dict subclass so scoring can run `map(table.__getitem__, text)` at C
    speed and only unseen characters reach Python code. Misses are not stored,
    so scoring never mutates the model.
    """

    __slots__ = ("floor",)

    def __missing__(self, ch: str) -> float:
        return self.floor - _unseen_offset(ch)


def _unseen_offset(ch: str) -> float:
    cp = ord(ch)
    if any(lo <= cp <= hi for lo, hi in _HAN_RANGES):
        return _UNSEEN_HAN
    cat = unicodedata.category(ch)
    if cat[0] == "C" or cp == 0xFFFD:
        return _UNSEEN_JUNK
    return _UNSEEN_OTHER


class CharModel:
    """Unigram character log-probabilities loaded from pipeline/data/char_freq.tsv."""

    __slots__ = ("_logp",)

    def __init__(self, counts: dict[str, int]):
        total = sum(counts.values())
        logp = _LogProbs()
        for ch, count in counts.items():
            logp[ch] = math.log(count / total)
        logp.floor = min(logp.values(), default=math.log(1e-9))
        self._logp = logp

    @classmethod
    def load(cls, path: Path | None = None) -> CharModel:
        if path is None:
            text = resources.files("pipeline").joinpath("data/char_freq.tsv").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        return cls(_parse_counts(text))

    def logprob(self, ch: str) -> float:
        return self._logp[ch]

    def score(self, text: str) -> float:
        """Log-probability of `text` as a sequence of independent characters."""
        return math.fsum(map(self._logp.__getitem__, text))


def _parse_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, count = line.partition("\t")
        ch = chr(int(key[2:], 16)) if key.startswith("U+") and len(key) > 1 else key
        counts[ch] = int(count)
    return counts


def decode_bytes(data: bytes, model: CharModel) -> Decoded:
    data = bytes(data)
    if not data:
        return Decoded("", "utf-8", 1.0, 0, False)
    for bom, label, codec in _BOMS:
        if data.startswith(bom):
            # UTF-16 text is full of NULs by design, so it is never "binary".
            binary = label == "utf-8-sig" and _looks_binary(data[len(bom) :])
            text, reps = _decode_full(data[len(bom) :], codec)
            return Decoded(text, label, 1.0, reps, binary)
    binary = _looks_binary(data)
    start = len(data) - len(data.lstrip(_ASCII))
    if start == len(data):
        return Decoded(data.decode("ascii"), "utf-8", 1.0, 0, binary)

    end = start + _SAMPLE_BYTES
    whole = end >= len(data)
    sample = data[start:end]
    readings = [(label, codec, *_decode_sample(sample, codec, whole)) for label, codec in _CANDIDATES]
    scores = [
        _plausibility(model, label, text, reps) for label, _, text, reps in readings
    ]
    best = max(range(len(readings)), key=scores.__getitem__)
    label, codec, sample_text, sample_reps = readings[best]

    if whole:  # the sample was everything after the ASCII prefix
        text, reps = data[:start].decode("ascii") + sample_text, sample_reps
    else:
        text, reps = _decode_full(data, codec)
        if reps > sample_reps:
            # Errors beyond the sample: another candidate may decode it all.
            best, text, reps, scores = _rescore_full(data, model, readings)
            label, codec = readings[best][:2]
    if label == "gb18030" and not reps and _decodes_strictly(data, "gbk"):
        label = "gbk"
    return Decoded(text, label, _softmax_share(scores, best), reps, binary)


def _plausibility(model: CharModel, label: str, text: str, reps: int) -> float:
    prior = _UTF8_PRIOR if label == "utf-8" else 0.0
    return model.score(text) + prior - _REPLACEMENT_PENALTY * reps


def _rescore_full(data: bytes, model: CharModel, readings: list) -> tuple:
    """Choose again, charging each candidate for its replacements in all of `data`."""
    fulls = [_decode_full(data, codec) for _, codec, _, _ in readings]
    scores = [
        _plausibility(model, label, sample_text, full_reps)
        for (label, _, sample_text, _), (_, full_reps) in zip(readings, fulls)
    ]
    best = max(range(len(readings)), key=scores.__getitem__)
    text, reps = fulls[best]
    return best, text, reps, scores


def _decode_sample(sample: bytes, codec: str, final: bool) -> tuple[str, int]:
    """Decode a prefix; when not final, an incomplete trailing character is held back, not an error."""
    try:
        return codecs.getincrementaldecoder(codec)("strict").decode(sample, final), 0
    except UnicodeDecodeError:
        text = codecs.getincrementaldecoder(codec)("replace").decode(sample, final)
        kept = codecs.getincrementaldecoder(codec)("ignore").decode(sample, final)
        return text, _introduced(text, kept)


def _decode_full(data: bytes, codec: str) -> tuple[str, int]:
    try:
        return data.decode(codec), 0
    except UnicodeDecodeError:
        text = data.decode(codec, "replace")
        return text, _introduced(text, data.decode(codec, "ignore"))


def _introduced(replaced: str, ignored: str) -> int:
    # "replace" and "ignore" resynchronise at the same byte, so they differ
    # exactly by the U+FFFD the decoder inserted; genuine ones are in both.
    return replaced.count("\ufffd") - ignored.count("\ufffd")


def _decodes_strictly(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF_BYTES]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > _MAX_CONTROL_SHARE * len(head)


def _softmax_share(scores: list[float], best: int) -> float:
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    share = weights[best] / sum(weights)
    return min(1.0, max(0.0, share))
