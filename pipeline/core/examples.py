"""Rule examples and counterexamples as runnable cases.

Each stage turns its rules' `examples` and `counterexamples` into
`ExampleCase`s (`Stage.example_cases`); `pipeline rules check` and the tests
run the same cases, so a broken example is reported at its `file:line`
whichever runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pipeline.core.document import Document
from pipeline.core.rules import Entry

# Runs what a stage's examples need before the stage (the segment stage's words for extract).
Prepare = Callable[[Document], Document]


@dataclass(frozen=True)
class ExampleCase:
    """One example (or counterexample) of one rule; `run()` says what went wrong, or None."""

    rule_id: str
    path: Path
    line: int
    counter: bool
    case: Any
    check: Callable[[], str | None]

    @property
    def label(self) -> str:
        return f"{self.rule_id} {'counterexample' if self.counter else 'example'} {_short(self.case)}"

    def run(self) -> str | None:
        try:
            return self.check()
        except Exception as exc:  # noqa: BLE001 - a case that crashes is a failed case, with its line
            return f"raised {type(exc).__name__}: {exc}"

    def failure(self) -> str | None:
        """`file:line: rule …: what went wrong` when the case fails, else None."""
        problem = self.run()
        if problem is None:
            return None
        kind = "counterexample" if self.counter else "example"
        return f"{self.path}:{self.line}: rule {self.rule_id}: {kind} {_short(self.case)}: {problem}"


def cases_of(entry: Entry, check: Callable[[Any, bool], str | None], keys=("examples", "counterexamples")) -> list[ExampleCase]:
    """An entry's examples and counterexamples, each checked by `check(case, counter)`."""
    out = []
    for key in keys:
        counter = key != "examples"
        for i, case in enumerate(entry.get(key, ()) or ()):
            out.append(ExampleCase(entry.id, entry.path, entry.line_of(key, i), counter, case,
                                   lambda case=case, counter=counter: check(case, counter)))
    return out


def pair_cases(entries, run: Callable[[Document], Document], prepare: Prepare) -> list[ExampleCase]:
    """Cases written [input, expected output] for a text-changing stage: the output must be the
    expected text, and the rule must fire on examples only."""
    def check(rule_id: str, case, counter: bool) -> str | None:
        source, expected = case
        doc = run(prepare(sample_doc(source)))
        if doc.text != expected:
            return f"gives {doc.text!r}"
        fired = rule_id in {e.rule_id for layer in doc.layers for e in layer.edits}
        return None if fired != counter else ("fired" if counter else "did not fire")

    return [c for e in entries for c in cases_of(e, lambda case, counter, i=e.id: check(i, case, counter))]


def is_pair(case) -> str | None:
    """What is wrong with an [input, expected output] case, or None."""
    if isinstance(case, list) and len(case) == 2 and all(isinstance(c, str) for c in case):
        return None
    return "must be [input, expected output]"


def _short(case: Any) -> str:
    text = repr(case if not isinstance(case, tuple) else list(case))
    return text if len(text) <= 60 else text[:57] + "..."


def sample_doc(text: str, meta: dict | None = None) -> Document:
    """A document holding `text` as if decoded from a file."""
    return Document(doc_id="example", source="example", original=text, text=text, meta=meta or {})
