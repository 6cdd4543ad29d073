"""What every stage is: a named, versioned, pure transform of a Document."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, ClassVar, Mapping, Protocol, Sequence

from pipeline.core.document import Document
from pipeline.core.rules import RuleError, file_sha256


class Stage:
    """Base class. Subclasses set `name` and `version` and implement `__call__`.

    Everything a stage reads (settings from `rules/pipeline.toml`, rule files,
    library versions) goes into its fingerprint, so a cached result can be
    reused exactly when none of it changed. Bump `version` when the code's
    behaviour changes.
    """

    name: ClassVar[str]
    version: ClassVar[int]
    # Settings the stage understands, with their defaults; anything else is an error.
    defaults: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        unknown = sorted(set(settings) - set(self.defaults))
        if unknown:
            raise RuleError(
                rules_dir / "pipeline.toml",
                None,
                f"[stages.{self.name}] has unknown setting(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(self.defaults)) or 'none'}",
            )
        self.settings = {**self.defaults, **settings}
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
