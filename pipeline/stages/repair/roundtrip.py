"""Text decoded with the wrong codec, undone by a round trip.

- `gbk_latin1`: GBK bytes read as Latin-1, `ÖÐÎÄ` for `中文`. A run of
  Latin-1 characters that pair up as GBK codes is encoded back to bytes and
  decoded as GBK.
- `utf8_gbk`: UTF-8 bytes read as GBK, `鏂板崕绀惧寳浜` for `新华社北京`. A run
  of characters whose GBK codes look like UTF-8 (a CJK lead byte E4-E9 and
  continuation bytes) is encoded as GBK and decoded as UTF-8. An odd number of
  bytes leaves the last character one byte short (`浜` = E4 BA, and AC went
  with whatever followed): the model chooses the missing byte, or the
  character becomes U+FFFD when it is not sure.

Both accept a round trip only when the result is more plausible under the
character model than the damaged text by `min_gain` nats per character. The
Latin-1 fixer also weighs the UTF-8 reading of the same bytes, which is what
ftfy would make of them (`É¬` is UTF-8 for `ɬ`, GBK for 涩): it runs before
ftfy and takes a run only when GBK beats UTF-8.
"""

from __future__ import annotations

import unicodedata

import re

import ftfy

from pipeline.core.document import Edit, apply_edits
from pipeline.core.chars import is_han
from pipeline.stages.repair.base import Fixer
from pipeline.stages.repair.charlm import CharLM
from pipeline.stages.repair.ftfy_fix import CONFIG as FTFY_CONFIG

LATIN1_RULE = "repair.roundtrip.gbk_latin1"
UTF8_RULE = "repair.roundtrip.utf8_gbk"
UNRECOVERABLE = "\ufffd"

# GBK lead bytes read as Latin-1, then a trail byte (ASCII 0x40-0x7E or Latin-1).
_LATIN1_RUN = re.compile("(?:[\u0081-\u00fe][\u0040-\u007e\u0080-\u00fe])+")
_LATIN1_TRIGGER = re.compile("[\u0081-\u00fe]")
_MIN_RUN = 4  # Latin-1 characters, i.e. two GBK characters
_CJK_UTF8_LEADS = range(0xE4, 0xEA)  # UTF-8 lead bytes of U+4000-U+9FFF


def _gain_ok(lm: CharLM, prev: str, damaged: str, repaired: str, after: str, min_gain: float) -> tuple[bool, float]:
    good = lm.score(repaired + after, prev)
    bad = lm.score(damaged + after, prev)
    return good - bad >= min_gain * len(damaged), good


class GbkLatin1Fixer(Fixer):
    name = "gbk_latin1"
    rule_ids = (LATIN1_RULE,)

    def __init__(self, lm: CharLM, min_gain: float):
        self._lm = lm
        self._min_gain = min_gain

    def edits(self, text: str) -> list[Edit]:
        if not _LATIN1_TRIGGER.search(text):
            return []
        edits: list[Edit] = []
        line_start = 0
        for line in text.splitlines(keepends=True):
            if _LATIN1_TRIGGER.search(line):
                edits.extend(self._line_edits(line, line_start))
            line_start += len(line)
        return edits

    def _line_edits(self, line: str, offset: int) -> list[Edit]:
        found = []
        for m in _LATIN1_RUN.finditer(line):
            end = m.end()
            # No-break spaces after the mojibake are the page's own (A0 leads only
            # rare GBK/3 characters, 牋 for two of them): not part of the run.
            while end - m.start() >= 2 and line[end - 2] == "\xa0":
                end -= 2
            gbk = self._reading(line, m.start(), end)
            if gbk is not None:
                found.append(Edit(m.start(), end, gbk, LATIN1_RULE))
        if not found:
            return []
        # A piece of UTF-8 mojibake may pair up as GBK too (`°é` in
        # `æ–°é—»`); where ftfy would change the line, GBK must read better
        # than ftfy's repair of the whole line.
        by_ftfy = ftfy.fix_text(line, FTFY_CONFIG)
        if by_ftfy != line:
            repaired = apply_edits(line, found)
            if self._lm.score(repaired) <= self._lm.score(by_ftfy):
                return []
        return [Edit(e.start + offset, e.end + offset, e.replacement, e.rule_id) for e in found]

    def _reading(self, line: str, start: int, end: int) -> str | None:
        run = line[start:end]
        # One GBK character's worth (`°C`, `××`, `É¬`) is too little to tell
        # mojibake from symbols Chinese text uses; so is a run of symbols.
        if len(run) < _MIN_RUN or 2 * sum(c.isalpha() and not c.isascii() for c in run) < len(run):
            return None
        data = run.encode("latin-1")
        try:
            gbk = data.decode("gbk")
        except UnicodeDecodeError:
            return None
        prev = line[start - 1] if start else ""
        after = line[end : end + 1]
        ok, score = _gain_ok(self._lm, prev, run, gbk, after, self._min_gain)
        if not ok:
            return None
        try:
            utf8 = data.decode("utf-8")
        except UnicodeDecodeError:
            return gbk
        # Valid UTF-8 too (`Ã©`): ftfy's case, unless the run sits in Chinese
        # text and reads better as GBK.
        if not (is_han(prev or "a") or is_han(after or "a")):
            return None
        return gbk if score > self._lm.score(utf8 + after, prev) else None


class Utf8GbkFixer(Fixer):
    name = "utf8_gbk"
    rule_ids = (UTF8_RULE,)

    def __init__(self, lm: CharLM, min_gain: float, min_confidence: float, ngram=None):
        self._lm = lm
        self._ngram = ngram  # a callable giving the 4-gram model, or None: the bigram model chooses
        self._min_gain = min_gain
        self._min_confidence = min_confidence
        chars, leads = _utf8_like_gbk_chars()
        self._trigger = re.compile(f"[{re.escape(''.join(sorted(leads)))}]")
        # `?` and U+FFFD inside or after a run: a byte the GBK decoder could not
        # pair, i.e. one unknown byte of the UTF-8 stream.
        self._run = re.compile(f"[{re.escape(''.join(sorted(chars)))}][{re.escape(''.join(sorted(chars)))}?\ufffd]+")

    def edits(self, text: str) -> list[Edit]:
        if not self._trigger.search(text):
            return []
        edits = []
        for m in self._run.finditer(text):
            # Mojibake of UTF-8 text starts with a lead byte: the run's first
            # such character. Characters before it are real text that happens
            # to have UTF-8-like GBK codes (`思源` before `鐒︾偣`).
            first = self._trigger.search(text, m.start(), m.end())
            if first is None:
                continue
            edit = self._repair(text, first.start(), m.end())
            if edit is not None:
                edits.append(edit)
        return edits

    def _repair(self, text: str, start: int, end: int) -> Edit | None:
        data: list[int | None] = []
        boundaries = {0: start}  # byte offset -> text index of a run character boundary
        for k in range(start, end):
            ch = text[k]
            data.extend((None,) if ch in UNKNOWN else ch.encode("gbk"))
            boundaries[len(data)] = k + 1
        chars = _utf8_prefix(data)
        # Keep the longest prefix that ends where a run character ends; what
        # follows (`。` after the mojibake) is real text. So is a character at
        # the end that reads as two-byte UTF-8 (学 = D1 A7 = `ѧ`, 司 = CB BE):
        # Chinese in UTF-8 is three bytes a character.
        while chars and (chars[-1][1] not in boundaries or _two_byte_utf8(chars[-1][0])):
            chars.pop()
        if len(chars) < 2:
            return None
        end = boundaries[chars[-1][1]]
        prev = text[start - 1] if start else ""
        after = text[end : end + 1]
        fixed = self._choose([c for c, _ in chars], prev, after)
        guess = "".join(c if isinstance(c, str) else c[0] for c in fixed)
        shown = "".join(c if isinstance(c, str) else c[1] for c in fixed)
        ok, _ = _gain_ok(self._lm, prev, text[start:end], guess, after, self._min_gain)
        return Edit(start, end, shown, UTF8_RULE) if ok else None

    def _choose(self, chars: list[tuple[str, ...]], prev: str, after: str) -> list:
        """Each character: a str, or (best guess, what to write) for an unknown one."""
        out: list = []
        for k, cands in enumerate(chars):
            if len(cands) == 1:
                out.append(cands[0])
                continue
            before = (out[-1] if isinstance(out[-1], str) else out[-1][0]) if out else prev
            nxt = chars[k + 1][0] if k + 1 < len(chars) and len(chars[k + 1]) == 1 else (after if k + 1 == len(chars) else "")
            if self._ngram is not None:
                best, share = self._ngram().choose(before, cands, nxt)
            else:
                best, share = self._lm.choose(before, cands, nxt)
            # Only a letter the model is sure of, never punctuation (the frame-shift
            # fixers' punctuation threshold was measured on their slots, not these).
            sure = share >= self._min_confidence and unicodedata.category(best)[0] in "LN"
            out.append((best, best if sure else UNRECOVERABLE))
        return out


UNKNOWN = "?\ufffd"


def _two_byte_utf8(cands: tuple[str, ...]) -> bool:
    return all("\x80" <= c < "\u0800" for c in cands)


def _utf8_prefix(data: list[int | None]) -> list[tuple[tuple[str, ...], int]]:
    """Decode UTF-8 bytes, some unknown (None), as far as they are UTF-8.

    Returns, per character, its candidates (one if every byte is known, the
    possible characters if one continuation byte is unknown or missing at the
    end, U+FFFD if more are) and the byte offset where it ends.
    """
    out: list[tuple[tuple[str, ...], int]] = []
    i = 0
    n = len(data)
    while i < n:
        b = data[i]
        size = 0 if b is None else 2 if 0xC2 <= b <= 0xDF else 3 if 0xE0 <= b <= 0xEF else 4 if 0xF0 <= b <= 0xF4 else 0
        if size == 0:
            break  # an unknown or impossible lead byte: the UTF-8 ends here
        seq = data[i : i + size] + [None] * max(0, i + size - n)
        if any(x is not None and not 0x80 <= x <= 0xBF for x in seq[1:]):
            break
        missing = sum(x is None for x in seq)
        if missing == 0:
            try:
                cands: tuple[str, ...] = (bytes(seq).decode("utf-8"),)
            except UnicodeDecodeError:
                break
        elif missing == 1:
            cands = tuple(_fill(seq))
            if not cands:
                break
        else:
            cands = (UNRECOVERABLE, UNRECOVERABLE)  # too much lost to choose
        i += size
        out.append((cands, min(i, n)))
    return out


def _fill(seq: list[int | None]) -> list[str]:
    found = []
    for fill in range(0x80, 0xC0):
        try:
            found.append(bytes(fill if x is None else x for x in seq).decode("utf-8"))
        except UnicodeDecodeError:
            continue
    return found


def _utf8_like_gbk_chars() -> tuple[set[str], set[str]]:
    """GBK characters whose two bytes could sit inside UTF-8 text, and the subset
    whose first byte is a UTF-8 lead of a CJK character (the trigger)."""
    cont = range(0x80, 0xC0)
    lead = range(0xC2, 0xF0)
    chars: set[str] = set()
    leads: set[str] = set()
    for b1 in [*range(0x81, 0xC0), *lead]:
        for b2 in [*cont, *lead]:
            # In UTF-8 a lead byte is followed by a continuation byte, never
            # by another lead; two continuation bytes follow each other.
            if b1 in lead and b2 in lead:
                continue
            try:
                ch = bytes((b1, b2)).decode("gbk")
            except UnicodeDecodeError:
                continue
            chars.add(ch)
            if b1 in _CJK_UTF8_LEADS and b2 in cont:
                leads.add(ch)
    return chars, leads
