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

A byte lost silently leaves a run found from its end (`REALIGN_RULE`, see
`FrameshiftLMFixer`), a run of one character before a `?` (both characters
chosen), or a lone `?` (`LONE_RULE`: the character's other byte made no pair
with the next lead). Punctuation a lost character was (，。、“” ...) is shown
only when the 4-gram model is all but certain, after a letter, never at a
paragraph's start.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from pipeline.core.document import Edit
from pipeline.stages.repair.base import Fixer
from pipeline.stages.repair.charlm import CharLM
from pipeline.stages.repair.gbkshift import LEADS, QUESTION, GbkCodes, Reading, ShiftReader
from pipeline.stages.repair.pinyin import PinyinTable

PINYIN_RULE = "repair.frameshift.pinyin"
LM_RULE = "repair.frameshift.lm"
REALIGN_RULE = "repair.frameshift.realign"
LONE_RULE = "repair.frameshift.lone"
QUIET_RULE = "repair.frameshift.quiet"
UNRECOVERABLE = "\ufffd"
# What a lost lead byte became. Only `?`: U+FFFD is what this stage writes for
# a character it cannot recover, and repairing repaired text must change nothing.
LOST = "?"
# Candidates for a lone `?` the 4-gram model is asked about (the bigram model's best).
_SHORTLIST = 48
# The share a lone `?`'s character needs. A `?` in clean text is mostly a
# character the page's charset lacked (赵文瑄, 徐若瑄: rare name characters,
# none of the candidates): at 0.9 the model wrote 赵文军.
_LONE_CONFIDENCE = 0.99
# A real question mark, as the models know it (competing with a lost character's candidates).
_QUESTION = "？"
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
# A lost paragraph mark (user-defined GBK code) is scored as the line break
# it stands for; a lost space or break is shown as nothing.
_PARAGRAPH = "\n"
_SPACES = frozenset("\n\u3000 ")
# Punctuation a lost character may be shown as, and the model's share it needs:
# on the tune half's lost punctuation slots (eval/repair.py, true context) 581 of
# 4,070 sampled slots were shown at 0.99, 5 wrong (；： read as ，); at 0.95, 14 of 807.
# The share a letter needs where it and a neighbour are characters mostly
# written inside names (`data/name_chars.tsv`): the model is confidently wrong
# there (聚?克斯 for 海克斯康: 98.3% sure of 福, a common name).
_NAME_CONFIDENCE = 0.99
_MARKS = frozenset("，。、：；“”！？（）《》")
_MARK_CONFIDENCE = 0.99
_STOPS = frozenset("，。、：；！？")
_CLOSING = frozenset("”）》")
# What a paragraph ends with, before a paragraph mark.
_PARAGRAPH_END = frozenset("\n\u3000 。！？!?…”」』）)")
# Characters of plain text after a run that the score also covers, so that
# readings ending at different places are compared on the same span.
_CONTEXT_AFTER = 3
# Characters of context on each side of a lost character when choosing it.
_CONTEXT = 3
# Without evidence, a run must recover at least this many characters exactly:
# one guessed character alone is no sign of a shift.
_MIN_EXACT = 2
# A run found from its end: its realignment point is evidence of its own.
_MIN_EXACT_REALIGN = 1
# Characters after a `?` the cheap pre-check looks at.
_PEEK = 8
# A run ending at a `?` realignment: characters looked back at, and the start
# positions (best by a first, cheap score) read in full.
_MAX_BACK = 400
_STARTS = 3
# log P(character | the one before) above which a character before a `?` is
# taken as written, not as a run of one (a cheap look before the search).
_UNLIKELY = math.log(1e-3)
# The bigram model's share below which a run of one is not asked of the 4-gram model.
_BIGRAM_HOPE = 0.3
# log unigram probability below which a character may end a run that swallowed an ASCII byte.
_RARE = math.log(1e-6)
# A run with no mark at either end (`QUIET_RULE`) is looked for only around a
# character this rare (or a user-defined one): shifted text is full of them,
# clean news has about three in a thousand characters.
_SUSPECT = math.log(1e-5)
# Characters either side of such a character the cheap look reads.
_LOCAL = 10
# A realigned neighbour of a suspect character this common is worth a closer look.
_COMMON = math.log(1e-4)
# The Sogou paragraph mark (FDA3): a line end to this search, not a shifted character.
_SEGMENT = "\ue40c"
# Such a run needs this many characters recovered exactly, and this many times
# the gain a run ending at a `?` needs: nothing but the model says it is one.
_MIN_EXACT_QUIET = 2
# A short one (two characters, one recovered exactly between its two lost
# ones) is read only when the cheap look gains this many nats (most rare
# characters in clean text pass a smaller bar: at 6 the stage on clean news
# took 1.4 times the CPU), and repaired only with at most one U+FFFD shown.
_MIN_EXACT_SHORT = 1
_SHORT_LOOK = 12.0
_QUIET_GAIN = 1.5
# Ends of such a run read before giving up when none of them is a repair.
_QUIET_FIRST = 2


@dataclass(frozen=True)
class Choice:
    run: str  # the repaired run, each unknown character at the bigram model's best
    end: int  # index just after the damaged span
    score: float  # log-probability of run + the context after it, up to `limit`
    limit: int  # end of the span the score covers
    exact: int  # characters the run's bytes determine (no choice involved)
    # Each unknown character: (index in run, context before, candidates, context after, trusted).
    slots: tuple[tuple[int, str, tuple[str, ...], str, bool], ...] = ()
    left: str = ""  # text just before the run, and just after it ("\n" at the end of the text)
    right: str = ""


class RunChooser:
    """Picks the most plausible reading of a run and its unknown characters.

    Readings and run starts are compared under the bigram model; what the
    text shows for an unknown character (`shown`) is asked of the 4-gram
    model only for a repair that is made, so text whose `?` are real question
    marks neither pays for those choices nor loads that model.
    """

    def __init__(
        self, lm: CharLM, min_confidence: float, trust_first: bool = False, ngram=None, names: frozenset[str] = frozenset()
    ):
        self._lm = lm
        # Characters mostly written inside names (`_NAME_CONFIDENCE`).
        self._names = names
        # A callable giving the 4-gram model (loaded on first use), or None: the bigram model chooses.
        self._ngram = ngram
        self._min_confidence = min_confidence
        # With pinyin evidence the first character's candidates are already
        # narrowed to the readings of the lost code: take the best of them.
        self._trust_first = trust_first
        # Candidate tuples with their simplified forms (the same tuples recur).
        self._forms: dict[tuple[str, ...], tuple[str, ...]] = {}
        # The bigram model's best candidate by (character before, candidates, character
        # after), kept for one text (`forget`): memory stays bounded by a document.
        self._firsts: dict[tuple[str, tuple[str, ...], str], str] = {}

    def forget(self) -> None:
        """Drops the choices kept for the last text."""
        self._firsts.clear()

    def best(self, text: str, start: int, readings: list[Reading]) -> Choice | None:
        if not readings:
            return None
        prev = text[start - 1] if start else ""
        limit = _line_end(text, max(r.end for r in readings))
        picks: dict = {}  # readings share their unknown characters: choose each once
        context = text[max(0, start - _CONTEXT) : start]
        choices = [self._choose(text, prev, context, r, limit, picks) for r in readings]
        return max(choices, key=lambda c: c.score)

    def shown(self, choice: Choice) -> str:
        """The run as written: each unknown character as `pick` shows it.

        Each is chosen between the characters on both sides of it, unknown
        neighbours included: they start at the bigram model's best and each
        is chosen again between the others' current best, twice over where a
        run has several (`户�住�` for 户口住址: 口 is chosen before 住址, not
        before 住 alone).
        """
        out = list(choice.run)
        picks: dict = {}
        filled = list(choice.run)
        at = len(choice.left)
        for _ in range(1 if len(choice.slots) < 2 else 2):
            for i, _, cands, _, trusted in choice.slots:
                whole = choice.left + "".join(filled) + choice.right
                j = at + i
                before, after = whole[max(0, j - _CONTEXT) : j], whole[j + 1 : j + 1 + _CONTEXT]
                key = (before, cands, after, trusted)
                if key not in picks:
                    picks[key] = self.pick(before, cands, after, trusted=trusted)
                filled[i], _, out[i] = picks[key]
        return "".join(out)

    def _choose(self, text: str, prev: str, context: str, reading: Reading, limit: int, picks: dict) -> Choice:
        lm = self._lm
        chosen: list[str] = []
        slots = []
        items = reading.items
        for k, cands in enumerate(items):
            if len(cands) == 1:
                chosen.append(cands[0])
                continue
            before = (context + "".join(chosen))[-_CONTEXT:]
            after = ""
            for nxt in items[k + 1 : k + 1 + _CONTEXT]:
                if len(nxt) != 1:
                    break
                after += nxt[0]
            else:
                if k + 1 + _CONTEXT > len(items):
                    # The end of the text is the end of a paragraph.
                    after += text[reading.end : reading.end + _CONTEXT] if reading.end < len(text) else "\n"
            after = after[:_CONTEXT]
            key = (before[-1:], cands, after[:1])
            if key not in picks:
                # Readings (and starts) are compared under the bigram model, each
                # unknown character at its best there, whatever the text shows.
                # The same question recurs across starts and ends of one run
                # (its last character, a start's first): answered once.
                best = self._firsts.get(key)
                if best is None:
                    best = self._firsts[key] = self._lm.choose(before[-1:], _scored(before, cands, after), after[:1])[0]
                picks[key] = best
            slots.append((len(chosen), before, cands, after, k == 0 and self._trust_first))
            chosen.append(picks[key])
        run = "".join(chosen)
        if _PRIVATE_USE.search(run):
            # GBK text has no user-defined characters: a reading that makes
            # one is wrong (the shifted run is full of them, its repair not).
            return Choice(run, reading.end, -math.inf, limit, 0)
        score = lm.score(run + text[reading.end : limit], prev)
        exact = sum(len(c) == 1 for c in items)
        right = text[reading.end : reading.end + _CONTEXT] if reading.end < len(text) else "\n"
        return Choice(run, reading.end, score, limit, exact, tuple(slots), context, right)

    def pick(self, before: str, cands: tuple[str, ...], after: str, trusted: bool = False) -> tuple[str, float, str]:
        """The model's choice for a lost character (scored in the run), its share
        of the candidates' probability, and what the text shows.

        A user-defined GBK code (private use after decoding) is what a strict
        decoder could not read, so it is a strong candidate for the lost
        character: the Sogou dumps mark paragraphs with one (FDA3, U+E40C),
        which a strict GBK decoder turns into `?` and a run shifted by the
        trail byte A3. The model scores such candidates as a line break (the
        character model learnt U+E40C as one). Only a letter the model is sure
        of is shown, or a common punctuation mark it is all but certain of
        after a letter (`_punctuation_fits`: never at a paragraph's start, where
        the paragraph mark read as `。` made `。。`); a lost break or space
        before white space becomes nothing, anything else U+FFFD.
        """
        scored = self._one_per_form(before, _scored(before, cands, after), after)
        if self._ngram is not None:
            best, share = self._ngram().choose(before, scored, after)
        else:
            best, share = self._lm.choose(before[-1:], scored, after[:1])
        need = self._min_confidence
        if best in self._names and (before[-1:] in self._names or after[:1] in self._names):
            need = max(need, _NAME_CONFIDENCE)
        sure = share >= need or trusted
        if best in _SPACES:
            # Nothing only beside other white space (a paragraph's `　　`): inside
            # a sentence a lost character was there.
            beside = after[:1] in _SPACES or not after
            return best, share, "" if sure and beside else UNRECOVERABLE
        if _is_letter(best):
            return best, share, best if sure else UNRECOVERABLE
        return best, share, best if _punctuation_fits(before, best, after, share) else UNRECOVERABLE

    def _one_per_form(self, before: str, cands: tuple[str, ...], after: str) -> tuple[str, ...]:
        """One candidate per simplified form: the models score 滿 as 满, so the
        two would split the share of their form. The one kept is written as
        the context is (traditional only beside traditional text)."""
        forms = self._forms.get(cands)
        if forms is None:
            forms = self._forms[cands] = tuple(self._lm.simplify(c)[:1] or c for c in cands)
        if len(set(forms)) == len(forms):
            return cands
        context = before + after
        traditional = self._lm.simplify(context) != context
        kept: dict[str, str] = {}
        for c, f in zip(cands, forms):
            if f not in kept or ((c != f) == traditional and (kept[f] != f) != traditional):
                kept[f] = c
        return tuple(kept.values())


def _punctuation_fits(before: str, mark: str, after: str, share: float) -> bool:
    """A lost punctuation mark is shown only when the model is all but certain
    and it sits after a letter or a closing mark: never at a paragraph's start
    (a lost `　` read as `。` made `。。`), never twice in a row."""
    if mark not in _MARKS or share < _MARK_CONFIDENCE or not before:
        return False
    prev = before[-1]
    if prev.isspace() or prev == mark or after[:1] == mark:
        return False
    return prev not in _MARKS or (prev in _STOPS and mark in _CLOSING)


def _scored(before: str, cands: tuple[str, ...], after: str) -> tuple[str, ...]:
    """The candidates as the model scores them: a user-defined code as the line
    break it stands for, but only where a paragraph can end (after end
    punctuation or white space, or before white space; "" after is a neighbour
    still unknown, not the end, which is "\n"). Elsewhere it is no
    candidate: the models learnt a line break after any word (jieba's
    dictionary is one word a line), and `户\n住` outscored 户口住址."""
    if any(_is_private(c) for c in cands):
        if not before or before[-1] in _PARAGRAPH_END or after[:1] in _SPACES:
            return tuple(dict.fromkeys(_PARAGRAPH if _is_private(c) else c for c in cands))
        kept = tuple(c for c in cands if not _is_private(c))
        return kept or (_PARAGRAPH,)
    return cands


def _pairs(codec: str) -> frozenset[bytes]:
    """Every two-byte sequence `codec` decodes to one character."""
    found = []
    for a in range(0x81, 0xFF):
        for b in range(0x40, 0xFF):
            try:
                ch = bytes((a, b)).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                found.append(bytes((a, b)))
    return frozenset(found)


def _gb2312_pair(lead: int, trail: int) -> bool:
    try:
        bytes((lead, trail)).decode("gb2312")
    except UnicodeDecodeError:
        return False
    return True


def _is_private(ch: str) -> bool:
    return "\ue000" <= ch <= "\uf8ff"


def _letters(text: str, start: int, end: int) -> int:
    """Letters in text[start:end], full-width Latin letters and digits aside."""
    return sum(_is_letter(c) and not "\uff01" <= c <= "\uff5e" for c in text[start:end])


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

    def __init__(self, table: PinyinTable, lm: CharLM, min_confidence: float, ngram=None):
        self._table = table
        self._reader = ShiftReader(table, GbkCodes())
        self._chooser = RunChooser(lm, min_confidence, trust_first=True, ngram=ngram)
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
            edits.append(Edit(m.start(), choice.end, self._chooser.shown(choice), PINYIN_RULE))
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
    """Frame shifts without evidence, found from either end.

    From the start (`LM_RULE`): a `?` then a shifted run, as above. From the
    end (`REALIGN_RULE`): a byte silently lost (`青岛市科技局今天发布` →
    `青岛市科季纸裉旆⒉剂`) leaves no mark where the run starts; a strict
    decoder runs on one byte off until a pair it cannot decode, writes `?` for
    that one byte and realigns (`…姆龀终?策`). Every character T of such a
    run is [trail of one original character][lead of the next], so the
    original characters in between are [T_i trail][T_i+1 lead], exactly; the
    first one lost its lead or its trail (candidates: either), the last one
    its trail (the byte behind the `?`). Where the run starts is the point
    where reading on as written stops being more plausible than reading
    realigned (GB18030 decoders never stop early: their runs end at the next
    ASCII byte, still with a mark).
    """

    name = "frameshift_lm"
    rule_ids = (LM_RULE, REALIGN_RULE, LONE_RULE, QUIET_RULE)

    def __init__(
        self, table: PinyinTable, lm: CharLM, min_confidence: float, min_gain: float, ngram=None,
        names: frozenset[str] = frozenset(),
    ):
        self._codes = GbkCodes()
        # Two-byte codes by character (`_codes2`; asked of every character near a suspect one).
        self._two = self._codes.two_byte_codes()
        self._reader = ShiftReader(table, self._codes)
        self._chooser = RunChooser(lm, min_confidence, ngram=ngram, names=names)
        self._lm = lm
        self._min_gain = min_gain
        self._pattern = re.compile(re.escape(LOST))
        # Two-byte codes with an ASCII trail byte: where a run can end without a mark.
        self._swallow = re.compile(f"[{re.escape(''.join(self._codes.with_ascii_trail()))}]")
        # Candidates for a lone `?`, by the lead byte after it (built on first use).
        self._lone_cands: dict = {}  # by next byte, and by the bytes that make no pair with it
        self._lone_forms: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._lone_common: dict[tuple[str, ...], list[int]] = {}  # the most frequent candidates
        self._lone_where: dict[tuple[str, ...], dict[str, list[int]]] = {}  # form -> indices
        # Every GBK character as (char, lead, trail, in GB2312, simplified form), and
        # the two decoders' pairs (built on first use).
        self._lone_all: list[tuple[str, int, int, bool, str]] = []
        self._lone_tables: tuple[frozenset[bytes], frozenset[bytes]] = (frozenset(), frozenset())
        # Rare and user-defined two-byte characters, where a run with no mark is looked for (built on first use).
        self._suspect: re.Pattern | None = None

    def edits(self, text: str) -> list[Edit]:
        self._chooser.forget()
        if LOST not in text:
            return self._quiet(text, self._realigned(text, []) if self._swallow.search(text) else [])
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
            edits.append(Edit(start, choice.end, self._chooser.shown(choice), LM_RULE))
            pos = choice.end
        return self._quiet(text, self._lone(text, self._realigned(text, edits)))

    def _quiet(self, text: str, edits: list[Edit]) -> list[Edit]:
        """Adds the runs with no mark at either end: a byte silently lost and a
        decoder that dropped what it could not decode (`科季纸裉旆⒉剂诵碌姆龀终策`).

        Such a run is garbage under the character model and far more
        plausible read one byte on. It is looked for only around a rare or
        user-defined character (`_suspect`); a cheap look there finds the
        stretch whose realigned reading beats the text as written, and the
        run is read in full (`_run_before_scored`) for the few ends that
        look best: at an invalid pair the decoder dropped (the next
        character is right again), or before an ASCII byte or a line end.
        """
        suspect = self._suspect_chars()
        found = list(edits)
        taken = [(e.start, e.end) for e in edits]
        tried = -1
        for m in suspect.finditer(text):
            h = m.start()
            if h < tried or any(a <= h < b for a, b in taken):
                continue
            # Cheap looks first: most rare characters are names in clean text.
            ends = self._quiet_near(text, h) and self._quiet_ends(text, h, 3) and self._quiet_ends(text, h, _LOCAL)
            if not ends:
                continue
            tried = min(q for q, _ in ends)
            # The run starts near its first rare character (a shifted run is full of them).
            floor = max(max((b for a, b in taken if b <= h), default=0), text.rfind(_SEGMENT, 0, h) + 1, h - 2 * _LOCAL)
            got = []
            for tried_ends, (q, swallowed) in enumerate(ends):
                if tried_ends == _QUIET_FIRST and not got:
                    break  # the likeliest ends gave nothing: clean text, most often
                if any(a < q <= b for a, b in taken):
                    continue
                one = self._run_before_scored(text, q, floor, marker=False, quiet=not swallowed)
                # The run as written holds letters (`☆＿☆` read one byte on is no repair).
                if one is not None and one[0].start <= h and _letters(text, one[0].start, one[0].end) >= _MIN_EXACT_QUIET:
                    got.append(one)
            if got:
                # Ends compared on one span: the text as written around each reading.
                lo = min(g[2][1] for g in got)
                hi = max(g[2][2] for g in got)
                lm = self._lm

                def total(g) -> float:
                    score, start, limit = g[2]
                    return (
                        lm.score(text[lo:start], text[lo - 1 : lo]) + score + lm.score(text[limit:hi], text[limit - 1])
                    )

                best = max(got, key=total)[0]
                found.append(best)
                taken.append((best.start, best.end))
                tried = best.end
        found.sort(key=lambda e: e.start)
        return found

    def _suspect_chars(self) -> re.Pattern:
        if self._suspect is None:
            lm = self._lm
            # Full-width letters and digits are rare in the model's text but
            # ordinary in news (ＶＩＰ): no sign of a run on their own.
            rare = [
                ch
                for ch in self._codes.two_byte()
                if ch != _SEGMENT
                and (_is_private(ch) or (lm.unigram(lm.simplify(ch)) < _SUSPECT and not "\uff01" <= ch <= "\uff5e"))
            ]
            self._suspect = re.compile("[" + "".join(re.escape(c) for c in sorted(rare)) + "]")
        return self._suspect

    def _quiet_near(self, text: str, h: int) -> bool:
        """The suspect character at `h` read one byte on against either neighbour
        (the characters between, realigned) makes a character that is not rare:
        inside a run at least one of them is an original character."""
        code = self._codes2(text[h])
        if code is None:
            return False
        lm = self._lm
        pair = self._codes._pair
        for k in (h - 1, h + 1):
            if not 0 <= k < len(text):
                continue
            other = self._codes2(text[k])
            if other is None:
                continue
            ch = pair.get((other[1], code[0]) if k < h else (code[1], other[0]))
            if ch is not None and not _is_private(ch) and lm.unigram(lm.simplify(ch)) >= _COMMON:
                return True
        return False

    def _quiet_ends(self, text: str, h: int, reach: int) -> list[tuple[int, bool]]:
        """A cheap look around the suspect character at `h`: the ends worth a
        full reading of a run through it (the furthest first), or none.

        Each character T_k of a run is [trail of one original][lead of the
        next], so the characters between run characters, read realigned, are
        the original ones. The stretch through `h` where the realigned chain
        beats the text as written by the most (a best sum of per-character
        differences) must beat it by the gain a run needs.
        """
        codes2 = self._two.get
        a = h
        while a > max(0, h - reach) and text[a - 1] != _SEGMENT and codes2(text[a - 1]) is not None:
            a -= 1
        b = h
        while b < min(len(text), h + 1 + reach) and text[b] != _SEGMENT and codes2(text[b]) is not None:
            b += 1
        if b - a < 3 or b <= h:
            return []
        codes = [codes2(c) for c in text[a:b]]
        pair = self._codes._pair.get
        lm = self._lm
        n = b - a
        realigned = []
        for k in range(n - 1):
            t = pair((codes[k][1], codes[k + 1][0]))  # type: ignore[index]
            realigned.append(t if t is not None and not _is_private(t) else "")
        written = lm.simplify(text[a:b])
        joined = lm.simplify("".join(t or "\u3000" for t in realigned))
        re_simple = [c if t else "" for c, t in zip(joined, realigned)]
        # diff[k]: the realigned character between k and k+1 after the one before
        # it, against the written character k+1 after k.
        logprob = lm.logprob
        diff = []
        for k in range(n - 1):
            if not re_simple[k]:
                diff.append(None)
                continue
            prev = re_simple[k - 1] if k and re_simple[k - 1] else ""
            diff.append(logprob(prev, re_simple[k]) - logprob(written[k], written[k + 1]))
        # The best stretch of differences through `h` (k = h - a - 1 or h - a).
        centre = h - a
        best, best_lo, best_hi = -math.inf, 0, 0
        for c in (centre - 1, centre):
            if not 0 <= c < n - 1 or diff[c] is None:
                continue
            left, total, lo = 0.0, 0.0, c
            for k in range(c - 1, -1, -1):
                if diff[k] is None:
                    break
                total += diff[k]
                if total > left:
                    left, lo = total, k
            right, total, hi = 0.0, 0.0, c
            for k in range(c + 1, n - 1):
                if diff[k] is None:
                    break
                total += diff[k]
                if total > right:
                    right, hi = total, k
            gain = left + diff[c] + right
            if gain > best:
                best, best_lo, best_hi = gain, lo, hi
        size = best_hi - best_lo + 1
        if size < _MIN_EXACT_SHORT or best < self._min_gain * size or (size < _MIN_EXACT_QUIET and best < _SHORT_LOOK):
            return []
        # Realigned characters best_lo..best_hi sit between run characters; the
        # run's last character is best_hi + 1, its end one or two further.
        last = a + best_hi + 2
        # Likeliest first: the end the differences point at, the one before it
        # (the last realigned character may be the unknown one), then the rest.
        ends = [(q, False) for q in (last, last - 1, last + 1, last + 2) if h < q <= len(text)]
        stretch = b
        while stretch < len(text) and stretch - h < _MAX_BACK and text[stretch] != _SEGMENT and codes2(text[stretch]) is not None:
            stretch += 1
        if stretch - h < _MAX_BACK:
            # Before an ASCII byte or a line end: the last byte dropped, or the
            # ASCII byte swallowed as a trail (`續` for [trail]`m`). Where the
            # differences run to it, it comes first.
            at = ([(stretch, True)] if stretch < len(text) and text[stretch].isascii()
                  and codes2(text[stretch - 1])[1] < 0x80 else [])  # type: ignore[index]
            at.append((stretch, False))
            ends = at + ends if b == stretch else ends + at
        return list(dict.fromkeys(ends))

    def _lone(self, text: str, edits: list[Edit]) -> list[Edit]:
        """Adds the `?` no run has taken that stand for a whole lost character.

        A byte lost from a character whose other byte and the next lead make
        no pair the decoder knows leaves one `?` and no run (`充?魅力` for
        充满魅力: the trail of 满 and the lead of 魅 are no GB2312 code). The
        candidates are the characters one of whose bytes makes no pair with
        the next character's lead; a real question mark competes as `？`. The
        character is written only when the model is sure of it (as `pick`
        shows it); otherwise the `?` stays: it may be the text's own.
        """
        found = list(edits)
        taken = [(e.start, e.end) for e in edits]
        for m in self._pattern.finditer(text):
            q = m.start()
            if any(a <= q < b for a, b in taken):
                continue
            edit = self._lone_mark(text, q)
            if edit is not None:
                found.append(edit)
        found.sort(key=lambda e: e.start)
        return found

    def _lone_mark(self, text: str, q: int) -> Edit | None:
        # Only between two-byte text: a `?` at a paragraph's start, after ASCII
        # or next to another mark is no lost character this can tell.
        if q == 0 or self._codes2(text[q - 1]) is None:
            return None
        nxt = text[q + 1] if q + 1 < len(text) else ""
        if nxt in QUESTION:
            return None
        code = self._codes2(nxt) if nxt else None
        if nxt and code is None and not nxt.isascii():
            return None
        # The byte after the `?`: a lead, an ASCII byte, or none (-1: the end).
        cands = self._lone_candidates(code[0] if code else ord(nxt) if nxt else -1)
        if not cands:
            return None
        before, after = text[max(0, q - _CONTEXT) : q], text[q + 1 : q + 1 + _CONTEXT] or "\n"
        # A shortlist by the bigram model, a real question mark among it; one
        # that comes first there (most `?` after clean text) asks nothing of
        # the 4-gram model, which chooses among the rest.
        lm = self._lm
        b, a = lm.simplify(before[-1:] + after[:1]) if after[:1] != "\n" else (lm.simplify(before[-1:]) + "\n")
        forms = self._lone_forms[cands]
        logprob = lm.logprob
        # Only candidates with a bigram beside them, and the most frequent ones,
        # can score best: scoring those alone keeps a real `?` cheap (thousands
        # of candidates otherwise, before an ASCII character over twenty thousand).
        where = self._lone_where[cands]
        idx = set(self._lone_common[cands])
        for near in lm.neighbours(b, a):
            for f in near:
                idx.update(where.get(f, ()))
        scores = {i: logprob(b, forms[i]) + logprob(forms[i], a) for i in sorted(idx)}
        question = logprob(b, _QUESTION) + logprob(_QUESTION, a)
        order = sorted(scores, key=scores.__getitem__, reverse=True)[:_SHORTLIST]
        if not order or scores[order[0]] < question + self._min_gain:
            return None
        top = scores[order[0]]
        if 1.0 / sum(math.exp(v - top) for v in scores.values()) < _BIGRAM_HOPE:
            return None  # the bigram model far from sure: the 4-gram model rarely is
        best, share, shown = self._chooser.pick(before, tuple(cands[i] for i in order) + (_QUESTION,), after)
        if best == _QUESTION or share < _LONE_CONFIDENCE or not shown or shown == UNRECOVERABLE:
            return None
        return Edit(q, q + 1, shown, LONE_RULE)

    def _lone_candidates(self, nxt: int) -> tuple[str, ...]:
        """Characters that leave a lone `?` before the byte `nxt` (-1: the end of
        the text) when a byte is lost: the lead (the trail, not ASCII, makes no
        pair with `nxt`) or the trail (the lead makes none), under a GB2312
        decoder (the character in GB2312) or a GBK one."""
        cands = self._lone_cands.get(nxt)
        if cands is None:
            if not self._lone_all:
                gb2312, gbk = _pairs("gb2312"), _pairs("gbk")
                self._lone_tables = (gb2312, gbk)
                for lo in LEADS:
                    for ch in self._codes.with_lead(lo):
                        code = ch.encode("gb18030")
                        if len(code) == 2 and code in gbk:
                            form = self._lm.simplify(ch)[:1] or ch
                            self._lone_all.append((ch, code[0], code[1], code in gb2312, form))
            gb2312, gbk = self._lone_tables
            # Bytes that make no pair with `nxt`, under either decoder (most
            # leads share them: the candidates are built once per such pair).
            bad2312 = frozenset(x for x in range(256) if nxt < 0 or bytes((x, nxt)) not in gb2312)
            badgbk = frozenset(x for x in range(256) if nxt < 0 or bytes((x, nxt)) not in gbk)
            cands = self._lone_cands.get((bad2312, badgbk))  # type: ignore[call-overload]
            if cands is not None:
                self._lone_cands[nxt] = cands
                return cands
            found = [
                (ch, form)
                for ch, a, b, in2312, form in self._lone_all
                if (in2312 and (a in bad2312 or (b >= 0x80 and b in bad2312))) or a in badgbk or (b >= 0x80 and b in badgbk)
            ]
            cands = self._lone_cands[nxt] = self._lone_cands[bad2312, badgbk] = tuple(ch for ch, _ in found)  # type: ignore[index]
            forms = self._lone_forms[cands] = tuple(form for _, form in found)
            unigram = self._lm.unigram
            where: dict[str, list[int]] = {}
            for i, f in enumerate(forms):
                where.setdefault(f, []).append(i)
            self._lone_where[cands] = where
            self._lone_common[cands] = sorted(range(len(forms)), key=lambda i: -unigram(forms[i]))[:_SHORTLIST]
        return cands

    def _realigned(self, text: str, edits: list[Edit]) -> list[Edit]:
        """Adds the runs that end at a `?` or a swallowed ASCII byte no edit has taken."""
        found = list(edits)
        taken = [(e.start, e.end) for e in edits]
        ends = [(m.start(), True) for m in self._pattern.finditer(text)]
        ends += [(m.end(), False) for m in self._swallow.finditer(text) if self._rare(m.group())]
        for stop, marker in sorted(ends):
            if any(a <= stop - (not marker) < b for a, b in taken):
                continue
            floor = max((b for a, b in taken if b <= stop), default=0)
            edit = self._run_before(text, stop, floor, marker)
            if edit is None and marker and stop - 1 > floor:
                edit = self._one_before(text, stop)
            if edit is not None:
                found.append(edit)
                taken.append((edit.start, edit.end))
        found.sort(key=lambda e: e.start)
        return found

    def _rare(self, ch: str) -> bool:
        # The last character of a run that swallowed an ASCII byte is a GBK/4
        # or user-defined code: rare (說 = D5 66 is common, and no sign of a run).
        return _is_private(ch) or self._lm.unigram(self._lm.simplify(ch)) < _RARE

    def _codes2(self, ch: str) -> tuple[int, int] | None:
        # ASCII in a run would have realigned it: only two-byte codes.
        return self._two.get(ch)

    def _last(self, lead: int, after: str) -> tuple[str, ...]:
        """Candidates for the run's last character: `lead` and the byte behind the `?`.

        The decoder wrote `?` because that byte and the next one (the lead of
        the character after the `?`) made no character it knew. Even the
        strictest of them (GB2312) knows most pairs, so this leaves few
        candidates: the trail bytes that are no GB2312 lead with it (AA-AF,
        F8-FE, ...). Before an ASCII character any trail byte fits.
        """
        cands = self._codes.with_lead(lead)
        nxt = self._codes2(after) if after else None
        if nxt is None:
            return cands
        return tuple(c for c in cands if not _gb2312_pair(c.encode("gb18030")[-1], nxt[0]))

    def _one_before(self, text: str, q: int) -> Edit | None:
        """A run of one character before the `?` at `q` (`审耍?合格` for 审核，合格).

        Its two bytes are the other byte of the character that lost one and
        the lead of the next, whose trail is the byte behind the `?`: both
        characters are chosen, nothing comes back exactly. It is repaired
        only when the repair is far more plausible than the text and the
        model shows both characters; otherwise the text stays as it is.
        """
        code = self._codes2(text[q - 1])
        if code is None or q < 2 or self._codes2(text[q - 2]) is None:
            return None
        lm = self._lm
        # Cheap look first: the character as written must be unlikely where it
        # stands (枰 after 分, 耍 after 审); after most real `?` it is not.
        if lm.logprob(lm.simplify(text[q - 2]), lm.simplify(text[q - 1])) > _UNLIKELY:
            return None
        lead, trail = code
        first = tuple(dict.fromkeys(self._codes.pairs(LEADS, lead) + self._codes.with_lead(lead)))
        last = self._last(trail, text[q + 1] if q + 1 < len(text) else "")
        if not first or not last:
            return None
        start, stop = q - 1, q + 1
        choice = self._chooser.best(text, start, [Reading((first, last), stop, 0)])
        if choice is None or choice.score == -math.inf:
            return None
        gain = choice.score - self._lm.score(text[start : choice.limit], text[start - 1])
        if gain < self._min_gain * (stop - start):
            return None
        # Both characters must be shown: where the bigram model is far from sure
        # of either, the 4-gram model (asked about hundreds of candidates) rarely is.
        after = text[stop : stop + 1] or "\n"
        if min(lm.choose(text[start - 1], first, choice.run[1])[1], lm.choose(choice.run[0], last, after)[1]) < _BIGRAM_HOPE:
            return None
        shown = self._chooser.shown(choice)
        if UNRECOVERABLE in shown or len(shown) != 2:
            return None
        return Edit(start, stop, shown, REALIGN_RULE)

    def _run_before(self, text: str, q: int, floor: int, marker: bool = True, quiet: bool = False) -> Edit | None:
        found = self._run_before_scored(text, q, floor, marker, quiet)
        return None if found is None else found[0]

    def _run_before_scored(
        self, text: str, q: int, floor: int, marker: bool = True, quiet: bool = False
    ) -> tuple[Edit, float, tuple[float, int, int]] | None:
        """The run of two-byte characters ending before `q`, read realigned, its
        gain, and (score, start, end) of the span the chosen reading's score covers.

        `marker`: `text[q]` is the decoder's `?` for the last character's
        trail byte. Else the run's last character `text[q - 1]` took the ASCII
        byte after the original's last character as its trail (`珹` for `A`):
        nothing is unknown at that end and the ASCII character comes back.
        `quiet`: the decoder dropped the last character's trail byte without a
        mark (it made no pair with `text[q]`): that character is unknown, as
        before a `?`, and the run ends at `q`.
        """
        lower = q
        codes: list[tuple[int, int]] = []
        while lower > floor and q - lower < _MAX_BACK and (c := self._codes2(text[lower - 1])) is not None:
            codes.append(c)
            lower -= 1
        codes.reverse()
        n = q - lower
        if n < _MIN_EXACT_REALIGN + 1:
            return None
        pair = self._codes.pairs
        lm = self._lm
        # Cheap look first, on the last few characters only (most `?` follow
        # ordinary text, and the run may reach hundreds of characters back):
        # read realigned they must be far more plausible than as written. The
        # run may be as short as two characters, so each tail length is tried.
        tail = ""
        for j in range(n - 2, max(-1, n - 2 - _PEEK), -1):
            t = pair((codes[j][1],), codes[j + 1][0])
            if len(t) != 1 or _is_private(t[0]):
                return None
            tail = t[0] + tail
            if len(tail) >= _MIN_EXACT_REALIGN and (
                lm.score(lm.simplify(tail)) - lm.score(lm.simplify(text[lower + j + 1 : q]))
                >= self._min_gain * len(tail) / 2
            ):
                break
        else:
            return None
        # realigned[k]: the character between run characters k and k+1, if any.
        realigned = [pair((codes[k][1],), codes[k + 1][0]) for k in range(n - 1)]
        simple = lm.simplify(text[lower - 1 : q] if lower else text[lower:q])
        written = simple[1:] if lower else simple
        prev_s = simple[0] if lower else ""
        # Changepoint: as written up to the start s, realigned after it.
        as_written = [0.0] * (n + 1)
        before = prev_s
        for j, ch in enumerate(written):
            as_written[j + 1] = as_written[j] + lm.logprob(before, ch)
            before = ch
        ok = [len(t) == 1 and not _is_private(t[0]) for t in realigned]
        re_simple = lm.simplify("".join(t[0] if len(t) == 1 else "\ufffd" for t in realigned))
        as_realigned = [0.0] * n  # as_realigned[j]: score of realigned[j..n-2] (chain inside)
        for j in range(n - 3, -1, -1):
            as_realigned[j] = as_realigned[j + 1] + lm.logprob(re_simple[j], re_simple[j + 1])
        starts = []
        # s_ = run start relative to lower. A run of one character (nothing
        # realigned) is a candidate too, so that its start is not taken for an
        # earlier one (which would rewrite a clean character); it is not
        # repaired (too little to tell from chance).
        for s_ in range(n):
            if not all(ok[s_:]):
                continue
            starts.append((as_written[s_] + as_realigned[s_], s_))
        if not starts:
            return None
        starts.sort(reverse=True)
        # Exact characters the run must recover: one after a `?` mark (the
        # realignment point is evidence), two where the run swallowed an
        # ASCII byte (that byte is none).
        need = _MIN_EXACT_SHORT if quiet else _MIN_EXACT_REALIGN + (not marker)
        if quiet:
            last = self._last(codes[-1][1], text[q] if q < len(text) else "")
            stop = q
        elif marker:
            last = self._last(codes[-1][1], text[q + 1] if q + 1 < len(text) else "")
            stop = q + 1
        else:
            last = (chr(codes[-1][1]),)
            stop = q
        limit = _line_end(text, stop)
        scored: list[tuple[float, Choice, int]] = []
        for _, s_ in starts[:_STARTS]:
            start = lower + s_
            lead = codes[s_][0]
            first = tuple(dict.fromkeys(self._codes.pairs(LEADS, lead) + self._codes.with_lead(lead)))
            if not first or not last:
                continue
            items = (first, *realigned[s_:], last)
            choice = self._chooser.best(text, start, [Reading(items, stop, 0)])
            if choice is None or choice.score == -math.inf:
                continue
            total = lm.score(text[lower:start], text[lower - 1] if lower else "") + choice.score
            scored.append((total, choice, start))
        if not scored:
            return None
        scored.sort(key=lambda t: -t[0])
        top, choice, start = scored[0]
        if choice.exact < need:
            return None
        prev = text[start - 1] if start else ""
        gain = choice.score - lm.score(text[start:limit], prev)
        if gain < self._min_gain * (stop - start) * (_QUIET_GAIN if quiet else 1.0):
            return None
        shown = self._chooser.shown(choice)
        if quiet and choice.exact < _MIN_EXACT_QUIET and shown.count(UNRECOVERABLE) > 1:
            # A short run: a lost character shown is what tells it from chance
            # (with both U+FFFD, clean news lost 拖缰 to `�乡�`).
            return None
        # Starts nearly as plausible (`黄品?表示` for 黄奇帆表示: 品 may be the
        # run's first character or real): where their readings disagree, U+FFFD.
        close = [(c, st) for t, c, st in scored[1:] if top - t < self._min_gain]
        scored_at = (choice.score, start, choice.limit)
        if close and quiet:
            # Nothing marks where the run starts: the text before the latest
            # close start stays as written (a U+FFFD there would change clean text).
            latest = max(st for _, st in close + [(choice, start)])
            shown = shown[latest - start :]
            for c, st in close:
                other = self._chooser.shown(c)[latest - st :]
                if len(other) != len(shown):
                    return None
                shown = "".join(a if a == b else UNRECOVERABLE for a, b in zip(shown, other))
            start = latest
        elif close:
            first = min(st for _, st in close + [(choice, start)])
            shown = text[first:start] + shown
            for c, st in close:
                other = text[first:st] + self._chooser.shown(c)
                if len(other) != len(shown):
                    return None
                shown = "".join(a if a == b else UNRECOVERABLE for a, b in zip(shown, other))
            start = first
        return Edit(start, stop, shown, QUIET_RULE if quiet else REALIGN_RULE), gain, scored_at

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
