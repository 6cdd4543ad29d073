"""What every fixer is."""

from __future__ import annotations

from typing import ClassVar

from pipeline.core.document import Edit


class Fixer:
    """A named repair: `edits(text)` says what to change, in `text`'s coordinates.

    `rule_ids` lists every rule id the fixer can emit; the stage checks each is
    declared (with its version, examples and counterexamples) in
    `rules/repair/fixers.toml`.
    """

    name: ClassVar[str]
    rule_ids: ClassVar[tuple[str, ...]]

    def edits(self, text: str) -> list[Edit]:
        raise NotImplementedError


def is_han(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3FFFF
    )
