"""Running the stages over documents, one document's failure never stopping the rest."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Iterator

from pipeline.inputs import InputError, InputRecord
from pipeline.model import Document
from pipeline.stages.base import Stage


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


def to_document(record: InputRecord) -> Document:
    meta = dict(record.meta)
    flags = {}
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


def run_stages(doc: Document, stages: list[Stage], timings: Timings) -> Document:
    for stage in stages:
        t0 = time.perf_counter()
        try:
            doc = stage(doc)
        except Exception as exc:
            raise StageFailure(stage.name, exc) from exc
        finally:
            timings.add(stage.name, time.perf_counter() - t0)
    return doc


class StageFailure(Exception):
    def __init__(self, stage: str, exc: Exception):
        super().__init__(f"{stage}: {exc}")
        self.stage = stage
        self.exc = exc


def process(
    items: Iterable[InputRecord | InputError], stages: list[Stage], timings: Timings
) -> Iterator[Outcome]:
    """Run every record through the stages, in input order."""
    for item in items:
        if isinstance(item, InputError):
            yield Outcome(None, error=item)
            continue
        try:
            doc = run_stages(to_document(item), stages, timings)
        except StageFailure as failure:
            exc = failure.exc
            yield Outcome(item.sha256, error=InputError(
                item.doc_id, item.source, type(exc).__name__, str(exc), stage=failure.stage))
            continue
        yield Outcome(item.sha256, document=doc)
