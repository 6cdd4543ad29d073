"""Metadata lines (date, author, source, original title, editor) and their values.

A metadata line is made only of metadata items, furniture tokens, separators
and at most one bare media name; see rules/clean/metadata.toml. Values are
read from the line's `plain` text (same offsets as its view), so full-width
punctuation in a value stays as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pipeline.core.patterns import alternation
from pipeline.stages.clean.lines import TokenParser
from pipeline.stages.clean.ruleset import FieldRule, LineRule, MetaText
from pipeline.stages.clean.spam import char_class


@dataclass
class MetaLine:
    values: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (value, rule id)
    rule_ids: list[str] = field(default_factory=list)  # rule of each item, in order
    zones: frozenset = frozenset()
    labelled: bool = False


def iso_datetime(m: re.Match) -> str | None:
    """ISO 8601 from a published_at match, to the precision given; None if not a real date/time."""
    g = m.groupdict()
    try:
        day = date(int(g["year"]), int(g["month"]), int(g["day"]))
    except (TypeError, ValueError):
        return None
    if g.get("hour") is None or g.get("minute") is None:
        return day.isoformat()
    hour, minute = int(g["hour"]), int(g["minute"])
    if hour > 23 or minute > 59:
        return None
    out = f"{day.isoformat()}T{hour:02d}:{minute:02d}"
    if g.get("second") is not None:
        out += f":{int(g['second']):02d}"
    return out


class MetadataParser:
    def url_day(self, url) -> str | None:
        """The published day a record's url gives (/20120615/), when all its matches agree; else None."""
        pattern = self.text.url_day if self.text is not None else None
        if pattern is None or not isinstance(url, str):
            return None
        days = {iso_datetime(m) for m in pattern.finditer(url)}
        return days.pop() if len(days) == 1 and None not in days else None

    def __init__(self, fields: tuple[FieldRule, ...], line_rules: tuple[LineRule, ...], header_line_id: str,
                 separators: re.Pattern, text: MetaText):
        # Brackets, quotes and label separators are data (rules/clean/metadata.toml [line]).
        self.text = text
        self.fields = fields
        self.header_line_id = header_line_id
        self.by_field = {f.field: f for f in fields}
        self._label_rule: dict[str, FieldRule] = {}
        colon, bare = set(), set()
        for rule in fields:
            for label in rule.labels:
                self._label_rule.setdefault(label, rule)
                colon.add(label)
            for label in rule.bare_labels:
                self._label_rule.setdefault(label, rule)
                bare.add(label)

        # A label starts the line or follows a separator, and is followed by
        # a colon (or / | for 文/张三), or by a space for bare labels.
        self._labels = re.compile(
            r"(?:^|(?<=" + char_class(text.before_label) + r"))(?:(?P<c>" + alternation(colon) + r")\s*"
            + "[" + "".join(re.escape(c) for c in text.after_label) + "]"
            + (r"|(?P<b>" + alternation(bare) + r")(?:\s*:|\s)" if bare else "") + r")\s*"
        )
        date_rule = self.by_field.get("published_at")
        extra = {"date": date_rule.value.pattern} if date_rule else {}
        self.tokens = TokenParser(line_rules, separators, extra)
        self._source = self.by_field.get("news_source")

    def parse(self, view: str, plain: str) -> MetaLine | None:
        """The metadata of a line, or None when it is not a metadata line."""
        lo, hi = 0, len(view)
        if hi >= 2 and self.text.wrappers.get(view[0]) == view[-1]:
            lo, hi = 1, hi - 1
        labels = list(self._labels.finditer(view, lo, hi))
        meta = MetaLine()
        zones: set[str] = set()
        bare_zones: set[str] | None = None
        media_seen = False

        def take_rest(start: int, end: int) -> bool:
            nonlocal bare_zones, media_seen
            for item in self.tokens.parse(view, start, end):
                if item.kind == "date":
                    rule = self.by_field["published_at"]
                    m = rule.value.match(view, item.start, item.end)
                    value = iso_datetime(m) if m else None
                    if value is None:
                        return False
                    meta.values.setdefault("published_at", (value, rule.id))
                    meta.rule_ids.append(rule.id)
                    bare_zones = set(rule.bare_zones) if bare_zones is None else bare_zones & rule.bare_zones
                elif item.kind == "leftover":
                    src = self._source
                    text = plain[item.start : item.end]
                    if media_seen or src is None or src.bare is None or not src.bare.search(view[item.start : item.end]):
                        return False
                    media_seen = True
                    meta.rule_ids.append(src.id)
                    if text not in src.ignore_values:
                        meta.values.setdefault("news_source", (text, src.id))
                    bare_zones = set(src.bare_zones) if bare_zones is None else bare_zones & src.bare_zones
            return True

        first = labels[0].start() if labels else hi
        if not take_rest(lo, first):
            return None
        for n, m in enumerate(labels):
            rule = self._label_rule[m.group("c") or m.group("b")]
            seg_end = labels[n + 1].start() if n + 1 < len(labels) else hi
            pos = m.end()
            if rule.rest_of_line:
                value = _unquote(plain[pos:seg_end].strip(), self.text.quotes)
                if not rule.value.fullmatch(value):
                    return None
                rest = seg_end
            else:
                vm = rule.value.match(view, pos, seg_end)
                if not vm:
                    return None
                if rule.field == "published_at":
                    value = iso_datetime(vm)
                    if value is None:
                        return None
                else:
                    value = plain[vm.start() : vm.end()].strip()
                rest = vm.end()
            if value not in rule.ignore_values:
                meta.values.setdefault(rule.field, (value, rule.id))
            meta.rule_ids.append(rule.id)
            meta.labelled = True
            zones |= rule.zones
            if not take_rest(rest, seg_end):
                return None
        if not meta.rule_ids or (not meta.labelled and "published_at" not in meta.values):
            return None
        meta.zones = frozenset(zones) if meta.labelled else frozenset(bare_zones or ())
        return meta

    def rule_id(self, meta: MetaLine) -> str:
        distinct = list(dict.fromkeys(meta.rule_ids))
        return distinct[0] if len(distinct) == 1 else self.header_line_id


def _unquote(value: str, quotes: dict[str, str]) -> str:
    if len(value) >= 2 and quotes.get(value[0]) == value[-1]:
        return value[1:-1].strip()
    return value

