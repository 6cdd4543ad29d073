"""Small inline SVG bar charts: no script, no external file, every label escaped."""

from __future__ import annotations

from html import escape
from typing import Sequence

ROW, LABEL, BAR, VALUE = 20, 210, 260, 80


def bar_chart(items: Sequence[tuple[str, float, str]], title: str, unit: str = "") -> str:
    """A horizontal bar per `(label, value, css class)`, longest bar = largest value."""
    if not items:
        return ""
    top = max((v for _, v, _ in items), default=0) or 1
    height = ROW * len(items) + 4
    width = LABEL + BAR + VALUE
    rows = []
    for n, (label, value, css) in enumerate(items):
        y = n * ROW + 2
        length = max(1.0, BAR * value / top) if value else 0
        shown = f"{value:,.2f}" if isinstance(value, float) and not value.is_integer() else f"{value:,.0f}"
        rows.append(
            f'<text x="{LABEL - 6}" y="{y + 14}" text-anchor="end">{escape(_clip(label))}</text>'
            f'<rect class="{escape(css)}" x="{LABEL}" y="{y + 2}" width="{length:.1f}" height="{ROW - 5}">'
            f"<title>{escape(label)}: {escape(shown)}{escape(unit)}</title></rect>"
            f'<text x="{LABEL + length + 4:.1f}" y="{y + 14}">{escape(shown)}{escape(unit)}</text>'
        )
    return (f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg>')


def _clip(label: str, limit: int = 32) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
