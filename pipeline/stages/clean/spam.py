"""SEO spam: evidence for keyword-stuffed lines, and brand names stuffed inline.

A line's evidence: the spam vocabulary it contains (summed weights, leftmost
longest matches), the share of its characters that vocabulary covers, its
separator-delimited segments, its sentence marks and spam site domains. The
decision rules in rules/clean/spam.toml combine them; no single word decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core.patterns import alternation
from pipeline.core.chars import HAN
from pipeline.stages.clean.ruleset import InlineRule, InlineShapeRule, Lexicon, SpamLineRule, SpamText
from pipeline.stages.clean.text import LineView

_HAN = re.compile(f"[{HAN}]")
_DOMAIN = re.compile(r"(?<![a-z0-9.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,10}(?![a-z0-9-])")


def char_class(chars: str) -> str:
    """A regex character class of white space and `chars` (escaped)."""
    return "[\\s" + "".join(re.escape(c) for c in chars) + "]"


@dataclass(frozen=True)
class Evidence:
    weight: float
    density: float
    sentence_marks: int
    segments: int
    chars: int
    domains: int


class SpamScorer:
    def __init__(self, lexicons: tuple[Lexicon, ...], domains: frozenset, rules: tuple[SpamLineRule, ...],
                 view: LineView, text: SpamText):
        self._view = view
        # Separators and non-letters are data (rules/clean/spam.toml [evidence]).
        self._segment_split = re.compile(char_class(text.separators) + "+")
        self._not_letter = re.compile(char_class(text.not_letters))
        words: dict[str, float] = {}
        for lex in lexicons:
            for word, (weight, _) in lex.words.items():
                words[word] = max(weight, words.get(word, 0.0))
        self.weights = words
        cjk = [w for w in words if not w.isascii()]
        latin = [w for w in words if w.isascii()]
        alternatives = []
        if cjk:
            alternatives.append(alternation(cjk, trie=True))
        if latin:
            alternatives.append(r"(?<![a-z0-9])" + alternation(latin, trie=True) + r"(?![a-z0-9])")
        self._words = re.compile("|".join(alternatives)) if alternatives else None
        self.domains = domains
        self.rules = rules

    def evidence(self, view: str) -> Evidence:
        low = view.lower()
        weight, covered = 0.0, 0
        if self._words is not None:
            for m in self._words.finditer(low):
                weight += self.weights[m.group()]
                covered += m.end() - m.start()
        chars = len(self._not_letter.sub("", view))
        domains = 0
        if self.domains and "." in low:
            for m in _DOMAIN.finditer(low):
                if self._is_spam_domain(m.group()):
                    domains += 1
                    covered += m.end() - m.start()
        segments = sum(1 for s in self._segment_split.split(view) if len(s) >= 2)
        marks = self._view.sentence_marks(view)
        return Evidence(weight, covered / chars if chars else 0.0, marks, segments, len(view), domains)

    def _is_spam_domain(self, domain: str) -> bool:
        parts = domain.split(".")
        return any(".".join(parts[i:]) in self.domains for i in range(len(parts) - 1))

    def decide(self, view: str) -> SpamLineRule | None:
        ev = self.evidence(view)
        for rule in self.rules:
            if (
                ev.weight >= rule.min_weight
                and ev.density >= rule.min_density
                and (rule.max_sentence_marks is None or ev.sentence_marks <= rule.max_sentence_marks)
                and ev.segments >= rule.min_segments
                and (rule.max_chars is None or ev.chars <= rule.max_chars)
                and ev.domains >= rule.min_domains
            ):
                return rule
        return None


class InlineSpam:
    """Finds brand names stuffed into kept lines, with their decorations."""

    def __init__(self, rules: tuple[InlineRule, ...]):
        self.rules = rules
        self._patterns = []
        for rule in rules:
            prefix = "(?:" + "|".join(map(re.escape, rule.prefixes)) + ")?" if rule.prefixes else ""
            suffix = "(?P<suffix>" + alternation(rule.suffixes) + "+)?" if rule.suffixes else "(?P<suffix>)"
            core = re.compile(prefix + "(?P<name>" + alternation(rule.phrases) + ")" + suffix, re.IGNORECASE)
            self._patterns.append((rule, core))

    def find(self, text: str, context: str) -> list[tuple[int, int, str]]:
        """(start, end, rule id) of stuffed phrases in `text` (one line); `context` is the whole document."""
        found: list[tuple[int, int, str]] = []
        for rule, core in self._patterns:
            for m in core.finditer(text):
                name = m.group("name")
                nxt = text[m.end() : m.end() + 1]
                has_suffix = bool(m.group("suffix"))
                if not has_suffix and nxt and nxt in rule.not_followed_by:
                    continue
                if not has_suffix and name in rule.require_suffix_for:
                    continue
                if not has_suffix and rule.unless_context and _mentions(context, rule.unless_context, m.group()):
                    continue
                start, end = m.start(), m.end()
                # A separator before a phrase that ends the line belongs to it (标题-华体会官网).
                if rule.absorb_before and not text[end:].strip():
                    k = start
                    while k > 0 and text[k - 1].isspace():
                        k -= 1
                    if k > 0 and text[k - 1] in rule.absorb_before:
                        start = k - 1
                # At the start of a line, the space after it goes too.
                if not text[:start].strip():
                    while end < len(text) and text[end] in " \t\u3000":
                        end += 1
                found.append((start, end, rule.id))
        found.sort(key=lambda span: (span[0], -span[1]))  # the longest phrase at a position wins
        merged: list[tuple[int, int, str]] = []
        for span in found:
            if merged and span[0] < merged[-1][1]:
                continue
            merged.append(span)
        return merged


def _mentions(context: str, words: tuple[str, ...], phrase: str) -> bool:
    rest = context.replace(phrase, "")
    return any(w in rest for w in words)


class InlineShapes:
    """Brand names found by their shape, not a list: 2-4 Han characters + a brand suffix (金狮贵宾会),
    with decorations (官网, app下载); a weak suffix (国际, 体育) only with a weak decoration (官网), repeated. Where the name starts is read from the page: the longest run of
    characters every repeat of the name shares (a stuffed name comes back with other neighbours),
    else the run back to punctuation, else `min_chars`. A bare name (no decoration) goes only when
    the page shows it is stuffed: the name repeated, or spam found elsewhere on the page; never when
    the page reports on gambling (`unless_context`)."""

    def __init__(self, rules: tuple[InlineShapeRule, ...]):
        self.rules = rules
        self._patterns = []
        for rule in rules:
            suffix = alternation([*rule.suffixes, *rule.weak_suffixes])
            deco = "(?:" + alternation(rule.decorations) + ")*" if rule.decorations else ""
            self._patterns.append((rule, re.compile(f"(?P<suffix>{suffix})(?P<deco>{deco})", re.IGNORECASE)))

    def find(self, lines: list[tuple[int, str]], text: str, page_spam: bool) -> dict[int, list[tuple[int, int, str]]]:
        """{line index: [(start, end, rule id)]} over the kept `lines` (index, raw) of the document `text`."""
        out: dict[int, list[tuple[int, int, str]]] = {}
        for rule, pattern in self._patterns:
            weak = {s.lower() for s in rule.weak_suffixes}
            # Gambling-news words in what is kept (a removed spam line is full of them).
            kept = "\n".join(raw for _, raw in lines)
            reported = any(w in kept for w in rule.unless_context)
            for index, raw in lines:
                for m in pattern.finditer(raw):
                    deco = m.group("deco")
                    is_weak = m.group("suffix").lower() in weak
                    if is_weak and not any(d.lower() in deco.lower() for d in rule.weak_decorations):
                        continue
                    after = raw[m.end():m.end() + 1]
                    if not deco and after and after in rule.not_followed_by:
                        continue
                    run = 0
                    while run < rule.max_chars and m.start() - run > 0 and _is_han(raw[m.start() - run - 1]):
                        run += 1
                    if run < rule.min_chars:
                        continue
                    bounded = m.start() - run == 0 or not _is_han(raw[m.start() - run - 1])
                    core = m.start("suffix"), m.end("suffix")
                    shortest = raw[core[0] - rule.min_chars:core[1]]
                    repeats = text.count(shortest)
                    if repeats >= 2:
                        k = max(n for n in range(rule.min_chars, run + 1)
                                if text.count(raw[core[0] - n:core[1]]) == repeats)
                    else:
                        k = run if bounded else rule.min_chars
                    if is_weak and (reported or repeats < 2):  # 新浪体育官网 on a spammed page stays
                        continue
                    if not deco and (reported or not (repeats >= 2 or page_spam)):
                        continue
                    out.setdefault(index, []).append((core[0] - k, m.end(), rule.id))
        return out


def _is_han(ch: str) -> bool:
    return bool(_HAN.match(ch))
