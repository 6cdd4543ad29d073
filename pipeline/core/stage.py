"""What every stage is: a named, versioned, pure transform of a Document."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, ClassVar, Mapping, Protocol, Sequence

from pipeline.core.document import Document
from pipeline.core.rules import file_sha256, validate_settings
from pipeline.core.schema import Kind, Value


class Stage:
    """Base class. Subclasses set `name` and `version` and implement `__call__`.

    Everything a stage reads (settings from `rules/pipeline.toml`, rule files,
    library versions) goes into its fingerprint, so a cached result can be
    reused exactly when none of it changed. Bump `version` when the code's
    behaviour changes.
    """

    name: ClassVar[str]
    version: ClassVar[int]
    # The settings the stage understands (`[stages.NAME]` in pipeline.toml), with
    # their types, bounds and defaults; anything else is an error.
    settings_kind: ClassVar[Kind | None] = None
    # Their defaults (from `settings_kind`).
    defaults: ClassVar[Mapping[str, Any]] = {}
    # Stages whose output this stage's rule examples read (run before them by `example_cases`' caller).
    examples_need: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("settings_kind") is not None:
            cls.defaults = cls.settings_kind.defaults()

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        kind = self.settings_kind or Kind(f"settings.{self.name}", f"Settings of the {self.name} stage.",
                                          {k: Value("a setting", default=v) for k, v in self.defaults.items()})
        self.settings = validate_settings(kind, f"stages.{self.name}", settings, rules_dir / "pipeline.toml")
        self.rules_dir = rules_dir
        # Where a stage may keep files it derives from its rules (e.g. a
        # tokenizer's dictionary cache): the run's cache folder, never /tmp.
        self.cache_dir = cache_dir

    def rule_files(self) -> tuple[Path, ...]:
        """The rule files this stage reads (absolute paths)."""
        return ()

    def libraries(self) -> dict[str, str]:
        """Versions of the libraries and data files whose content shapes the output."""
        return {}

    def describe(self) -> dict[str, Any]:
        """Name, version, settings, rule-file hashes, libraries and the fingerprint."""
        info = {
            "name": self.name,
            "version": self.version,
            "settings": self.settings,
            "rule_files": {
                p.relative_to(self.rules_dir).as_posix(): file_sha256(p) for p in self.rule_files()
            },
            "libraries": self.libraries(),
        }
        if self.parts():
            info["parts"] = {p.name: p.fingerprint() for p in self.parts()}
        blob = json.dumps(info, sort_keys=True, ensure_ascii=False).encode("utf-8")
        info["fingerprint"] = hashlib.sha256(blob).hexdigest()[:16]
        return info

    def fingerprint(self) -> str:
        return self.describe()["fingerprint"]

    def example_cases(self, prepare) -> list:
        """Its rules' examples and counterexamples as `pipeline.core.examples.ExampleCase`s.

        `prepare(doc)` runs the stages named in `examples_need` on a document.
        """
        return []

    def parts(self) -> Sequence[StagePart]:
        """Independently cached pieces of this stage (e.g. one per extractor).

        A stage made of parts implements `assemble`; the runner caches each
        part's result on its own, so editing one part's rules reruns that part
        only. Stages without parts return ().
        """
        return ()

    def assemble(self, doc: Document, results: Mapping[str, Any]) -> Document:
        raise NotImplementedError

    def __call__(self, doc: Document) -> Document:
        if self.parts():
            return self.assemble(doc, {p.name: p.run(doc) for p in self.parts()})
        raise NotImplementedError


class StagePart(Protocol):
    """A piece of a stage with its own fingerprint and JSON-able result."""

    name: str

    def fingerprint(self) -> str: ...

    def run(self, doc: Document) -> Any: ...
