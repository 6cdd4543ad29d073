"""Which region a document is from (rules/extract/region.toml): a bare 元 in a Hong Kong, Macau or
Taiwan article is that region's money (HKD, MOP, TWD), not CNY.

The decision is recorded on the document (`region`, `region_evidence`); the money extractor reads
the region's currency from the `Context`. Order: the document's own `region` (an input field),
the stage's `region` setting, then evidence in the text (rules/extract/region.toml).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from pipeline.core.rules import load_toml_file
from pipeline.core.schema import Int, Kind, ListOf, Section, String, TomlFile

REGIONS = ("CN", "HK", "MO", "TW")
_ISO = String("an ISO 4217 code", match="[A-Z]{3}")


def _regions(value: str) -> str | None:
    bad = [r for r in value.split() if r not in REGIONS]
    return f"unknown regions {bad} (known: {', '.join(REGIONS)})" if bad or not value.split() else None


REGION_FILE = TomlFile("extract region", "Which region a document is from, for a bare 元 (extract stage).", {
    "decide": Section(Kind("extract.region.decide", "How much evidence decides a region ([decide]).", {
        "min_words": Int("distinct evidence words a region needs", default=2, minimum=1),
        "margin": Int("by how many words it must lead every other region", default=1, minimum=0),
        "traditional_chars": Int("edits the convert stage made (its `converted` flag) that make a document traditional",
                                 default=20, minimum=1),
        "bare": ListOf(String("a currency word"), "currency words a region changes (元 alone)", non_empty=True),
    }), required=True),
    "currency": Section(Kind("extract.region.currency", "Region -> ISO code of its bare 元 ([currency]).",
                             values=_ISO, keys="[A-Z]{2}"), required=True),
    "words": Section(Kind("extract.region.words", "Evidence word -> the regions it points to, space-separated "
                          "([words]).", values=String("regions", check=_regions)), required=True),
})


@dataclass(frozen=True)
class Region:
    """A document's region decision: the region (None: none decided), why, and its bare 元's currency."""

    region: str | None
    evidence: str | None
    currency: str | None


@dataclass(frozen=True)
class RegionRules:
    words: Mapping[str, tuple[str, ...]]
    currency: Mapping[str, str]
    bare: frozenset[str]
    min_words: int
    margin: int
    traditional_chars: int

    def decide(self, text: str, converted: int = 0, given: str | None = None, setting: str | None = None) -> Region:
        """The region of a document: `given` (its own field), else `setting`, else the evidence."""
        for source, value in (("input", given), ("setting", setting)):
            if value in REGIONS:
                return Region(value, source, self.currency.get(value))
        found: dict[str, list[str]] = {}
        for word, regions in self.words.items():
            if word in text:
                for r in regions:
                    found.setdefault(r, []).append(word)
        if not found:
            return Region(None, None, None)
        traditional = converted >= self.traditional_chars
        score = {r: len(ws) + traditional for r, ws in found.items()}
        best = max(sorted(score), key=lambda r: score[r])
        others = max((s for r, s in score.items() if r != best), default=0)
        if score[best] < self.min_words or score[best] - others < self.margin:
            return Region(None, None, None)
        evidence = "、".join(found[best]) + ("、traditional" if traditional else "")
        return Region(best, evidence, self.currency.get(best))


def load_region(path: Path) -> RegionRules:
    t = {name: entry.values for name, entry in load_toml_file(path, REGION_FILE).tables.items()}
    d = t["decide"]
    return RegionRules(
        words=MappingProxyType({w: tuple(v.split()) for w, v in t["words"].items()}),
        currency=MappingProxyType(dict(t["currency"])),
        bare=frozenset(d["bare"]),
        min_words=d["min_words"], margin=d["margin"], traditional_chars=d["traditional_chars"],
    )
