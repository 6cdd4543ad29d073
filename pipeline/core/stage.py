"""What every stage is: a named, versioned, pure transform of a Document."""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Mapping, Protocol, Sequence

from pipeline.core.document import Document
from pipeline.core.rules import file_sha256, validate_settings
from pipeline.core.schema import Kind, Value

# Code every stage runs on: a change here may change any stage's result.
CORE_PACKAGE = "pipeline.core"


@dataclass(frozen=True)
class Assigns:
    """What a stage may change in a Document; the runner fails a document whose stage did more.

    `original`: the decoded text every offset refers to (decode only). `layer`: a text
    layer of edits. `meta`: metadata keys it sets, with their column type
    (`string`, `float` or `list` of strings); documents.parquet has a column for each. `facts`: the
    fact types it owns (it replaces those, and leaves every other fact alone).
    Flags are counters any stage may add.
    """

    original: bool = False
    layer: bool = False
    sentences: bool = False
    tokens: bool = False
    meta: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    facts: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    def provides(self) -> set[str]:
        """The names `Stage.reads` may ask for."""
        return {n for n in ("original", "layer", "sentences", "tokens") if getattr(self, n)}

    def check(self, stage: str, before: Document, after: Document) -> None:
        """Raise `AssignsError` if `after` differs from `before` in anything not assigned."""
        wrong = []
        if (after.doc_id, after.source) != (before.doc_id, before.source):
            wrong.append("doc_id/source")
        if not self.original and (after.original != before.original or after.raw is not before.raw):
            wrong.append("original")
        if not self.original and not self.layer and (after.text != before.text or after.layers != before.layers):
            wrong.append("text")
        if not self.original and after.layers[: len(before.layers)] != before.layers:
            wrong.append("earlier layers")
        for name in ("sentences", "tokens"):
            if not getattr(self, name) and getattr(after, name) != getattr(before, name):
                wrong.append(name)
        changed = {k for k in set(before.meta) | set(after.meta) if before.meta.get(k) != after.meta.get(k)}
        wrong += [f"meta {k!r}" for k in sorted(changed - set(self.meta))]
        if after.facts is not before.facts:
            own = set(self.facts)
            if [f for f in after.facts if f.type not in own] != [f for f in before.facts if f.type not in own]:
                wrong.append("facts it does not own")
        if set(before.flags) - set(after.flags):
            wrong.append("flags (removed)")
        if wrong:
            raise AssignsError(f"stage {stage!r} changed what it does not assign: {', '.join(wrong)}")


class AssignsError(RuntimeError):
    """A stage changed part of a document it does not declare (a bug in the stage)."""


def source_digest(package: str) -> str:
    """Hash of a package's Python source (recursively; a plain module: its file),
    so a code change reruns what it affects."""
    path = Path(importlib.import_module(package).__file__)
    root = path.parent if path.name == "__init__.py" else path
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
        h.update(path.relative_to(root.parent).as_posix().encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


class Stage:
    """Base class. Subclasses set `name` and `version` and implement `__call__`.

    Everything a stage reads (settings from `rules/pipeline.toml`, rule files,
    library versions) goes into its fingerprint, so a cached result can be
    reused exactly when none of it changed. Bump `version` when the code's
    behaviour changes.
    """

    name: ClassVar[str]
    version: ClassVar[int]
    assigns: ClassVar[Assigns] = Assigns()
    # What it needs an earlier stage to have assigned (names from `Assigns.provides`).
    reads: ClassVar[tuple[str, ...]] = ()
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
        # Its package (a stage defined in a plain module: that module).
        own = type(self).__module__.rpartition(".")[0] or type(self).__module__
        self.source = {p: source_digest(p) for p in (CORE_PACKAGE, own)}

    def rule_files(self) -> tuple[Path, ...]:
        """The rule files this stage reads (absolute paths)."""
        return ()

    def libraries(self) -> dict[str, str]:
        """Versions of the libraries and data files whose content shapes the output."""
        return {}

    def describe(self) -> dict[str, Any]:
        """Name, version, settings, libraries, source and rule-file hashes, and the fingerprints.

        `base_fingerprint` covers everything but the rule files (each part's
        own fingerprint covers its rules); `fingerprint` covers it all.
        """
        info = {
            "name": self.name,
            "version": self.version,
            "settings": self.settings,
            "libraries": self.libraries(),
            "source": self.source,
        }
        info["base_fingerprint"] = _digest(info)
        info["rule_files"] = {
            p.relative_to(self.rules_dir).as_posix(): file_sha256(p) for p in self.rule_files()
        }
        if self.parts():
            info["parts"] = {p.name: p.fingerprint() for p in self.parts()}
        info["fingerprint"] = _digest(info)
        return info

    def fingerprint(self) -> str:
        return self.describe()["fingerprint"]

    def base_fingerprint(self) -> str:
        """What every part's result depends on besides the part's own rules."""
        return self.describe()["base_fingerprint"]

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


def _digest(info: Mapping[str, Any]) -> str:
    blob = json.dumps(info, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]
