"""Loading and validating rule files.

Rules are data a linguist edits; a mistake there must point at `file:line`,
not surface as a traceback from deep inside a stage.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


class RuleError(ValueError):
    """A rule file is missing, malformed or inconsistent."""

    def __init__(self, path: Path, line: int | None, message: str):
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Rule:
    """One rule: its id, version, where it is defined, and its own fields."""

    id: str
    version: int
    fields: dict[str, Any]
    path: Path
    line: int


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_rule_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuleError(path, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(path, None, f"cannot read: {exc}") from None


def load_toml(path: Path) -> dict[str, Any]:
    text = read_rule_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise RuleError(path, int(m.group(1)) if m else None, f"invalid TOML: {exc}") from None


def load_rules(path: Path, required: Iterable[str] = ()) -> list[Rule]:
    """Read the `[[rule]]` tables of a TOML rule file and validate them.

    Every rule needs a dotted `id` (unique in the file) and an integer
    `version` >= 1, plus the fields in `required`.
    """
    data = load_toml(path)
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise RuleError(path, None, "`rule` must be an array of tables ([[rule]])")
    lines = _rule_lines(path)
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        line = lines[index] if index < len(lines) else None
        rule_id = entry.get("id")
        if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
            raise RuleError(path, line, f"rule id {rule_id!r} must be dotted lowercase, e.g. 'convert.fixup.zhuoli'")
        if rule_id in seen:
            raise RuleError(path, line, f"duplicate rule id {rule_id!r} (first at line {seen[rule_id]})")
        seen[rule_id] = line or 0
        version = entry.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise RuleError(path, line, f"rule {rule_id}: version must be an integer >= 1")
        missing = [f for f in required if f not in entry]
        if missing:
            raise RuleError(path, line, f"rule {rule_id}: missing {', '.join(missing)}")
        fields = {k: v for k, v in entry.items() if k not in ("id", "version")}
        rules.append(Rule(rule_id, version, fields, path, line or 0))
    return rules


def _rule_lines(path: Path) -> list[int]:
    """Line numbers of each `[[rule]]` header, in order."""
    text = path.read_text(encoding="utf-8")
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[rule]]"]


def load_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSONL rule file; `//` lines are comments."""
    out = []
    for number, line in enumerate(read_rule_text(path).splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("//"):
            continue
        try:
            value = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise RuleError(path, number, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
        if not isinstance(value, dict):
            raise RuleError(path, number, "each line must be a JSON object")
        out.append((number, value))
    return out
