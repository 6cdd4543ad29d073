"""`rules/pipeline.toml`: which stages run, in which order, with which settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.rules import RuleError, load_toml


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
    data = load_toml(path)
    stages = data.get("pipeline", {}).get("stages")
    if not isinstance(stages, list) or not all(isinstance(s, str) for s in stages):
        raise RuleError(path, None, "[pipeline] stages must be a list of stage names")
    unknown = [s for s in stages if s not in known]
    if unknown:
        raise RuleError(path, None, f"unknown stage(s) {', '.join(unknown)}; known stages: {', '.join(known)}")
    if len(set(stages)) != len(stages):
        raise RuleError(path, None, "[pipeline] stages lists a stage twice")
    settings = data.get("stages", {})
    stray = sorted(set(settings) - set(known))
    if stray:
        raise RuleError(path, None, f"[stages.{stray[0]}] is not a known stage; known: {', '.join(known)}")
    return PipelineConfig(rules_dir, path, tuple(stages), {k: dict(v) for k, v in settings.items()})
