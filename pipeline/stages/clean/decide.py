"""Deciding, line by line, what the clean stage keeps, removes and lifts.

Passes, each using what the previous ones found; a line rule runs in the pass
its `scope` names (ruleset.SCOPES), never by its id:

1. `line`: every line on its own: spam (combined evidence), furniture patterns
   allowed anywhere, metadata lines, token lines;
2. `paragraph-duplicate`: repeated paragraphs, before zones are drawn, so that
   a repeat does not stretch the body;
3. zones: the body runs from the first to the last article paragraph (a kept
   line with sentence punctuation and at least `body_min_chars` characters);
   head and tail are what lies before and after. `zone` rules (and metadata
   limited to head or tail) run now, then `block` rules (a line between two
   contact lines, items after a related-articles heading); repeated until
   nothing changes, since removing a line can move the body's end;
4. the title: the first title-like line of the head;
5. repeats: `metadata-duplicate` and `title-duplicate`;
6. `inline`: a related list or comment button glued to the end of a kept line
   (kind tail of lines.toml), then bylines inside kept lines (`clean.meta.byline`, pipeline/stages/clean/bylines.py):
   removed, their names and media lifted; removed metadata lines are read by
   the same grammar, so 记者 王伟 通讯员 李明 gives both names;
7. brand names stuffed into kept lines (the inline rules of spam.toml);
8. `layout`: blank lines left over by removals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from pipeline.stages.clean.bylines import Byline, BylineParser
from pipeline.stages.clean.classifier import LineClassifier
from pipeline.stages.clean.lines import Furniture
from pipeline.stages.clean.metadata import MetadataParser, MetaLine
from pipeline.stages.clean.ruleset import SCOPES, SINGLE_RULE_SCOPES, CleanRules
from pipeline.stages.clean.scores import non_space, spam_ratio
from pipeline.stages.clean.spam import InlineShapes, InlineSpam, SpamScorer
from pipeline.stages.clean.spun import SpunModel
from pipeline.stages.clean.text import FOLD, Line, LineView
from pipeline.core.document import Edit, apply_edits

MAX_ZONE_ROUNDS = 4


@dataclass(frozen=True)
class Settings:
    body_min_chars: int = 40
    max_title_chars: int = 80
    max_meta_chars: int = 200
    spam_check_max_chars: int = 300
    spam_threshold: float = 0.0
    spun_threshold: float = 0.9
    spun_min_hits: int = 2


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
    bylines: dict[int, list[Byline]] = field(default_factory=dict)  # line index -> bylines (line offsets)
    tails: dict[int, tuple[int, int, str]] = field(default_factory=dict)  # line index -> glued list (line offsets)
    annotations: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # line index -> 青(qing) spans


@dataclass
class _Pass:
    """What the passes have found so far in one text."""

    text: str
    lines: list[Line]
    removed: dict[int, Removal] = field(default_factory=dict)
    pending: dict[int, MetaLine] = field(default_factory=dict)  # metadata lines waiting for their zone
    metas: dict[int, MetaLine] = field(default_factory=dict)  # metadata lines removed
    inline: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)
    bylines: dict[int, list[Byline]] = field(default_factory=dict)  # kept lines: bylines inside
    tails: dict[int, tuple[int, int, str]] = field(default_factory=dict)  # kept lines: a glued related list
    annotations: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)  # kept lines: 青(qing)
    meta: dict[str, Any] = field(default_factory=dict)
    title_key: str = ""
    byline_only: dict[int, bool] = field(default_factory=dict)  # line index -> bylines and marks only

    def kept(self) -> Iterator[Line]:
        return (line for line in self.lines if not line.blank and line.index not in self.removed)


class Cleaner:
    def __init__(self, rules: CleanRules, settings: Settings):
        self.rules = rules
        self.settings = settings
        self.view = LineView(rules.view)
        self.furniture = Furniture(rules.lines, rules.view.separators)
        self.meta = MetadataParser(rules.fields, rules.lines, rules.header_line_id, rules.view.separators,
                                   rules.meta_text)
        self.scorer = SpamScorer(rules.lexicons, rules.domains, rules.spam_lines, self.view, rules.spam_text)
        self.inline = InlineSpam(rules.inline)
        self.shapes = InlineShapes(rules.inline_shapes)
        self.classifier = LineClassifier(rules.classifier, self.scorer) if rules.classifier is not None else None
        self.bylines = BylineParser(rules.byline) if rules.byline is not None else None
        self.spun = SpunModel(rules.spun, rules.spun_table, rules.spun_context, settings.spun_min_hits)
        scoped = {scope: tuple(r for r in rules.lines if r.scope == scope) for scope in SCOPES}
        self.tails = tuple(r for r in scoped["inline"] if r.kind == "tail")
        self.annotations = tuple(r for r in scoped["inline"] if r.kind == "annotation")
        breaks = rules.byline.segment_breaks if rules.byline is not None else ""
        self._breaks = tuple(breaks)
        self.islands = tuple(r for r in scoped["block"] if r.kind == "island")
        self.lists = tuple(r for r in scoped["block"] if r.kind == "list_after")
        # The loader allows one rule in each of these scopes; without one, the pass is off.
        single = {scope: next(iter(scoped[scope]), None) for scope in SINGLE_RULE_SCOPES}
        self.dup_paragraph, self.dup_metadata = single["paragraph-duplicate"], single["metadata-duplicate"]
        self.dup_title, self.layout = single["title-duplicate"], single["layout"]

    def clean(self, text: str, given: Mapping[str, Any]) -> CleanResult:
        state = _Pass(text, self.view.split(text))
        self._line_pass(state)
        self._paragraph_duplicates(state)
        first = self._zone_pass(state)
        self._title_pass(state, first, given)
        self._repeats(state)
        self._tail_pass(state)
        self._annotation_pass(state)
        self._byline_pass(state)
        self._metadata_values(state, given)
        self._inline_pass(state)
        self._layout_pass(state)
        return self._result(state)

    def _line_pass(self, state: _Pass) -> None:
        """Scope `line`: each line on its own."""
        s = self.settings
        removed = state.removed
        for line in state.lines:
            if line.blank:
                continue
            v = line.view
            if len(v) <= s.spam_check_max_chars or self.view.sentence_marks(v) == 0:
                rule = self.spam_rule(v)
                if rule is not None:
                    removed[line.index] = Removal(rule.id, "spam")
                    continue
            rule = self.furniture.pattern_rule(v, "line")
            if rule is not None:
                removed[line.index] = Removal(rule.id, rule.cls)
                continue
            if len(v) <= s.max_meta_chars:
                meta = self.meta.parse(v, line.plain)
                if meta is not None:
                    if "any" in meta.zones:
                        removed[line.index] = Removal(self.meta.rule_id(meta), "metadata")
                        state.metas[line.index] = meta
                    else:
                        state.pending[line.index] = meta
                    continue
            rule = self.furniture.token_rule(v)
            if rule is not None:
                removed[line.index] = Removal(rule.id, rule.cls)

    def spam_rule(self, view: str):
        """The spam decision for a line: the precise line rules first, then the learnt classifier."""
        rule = self.scorer.decide(view)
        if rule is None and self.classifier is not None and self.classifier.is_spam(view):
            return self.classifier.rule
        return rule

    def _paragraph_duplicates(self, state: _Pass) -> None:
        """Scope `paragraph-duplicate`: a paragraph seen earlier (long enough to be one)."""
        rule = self.dup_paragraph
        if rule is None:
            return
        seen: set[str] = set()
        for line in state.kept():
            if line.index in state.pending or len(line.view) < rule.min_chars:
                continue
            key = _key(line.plain)
            if key in seen:
                state.removed[line.index] = Removal(rule.id, "duplicate")
            seen.add(key)

    def _zone_pass(self, state: _Pass) -> int | None:
        """Scopes `zone` and `block`, to a fixed point; returns the first body line."""
        lines, removed, pending = state.lines, state.removed, state.pending
        for _ in range(MAX_ZONE_ROUNDS):
            before = len(removed)
            first, last = self._body_extent(state)
            for line in lines:
                i = line.index
                if line.blank or i in removed or first is None or first <= i <= last:
                    continue
                zone = "head" if i < first else "tail"
                if i in pending:
                    if zone in pending[i].zones:
                        removed[i] = Removal(self.meta.rule_id(pending[i]), "metadata")
                        state.metas[i] = pending.pop(i)
                    continue
                rule = self.furniture.pattern_rule(line.view, "zone", zone)
                if rule is not None:
                    removed[i] = Removal(rule.id, rule.cls)
            self._blocks(lines, removed)
            if len(removed) == before:
                break
        return self._body_extent(state)[0]

    def _title_pass(self, state: _Pass, first: int | None, given: Mapping[str, Any]) -> None:
        """The title: lifted into metadata, or dropped when the input gave the same one."""
        title_line = self._title_line(state.lines, state.removed, state.pending, first)
        given_title = given.get("title")
        title_value = None
        if title_line is not None:
            rule_id = self.rules.title.id
            spans = self._title_spans(state, title_line)
            value = self._title_value(title_line, spans)
            # A page title that reads as spam (a hijacked page's <title>) loses to the article's headline.
            if given_title is not None and self._spam_title(given_title):
                given_title = None
            if given_title is None:
                title_value = value
                state.meta["title"] = value
                state.removed[title_line.index] = Removal(rule_id, "metadata")
                if spans:
                    state.inline[title_line.index] = spans
            elif _key(value) == _key(self.view.plain(given_title)):
                state.removed[title_line.index] = Removal(rule_id, "metadata")
        state.title_key = _key(title_value or given_title or "")

    def _title_spans(self, state: _Pass, title: Line) -> list[tuple[int, int, str]]:
        """Brand names stuffed into the title line: listed ones, then names by their shape (read
        against the whole page, where a stuffed name repeats)."""
        spans = self.inline.find(title.raw, state.text)
        page_spam = bool(spans) or any(r.cls == "spam" for r in state.removed.values())
        lines = [(title.index, title.raw)] + [(line.index, line.raw) for line in state.kept() if line.index != title.index]
        shaped = self.shapes.find(lines, state.text, page_spam).get(title.index, [])
        new = [x for x in shaped if not any(x[0] < b and a < x[1] for a, b, _ in spans)]
        return sorted(spans + new)

    def _spam_title(self, title: str) -> bool:
        view = self.view.plain(title).translate(FOLD)
        return self.scorer.decide(view) is not None or (self.classifier is not None and self.classifier.is_spam(view))

    def _repeats(self, state: _Pass) -> None:
        """Scopes `metadata-duplicate` and `title-duplicate`."""
        seen_meta: set[str] = set()
        dup_meta, dup_title = self.dup_metadata, self.dup_title
        for line in state.lines:
            i = line.index
            if line.blank:
                continue
            if i in state.metas:
                if line.view in seen_meta and dup_meta is not None:
                    state.removed[i] = Removal(dup_meta.id, "duplicate")
                seen_meta.add(line.view)
                continue
            if i in state.removed:
                continue
            if dup_title is not None and state.title_key and _key(line.plain) == state.title_key:
                state.removed[i] = Removal(dup_title.id, "duplicate")

    def _tail_pass(self, state: _Pass) -> None:
        """Scope `inline`: a related list (or comment button) glued to the end of a kept line."""
        for line in list(state.kept()):
            raw = line.raw
            for rule in self.tails:
                span = self._tail(rule, raw)
                if span is None:
                    continue
                if not any(ch.isalpha() for ch in raw[:span[0]]):
                    state.removed[line.index] = Removal(rule.id, rule.cls)
                else:
                    state.tails[line.index] = (*span, rule.id)
                break

    def _annotation_pass(self, state: _Pass) -> None:
        """Scope `inline`: reading annotations after the character they read (青(qing))."""
        for line in state.kept():
            spans = [(m.start(), m.end(), rule.id) for rule in self.annotations for m in rule.pattern.finditer(line.raw)
                     if m.group("syllable") in rule.readings.get(line.raw[m.start() - 1], ())]
            if spans:
                state.annotations[line.index] = spans

    def _tail(self, rule, raw: str) -> tuple[int, int] | None:
        for m in rule.pattern.finditer(raw):
            end = min((raw.find(b, m.end()) for b in self._breaks if b in raw[m.end():]), default=len(raw))
            rest = "".join(raw[m.end():end].split())
            if len(rest) <= rule.max_chars and not (rule.forbid is not None and rule.forbid.search(rest)):
                return m.start(), end
        return None

    def _byline_only(self, raw: str) -> bool:
        """The line is bylines and nothing but digits and marks (26 编辑：张明 来源：新华社)."""
        if self.bylines is None:
            return False
        found = self.bylines.find(raw)
        return bool(found) and not any(ch.isalpha() for ch in _without(raw, found))

    def _byline_pass(self, state: _Pass) -> None:
        """Bylines inside kept lines; a line left with nothing but digits and marks goes whole."""
        if self.bylines is None:
            return
        rule_id = self.rules.byline.id
        kept = list(state.kept())
        for line in kept:
            cut = state.tails.get(line.index, (len(line.raw),))[0]
            # what a glued list leaves of the line; the last kept line may end with a signature
            found = self.bylines.find(line.raw[:cut], last=line is kept[-1])
            if not found:
                continue
            if not any(ch.isalpha() for ch in _without(line.raw, found)):
                state.removed[line.index] = Removal(rule_id, "metadata")
            state.bylines[line.index] = found

    def _metadata_values(self, state: _Pass, given: Mapping[str, Any]) -> None:
        """Values of the removed metadata lines and of bylines, first in reading order; input
        metadata wins. Author and editor names gather (joined with 、), every source goes to
        `news_sources`."""
        meta = state.meta
        lists: dict[str, list[str]] = {}

        def gather(name: str, value: str) -> None:
            values = lists.setdefault(name, [])
            if value not in values:
                values.append(value)

        for i in sorted(set(state.metas) | set(state.bylines)):
            read = self.bylines.find(state.lines[i].raw) if i in state.metas and self.bylines else []
            read += state.bylines.get(i, [])
            for b in read:
                for name, values in b.values.items():
                    for value in values:
                        gather(name, value)
            for name, (value, _) in state.metas.get(i, MetaLine()).values.items():
                if name in _GATHERED and (read and name in lists):
                    continue  # the grammar read this field of the line (all its names)
                if name in _GATHERED:
                    gather(name, value)
                else:
                    meta.setdefault(name, value)
        for name in ("author", "editor"):
            if lists.get(name):
                meta[name] = "、".join(lists[name])
        if lists.get("news_source"):
            meta["news_source"] = lists["news_source"][0]
            meta["news_sources"] = list(lists["news_source"])
        if lists.get("original_title"):
            meta.setdefault("original_title", lists["original_title"][0])
        if given.get("published_at") and "published_at" in meta:
            text_value = meta.pop("published_at")
            if text_value != given["published_at"]:
                meta["published_at_in_text"] = text_value
        if not given.get("published_at") and "published_at" not in meta:
            day = self.meta.url_day(given.get("url"))
            if day is not None:
                meta["published_at"], meta["published_at_source"] = day, "url"

    def _inline_pass(self, state: _Pass) -> None:
        """Stuffed brand names in kept lines: listed names, then names by their shape (where the
        page shows spam: lines removed as spam or listed names stuffed)."""
        kept = list(state.kept())
        for line in kept:
            spans = self.inline.find(line.raw, state.text)
            if spans:
                state.inline[line.index] = spans
        page_spam = bool(state.inline) or any(r.cls == "spam" for r in state.removed.values())
        shaped = self.shapes.find([(line.index, line.raw) for line in kept], state.text, page_spam)
        for i, spans in shaped.items():
            have = state.inline.get(i, [])
            new = [s for s in spans if not any(s[0] < b and a < s[1] for a, b, _ in have)]
            if new:
                state.inline[i] = sorted(have + new)

    def _layout_pass(self, state: _Pass) -> None:
        """Scope `layout`: blank lines left over."""
        if self.layout is not None:
            for i in self._leftover_blanks(state.lines, state.removed):
                state.removed[i] = Removal(self.layout.id, "layout")

    def _result(self, state: _Pass) -> CleanResult:
        """The edits, the document scores and the flags."""
        s = self.settings
        text, lines, removed, inline, meta_out = state.text, state.lines, state.removed, state.inline, state.meta
        edits: list[Edit] = []
        spam_chars = 0
        for line in lines:
            i = line.index
            if i in removed:
                edits.append(Edit(line.start, line.stop, "", removed[i].rule_id))
                if removed[i].cls == "spam":
                    spam_chars += non_space(line.raw)
                continue
            spans = sorted([(a, b, rule_id, True) for a, b, rule_id in inline.get(i, ())]
                           + [(x.start, x.end, self.rules.byline.id, False) for x in state.bylines.get(i, ())]
                           + ([(*state.tails[i], False)] if i in state.tails else [])
                           + [(a, b, rule_id, False) for a, b, rule_id in state.annotations.get(i, ())])
            last = 0
            for a, b, rule_id, spam in spans:
                if a < last:  # a brand name inside a byline: the byline's edit covers it
                    continue
                # A byline glued between title and text (…净利2.4亿⊙本报记者 谢卫国国元证券…) was
                # their only boundary: a line break keeps them apart (no 2.4亿国元证券).
                glued = (rule_id == self.rules.byline.id and 0 < a and b < len(line.raw)
                         and _word_char(line.raw[a - 1]) and _word_char(line.raw[b]))
                edits.append(Edit(line.start + a, line.start + b, "\n" if glued else "", rule_id))
                last = b
                if spam:
                    spam_chars += non_space(line.raw[a:b])
        for i, spans in inline.items():
            if i in removed:  # the lifted title: its phrases count as spam too
                spam_chars += sum(non_space(lines[i].raw[a:b]) for a, b, _ in spans)
        out_text = apply_edits(text, edits)
        total = non_space(text)
        ratio = spam_ratio(spam_chars, total)
        spun = self.spun.assess(out_text)
        is_spun = spun.hits >= s.spun_min_hits and spun.score >= s.spun_threshold
        if is_spun:
            restored = self._despin(state, edits)
            if restored:
                edits = sorted(edits + restored, key=lambda e: (e.start, e.end))
                out_text = apply_edits(text, edits)
        meta_out["spam_ratio"] = ratio
        meta_out["spun_score"] = spun.score
        flags = {}
        spam_edits = sum(1 for i in removed if removed[i].cls == "spam") + sum(
            len(v) for i, v in inline.items() if i not in removed)
        if spam_edits and ratio > s.spam_threshold:
            flags["spam"] = spam_edits
        if is_spun:
            flags["spun"] = spun.hits
        if total and not out_text.strip():
            flags["clean_empty"] = 1
        return CleanResult(edits, meta_out, flags, removed, inline, lines, state.bylines, state.tails,
                           state.annotations)

    def _despin(self, state: _Pass, edits: list[Edit]) -> list[Edit]:
        """A flagged document's spun words restored, in kept text outside other edits: the table's
        restorable phrases (one standard phrase gives each; the table's rule id), then spinner words
        whose standard word the character model finds likelier there by `restore_margin` (the
        context rule's id)."""
        table, context = self.rules.spun_table, self.rules.spun_context
        taken = [(e.start, e.end) for e in edits]
        out = []
        for line in state.kept():
            if table is not None:
                for m in table.spun.finditer(line.raw):
                    standard, restorable = table.phrases[m.group()]
                    a, b = line.start + m.start(), line.start + m.end()
                    if restorable and not any(x < b and a < y for x, y in taken):
                        out.append(Edit(a, b, standard, table.id))
                        taken.append((a, b))
            if context is not None:
                for swap in self.spun.swaps(line.raw, context.restore_margin):
                    a, b = line.start + swap.start, line.start + swap.end
                    if not any(x < b and a < y for x, y in taken):
                        out.append(Edit(a, b, swap.standard, context.id))
                        taken.append((a, b))
        return out

    def _body_extent(self, state: _Pass) -> tuple[int | None, int | None]:
        # A line of bylines alone is never the body: the byline pass takes it out wherever it stands,
        # and cleaning the cleaned text would then find another body and title (来源:青岛日报, the
        # longest of short lines, hid the title 000一 above 00000). A metadata line waiting for its
        # zone may be the body: inside it, it stays.
        cache = state.byline_only

        def bylines_alone(line: Line) -> bool:
            if line.index not in cache:
                cache[line.index] = self._byline_only(line.raw)
            return cache[line.index]

        kept = [line for line in state.kept() if not bylines_alone(line)]
        body = [line.index for line in kept
                if len(line.view) >= self.settings.body_min_chars and self.view.sentence_marks(line.view) > 0]
        if not body:  # a text of short lines: its sentences, else its longest line, are the body
            body = [line.index for line in kept if self.view.sentence_marks(line.view) > 0]
        if not body and kept:
            # The longest line, the last of equals (a title stands above its body), a title's column
            # tag (【本地】) not counted.
            tag = self.rules.title.column_tag
            body = [max(kept, key=lambda line: (len(tag.sub("", line.view)), line.index)).index]
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
            # 文／记者　陈晶, 原标题：…: a byline, not the title; it leaves the text, so the line after it
            # is judged as it will be when the cleaned text is cleaned again.
            if self._byline_only(line.raw):
                continue
            if rule.min_chars <= len(text) <= self.settings.max_title_chars and not rule.forbid.search(text):
                return line
            return None  # the first kept head line is not a title: no guessing further down
        return None

    def _title_value(self, line: Line, spans: list[tuple[int, int, str]]) -> str:
        raw = line.raw
        for a, b, _ in reversed(spans):
            raw = raw[:a] + raw[b:]
        value = self.view.plain(raw)
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


# Metadata fields whose values gather over lines and bylines (the rest: the first one found).
_GATHERED = frozenset({"author", "editor", "news_source", "original_title"})


def _word_char(ch: str) -> bool:
    return ch.isalnum()


def _without(raw: str, found: list[Byline]) -> str:
    for b in reversed(found):
        raw = raw[:b.start] + raw[b.end:]
    return raw


def _key(text: str) -> str:
    return "".join(text.split())

