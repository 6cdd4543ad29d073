"""Bylines inside the text: who wrote, edited and supplied an article, by a grammar.

A byline is a run of role items (记者 王伟, 来源：新华社, 陈洁/文); the role words,
name shapes, separators and media prefixes are data (`clean.meta.byline` in
rules/clean/metadata.toml, which states the grammar). Crawled text often has
no line break around a byline, so it is found inside lines: where it fills a
pair of brackets, a line or a U+E40C segment, where it starts near the start
of a line, or where it ends one. Names are the reading of the rules, not of a
name list: a surname (from the rule's table) and one or two characters, or a
pen name where brackets, a separator, a role or the end close it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from pipeline.core.patterns import alternation
from pipeline.stages.clean.ruleset import BylineRule

_SPACE = " \t\u3000\u00a0"
_HAN = re.compile(r"[\u4e00-\u9fff]")


_ROUND = re.compile(r"[(（]([^()（）\n]{1,30})[)）]")


def _is_han(ch: str) -> bool:
    return bool(_HAN.match(ch))


def _occurrences(text: str, pair: str):
    i = text.find(pair)
    while i >= 0:
        yield i
        i = text.find(pair, i + 1)


def _split_names(names: str) -> list[str]:
    """易非 徐国杰 -> two names; 张 哲 (one character spaced from the surname) -> one."""
    parts = [p for p in re.split(r"[\s、]+", names) if p]
    out: list[str] = []
    for p in parts:
        if out and len(p) == 1 and len(out[-1]) == 1 or out and len(out[-1]) == 1 and _is_han(p[0]):
            out[-1] += p
        else:
            out.append(p)
    return out


@dataclass
class Byline:
    start: int  # in the text given to `find`
    end: int
    values: dict[str, list[str]] = field(default_factory=dict)  # field -> values in reading order

    def add(self, name: str, value: str) -> None:
        values = self.values.setdefault(name, [])
        if value not in values:
            values.append(value)


class BylineParser:
    def __init__(self, rule: BylineRule):
        self.rule = rule
        self._roles = re.compile(alternation(rule.roles))
        self._shaped_role = re.compile("(?:%s)(?P<role>%s)" % (rule.prefix_shape.pattern, alternation(rule.roles)))
        self._prefixes = sorted(rule.prefixes, key=len, reverse=True)
        self._label_sep = re.compile(r"[%s]*[%s]?[%s]*" % (_SPACE, re.escape(rule.label_separators), _SPACE))
        self._name_sep = re.compile(r"[%s%s]*" % (_SPACE, re.escape(rule.name_separators)))
        self._closers = set(rule.wrappers.values())
        self._compound = sorted(rule.compound_surnames, key=len, reverse=True)
        self._breaks = re.compile("[%s]" % re.escape(rule.segment_breaks)) if rule.segment_breaks else None

    @cached_property
    def _words(self) -> dict[str, int]:
        """jieba's dictionary words of 2-4 characters and their frequencies, read only when a glued
        name needs them."""
        import jieba

        out = {}
        with jieba.get_dict_file() as fh:
            for line in fh:
                parts = line.decode("utf-8").split()
                if len(parts) >= 2 and 2 <= len(parts[0]) <= 4 and int(parts[1]) >= self.rule.word_min_freq:
                    out[parts[0]] = int(parts[1])
        return out

    @cached_property
    def _tags(self) -> dict[str, str]:
        """jieba's dictionary words of 2-4 characters and their part-of-speech tags, read only when a
        lone closing signature needs them."""
        import jieba

        out = {}
        with jieba.get_dict_file() as fh:
            for line in fh:
                parts = line.decode("utf-8").split()
                if len(parts) >= 3 and 2 <= len(parts[0]) <= 4:
                    out[parts[0]] = parts[2]
        return out

    def _word_at(self, text: str, q: int) -> int:
        """The frequency of the most frequent dictionary word starting at q (0: none)."""
        return max((self._words.get(text[q:q + n], 0) for n in (2, 3, 4) if q + n <= len(text)), default=0)

    # ---- where bylines may stand -------------------------------------------------------------

    def find(self, text: str, last: bool = False) -> list[Byline]:
        """The bylines of one line of text, in order, not overlapping. `last`: the line is the
        article's last, whose end may hold a closing signature."""
        found: list[Byline] = []
        segments = self._segments(text)
        for k, (a, b) in enumerate(segments):
            found += self._in_segment(text, a, b)
            found += self._signatures(text, a, b, last and k == len(segments) - 1)
        found.sort(key=lambda x: x.start)
        out: list[Byline] = []
        for x in found:
            if not out or x.start >= out[-1].end:
                out.append(x)
        return out

    def _segments(self, text: str) -> list[tuple[int, int]]:
        if self._breaks is None:
            return [(0, len(text))]
        out, pos = [], 0
        for m in self._breaks.finditer(text):
            out.append((pos, m.start()))
            pos = m.end()
        out.append((pos, len(text)))
        return out

    def _in_segment(self, text: str, a: int, b: int) -> list[Byline]:
        lo, hi = a, b
        while lo < hi and (text[lo] in _SPACE or text[lo] in self.rule.lead_marks):
            lo += 1
        while hi > lo and text[hi - 1] in _SPACE:
            hi -= 1
        if lo >= hi:
            return []
        whole = self._parse(text, lo, hi, wrapped=True)
        if whole is not None and whole.end >= hi:
            return [Byline(a, b, whole.values)]
        wrapped = self._wrapped(text, lo, hi)
        out: list[Byline] = []
        for start in self._starts(text, lo, hi):
            glued = start < 0
            start = -start - 1 if glued else start
            if any(x.start <= start < x.end for x in out + wrapped):
                continue
            got = self._parse(text, start, hi, wrapped=False)
            if got is None or not got.values:
                continue
            if glued and got.end < hi and _is_han(text[got.end]) and not text.endswith("报道", 0, got.end) \
                    and not self._labelled(text, start, hi):
                continue  # 韩国记者关于中国…: a role glued on both sides is text
            at_end = not text[got.end:hi].strip(_SPACE)
            if start - lo >= self.rule.head_chars and not at_end and not (
                    not glued and self._story_start(text, start, self._role_end(text, start, hi), lo)):
                continue
            begin = start - 1 if start > lo and text[start - 1] in self.rule.lead_marks else start
            end = b if at_end else got.end
            if any(begin < x.end and x.start < end for x in out):
                continue
            # A bracketed byline inside this one (作者：李红　（来源：…）) is part of it; one that
            # only overlaps it wins.
            inside = [x for x in wrapped if begin <= x.start and x.end <= end]
            if any(begin < x.end and x.start < end for x in wrapped if x not in inside):
                continue
            wrapped = [x for x in wrapped if x not in inside]
            out.append(Byline(begin, end, got.values))
        return out + wrapped

    # ---- closing signatures: (张 哲) after a story's last sentence --------------------------------

    def _signatures(self, text: str, a: int, b: int, last: bool) -> list[Byline]:
        """Round brackets with a writer or a medium and no role word, where a story ends: the end
        of the article (`last`) or before a story starting inside the line."""
        rule = self.rule
        if rule.signature is None:
            return []
        out = []
        for m in _ROUND.finditer(text, a, b):
            s, e = m.span()
            rest = text[e:b].strip(_SPACE)
            if rest and not (rule.signature_after is not None and rule.signature_after.match(text, e, b)):
                continue
            if not rest and not last:
                continue
            values = self._signature(m.group(1).strip(_SPACE), self._before(text, a, s))
            if values:
                out.append(Byline(s, e, values))
        return out

    def _before(self, text: str, a: int, s: int) -> str:
        i = s - 1
        while i >= a and text[i] in _SPACE:
            i -= 1
        return text[i] if i >= a else ""

    def _signature(self, inner: str, before: str) -> dict[str, list[str]] | None:
        rule = self.rule
        if not inner or inner in rule.signature_not or "".join(inner.split()) in rule.signature_not:
            return None
        if before and not _is_han(before) and before not in rule.signature_before:
            return None  # after a price, a number or a Latin word: an annotation ((Gap), (SONY))
        m = rule.signature_source.fullmatch(inner) if rule.signature_source is not None else None
        if m and len(m.group("source")) < rule.signature_source_min_chars:
            return None  # (证报): an outlet cut short, which one is not said
        if m and m.group("source") not in rule.ignore_values:
            return {"news_source": [m.group("source")]}
        m = rule.signature.fullmatch(inner)
        if not m:
            return None
        names = _split_names(m.group("names"))
        if any(rule.signature_source.fullmatch(n) for n in names if rule.signature_source is not None):
            return None  # (全景网/基金频道): a channel, no writer
        if (not before or _is_han(before)) and len(names) == 1 and not m.group("aff") and not m.group("trail") \
                and self.rule.word_min_freq and names[0] in self._words:
            return None  # 答问(实录): glued to the text, a dictionary word is a remark, not a writer
        if len(names) == 1 and not m.group("aff") and not m.group("trail") and rule.signature_not_tags \
                and self._tags.get(names[0]) in rule.signature_not_tags:
            return None  # (每日) for 每日经济新闻: a pronoun, adverb or time word is no pen name (肥仔, 喜欢 are)
        return {"author": names}

    def _wrapped(self, text: str, lo: int, hi: int) -> list[Byline]:
        out = []
        i = lo
        wrappers = self.rule.wrappers
        while i < hi:
            close = wrappers.get(text[i])
            if close is not None:
                j = text.find(close, i + 1, min(hi, i + 100))
                if j > i + 1:
                    got = self._parse(text, self._skip(text, i + 1, j), j, wrapped=True)
                    if got is not None and got.values and not text[got.end:j].strip(_SPACE):
                        out.append(Byline(i, j + 1, got.values))
                        i = j + 1
                        continue
            i += 1
        return out

    def _starts(self, text: str, lo: int, hi: int):
        """Where an unwrapped byline may start: a role (with its prefix) at a boundary, or
        after a known medium, or a bare role glued to the text in the head."""
        rule = self.rule
        for m in self._roles.finditer(text, lo, hi):
            r = m.start()
            mid = r - lo >= rule.head_chars + 12 and hi - r > 60  # neither head nor end of the line
            prefix = next((p for p in self._prefixes if text.startswith(p, r - len(p)) and r - len(p) >= lo), None)
            if prefix is not None:
                if not mid or self._story_start(text, r - len(prefix), m.end(), lo):
                    yield r - len(prefix)
                continue
            shaped = [s for s in range(max(lo, r - 12), r) if self._boundary(text, s, lo)
                      and rule.prefix_shape.fullmatch(text, s, r)]
            if mid:
                starts = shaped[:1] if shaped else [r]
                if self._story_start(text, starts[0], m.end(), lo):
                    yield starts[0]
                continue
            if shaped:
                yield shaped[0]
            elif self._boundary(text, r, lo):
                yield r
            elif r - lo < rule.head_chars and (text[r - 1] not in rule.not_after
                                              or self._labelled(text, r, hi) and m.group(0) not in rule.speaker_roles) \
                    and m.group(0) not in rule.separator_only:  # 组图：… is a title, not a photo credit
                # glued to the text before it: marked, it needs a clear end; after 的 only with a
                # label separator (背出来的作者：季超)
                yield -r - 1

    def _story_start(self, text: str, start: int, role_end: int, lo: int) -> bool:
        """A byline inside a line, far from its ends, starts a story: after a sentence end or a
        lead mark, with white space or a label separator between its role and the name (in a
        sentence a reporter is written 本报记者王伟, glued)."""
        if start <= lo or text[start - 1] not in self.rule.story_before and text[start - 1] not in self.rule.lead_marks:
            return False
        if role_end >= len(text) or not (text[role_end] in _SPACE or text[role_end] in self.rule.label_separators):
            return False
        role = self._role_at(text, start, len(text))
        return role is None or not self._speech(role[0], text[role_end:role_end + 2])

    def _speech(self, word: str, sep: str) -> bool:
        """A speaker's label in an interview or a quote (记者：您…, 告诉记者：“…”), not a byline role."""
        return word in self.rule.speaker_roles and any(c in ":：" for c in sep)

    def _labelled(self, text: str, start: int, end: int) -> bool:
        """The role at start is followed by a label separator (作者：)."""
        role = self._role_at(text, start, end)
        if role is None:
            return False
        sep = self._label_sep.match(text, role[1], end)
        return any(c in self.rule.label_separators for c in text[role[1]:sep.end()])

    def _boundary(self, text: str, i: int, lo: int) -> bool:
        if i <= lo:
            return True
        ch = text[i - 1]
        return ch in _SPACE or ch in self.rule.lead_marks or ch in self.rule.boundary_before

    def _skip(self, text: str, i: int, end: int) -> int:
        while i < end and text[i] in _SPACE:
            i += 1
        return i

    # ---- the grammar ---------------------------------------------------------------------------

    def _parse(self, text: str, i: int, end: int, wrapped: bool) -> Byline | None:
        """Role items from i on; None when the first is not one. `end` of the result is
        where the last item (with its trail) stops."""
        rule = self.rule
        out = Byline(i, i)
        pos = i
        items = 0
        while pos < end:
            p = self._name_sep.match(text, pos, end).end() if items else pos
            if p < end and text[p] in rule.wrappers:  # (来源：广州日报) after 作者：刘俊
                close = rule.wrappers[text[p]]
                j = text.find(close, p + 1, end)
                inner = self._parse(text, self._skip(text, p + 1, j), j, wrapped=True) if j > p else None
                if inner is None or not inner.values or text[inner.end:j].strip(_SPACE):
                    break
                for k, vs in inner.values.items():
                    for v in vs:
                        out.add(k, v)
                pos, items = j + 1, items + 1
                continue
            got = self._item(text, p, end, out, closed_end=wrapped, chained=items > 0)
            if got is None:
                break
            pos, items = got, items + 1
        if not items:
            return None
        out.end = pos
        return out

    def _role_end(self, text: str, p: int, end: int) -> int:
        role = self._role_at(text, p, end)
        return role[1] if role else p

    def _role_at(self, text: str, p: int, end: int, loose: bool = False) -> tuple[str, int] | None:
        """The role word at p (after a medium prefix) and where it ends. A role that needs
        a separator (文/, 来源：) is no role without one; `loose`: white space will do (文 易无花
        摄影 李瞻), the caller asks more of it."""
        m = None
        for prefix in self._prefixes:
            if text.startswith(prefix, p):
                m = self._roles.match(text, p + len(prefix), end)
                if m:
                    break
        m = m or self._roles.match(text, p, end) or self._shaped_role.match(text, p, end)
        if not m:
            return None
        word = m.group("role") if "role" in m.re.groupindex else m.group(0)
        if word in self.rule.separator_only:
            sep = self._label_sep.match(text, m.end(), end)
            if not any(c in self.rule.label_separators for c in text[m.end():sep.end()]) and not (
                    loose and sep.end() > m.end() and word in self.rule.roles and self.rule.roles[word] == "author"):
                return None
        return word, m.end()

    def _item(self, text: str, p: int, end: int, out: Byline, closed_end: bool, chained: bool = False) -> int | None:
        rule = self.rule
        role = self._role_at(text, p, end, loose=True)
        if role is None:
            return self._names_then_role(text, p, end, out)
        word, q = role
        sep = self._label_sep.match(text, q, end)
        has_sep = any(c in rule.label_separators for c in text[q:sep.end()])
        # 文 易无花 摄影 李瞻: a role that needs a separator takes white space inside a chain of
        # roles (the next item or the one before is a role)
        spaced = word in rule.separator_only and not has_sep
        if spaced and not chained and not self._role_follows(text, sep.end(), end):
            return None
        q = sep.end()
        kind = rule.roles[word]
        if kind == "original_title":
            value = text[q:end].strip(_SPACE)
            if len(value) < 2:
                return None
            out.add(kind, value.strip("《》“”\"「」"))
            return end
        if kind == "news_source":
            return self._sources(text, q, end, out)
        # 文／记者 陈晶: the chain goes on; after white space only where no name starts (文/图 中国质量万里行
        # 杂志记者 刘畅, but 本报记者 李良接到中国证券报记者… is a name)
        if self._role_at(text, q, end) is not None and (
                has_sep or q > role[1] and self._names(text, q, end, pen=0) is None):
            return q
        if any(text.startswith(w, q) for w in rule.not_names):
            return None
        speech = not closed_end and self._speech(word, text[role[1]:q])  # (记者：湛卢) is a byline
        # A pen name needs a separator; glued to the text after it only when the role is glued to a
        # title before it (…推荐作者：飘雪在众品牌…); never after a speaker's label (记者：您…).
        pen = 0 if not has_sep or speech else 2 if p > 0 and (_is_han(text[p - 1]) or text[p - 1].isdigit()) else 1
        names = self._names(text, q, end, pen=pen)
        if not names:
            return None if has_sep else self._names_then_role(text, q, end, out)
        for name in names[0]:
            out.add(kind, name)
        return self._trail(text, names[1], end)

    def _role_follows(self, text: str, q: int, end: int) -> bool:
        """Names at q, then white space and a role (易无花 摄影 …)."""
        got = self._names(text, q, end, pen=0)
        if not got:
            return False
        s = self._skip(text, got[1], end)
        return s > got[1] and self._role_at(text, s, end, loose=True) is not None

    def _names_then_role(self, text: str, p: int, end: int, out: Byline) -> int | None:
        """陈洁/文 王晓莹/图: a name and a slash role after it."""
        got = self._names(text, p, end, pen=1)
        if not got:
            return None
        names, q = got
        t = self.rule.trail.match(text, q, end)
        if not t or not any(c in "/／" for c in text[q:t.end()]):
            return None
        for name in names:
            out.add("author", name)
        return t.end()

    def _trail(self, text: str, q: int, end: int) -> int:
        t = self.rule.trail.match(text, q, end)
        return t.end() if t else q

    def _sources(self, text: str, q: int, end: int, out: Byline) -> int | None:
        rule = self.rule
        pos, n = q, 0
        while pos < end:
            m = rule.media_value.match(text, pos, end)
            if not m or self._role_at(text, pos, end) is not None:
                break
            value = m.group(0).strip(_SPACE)
            if value not in rule.ignore_values:
                out.add("news_source", value)
            n += 1
            pos = m.end()
            s = self._name_sep.match(text, pos, end).end()
            if s == pos or self._role_at(text, s, end) is not None:
                break
            if text[pos:s].strip(_SPACE):  # 新华社、人民网: another medium
                pos = s
                continue
            names = self._names(text, s, end, pen=0)  # 中国日报网 信莲: a name after the medium
            if names:
                for name in names[0]:
                    out.add("author", name)
                pos = names[1]
            break
        if not n:
            return None
        while pos > q and text[pos - 1] in _SPACE:
            pos -= 1
        return pos

    def _names(self, text: str, p: int, end: int, pen: int) -> tuple[list[str], int] | None:
        """pen: 0 no pen names, 1 closed ones, 2 also one glued to the text after it."""
        names: list[str] = []
        pos = p
        while True:
            got = self._name(text, pos, end, pen=0 if names else pen, first=not names)
            if got is None:
                break
            names.append(got[0])
            pos = got[1]
            s = self._name_sep.match(text, pos, end).end()
            if s == pos or self._role_at(text, s, end) is not None or self.rule.trail.match(text, pos, end):
                break
            nxt = self._name(text, s, end, pen=0, first=False)
            if nxt is None:
                break
            pos = s
        return (names, pos) if names else None

    def _name(self, text: str, p: int, end: int, pen: int, first: bool) -> tuple[str, int] | None:
        rule = self.rule
        a = rule.affiliation.match(text, p, end)
        if a and a.end() < end:
            after = self._name(text, a.end(), end, pen=0, first=first)
            if after is not None:
                return after
        sl = next((len(c) for c in self._compound if text.startswith(c, p)), 0)
        if not sl and p < end and text[p] in rule.surnames:
            sl = 1
        if sl:
            got = self._surname_name(text, p, sl, end)
            if got is not None and got[1] < end and text[got[1]] in "-·•－":
                return None  # 乔纳森-费根: a transliterated name, told about, not a byline
            if got is not None and not self._bad_follow(text, got[1], end, first):
                return got
        if pen:
            m = rule.pen_name.match(text, p, end)
            if m:
                for q in range(m.end(), p + 1, -1):
                    if self._closed(text, q, end):
                        return text[p:q], q
                # Glued to the text after it (作者：飘雪在众品牌…, 作者：玛琪雅朵富士J35… under a title
                # naming 富士): the shortest name after which the text starts like text or repeats
                # the title.
                for q in range(p + 2, m.end() + 1) if pen == 2 else ():
                    if q < end and (rule.name_stop.match(text, q, end) or 0 <= text.find(text[q:q + 2], 0, p) < p - 1):
                        return text[p:q], q
        return None

    def _surname_name(self, text: str, p: int, sl: int, end: int) -> tuple[str, int] | None:
        g = p + sl
        # 景 雪, 陈 墨: one given character spaced out
        if sl == 1 and g + 1 < end and text[g] in _SPACE and _is_han(text[g + 1]) and (
                g + 2 >= end or not _is_han(text[g + 2]) or self._stops(text, g + 2, end)):
            return text[p] + text[g + 1], g + 2
        k = 0
        while g + k < end and k < 3 and _is_han(text[g + k]):
            k += 1
        if k and text[g] in self.rule.not_given:
            return None
        if k >= 2 and text[g + 1] in self.rule.not_given:
            return text[p:g + 1], g + 1
        if k == 0:
            return None
        if k == 2 and g + 2 < end and text[g + 2].isdigit() and self.rule.name_stop.match(text, g + 1, end):
            return text[p:g + 1], g + 1  # 李娜自2005年
        if k <= 2:
            return text[p:g + k], g + k
        # Glued to the article: one given character if what follows starts like text.
        if self._stops(text, g + 1, end) or self._recurs(text, g + 1):
            return text[p:g + 1], g + 1
        if self.rule.word_min_freq and not self._stops(text, g + 2, end):
            if self._recurs(text, g + 2):
                return text[p:g + 2], g + 2  # 王文清|华商基金 under a title naming 华商
            one, two = self._word_at(text, g + 1), self._word_at(text, g + 2)
            if one > two:  # 吴倩|海外市场 (海外 far more common than 外市)
                return text[p:g + 1], g + 1
        return text[p:g + 2], g + 2

    def _stops(self, text: str, q: int, end: int) -> bool:
        return bool(self.rule.name_stop.match(text, q, end)) or self._role_at(text, q, end) is not None \
            or bool(self.rule.trail.match(text, q, end))

    def _recurs(self, text: str, q: int) -> bool:
        """The two characters at q are a word the text uses elsewhere (潘琦银华基金 … 银华)."""
        pair = text[q:q + 2]
        if len(pair) < 2 or not all(_is_han(c) for c in pair):
            return False
        # the same name glued to the same word again (a byline repeated: 吴清桦本报讯 twice) is no evidence
        return any(text[i - 1] != text[q - 1] for i in _occurrences(text, pair) if i != q)

    def _bad_follow(self, text: str, q: int, end: int, first: bool) -> bool:
        """A further name is no name when a clause mark follows it (本报记者 徐婧婧 上周，)."""
        return not first and q < end and text[q] in "，。！？,.!?：:；;"

    def _closed(self, text: str, q: int, end: int) -> bool:
        if q >= end:
            return True
        ch = text[q]
        if ch in self._closers or ch in "/／" or ch in self.rule.name_separators:
            return True
        if ch in _SPACE:
            s = self._skip(text, q, end)
            return s >= end or self._role_at(text, s, end) is not None or text[s] in self._closers \
                or text[s] in self.rule.wrappers  # 作者：飘雪    [河南行情]
        return self._role_at(text, q, end) is not None
