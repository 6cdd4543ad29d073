"""Detect the encoding of crawled bytes and decode them, never raising.

Order of evidence: a BOM settles it; pure ASCII is UTF-8; otherwise every
candidate (UTF-8, GB18030, Big5) decodes a sample and a unigram character
model scores the result. The score is the log-likelihood of the bytes under
"this encoding + Chinese news text", so decodings into rare or nonsensical
characters lose even when they are strictly valid, which matters because
short GBK/Big5 strings are often valid in another encoding too. Letters of
other alphabetic scripts in running text are priced as letters, not as
unseen Chinese (see `_LETTER_IN_TEXT`). When lines contradict the whole
reading (a valid UTF-8 line in a GBK file, a GBK line in a UTF-8 file), the
file is decoded line by line.
"""

from __future__ import annotations

import bisect
import codecs
import math
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from pipeline.core.chars import unseen_cost

# Candidates as (label, Python codec). The GB label is refined after choice:
# "gbk" when the bytes are also strict GBK. cp950 is Big5 plus the Microsoft
# additions (€, ETEN extensions) that real Big5 files contain.
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
# Byte windows scored per candidate, counted from the first non-ASCII byte
# (ASCII decodes identically everywhere and carries no evidence). Most inputs
# are decided by the first window; the next is tried only while the lead is
# not decisive, so per-document cost stays flat however long the text.
_WINDOWS = (96, 512, 2048)
# A lead this large (nats) means odds of e^30:1; looking further cannot matter.
_DECISIVE_MARGIN = 30.0
# Binary sniffing window, as git does for its NUL check.
_SNIFF_BYTES = 8000
_MAX_CONTROL_SHARE = 0.05
_MAX_NUL_SHARE = 0.01

# A letter in running text of an alphabetic script (Latin with diacritics,
# Greek, Cyrillic, Hebrew, Arabic, ...) is priced as a letter of that text, not
# as a rare character of Chinese news; so is a combining mark, and a Latin-1
# sign («, ¿, °) inside such text. Without this every such text in UTF-8 loses
# to GB18030: its two-byte sequences (lead C2-DF) read as GB2312 hanzi the
# model knows, while the true letters are all "unseen". The text's first
# non-ASCII letter still pays the unseen price (a switch of script is rare in
# Chinese news; ASCII letters alone do not start such text, English words
# being common there, unless the letter continues an ASCII word: "lêer",
# "più,"), and so does every switch between scripts: GBK bytes
# that happen to be valid UTF-8 (什么 -> ʲô, IT girl十 -> IT girlʮ: random
# letters of mixed scripts) gain little. The script in force carries across
# spaces, digits and ASCII punctuation (and Latin across ASCII letters), not
# across other characters.
_LETTER_IN_TEXT = -6.0
# (first code point, script), sorted; a range ends where the next begins.
# "" = not a letter; "mark" (the generic combining blocks) continues the script
# in force, or starts Latin text; "sign" is priced as a letter when a script is
# in force but does not start one.
_SCRIPT_STARTS = (
    (0x00, ""), (0xA1, "sign"), (0xC0, "latin"), (0xD7, "sign"), (0xD8, "latin"),
    (0xF7, "sign"), (0xF8, "latin"),
    (0x300, "mark"), (0x370, "greek"), (0x400, "cyrillic"), (0x530, "armenian"),
    (0x591, "hebrew"), (0x5F5, ""), (0x610, "arabic"), (0x61B, ""), (0x620, "arabic"),
    (0x660, ""), (0x66E, "arabic"), (0x6D4, ""), (0x6D5, "arabic"), (0x700, "syriac"),
    (0x750, "arabic"), (0x780, "thaana"), (0x7C0, "nko"), (0x800, ""),
    (0x1AB0, "mark"), (0x1B00, ""), (0x1DC0, "mark"), (0x1E00, "latin"), (0x1F00, "greek"),
    (0x2000, ""), (0x20D0, "mark"), (0x2100, ""), (0xFE20, "mark"), (0xFE30, ""),
)
_SCRIPT_KEYS = tuple(start for start, _ in _SCRIPT_STARTS)
# Runs of those characters; only they are walked in Python, so Chinese text
# costs one regex scan.
_FOREIGN_RUN = re.compile(
    "[\u00a1-\u07ff\u1ab0-\u1aff\u1dc0-\u1fff\u20d0-\u20ff\ufe20-\ufe2f]+"
)
_ASCII_LETTER = re.compile("[A-Za-z]")
_ASCII_CHARS = "".join(map(chr, range(0x80)))

_ASCII = bytes(range(0x80))
# Well-formed UTF-8 sequences, at least one of them not ASCII (overlong forms
# and surrogates pass: this is a filter, strict decoding decides).
_UTF8_LINE = re.compile(
    rb"[\x00-\x7f]*(?:(?:[\xc2-\xdf]|[\xe0-\xef][\x80-\xbf]|[\xf0-\xf4][\x80-\xbf]{2})"
    rb"[\x80-\xbf][\x00-\x7f]*)+"
)
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_WORD_BACKUP = 32  # bytes: longer ASCII words add nothing
# C0 controls other than the ones text uses (\t \n \v \f \r, ESC for ANSI colour).
_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\x0b\x0c\r\x1b") + b"\x7f"



@dataclass(frozen=True)
class Decoded:
    text: str  # undecodable bytes become U+FFFD
    # utf-8, utf-8-sig, utf-16-le, utf-16-be, gbk, gb18030 or big5; decoded line
    # by line: the lines' labels joined by "+", most lines first ("gbk+utf-8")
    encoding: str
    confidence: float  # 0..1: the chosen reading's share of the candidates' likelihood
    replacements: int  # U+FFFD introduced by decoding (not ones encoded in the input)
    binary: bool  # more than a stray NUL (without a UTF-16 BOM), or many control bytes
    mixed_lines: int = 0  # lines decoded in another encoding than the first label's


class _LogProbs(dict):
    """char -> log-probability; misses are priced by Unicode category.

    A dict subclass so scoring can run `map(table.__getitem__, text)` at C
    speed and only unseen characters reach Python code. Misses are not stored,
    so scoring never mutates the model.
    """

    __slots__ = ("floor",)

    def __missing__(self, ch: str) -> float:
        return self.floor - unseen_cost(ch)


class CharModel:
    """Unigram character log-probabilities loaded from pipeline/stages/decode/data/char_freq.tsv."""

    __slots__ = ("_logp",)

    def __init__(self, counts: dict[str, int]):
        total = sum(counts.values())
        logp = _LogProbs((ch, math.log(c / total)) for ch, c in counts.items() if c > 0)
        # Unseen characters are priced relative to the rarest known one.
        logp.floor = min(logp.values(), default=math.log(1e-9))
        self._logp = logp

    @classmethod
    def load(cls, path: Path | None = None) -> CharModel:
        if path is None:
            text = resources.files("pipeline.stages.decode").joinpath("data/char_freq.tsv").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        return cls(_parse_counts(text))

    def logprob(self, ch: str) -> float:
        return self._logp[ch]

    def score(self, text: str) -> float:
        """Log-probability of `text`: independent characters, except that letters
        in running text of an alphabetic script cost at most `_LETTER_IN_TEXT`."""
        total = sum(map(self._logp.__getitem__, text))
        state, end = "", 0
        for run in _FOREIGN_RUN.finditer(text):
            state = _state_after_gap(text[end : run.start()], state)
            if not state and _inside_ascii_word(text, run.start(), run.end()):
                state = "latin"  # "lêer", "più,": a hanzi ending a Latin word would be odd
            refund, state = _run_refund(run.group(), state, self._logp)
            total += refund
            end = run.end()
        return total


def _state_after_gap(gap: str, state: str) -> str:
    """The script in force after `gap` (text between runs), given the one before it."""
    if not gap.isascii():  # a hanzi or other character ends the foreign text
        gap, state = gap[len(gap.rstrip(_ASCII_CHARS)) :], ""
    if state != "latin" and _ASCII_LETTER.search(gap):
        state = ""
    return state


def _inside_ascii_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] continues an ASCII word: a letter before it, and
    after it a letter, a space or ASCII punctuation (not the end of the text:
    a cut-off "IT girl十" reads "IT girlʮ")."""
    if not 0 < start < end < len(text):
        return False
    before, after = text[start - 1], text[end]
    return before.isascii() and before.isalpha() and after.isascii() and not after.isdigit()


def _run_refund(run: str, state: str, logp: dict) -> tuple[float, str]:
    """How much cheaper `run` is when its letters in running text cost `_LETTER_IN_TEXT`."""
    refund = 0.0
    for ch in run:
        script = _SCRIPT_STARTS[bisect.bisect_right(_SCRIPT_KEYS, ord(ch)) - 1][1]
        if script == "mark":
            script = state or "latin"
        elif script == "sign":
            script = state
        if script != state:
            state = script
            continue  # the text (or a switch of script) starts here: full price
        if script:
            refund += max(0.0, _LETTER_IN_TEXT - logp[ch])
    return refund, state


def _parse_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        key, _, count = line.partition("\t")
        ch = chr(int(key[2:], 16)) if key.startswith("U+") else key
        counts[ch] = int(count)
    return counts


def decode_bytes(data: bytes, model: CharModel) -> Decoded:
    """Decode `data` in its most plausible encoding, or line by line when its
    lines are in different encodings. Never raises."""
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
    whole = _guess(data, model, _CANDIDATES, binary)
    return _decode_lines(data, model, whole) or whole


def _guess(data: bytes, model: CharModel, candidates: tuple, binary: bool = False) -> Decoded:
    """The most plausible of `candidates` for all of `data` (no BOM)."""
    start = len(data) - len(data.lstrip(_ASCII))
    if start == len(data):
        return Decoded(data.decode("ascii"), "utf-8", 1.0, 0, binary)
    # Windows start at the word holding the first non-ASCII byte, so that a
    # letter like the é of "président" is seen inside its word.
    start -= len(data[max(0, start - _WORD_BACKUP) : start]) - len(
        data[max(0, start - _WORD_BACKUP) : start].rstrip(_ASCII_LETTERS)
    )

    readings, final = _read_windows(data, start, model, candidates)
    scores = [_plausibility(r.label, r.fit, r.reps) for r in readings]
    best = max(range(len(readings)), key=scores.__getitem__)
    label, codec = readings[best].label, readings[best].codec
    if final:  # the window held everything after the ASCII prefix
        text, reps = data[:start].decode("ascii") + readings[best].text, readings[best].reps
    else:
        text, reps = _decode_full(data, codec)
        if reps > readings[best].reps:
            # Errors beyond the window: another candidate may decode it all.
            best, text, reps, scores = _rescore_full(data, model, readings)
            label = readings[best].label
    if label == "gb18030" and not reps and _decodes_strictly(data, "gbk"):
        label = "gbk"
    return Decoded(text, label, _softmax_share(scores, best), reps, binary)


def _decode_lines(data: bytes, model: CharModel, whole: Decoded) -> Decoded | None:
    """`data` decoded line by line if its lines disagree with `whole` (crawls are
    concatenated: some lines GBK, some UTF-8), else None.

    A line disagrees when its validity as UTF-8 contradicts the whole reading
    (a strictly valid UTF-8 line in a GB or Big5 reading, an invalid one in a
    UTF-8 reading) and, read alone, it is another encoding without errors.
    Only then is every line decoded, by the encodings in play; the confidence
    is the least sure line's, so a line that cannot be decided flags the
    document. A LF byte never occurs inside a multi-byte character in any
    candidate, so lines are cut there.
    """
    utf8 = whole.encoding == "utf-8"
    if (utf8 and not whole.replacements) or b"\n" not in data:
        return None  # valid UTF-8 throughout, or one line
    bare = data.split(b"\n")
    if utf8:  # lines with errors: U+FFFD never swallows a LF, so text lines are byte lines
        disagree = [line for line, read in zip(bare, whole.text.split("\n")) if "\ufffd" in read]
    else:  # lines of valid UTF-8 (and not all ASCII)
        disagree = [line for line in bare if _UTF8_LINE.fullmatch(line)]
    in_play = {_candidate(whole.encoding)}
    for line in disagree:
        alone = _guess(line, model, _CANDIDATES)
        if not alone.replacements and (alone.encoding == "utf-8") != utf8:
            in_play.add(_candidate(alone.encoding))
            if len(in_play) == (3 if utf8 else 2):
                break  # no other encoding can come into play
    if len(in_play) < 2:
        return None
    candidates = tuple(c for c in _CANDIDATES if c in in_play)
    lines = [line + b"\n" for line in bare[:-1]] + [bare[-1]]
    parts = [_guess(line, model, candidates) for line in lines]
    decided = [p for line, p in zip(lines, parts) if not line.isascii()]
    counts = Counter(p.encoding for p in decided)
    # Most lines first; ties by name, so the label does not depend on line order.
    labels = sorted(counts, key=lambda label: (-counts[label], label))
    return Decoded(
        text="".join(p.text for p in parts),
        encoding="+".join(labels),
        confidence=min(p.confidence for p in decided),
        replacements=sum(p.replacements for p in parts),
        binary=whole.binary,
        mixed_lines=len(decided) - counts[labels[0]],
    )


def _candidate(label: str) -> tuple[str, str]:
    """The candidate (label, codec) a detected label came from."""
    label = "gb18030" if label == "gbk" else label
    return next(c for c in _CANDIDATES if c[0] == label)


class _Reading(NamedTuple):
    label: str
    codec: str
    text: str  # the window, decoded
    reps: int  # U+FFFD the decoding introduced in the window
    fit: float  # model log-probability of text; 0.0 (an upper bound) if not scored
    scored: bool


def _plausibility(label: str, fit: float, reps: int) -> float:
    prior = _UTF8_PRIOR if label == "utf-8" else 0.0
    return fit + prior - _REPLACEMENT_PENALTY * reps


def _read_windows(
    data: bytes, start: int, model: CharModel, candidates: tuple
) -> tuple[list[_Reading], bool]:
    """Read growing windows with every candidate until one reading leads decisively."""
    for size in _WINDOWS:
        end = start + size
        final = end >= len(data)
        readings = _read_window(data[start:end], final, model, candidates)
        scores = sorted((_plausibility(r.label, r.fit, r.reps) for r in readings), reverse=True)
        if final or scores[0] - scores[1] >= _DECISIVE_MARGIN:
            break
    return readings, final


def _read_window(window: bytes, final: bool, model: CharModel, candidates: tuple) -> list[_Reading]:
    decoded = [
        (label, codec, *_decode_window(window, codec, final)) for label, codec in candidates
    ]
    # Log-probabilities are <= 0, so prior - penalty is a candidate's best
    # possible score; once the leader beats that, scoring the candidate (slow
    # for garbage, whose characters are mostly unseen) cannot change the pick.
    ceiling = [_plausibility(label, 0.0, reps) for label, _, _, reps in decoded]
    fits = [0.0] * len(decoded)
    scored = [False] * len(decoded)
    lead = -math.inf
    for i in sorted(range(len(decoded)), key=ceiling.__getitem__, reverse=True):
        if ceiling[i] < lead:
            break
        label, _, text, reps = decoded[i]
        fits[i] = model.score(text)
        scored[i] = True
        lead = max(lead, _plausibility(label, fits[i], reps))
    return [_Reading(*d, fit, s) for d, fit, s in zip(decoded, fits, scored)]


def _rescore_full(data: bytes, model: CharModel, readings: list[_Reading]) -> tuple:
    """Choose again, charging each candidate for its replacements in all of `data`."""
    fulls = [_decode_full(data, r.codec) for r in readings]
    scores = [
        _plausibility(r.label, r.fit if r.scored else model.score(r.text), full_reps)
        for r, (_, full_reps) in zip(readings, fulls)
    ]
    best = max(range(len(readings)), key=scores.__getitem__)
    text, reps = fulls[best]
    return best, text, reps, scores


def _decode_window(window: bytes, codec: str, final: bool) -> tuple[str, int]:
    """Decode a window; unless final, a character cut at its end is held back, not an error."""
    try:
        return codecs.getincrementaldecoder(codec)("strict").decode(window, final), 0
    except UnicodeDecodeError:
        text = codecs.getincrementaldecoder(codec)("replace").decode(window, final)
        kept = codecs.getincrementaldecoder(codec)("ignore").decode(window, final)
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
    # A stray NUL happens in crawled text; a run of them does not.
    if head.count(0) > max(2, _MAX_NUL_SHARE * len(head)):
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > _MAX_CONTROL_SHARE * len(head)


def _softmax_share(scores: list[float], best: int) -> float:
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    share = weights[best] / sum(weights)
    return min(1.0, max(0.0, share))
