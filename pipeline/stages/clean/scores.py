"""Document scores: spam_ratio and the counts spun_score is learnt from (pipeline/stages/clean/spun.py)."""

from __future__ import annotations

import re

from pipeline.stages.clean.ruleset import SpunRule, SpunTable

_SPACE = re.compile(r"\s+")

# Pseudo-count added to the denominator: one stray spun-looking phrase in a
# short text must not score like a rewritten article.
SPUN_PRIOR = 2.0


def spam_ratio(spam_chars: int, total_chars: int) -> float:
    """Share of the document's non-space characters removed as spam."""
    return round(spam_chars / total_chars, 6) if total_chars else 0.0


def spun_counts(text: str, rules: tuple[SpunRule, ...], table: SpunTable | None = None) -> tuple[int, int]:
    """(spun phrases, standard phrases) found in `text`, by the rules and the table."""
    spun = sum(len(r.spun.findall(text)) for r in rules)
    standard = sum(len(r.standard.findall(text)) for r in rules)
    if table is not None:
        spun += len(table.spun.findall(text))
        standard += len(table.standard.findall(text))
    return spun, standard


def non_space(text: str) -> int:
    return len(_SPACE.sub("", text))
