"""The value of a name fact: {name} and, where known, the full name a short form stands for.

- `canonical`: an organisation's full name when the surface is one of its short forms in the
  gazetteers (世卫组织 -> 世界卫生组织, 中石化 -> 中国石油化工集团有限公司), whoever found it (a rule
  or the model): it is the surface that is short, not the finder.
- A one-character place abbreviation (美 in 中美) has `name` the full name and `abbr: true`
  (pipeline/stages/ner/abbrev.py finds them).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from pipeline.stages.ner.rulefile import NameRule


def canonical_names(rules: Iterable[NameRule]) -> dict[str, str]:
    """Surface -> full name, from the phrase rules that give a `canonical`."""
    return {r.pattern: r.canonical for r in rules if r.canonical and isinstance(r.pattern, str) and r.label == "ORG"}


def name_value(surface: str, label: str, canonical: Mapping[str, str], abbr_name: str | None = None) -> dict[str, Any]:
    name = "".join(surface.split())
    if abbr_name is not None:
        return {"name": abbr_name, "abbr": True}
    value: dict[str, Any] = {"name": name}
    if label == "ORG" and name in canonical:
        value["canonical"] = canonical[name]
    return value
