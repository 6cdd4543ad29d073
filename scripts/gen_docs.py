"""Write the README's generated sections from the code.

    python scripts/gen_docs.py            # rewrite them in README.md
    python scripts/gen_docs.py --check    # exit 1 when README.md differs (what tests/test_docs.py asks)

A generated section sits between `<!-- gen:NAME -->` and `<!-- /gen:NAME -->`
in README.md; everything outside the markers is hand-written. Sections:

- `stages`: one row per stage of `pipeline.stages.registry.KNOWN_STAGES`, in
  the order of the shipped `rules/pipeline.toml`: name, version, settings with
  their defaults, the rule files (relative to `rules/`) and shipped data it
  reads, what it assigns (once stages declare `assigns`) and the first line
  of its module's docstring.
- `cli`: the usage line of every `pipeline` subcommand, from the argparse parser.

To add a section (the rule-kind reference, say), write a function from nothing
to Markdown text and add it to `SECTIONS`; then put its markers in README.md.
Stages are read through their class attributes (`name`, `version`,
`defaults`) and an instance built with default settings (`rule_files()`,
`libraries()`); other attributes are ignored, so new ones need no change here.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from pathlib import Path
from typing import Any, Callable, Mapping

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RULES = ROOT / "rules"
MARKER = re.compile(r"<!-- gen:(?P<name>[\w-]+) -->\n(?P<body>.*?)<!-- /gen:(?P=name) -->", re.S)
USAGE_WIDTH = 88


def stage_table() -> str:
    from pipeline.run.config import load_config
    from pipeline.stages.registry import KNOWN_STAGES

    order = list(load_config(RULES, tuple(KNOWN_STAGES)).stages)
    order += [n for n in KNOWN_STAGES if n not in order]
    # A column for what a stage assigns once stages declare it (`assigns`).
    assigns = any(getattr(KNOWN_STAGES[n], "assigns", None) is not None for n in order)
    rows = [
        "| stage | version | settings (default) | reads | " + ("assigns | " if assigns else "") + "does |",
        "|---|---|---|---|" + ("---|" if assigns else "") + "---|",
    ]
    for name in order:
        cls = KNOWN_STAGES[name]
        stage = cls({}, RULES)
        settings = "<br>".join(f"`{k} = {_toml(v)}`" for k, v in cls.defaults.items()) or "none"
        reads = [f"`{p.relative_to(RULES).as_posix()}`" for p in stage.rule_files()]
        reads += [f"`{p}`" for p in _shipped_data(name, cls, stage)]
        cells = [f"`{name}`", str(cls.version), settings, ", ".join(reads) or "nothing"]
        if assigns:
            cells.append(_assigns(getattr(cls, "assigns", None)))
        cells.append(_summary(cls))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def _assigns(declared: Any) -> str:
    """A stage's `assigns` declaration, field by field: flags set, and the keys or
    items of the others (meta columns, fact types)."""
    if declared is None or not dataclasses.is_dataclass(declared):
        return "?"
    parts = []
    for f in dataclasses.fields(declared):
        value = getattr(declared, f.name)
        if value is True:
            parts.append(f.name)
        elif isinstance(value, (Mapping, list, tuple)) and value:
            parts.append(f"{f.name}: " + ", ".join(f"`{v}`" for v in value))
    return "<br>".join(parts) or "nothing"


def _toml(value: Any) -> str:
    """A default as it is written in rules/pipeline.toml."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def _shipped_data(name: str, cls: type, stage: Any) -> list[str]:
    """Package files the stage reads: the data files its `libraries()` hashes,
    and a shipped model a setting names (`models/<name>`)."""
    package = Path(sys.modules[cls.__module__].__file__).parent
    found = [package / key for key in stage.libraries() if (package / key).is_file()]
    found += [
        package / "models" / value
        for value in cls.defaults.values()
        if isinstance(value, str) and value and (package / "models" / value).is_dir()
    ]
    return [p.relative_to(ROOT).as_posix() for p in found]


def _summary(cls: type) -> str:
    """The first line of the stage module's docstring, without its `name: ` prefix."""
    doc = (sys.modules[cls.__module__].__doc__ or "").strip().splitlines()
    line = doc[0] if doc else ""
    return re.sub(rf"^{re.escape(cls.name)}:\s*", "", line).replace("|", "\\|")


def cli_synopsis() -> str:
    from pipeline.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    lines = []
    for command in sub.choices.values():
        # One unwrapped line from argparse, wrapped here: argparse's own wrapping
        # follows the terminal and the Python version.
        command.formatter_class = lambda prog: argparse.HelpFormatter(prog, width=10_000)
        usage = command.format_usage().strip().removeprefix("usage: ").replace(" [-h]", "")
        lines.extend(_wrap(usage, len(command.prog) + 1))
    return "```\n" + "\n".join(lines) + "\n```\n"


def _wrap(usage: str, indent: int) -> list[str]:
    """Break a usage line between top-level words and [...] groups."""
    words, depth, word = [], 0, ""
    for ch in usage:
        if ch == " " and depth == 0:
            words.append(word)
            word = ""
            continue
        depth += {"[": 1, "]": -1}.get(ch, 0)
        word += ch
    words.append(word)
    lines, line = [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > USAGE_WIDTH:
            lines.append(line)
            line = " " * indent + w
        else:
            line = f"{line} {w}" if line else w
    return [*lines, line]


SECTIONS: dict[str, Callable[[], str]] = {"stages": stage_table, "cli": cli_synopsis}


def render(readme: str) -> str:
    """README text with every generated section rewritten."""
    present = {m["name"] for m in MARKER.finditer(readme)}
    unknown, missing = present - set(SECTIONS), set(SECTIONS) - present
    if unknown or missing:
        raise ValueError(
            f"README.md markers: unknown {sorted(unknown)}, missing {sorted(missing)}; "
            f"known sections: {sorted(SECTIONS)}"
        )
    return MARKER.sub(lambda m: f"<!-- gen:{m['name']} -->\n{SECTIONS[m['name']]()}<!-- /gen:{m['name']} -->", readme)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if README.md is not what this writes")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    current = README.read_text(encoding="utf-8")
    try:
        wanted = render(current)
    except ValueError as exc:
        print(f"gen_docs: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if wanted != current:
            print("README.md is out of date: run `python scripts/gen_docs.py`", file=sys.stderr)
            return 1
        return 0
    if wanted != current:
        README.write_text(wanted, encoding="utf-8")
        print("README.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
