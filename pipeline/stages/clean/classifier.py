"""The spam line classifier: a logistic regression over a line's evidence.

Features are shapes that hold for spam nobody listed: spam vocabulary (the
lexicons) and its share of the line, domains (listed as spam or not), brand
names shaped <2-4 Han characters> + 贵宾会/娱乐城/现金网/官网… and the share of
segments that are such a name, keyword-list shape (many short segments, no
sentence punctuation), the share of prose function characters (的了是在…,
rare in keyword strings), digits, Latin letters, length. The weights are
learnt by scripts/fit_spam_classifier.py on labelled lines
(eval/data/clean/spam_lines.jsonl, train split) and live in rules/clean/.
"""

from __future__ import annotations

import math
import re

from pipeline.core.chars import HAN
from pipeline.stages.clean.ruleset import FEATURES, ClassifierRule
from pipeline.stages.clean.spam import SpamScorer

_ANY_DOMAIN = re.compile(r"(?:https?://)?(?:[a-z0-9-]{1,63}\.)+(?:com|cn|net|org|vip|cc|top|xyz|me|tv|co|io|info|"
                         r"biz|app|club|site|online|live|bet|win|asia|hk|tw|la|in|us)(?![a-z0-9])(?:/[^\s,，|]*)?")

# Hosts with digits in their name (hy8867.com) or on top-level domains cheap sites favour:
# what throwaway spam domains look like, news and government sites rarely.
_ODD_DOMAIN = re.compile(r"[a-z-]*[0-9][a-z0-9-]*\.[a-z.]+$|\.(?:vip|top|xyz|cc|bet|win|club|site|live|la|tv|me)\b")


class LineClassifier:
    def __init__(self, rule: ClassifierRule, scorer: SpamScorer):
        self.rule = rule
        self._scorer = scorer
        han = f"[{HAN}]"
        strong = "|".join(sorted(map(re.escape, rule.strong_suffixes), key=len, reverse=True))
        weak = "|".join(sorted(map(re.escape, rule.weak_suffixes), key=len, reverse=True))
        # A brand shape: 2-4 Han characters right before a suffix (金狮贵宾会, 鸿运娱乐城).
        self._strong = re.compile(f"{han}{{2}}(?:{strong})", re.IGNORECASE)
        self._weak = re.compile(f"{han}{{2}}(?:{weak})", re.IGNORECASE)
        self._brand_segment = re.compile(f"^(?:{han}{{2,4}}|[a-z0-9]{{2,8}})(?:{strong}|{weak})(?:{strong}|{weak})*$",
                                         re.IGNORECASE)
        self._prose = frozenset(rule.prose_chars)
        self._han = re.compile(han)
        self._split = scorer._segment_split
        self.weights = tuple(rule.weights[name] for name in FEATURES)

    def features(self, view: str) -> tuple[float, ...]:
        ev = self._scorer.evidence(view)
        low = view.lower()
        chars = max(1, len(view))
        domain_chars = 0
        domains = odd = 0
        if "." in low:
            for m in _ANY_DOMAIN.finditer(low):
                domains += 1
                domain_chars += m.end() - m.start()
                odd += bool(_ODD_DOMAIN.search(m.group()))
        segments = [s for s in self._split.split(view) if s]
        n_seg = len(segments)
        short = sum(1 for s in segments if len(s) <= 8)
        brand_segments = sum(1 for s in segments if self._brand_segment.match(s))
        marks = ev.sentence_marks
        mean_seg = sum(map(len, segments)) / n_seg if n_seg else 0.0
        letters = [c for c in view if not c.isspace()]
        n_letters = max(1, len(letters))
        digits = sum(1 for c in letters if c.isdigit())
        latin = sum(1 for c in letters if c.isascii() and c.isalpha())
        prose = sum(1 for c in letters if c in self._prose)
        strong, weak = len(self._strong.findall(view)), len(self._weak.findall(view))
        han = sum(1 for c in letters if self._han.match(c))
        # Segments holding spam evidence (vocabulary, a brand shape, a domain): a keyword string
        # is spam segment after segment, a news line with one such word is not.
        spam_segments = sum(1 for s in segments if self._spam_segment(s)) if n_seg > 1 else 0
        return (
            1.0,
            math.log1p(ev.weight),
            ev.density,
            float(min(ev.domains, 3)),
            math.log1p(domains),
            domain_chars / chars,
            math.log1p(odd),
            math.log1p(strong),
            math.log1p(weak),
            brand_segments / n_seg if n_seg else 0.0,
            math.log1p(n_seg),
            short / n_seg if n_seg else 0.0,
            1.0 if marks == 0 else 0.0,
            min(5.0, 100.0 * marks / chars),
            1.0 if n_seg >= 4 and mean_seg <= 10 and marks == 0 else 0.0,
            math.log1p(chars) / 5.0,
            digits / n_letters,
            latin / n_letters,
            prose / n_letters,
            han / n_letters,
            spam_segments / n_seg if n_seg else 0.0,
            # Brand shapes in a line without a sentence: a list of names, not a paragraph with
            # names stuffed into it (those go inline and the paragraph stays).
            math.log1p(strong + weak) if marks == 0 else 0.0,
        )

    def _spam_segment(self, segment: str) -> bool:
        return bool(self._strong.search(segment) or self._weak.search(segment)
                    or ("." in segment and _ANY_DOMAIN.search(segment.lower()))
                    or self._scorer.evidence(segment).weight > 0)

    def probability(self, view: str) -> float:
        z = sum(w * x for w, x in zip(self.weights, self.features(view)))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def is_spam(self, view: str) -> bool:
        return self.probability(view) >= self.rule.threshold
