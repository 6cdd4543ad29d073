"""The stages the pipeline knows, by name, and building them from the config."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Sequence

from pipeline.run.config import PipelineConfig, load_config
from pipeline.core.stage import Stage
from pipeline.stages.clean.stage import CleanStage
from pipeline.stages.convert.stage import ConvertStage
from pipeline.stages.decode.stage import DecodeStage
from pipeline.stages.dedup.stage import DedupStage
from pipeline.stages.repair.stage import RepairStage
from pipeline.stages.segment.stage import SegmentStage
from pipeline.stages.extract.stage import ExtractStage
from pipeline.stages.ner.stage import NerStage

KNOWN_STAGES = MappingProxyType({cls.name: cls for cls in (DecodeStage, RepairStage, ConvertStage, CleanStage, SegmentStage, ExtractStage, NerStage, DedupStage)})

# Bytes must become text before anything else can run.
REQUIRED = ("decode",)


class StageSelectionError(ValueError):
    pass


def select_stages(
    config: PipelineConfig, only: Sequence[str] | None = None, skip: Sequence[str] = ()
) -> list[str]:
    """The configured stages, narrowed by `--stages` and `--skip`, in config order."""
    for name in [*(only or ()), *skip]:
        if name not in KNOWN_STAGES:
            raise StageSelectionError(
                f"unknown stage {name!r}; known stages: {', '.join(KNOWN_STAGES)}"
            )
        if name not in config.stages:
            raise StageSelectionError(
                f"stage {name!r} is not in {config.path} (stages = {list(config.stages)})"
            )
    for name in skip:
        if name in REQUIRED:
            raise StageSelectionError(f"stage {name!r} cannot be skipped: it turns bytes into text")
    wanted = set(only) | set(REQUIRED) if only else set(config.stages)
    selected = [s for s in config.stages if s in wanted and s not in skip]
    check_reads(selected)
    return selected


def check_reads(names: Sequence[str]) -> None:
    """Every stage's `reads` is assigned by a stage before it, or selection fails saying which."""
    provided: set[str] = set()
    for name in names:
        cls = KNOWN_STAGES[name]
        for need in cls.reads:
            if need not in provided:
                by = [n for n, c in KNOWN_STAGES.items() if need in c.assigns.provides()]
                raise StageSelectionError(
                    f"stage {name!r} reads {need}, which only {' or '.join(map(repr, by))} assigns; "
                    f"run {by[0]!r} before it, or leave {name!r} out too"
                )
        provided |= cls.assigns.provides()


def build_stages(
    config: PipelineConfig, names: Sequence[str], cache_dir: Path | None = None
) -> list[Stage]:
    return [KNOWN_STAGES[n](config.settings.get(n, {}), config.rules_dir, cache_dir) for n in names]


def configured_stage(name: str, rules_dir: Path, cache_dir: Path | None = None, **overrides) -> Stage:
    """Stage `name` with the settings `rules_dir/pipeline.toml` gives it, as `pipeline run` builds it,
    `overrides` on top: what evaluations and benchmarks must measure (not the stage's defaults)."""
    config = load_config(rules_dir, tuple(KNOWN_STAGES))
    return KNOWN_STAGES[name]({**config.settings.get(name, {}), **overrides}, config.rules_dir, cache_dir)
