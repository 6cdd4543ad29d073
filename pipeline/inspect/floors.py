"""Quality and speed floors pinned in `eval/floors.toml` and `bench/floors.toml`.

Used by the evaluation and benchmark scripts' `--check`: a figure below its
floor (or missing) fails the check, and so does a missing section, so a gate
never passes by having nothing to compare.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Mapping


def check_floors(figures: Mapping[str, float], path: Path, section: str) -> int:
    """Print the figures below their floors and `check: ok|FAILED`; return the exit status."""
    floors = tomllib.loads(Path(path).read_text(encoding="utf-8")).get(section, {})
    failures = [] if floors else [f"no [{section}] section in {path}"]
    for key, floor in sorted(floors.items()):
        if key not in figures:
            failures.append(f"{key}: no such figure (floor {floor})")
        elif figures[key] < floor:
            failures.append(f"{key}: {figures[key]:.4f} < floor {floor}")
    for line in failures:
        print(f"BELOW FLOOR: {line}")
    print("check: " + ("FAILED" if failures else "ok"))
    return 1 if failures else 0


def suggested_floors(figures: Mapping[str, float], section: str) -> str:
    """A `[section]` table pinning each figure a little below what was measured (for `--print-floors`):
    rounded down to 0.01 less 0.01, so noise does not fail a check; a perfect figure stays 1.0."""
    lines = [f"[{section}]"]
    for key in sorted(figures):
        value = figures[key]
        floor = 1.0 if value >= 1 else max(0.0, math.floor(value * 100) / 100 - 0.01)
        lines.append(f"{key} = {floor:.2f}")
    return "\n".join(lines)


def floor_options(ap, section: str, floors: Path) -> None:
    """The evaluations' shared options: --check against `floors`' [section], --floors, --print-floors."""
    ap.add_argument("--check", action="store_true", help=f"fail if below [{section}] floors")
    ap.add_argument("--floors", type=Path, default=floors, help="floors file for --check")
    ap.add_argument("--print-floors", action="store_true", help="print a floors section for these figures")


def finish_floors(figures: Mapping[str, float], args, section: str) -> int:
    """What floor_options asked for, after the figures are printed; the exit status."""
    if args.print_floors:
        print(suggested_floors(figures, section))
    return check_floors(figures, args.floors, section) if args.check else 0
