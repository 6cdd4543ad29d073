"""rules/extract/approx.toml: approximation words around numbers, and the linking verbs between."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from pipeline.core.rules import load_toml_file
from pipeline.core.schema import Enum, Kind, ListOf, Section, String, TomlFile
from pipeline.stages.extract.numerals import ApproxWords

KINDS = ("about", "over", "under", "exact")


def _words(name: str, doc: str, kinds: tuple[str, ...] = KINDS[:3]) -> Section:
    return Section(Kind(f"extract.approx.{name}", doc, values=Enum(kinds, "the approximation kind")))


APPROX_FILE = TomlFile("extract approx", "Approximation words around numbers (every quantity extractor).", {
    "before": _words("before", "Words right before a number -> about, over or under ([before])."),
    "context": _words("context", "Verbs before a match that imply a kind, outside the quantity ([context]).",
                      KINDS),
    "after": _words("after", "Words right after a number -> about, over or under ([after])."),
    "not_after": Section(Kind("extract.approx.not_after", "A word -> characters that, right before it, make "
                              "it the end of another word (签约 is not 约) ([not_after]).",
                              values=String("characters"))),
    "inclusive": Section(Kind("extract.approx.inclusive", "Over/under words whose bound includes the number "
                              "written (以上, 不少于); the others exclude it (超过, 不到) ([inclusive]).", {
                                  "words": ListOf(String("a word"), "inclusive approximation words"),
                              })),
    "copulas": Section(Kind("extract.approx.copulas", "Linking verbs between an approximation word and the "
                            "match (约为) ([copulas]).", {
                                "words": ListOf(String("a verb"), "the linking verbs"),
                            })),
})


def load_approx(path: Path) -> ApproxWords:
    t = {name: entry.values for name, entry in load_toml_file(path, APPROX_FILE).tables.items()}
    return ApproxWords(
        before=MappingProxyType(dict(t["before"])),
        context=MappingProxyType(dict(t["context"])),
        after=MappingProxyType(dict(t["after"])),
        not_after=MappingProxyType(dict(t["not_after"])),
        copulas=tuple(t["copulas"]["words"]),
        inclusive=frozenset(t.get("inclusive", {}).get("words", ())),
    )
