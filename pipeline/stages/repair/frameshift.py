"""GBK frame-shift repair, with pinyin evidence and without.

With evidence (`frameshift_pinyin`): the source site inserted `(pinyin)` with a
byte-level search over GBK text, so an annotation could land between the two
bytes of a character when the code straddling two real characters matched
(域|專 = D3 F2|8C A3; F2 8C is 驅, qū). A decoder then turned the orphaned lead
byte and `(` into `?`, and the rest ran shifted: `領域?qū)<页鱿瘯h` for
`領域專家出席會議`. The lost byte is one of the second bytes of the GBK
characters [trail byte of the character before][X] that read `qū`; the
readings of the run (`pipeline.stages.repair.gbkshift`) for those bytes are scored by
the character model and the best one replaces `?qū)` and the run.

Without evidence (`frameshift_lm`): a `?` then a shifted run, and
nothing says which byte was lost: `化?;顒又校` for `化。活動中，`. The run
after the lost character is recovered exactly; the lost character itself is
the model's choice among the ~126 candidates, or U+FFFD when the model is not
sure (`min_confidence`). The repair is made only when the repaired text is
more plausible than the damaged one by `min_gain` nats per character, so a
real question mark (`为何再落青岛?`) stays.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from pipeline.core.document import Edit
from pipeline.stages.repair.base import Fixer
from pipeline.stages.repair.charlm import CharLM
from pipeline.stages.repair.gbkshift import LEADS, GbkCodes, Reading, ShiftReader
from pipeline.stages.repair.pinyin import PinyinTable

PINYIN_RULE = "repair.frameshift.pinyin"
LM_RULE = "repair.frameshift.lm"
UNRECOVERABLE = "\ufffd"
# What a lost lead byte became. Only `?`: U+FFFD is what this stage writes for
# a character it cannot recover, and repairing repaired text must change nothing.
LOST = "?"
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# A lost paragraph mark (user-defined GBK code) is scored as the line break
# it stands for; a lost space or break is shown as nothing.
_PARAGRAPH = "\n"
_SPACES = frozenset("\n\u3000 ")
# Characters of plain text after a run that the score also covers, so that
# readings ending at different places are compared on the same span.
_CONTEXT_AFTER = 3
# Without evidence, a run must recover at least this many characters exactly:
# one guessed character alone is no sign of a shift.
_MIN_EXACT = 2
# Characters after a `?` the cheap pre-check looks at.
_PEEK = 8


@dataclass(frozen=True)
class Choice:
    text: str  # the repaired run
    end: int  # index just after the damaged span
    score: float  # log-probability of text + the context after it, up to `limit`
    limit: int  # end of the span the score covers
    unsure: int  # characters left as U+FFFD
    exact: int  # characters the run's bytes determine (no choice involved)


class RunChooser:
    """Picks the most plausible reading of a run and its unknown characters."""

    def __init__(self, lm: CharLM, min_confidence: float, trust_first: bool = False):
        self._lm = lm
        self._min_confidence = min_confidence
        # With pinyin evidence the first character's candidates are already
        # narrowed to the readings of the lost code: take the best of them.
        self._trust_first = trust_first

    def best(self, text: str, start: int, readings: list[Reading]) -> Choice | None:
        if not readings:
            return None
        prev = text[start - 1] if start else ""
        limit = _line_end(text, max(r.end for r in readings))
        picks: dict = {}  # readings share their unknown characters: choose each once
        choices = [self._choose(text, prev, r, limit, picks) for r in readings]
        return max(choices, key=lambda c: c.score)

    def _choose(self, text: str, prev: str, reading: Reading, limit: int, picks: dict) -> Choice:
        lm = self._lm
        chosen: list[str] = []
        shown: list[str] = []
        unsure = 0
        items = reading.items
        for k, cands in enumerate(items):
            if len(cands) == 1:
                chosen.append(cands[0])
                shown.append(cands[0])
                continue
            before = chosen[-1] if chosen else prev
            if k + 1 < len(items):
                after = items[k + 1][0] if len(items[k + 1]) == 1 else ""
            else:  # the end of the text is the end of a paragraph
                after = text[reading.end] if reading.end < len(text) else "\n"
            key = (before, cands, after)
            if key not in picks:
                picks[key] = self.pick(before, cands, after, trusted=k == 0 and self._trust_first)
            best, _, show = picks[key]
            chosen.append(best)
            shown.append(show)
            unsure += show == UNRECOVERABLE
        run = "".join(chosen)
        if _PRIVATE_USE.search(run):
            # GBK text has no user-defined characters: a reading that makes
            # one is wrong (the shifted run is full of them, its repair not).
            return Choice(run, reading.end, -math.inf, limit, unsure, 0)
        score = lm.score(run + text[reading.end : limit], prev)
        exact = sum(len(c) == 1 for c in items)
        return Choice("".join(shown), reading.end, score, limit, unsure, exact)


    def pick(self, before: str, cands: tuple[str, ...], after: str, trusted: bool = False) -> tuple[str, float, str]:
        """The model's choice for a lost character (scored in the run), its share
        of the candidates' probability, and what the text shows.

        A user-defined GBK code (private use after decoding) is what a strict
        decoder could not read, so it is a strong candidate for the lost
        character: the Sogou dumps mark paragraphs with one (FDA3, U+E40C),
        which a strict GBK decoder turns into `?` and a run shifted by the
        trail byte A3. The model scores such candidates as a line break (the
        character model learnt U+E40C as one). Only a letter the model is sure
        of is shown: punctuation is never synthesised (the paragraph mark read
        as `。` made `。。` after every paragraph), a lost break or space
        becomes nothing, anything else U+FFFD.
        """
        scored = tuple(dict.fromkeys(_PARAGRAPH if _is_private(c) else c for c in cands))
        best, share = self._lm.choose(before, scored, after)
        sure = share >= self._min_confidence or trusted
        if best in _SPACES:
            return best, share, "" if sure else UNRECOVERABLE
        return best, share, best if sure and _is_letter(best) else UNRECOVERABLE


def _is_private(ch: str) -> bool:
    return "\ue000" <= ch <= "\uf8ff"


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


def _line_end(text: str, start: int) -> int:
    stop = min(len(text), start + _CONTEXT_AFTER)
    nl = text.find("\n", start, stop)
    return stop if nl < 0 else nl


def _no_worse(lm: CharLM, text: str, start: int, choice: Choice) -> bool:
    """Even with evidence, a reading less plausible than the damage is a wrong one."""
    if choice.score == -math.inf:
        return False
    prev = text[start - 1] if start else ""
    return choice.score >= lm.score(text[start : choice.limit], prev)


class FrameshiftPinyinFixer(Fixer):
    name = "frameshift_pinyin"
    rule_ids = (PINYIN_RULE,)

    def __init__(self, table: PinyinTable, lm: CharLM, min_confidence: float):
        self._table = table
        self._reader = ShiftReader(table, GbkCodes())
        self._chooser = RunChooser(lm, min_confidence, trust_first=True)
        self._lm = lm
        letters = "".join(sorted(table.letters))
        self._pattern = re.compile(f"{re.escape(LOST)}[(（]?([{re.escape(letters)}]{{1,6}})[)）]")

    def edits(self, text: str) -> list[Edit]:
        if LOST not in text:
            return []
        edits: list[Edit] = []
        pos = 0
        while (m := self._pattern.search(text, pos)) is not None:
            pos = m.start() + 1
            leads = self._lost_leads(text, m.start(), m.group(1))
            if not leads:
                continue
            choice = self._chooser.best(text, m.start(), self._reader.readings(text, m.end(), leads))
            if choice is None or not _no_worse(self._lm, text, m.start(), choice):
                continue
            edits.append(Edit(m.start(), choice.end, choice.text, PINYIN_RULE))
            pos = choice.end
        return edits

    def _lost_leads(self, text: str, at: int, syllable: str) -> tuple[int, ...]:
        if at == 0 or syllable not in self._table.all_syllables:
            return ()
        try:
            prev = text[at - 1].encode("gbk")
        except UnicodeEncodeError:
            return ()
        if len(prev) != 2:
            return ()
        straddles = self._table.chars_with_lead(prev[1], syllable)
        return tuple(sorted({c.encode("gbk")[1] for c in straddles}))


class FrameshiftLMFixer(Fixer):
    name = "frameshift_lm"
    rule_ids = (LM_RULE,)

    def __init__(self, table: PinyinTable, lm: CharLM, min_confidence: float, min_gain: float):
        self._codes = GbkCodes()
        self._reader = ShiftReader(table, self._codes)
        self._chooser = RunChooser(lm, min_confidence)
        self._lm = lm
        self._min_gain = min_gain
        self._pattern = re.compile(re.escape(LOST))

    def edits(self, text: str) -> list[Edit]:
        if LOST not in text:
            return []
        edits: list[Edit] = []
        pos = 0
        while (m := self._pattern.search(text, pos)) is not None:
            start = m.start()
            pos = start + 1
            if not self._promising(text, start + 1):
                continue
            choice = self._chooser.best(text, start, self._reader.readings(text, start + 1, LEADS))
            if choice is None or choice.score == -math.inf or not self._worth_it(text, start, choice):
                continue
            edits.append(Edit(start, choice.end, choice.text, LM_RULE))
            pos = choice.end
        return edits

    def _promising(self, text: str, at: int) -> bool:
        """A cheap look at the few characters after a `?` before the full search.

        Most `?` in crawled text are real question marks or characters lost in
        an encode, followed by ordinary text; the search would walk hundreds
        of characters to find that out. Realigning the next few characters
        (one byte on, no alternatives) must make them clearly more plausible.
        """
        window = text[at : at + _PEEK]
        data = bytearray()
        for k, ch in enumerate(window):
            options = self._codes.options(ch)
            # ASCII read as the full-width form it may have been folded from;
            # whitespace and a `?` (an unknown byte) end the look.
            if not options or len(options[-1]) != 2 or (k and ch == LOST):
                break
            data += bytes(options[-1])
        window = window[: len(data) // 2]
        if len(data) < 4:
            # Under two characters before the run would realign: too short a
            # run to tell from chance (see _MIN_EXACT).
            return False
        shifted = data[1:].decode("gb18030", "replace")
        done = len(data) // 2
        gain = self._lm.score(shifted[: done - 1]) - self._lm.score(window[1:done])
        return gain >= self._min_gain * (done - 1) / 2

    def _worth_it(self, text: str, start: int, choice: Choice) -> bool:
        if choice.exact < _MIN_EXACT and not _PRIVATE_USE.search(text, start, choice.end):
            # `谁?I am`: nothing in the run says it was shifted. (A private-use
            # character does: GBK text has none, shifted GBK has many.)
            return False
        prev = text[start - 1] if start else ""
        damaged = self._lm.score(text[start : choice.limit], prev)
        gain = choice.score - damaged
        return gain >= self._min_gain * (choice.end - start)
