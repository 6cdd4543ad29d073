"""`rules/pipeline.toml`: which stages run, in which order, with which settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.rules import load_toml_file
from pipeline.core.schema import Kind, ListOf, Section, String, TableOf, TomlFile, Value

PIPELINE = Kind("pipeline", "Which stages run, in which order ([pipeline]).", {
    "stages": ListOf(String("a stage name"), "the stages, in pipeline order", required=True, non_empty=True),
})
# Each stage checks its own table (`Stage.settings_kind`); here only that each is a table.
STAGE_SETTINGS = Kind("stages", "Each stage's settings ([stages.NAME]).", values=TableOf(Value("a setting"), "settings"))
CONFIG_FILE = TomlFile("pipeline", "Stage order and settings (rules/pipeline.toml).", {
    "pipeline": Section(PIPELINE, required=True),
    "stages": Section(STAGE_SETTINGS),
})


@dataclass(frozen=True)
class PipelineConfig:
    rules_dir: Path
    path: Path
    stages: tuple[str, ...]
    settings: dict[str, dict[str, Any]]


def default_rules_dir() -> Path:
    """`$PIPELINE_RULES`, else `./rules`, else the `rules/` beside the package."""
    env = os.environ.get("PIPELINE_RULES")
    if env:
        return Path(env)
    here = Path("rules")
    if (here / "pipeline.toml").is_file():
        return here
    return Path(__file__).resolve().parents[2] / "rules"


def load_config(rules_dir: Path, known: tuple[str, ...]) -> PipelineConfig:
    rules_dir = rules_dir.resolve()
    path = rules_dir / "pipeline.toml"
    loaded = load_toml_file(path, CONFIG_FILE)
    head, table = loaded.tables["pipeline"], loaded.tables["stages"]
    stages = list(head["stages"])
    unknown = [s for s in stages if s not in known]
    if unknown:
        raise head.error(f"unknown stage(s) {', '.join(unknown)}; known stages: {', '.join(known)}", "stages")
    if len(set(stages)) != len(stages):
        raise head.error("`stages` lists a stage twice", "stages")
    stray = sorted(set(table.values) - set(known))
    if stray:
        raise table.error(f"[stages.{stray[0]}] is not a known stage; known: {', '.join(known)}", stray[0])
    return PipelineConfig(rules_dir, path, tuple(stages), {k: dict(v) for k, v in table.values.items()})
