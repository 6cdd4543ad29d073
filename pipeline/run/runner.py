"""Running the stages over documents, one document's failure never stopping the rest."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Iterator

from pipeline.run.cache import (
    CacheError, StageCache, chain_keys, document_key, from_state, part_key, to_state,
)
from pipeline.run.budget import DocumentTimeout, time_budget
from pipeline.run.inputs import InputError, InputRecord
from pipeline.core.document import Document
from pipeline.core.stage import Stage


@dataclass
class Timings:
    """Seconds spent in each stage, summed over documents."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, dt: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + dt


@dataclass(frozen=True)
class Outcome:
    """What became of one input: a finished document, or the error that stopped it."""

    record_sha256: str | None
    document: Document | None = None
    error: InputError | None = None
    timings: dict[str, float] = field(default_factory=dict)
    cached: int = 0  # how many leading stages came from the cache


def to_document(record: InputRecord) -> Document:
    meta = dict(record.meta)
    flags = dict(record.flags)
    published = meta.get("published_at")
    if published is not None:
        normalised = normalise_iso8601(published)
        if normalised is None:
            meta["published_at_given"] = meta.pop("published_at")
            flags["published_at_invalid"] = 1
        else:
            meta["published_at"] = normalised
    return Document(doc_id=record.doc_id, source=record.source, raw=record.raw, meta=meta, flags=flags)


def normalise_iso8601(value: str) -> str | None:
    """`2021-07-26 11:43` -> `2021-07-26T11:43`, keeping the precision given; None if not ISO 8601."""
    value = value.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    time_part = value[11:]
    timespec = "minutes" if time_part.count(":") < 2 else "seconds" if "." not in time_part else "auto"
    return parsed.isoformat(timespec=timespec)


class Pipeline:
    """The stages (and optionally a stage cache) one process runs documents through.

    Built once per process (or worker): stages load their rules and models in
    their constructors, so each worker pays that once.
    """

    def __init__(self, stages: list[Stage], cache: StageCache | None = None, timeout: float | None = None):
        self.stages = stages
        self.cache = cache
        self.timeout = timeout  # seconds per document (run/budget.py); None: no limit
        self.fingerprints = [s.fingerprint() for s in stages]
        # A part's key holds the stage's base fingerprint (version, settings, code,
        # libraries) and the part's own (its rules): a version bump or a code
        # change reruns every part, a rule edit only the part that reads it.
        self.parts = {
            s.name: [(p, f"{s.base_fingerprint()}:{p.fingerprint()}") for p in s.parts()] for s in stages
        }

    def process_one(self, item: InputRecord | InputError) -> Outcome:
        """The record's outcome; whatever goes wrong becomes that record's error, never the batch's."""
        if isinstance(item, InputError):
            return Outcome(None, error=item)
        try:
            with time_budget(self.timeout):
                return self._process(item)
        except Exception as exc:  # outside the stages: the cache, the record itself
            return Outcome(None, error=InputError(item.doc_id, item.source, type(exc).__name__,
                                                  self._message(exc), stage="pipeline"))

    def _message(self, exc: Exception) -> str:
        if isinstance(exc, DocumentTimeout) and exc.seconds is None:  # raised asynchronously
            return str(DocumentTimeout(self.timeout))
        return str(exc)

    def _process(self, item: InputRecord) -> Outcome:
        sha = item.sha256
        doc = to_document(item)
        keys, start = [], 0
        if self.cache:
            # keys[i] is the key of the chain up to stage i; keys[0] the document's own.
            keys = [document_key(doc, sha)]
            keys += chain_keys(keys[0], self.fingerprints)
            doc, start = self._restore(doc, keys[1:])
        timings: dict[str, float] = {}
        for i in range(start, len(self.stages)):
            stage = self.stages[i]
            t0 = time.perf_counter()
            before = doc
            try:
                if self.cache and self.parts[stage.name]:
                    doc = self._run_parts(stage, doc, keys[i])
                else:
                    doc = stage(doc)
                stage.assigns.check(stage.name, before, doc)
            except Exception as exc:
                return Outcome(sha, error=InputError(
                    item.doc_id, item.source, type(exc).__name__, self._message(exc), stage=stage.name),
                    timings=timings, cached=start)
            finally:
                timings[stage.name] = time.perf_counter() - t0
            if self.cache:
                self.cache.put(keys[i + 1], to_state(doc))
        try:
            check_writable(doc)
        except UnicodeError as exc:
            return Outcome(sha, error=InputError(item.doc_id, item.source, type(exc).__name__,
                                                 f"cannot be written as UTF-8: {exc}", stage="write"),
                           timings=timings, cached=start)
        return Outcome(sha, document=doc, timings=timings, cached=start)

    def _run_parts(self, stage: Stage, doc: Document, upstream_key: str) -> Document:
        """Run a stage made of parts, reusing each part's cached result on its own."""
        results = {}
        for part, fingerprint in self.parts[stage.name]:
            key = part_key(upstream_key, stage.name, part.name, fingerprint)
            cached = self.cache.get(key)
            if cached is not None and "result" in cached:
                results[part.name] = cached["result"]
                continue
            results[part.name] = part.run(doc)
            self.cache.put(key, {"result": results[part.name]})
        return stage.assemble(doc, results)

    def _restore(self, doc: Document, keys: list[str]) -> tuple[Document, int]:
        """The document after the longest cached prefix of stages, and that prefix's length."""
        for i in reversed(range(len(keys))):
            state = self.cache.get(keys[i])
            if state is None:
                continue
            try:
                return from_state(doc, state, tokens=i + 1 < len(keys)), i + 1
            except (CacheError, KeyError, TypeError, ValueError):
                continue  # a row this version cannot read: recompute, never trust it
        return doc, 0


def check_writable(doc: Document) -> None:
    """Raise UnicodeError if a string of `doc` cannot be written as UTF-8 (a lone surrogate),
    so the record fails on its own rather than the table it would be written into."""
    doc.text.encode("utf-8")
    doc.original.encode("utf-8")
    json.dumps([doc.doc_id, doc.source, dict(doc.meta), [dict(f.value) for f in doc.facts],
                [e.replacement for layer in doc.layers for e in layer.edits]],
               ensure_ascii=False).encode("utf-8")


def process(
    items: Iterable[InputRecord | InputError], stages: list[Stage], timings: Timings
) -> Iterator[Outcome]:
    """Run every record through the stages, in input order, without a cache."""
    pipeline = Pipeline(stages)
    for item in items:
        outcome = pipeline.process_one(item)
        for name, seconds in outcome.timings.items():
            timings.add(name, seconds)
        yield outcome
