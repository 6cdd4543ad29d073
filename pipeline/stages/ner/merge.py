"""How model entities and rule matches become one set of names (the merge policy).

0. A name touching damaged text (`[filter] damaged`: U+FFFD, ? that repair left) is dropped, and
   a model name of Latin letters starting lowercase (`latin_lowercase`: powerful, bei) too, and
   (`latin_fragments`) a one-word Latin model name that is an English function word (You, The: spaCy's
   English stop words) or a piece of Latin text, another Latin word next to it across a space
   (Tower of `Tower Records`, Multi of `Multi Touch`): a Chinese text names a foreigner or a
   company in Latin letters whole or not at all. A model name that is one of `[filter] not_names`
   (内地: a word the guide does not mark that the model learnt) goes.
   A model name holding a particle (jieba `u*`: 了, 的, 着 …; `[filter] pos`) or
   sentence punctuation (`[filter] chars`: “”、，…) is dropped: names do not
   contain one, and completion would only make it longer
   (联盟调集了中电 + 科思仪科技股份有限公司). A model organisation that is a country a rule found
   (`[filter] country_rules`) + a common noun (`country_generic`: 美国大学, universities in America;
   中国基金公司) is the country and a noun: the model's name is cut back to the country, a place.
   A model organisation of several
   words whose last word is a verb (`[filter] org_end_pos`) runs into the
   clause: it is cut back to its last organisation suffix, else to the place
   it starts with (北京市联合 in 由北京市联合主办 -> 北京市, a place), else dropped.
1. Overlapping names, from the model or from rules (gazetteers and patterns
   in rules/ner/), keep the longest; at equal length the rule's (a curated
   name beats a guess), then the earliest. So a gazetteer entry fixes a name
   the model cut short, and never cuts a longer name the model found
   (北京市科学技术委员会 is not reduced to the gazetteer's 北京市). Where the
   model found the rule's very name with another label, the model's label
   stands: it reads the sentence (阿根廷 in 胜阿根廷负于西班牙 is a team, ORG in
   the corpora; the country gazetteer says LOC), except against a rule that stands only with
   context (`near`: a team's nickname by a score line, a company's short name by its stock code).
2. Completion: an organisation or place is extended to the right, through
   name-like words (parts of speech in `allowed_pos`, not `stop_words` such as
   一家; at most `max_verbs` verbs, not as the first word, and no name word
   (`clause_pos`) after one), to the furthest organisation suffix from
   rules/ner/org_suffixes.toml within `max_extension` characters and before
   the next person or organisation: 中国科学院 + 生物物理研究所 ->
   中国科学院生物物理研究所 (ORG). Places it runs over are part of the name
   (致真精密仪器(青岛)有限公司) and no longer separate names.
3. Company names without an anchor: a word ending in a company suffix
   (`[left] suffixes`: 有限公司 …) that no name covers grows to the left through
   name-like words (`[left] allowed_pos`) and is kept only when it stops at a
   clean boundary: the start of a sentence, a word whose part of speech is in
   `[left] boundary_pos` (punctuation, prepositions, particles, verbs …), or a
   place name, which it takes in: 中电科思仪科技股份有限公司 after a comma,
   青岛 + 言鼎生物医疗科技有限公司. Anything else (another name, an odd word,
   `max_extension`) means the name's start is unknown, and nothing is made.
4. Foreign names across their dots (`[dotted]`): a person's name that ends or starts at a dot
   (罗伯· in 罗伯·可汗; 格林尼 after 阿什丽•) grows over the run of transliteration characters on the
   dot's other side, taking in a person's name there (one span, as the guide marks 迈克尔·乔丹);
   with nothing to take in, a dot at its edge is cut off (·秋瑾 -> 秋瑾); a part of one letter after
   the last dot is cut short and grows the same way (托尼·利 in 托尼·利图说). A person's name in Chinese
   run together with its Latin original (本·拉姆西Ben Ramsey) is two names, as the guide marks them.
5. A name at its other mentions (`[propagate]`): the guide marks every mention, and an article names
   its subject again and again where the model reads it once (周冬雨 found in one sentence, missed
   in the next). A name of `labels`, at least `min_chars` long, found once with `min_confidence` or
   more, whose text has one label wherever it was found in the document, stands at each other
   occurrence of its text that lies on jieba word boundaries, is not one word of a `common_pos` tag
   (二手房/n: the model's misreading of a noun is not carried), is not a whole title in 《》 (a film
   named after its hero, 《苏乞儿》), and touches no name (nor what a `mask` rule took: 长城 of 长城久富 stays no name). Not a
   name of Latin letters only: an acronym (ACT, CMA) names a test or a mark as often as a body.
Before step 1, one-character place abbreviations (pipeline/stages/ner/abbrev.py, 美 in 中美, 华 in
访华) replace the model's names lying inside their shape (美方 as ORG, 中美 as one LOC: the shape
misread); a model name reaching beyond the shape stands (港澳台办, an office), as does a rule's.
The result never overlaps; each span keeps where it came from.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from typing import Sequence

from pipeline.core.document import Token
from pipeline.core.patterns import alternation


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str  # PER, LOC, ORG
    source: str  # "model" or "rule"
    rule_id: str
    rule_version: int | None
    confidence: float


@dataclass(frozen=True)
class Completion:
    """The org-suffix completion rule (rules/ner/org_suffixes.toml)."""

    id: str
    version: int
    confidence: float
    max_extension: int
    max_verbs: int
    # Whether a name directly followed by a bare suffix (中国 + 政府, 美国 + 公司) is completed.
    bare_suffix: bool
    # After a verb, a word of one of these parts of speech (a name) starts a clause.
    clause_pos: frozenset[str]
    allowed_pos: frozenset[str]
    suffixes: tuple[str, ...]
    # Words ending in a suffix that are not organisations (东部 ends in 部).
    not_suffix_words: tuple[str, ...]
    brackets: tuple[tuple[str, str], ...] = (("(", ")"), ("（", "）"))
    # Step 3 (left completion of company names).
    left_id: str = ""
    left_version: int = 1
    left_confidence: float = 0.8
    left_suffixes: tuple[str, ...] = ()
    left_allowed_pos: frozenset[str] = frozenset()
    left_boundary_pos: frozenset[str] = frozenset()
    left_min_chars: int = 2
    # Step 0.
    filter_pos: frozenset[str] = frozenset()
    filter_chars: frozenset[str] = frozenset()
    filter_org_end_pos: frozenset[str] = frozenset()
    # Words completion never runs through (一家 in 上海一家银行).
    stop_words: re.Pattern | None = None
    # Step 0: marks of damaged text; whether lowercase Latin model names go.
    damaged: frozenset[str] = frozenset()
    latin_lowercase: bool = False
    latin_fragments: bool = False
    # Step 0: texts the model gives that are no name in the guide's conventions (内地).
    not_names: frozenset[str] = frozenset()
    # Step 4 (foreign names across their dots).
    dotted_id: str = ""
    dotted_version: int = 1
    dotted_confidence: float = 0.9
    dotted_dots: frozenset[str] = frozenset()
    dotted_chars: frozenset[str] = frozenset()
    dotted_max_run: int = 0
    # Step 0: a country (a rule of `country_rules`) + one of these words is no organisation (美国大学).
    country_generic: tuple[str, ...] = ()
    country_rules: str = ""
    # Step 5 (a name at its other mentions in the document).
    propagate_id: str = ""
    propagate_version: int = 1
    propagate_confidence: float = 0.0
    propagate_min_chars: int = 0
    propagate_labels: frozenset[str] = frozenset()
    propagate_min_confidence: float = 0.0
    propagate_common_pos: frozenset[str] = frozenset()


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def drop_broken(model: Sequence[Span], text: str, tokens: Sequence[Token], c: Completion) -> list[Span]:
    """Step 0: model names holding a word whose part of speech is in `filter_pos`, a `filter_chars`,
    or half a pair of brackets are dropped; organisations running on into a verb are cut back (_cut_verb_ended)."""
    bad = [(t.start, t.end) for t in tokens if t.pos in c.filter_pos]
    bad_starts = [a for a, _ in bad]
    starts = [t.start for t in tokens]
    out = []
    for m in model:
        name = text[m.start : m.end]
        # Tokens are in order and do not overlap, so the first bad word starting in the name is
        # the one that may end in it (a bisection, not a scan of the document per name).
        k = bisect.bisect_left(bad_starts, m.start)
        if (k < len(bad) and bad[k][1] <= m.end) or not c.filter_chars.isdisjoint(name):
            continue
        if any(name.count(o) != name.count(e) for o, e in c.brackets):
            continue  # half a bracketed name: 青岛)有限公司 of 致真精密仪器(青岛)有限公司
        if m.label == "ORG":
            inside = tokens[bisect.bisect_left(starts, m.start) : bisect.bisect_left(starts, m.end)]
            m = _cut_verb_ended(m, text, inside, c)
        if m is not None:
            out.append(m)
    return out


_LATIN = re.compile(r"[A-Za-z][A-Za-z .'&-]*")


def drop_damaged(spans: Sequence[Span], text: str, c: Completion) -> list[Span]:
    """Step 0 for every name: one holding or touching a mark of damaged text goes; a ? that ends a
    question is not damage: on the left right after a Han character (呢?康家祥), on the right before a
    line break, a space, a closing quote or the end (为何再落青岛?)."""
    if not c.damaged:
        return list(spans)

    def damaged(s: Span) -> bool:
        if not c.damaged.isdisjoint(text[s.start : s.end]):
            return True
        if s.end < len(text) and text[s.end] in c.damaged:
            # 徐若?表示 is damage; 为何再落青岛?<line break> ends a question.
            after = text[s.end + 1 : s.end + 2]
            if text[s.end] == "\ufffd" or not (after == "" or after.isspace() or after in "”\"」』)"):
                return True
        if s.start > 0 and text[s.start - 1] in c.damaged:
            before = text[s.start - 2 : s.start - 1]
            return text[s.start - 1] == "\ufffd" or not (before and "\u4e00" <= before <= "\u9fff")
        return False

    return [s for s in spans if not damaged(s)]


def drop_not_names(model: Sequence[Span], text: str, c: Completion) -> list[Span]:
    """Step 0: a model name whose text is one of `not_names` goes (内地: MSRA marks none of its 73)."""
    return [m for m in model if text[m.start : m.end] not in c.not_names] if c.not_names else list(model)


def drop_latin_words(model: Sequence[Span], text: str, c: Completion) -> list[Span]:
    """Step 0: a model name of Latin letters only that starts lowercase (powerful, bei) goes; with
    `latin_fragments`, a one-word one that is an English stop word or has a Latin word next to it."""
    if not (c.latin_lowercase or c.latin_fragments):
        return list(model)
    stop = _english_stop_words() if c.latin_fragments else frozenset()
    out = []
    for m in model:
        name = text[m.start : m.end]
        if _LATIN.fullmatch(name):
            if c.latin_lowercase and name[0].islower():
                continue
            if c.latin_fragments and _ONE_WORD.fullmatch(name) and (
                    name.lower() in stop or _LATIN_BEFORE.search(text, max(0, m.start - 2), m.start)
                    or _LATIN_AFTER.match(text, m.end)):
                continue
        out.append(m)
    return out


_ONE_WORD = re.compile(r"[A-Za-z]+")
_LATIN_BEFORE = re.compile(r"[A-Za-z] $")
_LATIN_AFTER = re.compile(r" [A-Za-z]")


def _english_stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS  # a list that ships with spaCy (a dependency)

    return frozenset(STOP_WORDS)


def _cut_verb_ended(m: Span, text: str, words: Sequence[Token], c: Completion) -> Span | None:
    """An organisation of several words ending in a `filter_org_end_pos` word (西宁市产业转型,
    北京市联合) runs into the clause: it is cut back to its last organisation suffix
    (中科院大学海洋学院 of …科教融合建设), else to the place words it starts with, as a place
    (西宁市), else dropped. `words`: the tokens starting inside it. Anything else comes back unchanged."""
    if len(words) < 2 or words[-1].end != m.end or words[-1].pos not in c.filter_org_end_pos:
        return m
    for w in reversed(words[:-1]):
        if _ends_with_suffix(text, m.start, w, c):
            return replace(m, end=w.end)
    places = 0
    while places < len(words) and words[places].pos == "ns":
        places += 1
    if places and words[0].start == m.start:
        return replace(m, end=words[places - 1].end, label="LOC")
    return None


def drop_country_generic(model: Sequence[Span], countries: frozenset[str] | set[str], text: str,
                         c: Completion) -> list[Span]:
    """Step 0: a model organisation that is a country (`countries`: the texts of the `country_rules`)
    + one of `country_generic` (美国大学, 英国大学, 中国基金公司) is cut back to the country, a place
    (jieba may hold the two as one word, 美国大学/nt, where the country's whole-word rule does not match)."""
    if not c.country_generic or not countries:
        return list(model)
    out = []
    for m in model:
        if m.label == "ORG":
            g = next((g for g in c.country_generic if text.endswith(g, m.start, m.end)
                      and text[m.start : m.end - len(g)] in countries), None)
            if g is not None:
                m = replace(m, end=m.end - len(g), label="LOC")
        out.append(m)
    return out


def without_shapes(model: Sequence[Span], shapes: Sequence[tuple[int, int]]) -> list[Span]:
    """The model's names that do not lie inside an abbreviation's shape (start, end)."""
    return [m for m in model if not any(a <= m.start and m.end <= b for a, b in shapes)]


def merge(model: Sequence[Span], rules: Sequence[Span], firm: frozenset[str] | set[str] = frozenset()) -> list[Span]:
    """Step 1: the longest of overlapping names; at equal length the rule's, then the earliest.
    A rule name the model also found, with another label, takes the model's, unless the rule is
    `firm` (ids of rules that stand only with context, `near`: the context says what the name is
    here, as the model would have to guess: 黄蜂 by a score line is the team, not a person)."""
    labels = {(s.start, s.end): s.label for s in model}
    rules = [r for r in rules if r.rule_id in firm or labels.get((r.start, r.end), r.label) == r.label]
    chosen: list[Span] = []
    # The chosen spans as sorted (start, end): they never overlap, so their ends are in order too
    # and the last one starting before a span's end is the only one that may overlap it.
    taken: list[tuple[int, int]] = []
    for span in sorted([*rules, *model], key=lambda s: (s.start - s.end, s.source != "rule", s.start)):
        i = bisect.bisect_left(taken, (span.end,))
        if not (i and taken[i - 1][1] > span.start):
            chosen.append(span)
            bisect.insort(taken, (span.start, span.end))
    return sorted(chosen, key=lambda s: s.start)


def complete(spans: Sequence[Span], text: str, tokens: Sequence[Token], completion: Completion) -> list[Span]:
    """Step 2: extend ORG/LOC spans to the furthest organisation suffix before the next PER/ORG."""
    starts = [t.start for t in tokens]
    ordered = sorted(spans, key=lambda s: s.start)
    # limits[k]: where the next name that is not a place starts (the text's end if none).
    limits, limit = [0] * len(ordered), len(text)
    for k in reversed(range(len(ordered))):
        limits[k] = limit
        if ordered[k].label != "LOC":
            limit = ordered[k].start
    out: list[Span] = []
    for k, span in enumerate(ordered):
        if out and span.start < out[-1].end:
            continue  # a place inside the name completed before it
        if span.label in ("ORG", "LOC"):
            limit = limits[k]
            end = _suffix_end(span, text, tokens, starts, completion, limit)
            if end is not None:
                span = replace(span, end=end, label="ORG", rule_id=completion.id, rule_version=completion.version,
                               confidence=min(span.confidence, completion.confidence))
        out.append(span)
    return out


def _suffix_end(span: Span, text: str, tokens: Sequence[Token], starts: list[int], c: Completion, limit: int) -> int | None:
    """The furthest end in (span.end, limit] where the name may stop at an organisation suffix, or None."""
    # The word holding span.end (a model span may end inside a jieba word).
    i = bisect.bisect_right(starts, span.end) - 1
    if i < 0 or tokens[i].end <= span.end:
        i += 1
    best = None
    pos = span.end  # how far the name reaches so far
    verbs = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.start > pos or tok.end > limit or tok.end - span.end > c.max_extension:
            break  # a gap (space, sentence break), the next name, or too long
        if tok.word in dict(c.brackets):
            close = _bracket_end(tokens, i, c)
            if close is None:
                break
            pos, i = tokens[close].end, close + 1
            continue
        if (tok.pos not in c.allowed_pos and not tok.word.endswith(c.suffixes)) or (
            c.stop_words is not None and c.stop_words.fullmatch(tok.word)
        ):
            break
        if tok.pos == "v":
            verbs += 1
            if verbs > c.max_verbs or pos == span.end:
                break  # a clause (签署协议共建…), or a verb right after the name (北京设立中心)
        elif verbs and tok.pos in c.clause_pos:
            break  # name, verb, name: a clause (房山区人民法院依法判决北京市…)
        pos = tok.end
        if pos > span.end and _ends_with_suffix(text, span.start, tok, c) and (
            c.bare_suffix or text[span.end : pos] not in c.suffixes
        ):
            best = pos
        i += 1
    return best


def _ends_with_suffix(text: str, start: int, tok: Token, c: Completion) -> bool:
    name = text[start : tok.end]
    if tok.word.endswith(c.not_suffix_words):
        return False
    return any(name.endswith(s) and len(name) > len(s) for s in c.suffixes)


def _bracket_end(tokens: Sequence[Token], i: int, c: Completion) -> int | None:
    """Index of the closing bracket of a short bracketed place name, 致真精密仪器(青岛)有限公司."""
    closing = dict(c.brackets)[tokens[i].word]
    j = i + 1
    while j < len(tokens) and j <= i + 3:
        if tokens[j].word == closing:
            inner = tokens[i + 1 : j]
            return j if inner and all(t.pos.startswith("ns") for t in inner) else None
        j += 1
    return None


def complete_left(spans: Sequence[Span], text: str, tokens: Sequence[Token], c: Completion) -> list[Span]:
    """Step 3: company names that no span covers, or that the model ended at the suffix word but
    began too late, grown leftwards from their suffix word."""
    if not c.left_suffixes:
        return list(spans)
    # Indexed so that each suffix word costs what is near it, not a scan of the document:
    # `out` keyed in insertion order (what a list rebuilt per change would keep), the spans by
    # start, the covered ranges by start with the longest one's length, the words by start.
    out = dict(enumerate(spans))
    by_start = sorted((s.start, key) for key, s in out.items())
    model_orgs: dict[int, list[int]] = {}
    for key, s in out.items():
        if s.source == "model" and s.label == "ORG":
            model_orgs.setdefault(s.end, []).append(key)
    covered = sorted((s.start, s.end) for s in spans)
    longest = max((b - a for a, b in covered), default=0)
    place_ends = {s.end: s for s in spans if s.label == "LOC"}
    word_at: dict[int, list[int]] = {}
    for k, tok in enumerate(tokens):
        word_at.setdefault(tok.start, []).append(k)

    def free(start: int, end: int) -> bool:
        i = bisect.bisect_left(covered, (start - longest,))
        while i < len(covered) and covered[i][0] < end:
            if start < covered[i][1]:
                return False
            i += 1
        return True

    def place_before(start: int, k: int) -> bool:  # a place word among tokens[:k] starts at `start`
        return any(j < k and tokens[j].pos.startswith("ns") for j in word_at.get(start, ()))

    for k, tok in enumerate(tokens):
        suffix = next((x for x in c.left_suffixes if tok.word.endswith(x)), None)
        if suffix is None:
            continue
        # A model's company name may stop short on the left where jieba cut the name up (中 / 电 / 科思 …).
        # Not when it starts with a place: that is where such names start (汕头市新星乳业有限公司).
        short = next((out[key] for key in model_orgs.get(tok.end, ())
                      if key in out and not place_before(out[key].start, k)), None)
        if short is None and not free(tok.start, tok.end):
            continue
        start, clean = (short.start if short else tok.start), True  # a sentence start is a clean boundary
        for j in range(k - 1, -1, -1):
            prev = tokens[j]
            if prev.start >= start:
                continue  # inside the model's name
            if prev.end != start:
                break
            if start in place_ends:
                start = place_ends[start].start  # a place starts the name: 青岛 + 言鼎生物医疗科技有限公司
                break
            if prev.pos in c.left_boundary_pos and free(prev.start, prev.end):
                break
            if prev.pos not in c.left_allowed_pos or not free(prev.start, prev.end) or tok.end - prev.start > c.max_extension:
                clean = False
                break
            start = prev.start
        if not clean or tok.end - start - len(suffix) < c.left_min_chars or (short and start == short.start):
            continue
        i = bisect.bisect_left(by_start, (start,))
        while i < len(by_start) and by_start[i][0] <= tok.end:
            key = by_start[i][1]
            if key in out and out[key].end <= tok.end:
                del out[key]  # inside the grown name
            i += 1
        key = len(spans) + k
        out[key] = Span(start, tok.end, "ORG", "rule", c.left_id, c.left_version, c.left_confidence)
        bisect.insort(by_start, (start, key))
        bisect.insort(covered, (start, tok.end))
        longest = max(longest, tok.end - start)
    return sorted(out.values(), key=lambda s: s.start)


def join_dotted(spans: Sequence[Span], text: str, c: Completion, tokens: Sequence[Token] = ()) -> list[Span]:
    """Step 4: persons grown across the dots of a transcribed name, or cut back to their letters.
    A part cut short grows no further than a word of `[left] boundary_pos` (`tokens`: 裘德•洛 + 可是
    stays 裘德•洛; a whole part after a dot is taken in whatever its word, 罗伯·可汗)."""
    if not c.dotted_dots:
        return list(spans)
    dots, chars, n = c.dotted_dots, c.dotted_chars, len(text)
    stops = {t.start for t in tokens if t.pos in c.left_boundary_pos}
    spans = sorted(spans, key=lambda s: s.start)
    out: list[Span] = []
    i = 0
    while i < len(spans):
        s = spans[i]
        i += 1
        if s.label != "PER" or not (dots & set(text[max(0, s.start - 1) : s.end + 1])):
            out.append(s)
            continue
        start, end = s.start, s.end
        while True:  # rightwards, dot by dot (a name of three parts has two)
            k = end if text[end - 1] in dots else end + 1 if end < n and text[end] in dots else None
            short = k is None and end - start > 2 and text[end - 2] in dots
            if short:
                k = end - 1  # one letter after the dot (托尼·利 in 托尼·利图说): the part is cut short
            if k is None:
                break
            if i < len(spans) and spans[i].start == k and spans[i].label == "PER":
                end = spans[i].end  # the part after the dot is a person already: one name
                i += 1
                continue
            run = k
            limit = min(n, k + c.dotted_max_run, spans[i].start if i < len(spans) else n)
            while run < limit and text[run] in chars and not (short and run >= end and run in stops):
                run += 1
            # Each step must move the end on: a part cut short that grows back to where it was
            # (托尼·利 before 。) would otherwise be tried again for ever.
            if run == k or run <= end:
                break
            end = run
        while True:  # leftwards
            k = start if text[start] in dots else start - 1 if start > 0 and text[start - 1] in dots else None
            if k is None:
                break
            if out and out[-1].end == k and out[-1].label == "PER":
                start = out.pop().start
                continue
            run = k
            limit = max(0, k - c.dotted_max_run, out[-1].end if out else 0)
            while run > limit and text[run - 1] in chars:
                run -= 1
            if run == k or run >= start:
                break
            start = run
        while start < end and text[start] in dots:
            start += 1
        while end > start and text[end - 1] in dots:
            end -= 1
        if (start, end) == (s.start, s.end):
            out.append(s)
        elif end > start:
            out.append(Span(start, end, "PER", "rule", c.dotted_id, c.dotted_version, c.dotted_confidence))
    return [part for s in out for part in _split_latin(s, text, c)]


_HAN_THEN_LATIN = re.compile(r"[\u4e00-\u9fff][A-Za-z]")


def _split_latin(s: Span, text: str, c: Completion) -> list[Span]:
    """A person in Chinese letters run together with the Latin original (本·拉姆西Ben Ramsey): two."""
    if s.label != "PER" or not c.dotted_dots:
        return [s]
    m = _HAN_THEN_LATIN.search(text, s.start, s.end)
    if m is None:
        return [s]
    cut = m.start() + 1
    han, latin = text[s.start:cut], text[cut:s.end]
    if len(han) < 2 or len(latin) < 2 or not all(ch.isascii() for ch in latin) or not latin[0].isupper():
        return [s]
    return [Span(s.start, cut, "PER", "rule", c.dotted_id, c.dotted_version, c.dotted_confidence),
            Span(cut, s.end, "PER", "rule", c.dotted_id, c.dotted_version, c.dotted_confidence)]


def propagate(spans: Sequence[Span], text: str, tokens: Sequence[Token], c: Completion,
              blocked: Sequence[tuple[int, int]] = ()) -> list[Span]:
    """Step 5: each name of `propagate_labels` (at least `propagate_min_chars`, one label in the
    document) also at the other occurrences of its text on word boundaries that overlap no name
    and nothing `blocked` (what mask rules took)."""
    if not c.propagate_labels or not spans:
        return list(spans)
    labels: dict[str, set[str]] = {}
    sure: set[str] = set()
    for s in spans:
        t = text[s.start:s.end]
        labels.setdefault(t, set()).add(s.label)
        if s.confidence >= c.propagate_min_confidence:
            sure.add(t)
    names = {t: next(iter(ls)) for t, ls in labels.items()
             if len(ls) == 1 and t in sure and len(t) >= c.propagate_min_chars and next(iter(ls)) in c.propagate_labels
             and not any(ch.isspace() for ch in t) and not t.isascii()}
    if not names:
        return list(spans)
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    # A mention that is one word of a common noun's tag (二手房/n, 商业银行/n) is that noun.
    common = {(t.start, t.end) for t in tokens if t.pos in c.propagate_common_pos}
    taken = sorted([(s.start, s.end) for s in spans] + list(blocked))
    firsts = [a for a, _ in taken]
    longest = max((b - a for a, b in taken), default=0)

    def free(a: int, b: int) -> bool:
        i = bisect.bisect_left(firsts, a - longest)
        while i < len(taken) and taken[i][0] < b:
            if a < taken[i][1]:
                return False
            i += 1
        return True

    # One pass over the text for all the names, the longest first where they begin alike.
    pattern = re.compile(alternation(names))
    added = []
    for m in pattern.finditer(text):
        a, b = m.span()
        # A whole title between title marks (《苏乞儿》, a film) is no mention of the name.
        titled = a > 0 and text[a - 1] == "《" and text[b : b + 1] == "》"
        if a in starts and b in ends and (a, b) not in common and not titled and free(a, b):
            added.append(Span(a, b, names[m.group()], "rule", c.propagate_id, c.propagate_version,
                              c.propagate_confidence))
    return sorted([*spans, *added], key=lambda s: s.start)
