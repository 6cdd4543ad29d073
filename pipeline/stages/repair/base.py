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

