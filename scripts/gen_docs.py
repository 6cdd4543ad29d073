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
- `rule-kinds`: per stage, its settings kind and the layouts of its rule files
  (`pipeline.stages.rulecheck.rule_file_schemas()`), each headed by the
  shipped files that use it (found by watching the loader while the stages
  load), each kind's fields in a table: type with bounds and choices,
  required or default, doc string.
- `rules-check`: what `pipeline rules check` prints on the shipped rules (it
  runs every rule example, so a rule edit changes the counts; the test suite
  checks this section in its slow test only).

To add a section, write a function from nothing to Markdown text and add it
to `SECTIONS`; then put its markers in README.md.
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


def rule_kinds() -> str:
    """The rule-kind reference: per stage, its settings and each rule-file layout
    (`rule_file_schemas()`), each kind with its fields in a table."""
    from pipeline.core.schema import Kind
    from pipeline.run.config import load_config
    from pipeline.stages.registry import KNOWN_STAGES
    from pipeline.stages.rulecheck import rule_file_schemas

    schemas = rule_file_schemas()
    files = _shipped_layouts(schemas)
    order = list(load_config(RULES, tuple(KNOWN_STAGES)).stages)
    order = ["pipeline", *order, *(n for n in KNOWN_STAGES if n not in order)]
    out, shown = [], {}
    for name in order:
        for item in schemas.get(name, ()):
            if isinstance(item, Kind):  # the stage's settings
                out += [f"#### `{name}`: settings", "",
                        f"`[stages.{name}]` in `pipeline.toml`. {_sentence(item.doc)}", "", *_field_table(item)]
                continue
            paths = files.get(id(item), {}).get(name, [])
            where = ", ".join(f"`{p}`" for p in paths) or item.name
            out += [f"#### `{name}`: {where}", ""]
            if id(item) in shown:
                out += [f"{_sentence(item.doc)} The same layout as {shown[id(item)]} above.", ""]
                continue
            shown[id(item)] = where
            out += [f"{_sentence(item.doc)} {_layout_note(item)}", ""]
            out += _layout_kinds(item)
    return "\n".join(out).rstrip("\n") + "\n"


def _shipped_layouts(schemas: Mapping[str, tuple]) -> dict[int, dict[str, list[str]]]:
    """Which shipped rule files each layout reads, by stage: {id(layout): {stage: [path]}}.

    The loader is watched while the configuration and each stage load with
    default settings: every entry it makes names its kind, and a file's kinds
    name its layout. A file nothing loaded (read on first use) goes to the
    stage's only layout of its sort (TOML, JSONL, word list), if there is one.
    """
    from unittest import mock

    from pipeline.core import rules
    from pipeline.core.schema import Kind
    from pipeline.run.config import load_config
    from pipeline.stages.registry import KNOWN_STAGES

    def kinds_of(layout) -> set[str]:
        top = [s.kind for s in layout.sections.values()] if hasattr(layout, "sections") else [layout.kind]
        return {k.name for t in top for k in (t, *t.variants.values())}

    real, seen = rules.Entry, []

    def entry(kind, values, path, *rest):
        seen.append((Path(path), kind))
        return real(kind, values, path, *rest)

    found: dict[int, dict[str, list[str]]] = {}
    with mock.patch.object(rules, "Entry", entry):
        for name, items in schemas.items():
            seen.clear()
            if name in KNOWN_STAGES:
                stage = KNOWN_STAGES[name]({}, RULES)
                paths = list(stage.rule_files())
            else:
                paths = [load_config(RULES, tuple(KNOWN_STAGES)).path]
            layouts = [i for i in items if not isinstance(i, Kind)]
            for path in paths:
                kinds = {k for p, k in seen if p == path}
                fits = [la for la in layouts if kinds and kinds <= kinds_of(la)]
                if not kinds:
                    fits = [la for la in layouts if _sort(la) == _sort(path)]
                if len(fits) != 1:
                    raise ValueError(f"{path}: no single layout of stage {name} fits it ({[f.name for f in fits]})")
                rel = path.relative_to(RULES).as_posix()
                found.setdefault(id(fits[0]), {}).setdefault(name, []).append(rel)
    return found


def _sort(thing: Any) -> str:
    """TOML, JSONL or a word list: of a layout, or of a file by its suffix."""
    if isinstance(thing, Path):
        return {".toml": "TomlFile", ".jsonl": "JsonlFile"}.get(thing.suffix, "WordList")
    return type(thing).__name__


def _layout_note(layout: Any) -> str:
    if _sort(layout) == "JsonlFile":
        return "One JSON object a line; a line starting with `#` is a comment."
    if _sort(layout) == "WordList":
        sep = {"\t": "separated by a tab", None: "separated by spaces"}.get(layout.separator, "the whole line")
        cols = " ".join(f"`{c}`" if layout.kind.all_fields()[c].required else f"[`{c}`]" for c in layout.columns)
        return f"One entry a line: {cols}, {sep}; `#` starts a comment."
    return "Any other top-level key is an error."


def _layout_kinds(layout: Any) -> list[str]:
    if _sort(layout) != "TomlFile":
        return [f"{_sentence(layout.kind.doc)}", "", *_kind_body(layout.kind)]
    out = []
    for key, section in layout.sections.items():
        where = f"`[[{key}]]`" if section.array else f"`[{key}]`"
        rules = section.kind.rule or any(v.rule for v in section.kind.variants.values())
        flags = [w for w, on in (("required", section.required), ("rules", rules)) if on]
        head = f"{where}" + (f" ({', '.join(flags)})" if flags else "")
        out += [f"{head}: {_sentence(section.kind.doc)}", "", *_kind_body(section.kind)]
    return out


def _kind_body(kind: Any) -> list[str]:
    """A kind's fields as a table; a word table as one line; variants one after another."""
    if kind.values is not None:
        keys = f" matching `{_cell(kind.keys)}`" if kind.keys else ""
        return [f"Any key{keys} → {_type(kind.values)}.", ""]
    if kind.variants:
        out = []
        for value, variant in kind.variants.items():
            doc = variant.doc.replace(f' ({kind.discriminator} = "{value}")', "")
            out += [f"- `{kind.discriminator} = \"{value}\"`: {_sentence(doc)}", ""]
            out += ["  " + row if row else row for row in _field_table(variant, skip=kind.discriminator)]
        return out
    return _field_table(kind)


def _field_table(kind: Any, skip: str | None = None) -> list[str]:
    rows = ["| key | value | default | meaning |", "|---|---|---|---|"]
    for name, f in kind.all_fields().items():
        if name == skip or (kind.rule and name in ("id", "version")):
            continue
        default = "required" if f.required else ("–" if f.default is None else f"`{_toml(f.default)}`")
        rows.append(f"| `{name}` | {_type(f)} | {default} | {_cell(f.doc)} |")
    if len(rows) == 2:
        return ["Besides `id` and `version`, no keys.", ""] if kind.rule else []
    return [*rows, ""]


_PLURAL = {"string": "strings", "character": "characters", "characters": "strings of characters",
           "regex": "regexes", "integer": "integers", "number": "numbers", "value": "values"}


def _plural(item: str) -> str | None:
    """`integer ≥ 1` -> `integers ≥ 1`; None when the words do not start with a noun."""
    head, _, rest = item.partition(" ")
    return f"{_PLURAL[head]} {rest}".rstrip() if head in _PLURAL else None


def _type(f: Any) -> str:
    """A field's value in a few words, for a table cell (compare `Field.describe`)."""
    if f.type in ("list", "table"):
        item = _type(f.item) if f.item is not None else "value"
        head = ("non-empty " if f.minimum else "") + f.type
        keys = f" (keys matching `{_cell(f.keys)}`)" if f.keys else ""
        plural = _plural(item)
        return f"{head}{keys} of {plural}" if plural else f"{head}{keys}, each {item}"
    if f.type == "enum":
        return "one of `" + "`, `".join(f.choices) + "`" if len(f.choices) > 1 else f"`{f.choices[0]}`"
    text = {"str": "string", "chars": "characters", "regex": "regex", "int": "integer", "float": "number",
            "bool": "`true`/`false`", "any": "value"}[f.type]
    if f.type == "str" and f.length == 1:
        text = "character"
    if f.match:
        text += f" matching `{_cell(f.match)}`"
    if f.fragments:
        text += " with `{NAME}` fragments"
    if f.groups:
        text += " with groups " + ", ".join(f"`{g}`" for g in f.groups)
    bounds = [f"{op} {v:g}" for op, v in ((">", f.above), ("≥", f.minimum), ("≤", f.maximum))
              if v is not None and f.type in ("int", "float")]
    return text + (" " + ", ".join(bounds) if bounds else "")


def _sentence(doc: str) -> str:
    """A kind's doc as a sentence, without the `([name])` its section heading already shows."""
    doc = re.sub(r"\s*\(\[\[?[\w.]+\]\]?\)(?=\.?$)", "", doc.strip())
    return _cell(doc if doc.endswith(".") else doc + ".")


def _cell(text: str) -> str:
    """Text for a Markdown table cell: `|` escaped, and `<` outside code spans (`<name>.toml` is no HTML tag)."""
    parts = text.replace("|", "\\|").replace("\n", " ").split("`")
    return "`".join(p if i % 2 else p.replace("<", "&lt;") for i, p in enumerate(parts))


def rules_check() -> str:
    """What `pipeline rules check` prints on the shipped rules (it runs every example: slow)."""
    from pipeline.stages.rulecheck import check_rules

    report = check_rules(ROOT / "rules")
    if report.problems:
        raise ValueError("pipeline rules check finds problems: " + "; ".join(report.problems[:3]))
    return f"```\n$ pipeline rules check\nok: {report.summary()}\n```\n"


SECTIONS: dict[str, Callable[[], str]] = {"stages": stage_table, "cli": cli_synopsis, "rule-kinds": rule_kinds,
                                          "rules-check": rules_check}


def render(readme: str, skip: frozenset[str] = frozenset()) -> str:
    """README text with every generated section rewritten (those in `skip` left as they are)."""
    present = {m["name"] for m in MARKER.finditer(readme)}
    unknown, missing = present - set(SECTIONS), set(SECTIONS) - present
    if unknown or missing:
        raise ValueError(
            f"README.md markers: unknown {sorted(unknown)}, missing {sorted(missing)}; "
            f"known sections: {sorted(SECTIONS)}"
        )
    return MARKER.sub(lambda m: m.group() if m["name"] in skip else
                      f"<!-- gen:{m['name']} -->\n{SECTIONS[m['name']]()}<!-- /gen:{m['name']} -->", readme)


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
