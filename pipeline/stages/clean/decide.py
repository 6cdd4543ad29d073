"""Deciding, line by line, what the clean stage keeps, removes and lifts.

Passes, each using what the previous ones found:

1. every line on its own: spam (combined evidence), furniture patterns allowed
   anywhere, metadata lines, token lines;
2. zones: the body runs from the first to the last article paragraph (a kept
   line with sentence punctuation and at least `body_min_chars` characters);
   head and tail are what lies before and after. Zone-limited rules run now,
   then blocks (a line between two contact lines, items after a
   related-articles heading); repeated until nothing changes, since removing
   a line can move the body's end;
3. the title: the first title-like line of the head;
4. repeats: metadata lines and the title (repeated paragraphs go right after
   pass 1, so that a repeat does not stretch the body);
5. brand names stuffed into kept lines;
6. blank lines left over by removals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from pipeline.stages.clean.lines import Furniture
from pipeline.stages.clean.metadata import MetadataParser, MetaLine
from pipeline.stages.clean.ruleset import CleanRules
from pipeline.stages.clean.scores import non_space, spam_ratio, spun_counts, spun_score
from pipeline.stages.clean.spam import InlineSpam, SpamScorer
from pipeline.stages.clean.text import Line, plain_text, sentence_marks, split_lines
from pipeline.core.document import Edit, apply_edits

MAX_ZONE_ROUNDS = 4


@dataclass(frozen=True)
class Settings:
    body_min_chars: int = 40
    max_title_chars: int = 80
    max_meta_chars: int = 200
    spam_check_max_chars: int = 300
    spam_threshold: float = 0.0
    spun_threshold: float = 0.5
    spun_min_hits: int = 3


@dataclass(frozen=True)
class Removal:
    rule_id: str
    cls: str


@dataclass
class CleanResult:
    edits: list[Edit]
    meta: dict[str, Any]
    flags: dict[str, int]
    removed: dict[int, Removal]  # line index -> why
    inline: dict[int, list[tuple[int, int, str]]]  # line index -> phrase spans (line offsets)
    lines: list[Line] = field(default_factory=list)


class Cleaner:
    def __init__(self, rules: CleanRules, settings: Settings):
        self.rules = rules
        self.settings = settings
        self.furniture = Furniture(rules.lines)
        self.meta = MetadataParser(rules.fields, rules.lines, rules.header_line_id, rules.meta_text)
        self.scorer = SpamScorer(rules.lexicons, rules.domains, rules.spam_lines, rules.spam_text)
        self.inline = InlineSpam(rules.inline)
        self.islands = tuple(r for r in rules.lines if r.kind == "island")
        self.lists = tuple(r for r in rules.lines if r.kind == "list_after")
        self.dupes = {r.id: r for r in rules.lines if r.kind == "duplicate"}
        self.layout = next((r for r in rules.lines if r.kind == "layout"), None)

    def clean(self, text: str, given: Mapping[str, Any]) -> CleanResult:
        s = self.settings
        lines = split_lines(text)
        removed: dict[int, Removal] = {}
        pending: dict[int, MetaLine] = {}
        metas: dict[int, MetaLine] = {}

        # 1. each line on its own
        for line in lines:
            if line.blank:
                continue
            v = line.view
            if len(v) <= s.spam_check_max_chars or sentence_marks(v) == 0:
                rule = self.scorer.decide(v)
                if rule is not None:
                    removed[line.index] = Removal(rule.id, "spam")
                    continue
            rule = self.furniture.pattern_rule(v, "any", unrestricted=True)
            if rule is not None:
                removed[line.index] = Removal(rule.id, rule.cls)
                continue
            if len(v) <= s.max_meta_chars:
                meta = self.meta.parse(v, line.plain)
                if meta is not None:
                    if "any" in meta.zones:
                        removed[line.index] = Removal(self.meta.rule_id(meta), "metadata")
                        metas[line.index] = meta
                    else:
                        pending[line.index] = meta
                    continue
            rule = self.furniture.token_rule(v)
            if rule is not None:
                removed[line.index] = Removal(rule.id, rule.cls)

        # repeated paragraphs go before zones are drawn: a repeat must not stretch the body
        dup_para = self.dupes.get("clean.duplicate.paragraph")
        if dup_para is not None:
            seen_para: set[str] = set()
            for line in lines:
                if line.blank or line.index in removed or line.index in pending or len(line.view) < dup_para.min_chars:
                    continue
                key = _key(line.plain)
                if key in seen_para:
                    removed[line.index] = Removal(dup_para.id, "duplicate")
                seen_para.add(key)

        # 2. zones, zone-limited rules and blocks, to a fixed point
        for _ in range(MAX_ZONE_ROUNDS):
            before = len(removed)
            first, last = self._body_extent(lines, removed)
            for line in lines:
                i = line.index
                if line.blank or i in removed or first is None or first <= i <= last:
                    continue
                zone = "head" if i < first else "tail"
                if i in pending:
                    if zone in pending[i].zones:
                        removed[i] = Removal(self.meta.rule_id(pending[i]), "metadata")
                        metas[i] = pending.pop(i)
                    continue
                rule = self.furniture.pattern_rule(line.view, zone, unrestricted=False)
                if rule is not None:
                    removed[i] = Removal(rule.id, rule.cls)
            self._blocks(lines, removed)
            if len(removed) == before:
                break
        first, last = self._body_extent(lines, removed)

        # 3. title
        meta_out: dict[str, Any] = {}
        title_rule = self.rules.title
        title_line = self._title_line(lines, removed, pending, first)
        given_title = given.get("title")
        inline: dict[int, list[tuple[int, int, str]]] = {}
        title_value = None
        if title_line is not None:
            spans = self.inline.find(title_line.raw, text)
            value = self._title_value(title_line, spans)
            if given_title is None:
                title_value = value
                meta_out["title"] = value
                removed[title_line.index] = Removal(title_rule.id, "metadata")
                if spans:
                    inline[title_line.index] = spans
            elif _same(value, given_title):
                removed[title_line.index] = Removal(title_rule.id, "metadata")
        title_key = _key(title_value or given_title or "")

        # 4. repeats
        seen_meta: set[str] = set()
        dup_meta, dup_title = self.dupes.get("clean.duplicate.metadata"), self.dupes.get("clean.duplicate.title")
        for line in lines:
            i = line.index
            if line.blank:
                continue
            if i in metas:
                if line.view in seen_meta and dup_meta is not None:
                    removed[i] = Removal(dup_meta.id, "duplicate")
                seen_meta.add(line.view)
                continue
            if i in removed:
                continue
            if dup_title is not None and title_key and _key(line.plain) == title_key:
                removed[i] = Removal(dup_title.id, "duplicate")

        # metadata values, first in reading order; input metadata wins
        for i in sorted(metas):
            for name, (value, _) in metas[i].values.items():
                meta_out.setdefault(name, value)
        if given.get("published_at") and "published_at" in meta_out:
            text_value = meta_out.pop("published_at")
            if text_value != given["published_at"]:
                meta_out["published_at_text"] = text_value

        # 5. stuffed brand names in kept lines
        for line in lines:
            if line.blank or line.index in removed:
                continue
            spans = self.inline.find(line.raw, text)
            if spans:
                inline[line.index] = spans

        # 6. blank lines left over
        if self.layout is not None:
            for i in self._leftover_blanks(lines, removed):
                removed[i] = Removal(self.layout.id, "layout")

        edits: list[Edit] = []
        spam_chars = 0
        for line in lines:
            i = line.index
            if i in removed:
                edits.append(Edit(line.start, line.stop, "", removed[i].rule_id))
                if removed[i].cls == "spam":
                    spam_chars += non_space(line.raw)
                continue
            for a, b, rule_id in inline.get(i, ()):
                edits.append(Edit(line.start + a, line.start + b, "", rule_id))
                spam_chars += non_space(line.raw[a:b])
        for i, spans in inline.items():
            if i in removed:  # the lifted title: its phrases count as spam too
                spam_chars += sum(non_space(lines[i].raw[a:b]) for a, b, _ in spans)
        # The last kept line must not keep a dangling break before removed trailing lines: fine as is.
        out_text = apply_edits(text, edits)
        total = non_space(text)
        ratio = spam_ratio(spam_chars, total)
        spun, standard = spun_counts(out_text, self.rules.spun)
        score = spun_score(spun, standard)
        meta_out["spam_ratio"] = ratio
        meta_out["spun_score"] = score
        flags = {}
        spam_edits = sum(1 for i in removed if removed[i].cls == "spam") + sum(
            len(v) for i, v in inline.items() if i not in removed)
        if spam_edits and ratio > s.spam_threshold:
            flags["spam"] = spam_edits
        if spun >= s.spun_min_hits and score >= s.spun_threshold:
            flags["spun"] = spun
        if total and not out_text.strip():
            flags["clean_empty"] = 1
        return CleanResult(edits, meta_out, flags, removed, inline, lines)

    def _body_extent(self, lines: list[Line], removed: dict[int, Removal]) -> tuple[int | None, int | None]:
        kept = [line for line in lines if not line.blank and line.index not in removed]
        body = [line.index for line in kept
                if len(line.view) >= self.settings.body_min_chars and sentence_marks(line.view) > 0]
        if not body:  # a text of short lines: its sentences, else its longest line, are the body
            body = [line.index for line in kept if sentence_marks(line.view) > 0]
        if not body and kept:
            body = [max(kept, key=lambda line: len(line.view)).index]
        return (body[0], body[-1]) if body else (None, None)

    def _blocks(self, lines: list[Line], removed: dict[int, Removal]) -> None:
        content = [line for line in lines if not line.blank]
        for rule in self.islands:
            for n in range(1, len(content) - 1):
                line = content[n]
                if line.index in removed or len(line.view) > rule.max_chars:
                    continue
                prev, nxt = removed.get(content[n - 1].index), removed.get(content[n + 1].index)
                if prev and nxt and prev.cls == nxt.cls == rule.between_class:
                    removed[line.index] = Removal(rule.id, rule.cls)
        for rule in self.lists:
            active = False
            for line in content:
                why = removed.get(line.index)
                if why is not None:
                    active = why.rule_id in (rule.after_rule, rule.id)
                    continue
                if active and len(line.view) <= rule.max_chars and rule.pattern.search(line.view):
                    removed[line.index] = Removal(rule.id, rule.cls)
                else:
                    active = False

    def _title_line(self, lines, removed, pending, first) -> Line | None:
        if first is None:
            return None
        rule = self.rules.title
        for line in lines[:first]:
            if line.blank or line.index in removed or line.index in pending:
                continue
            text = rule.column_tag.sub("", line.view)
            if rule.min_chars <= len(text) <= self.settings.max_title_chars and not rule.forbid.search(text):
                return line
            return None  # the first kept head line is not a title: no guessing further down
        return None

    def _title_value(self, line: Line, spans: list[tuple[int, int, str]]) -> str:
        raw = line.raw
        for a, b, _ in reversed(spans):
            raw = raw[:a] + raw[b:]
        value = plain_text(raw)
        m = self.rules.title.column_tag.match(value)
        return value[m.end():] if m else value

    def _leftover_blanks(self, lines: list[Line], removed: dict[int, Removal]) -> list[int]:
        out = []
        run: list[Line] = []
        seen_kept = False

        def flush(at_end: bool) -> None:
            if not any(l.index in removed for l in run):
                return
            blanks = [l for l in run if l.blank and l.index not in removed]
            if not seen_kept or at_end:
                out.extend(l.index for l in blanks)
                return
            # keep the first group of consecutive blank lines, drop the others
            keep = set()
            for l in run:
                if l.blank and l.index not in removed:
                    keep.add(l.index)
                elif keep:
                    break
            out.extend(l.index for l in blanks if l.index not in keep)

        for line in lines:
            if line.blank or line.index in removed:
                run.append(line)
                continue
            flush(at_end=False)
            run = []
            seen_kept = True
        flush(at_end=True)
        return out


def _key(text: str) -> str:
    return "".join(text.split())


def _same(a: str, b: str) -> bool:
    return _key(a) == _key(plain_text(b))
