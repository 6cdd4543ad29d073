"""The clean stage's rule files: their schema, and loading them into immutable rules.

Four TOML files (furniture lines, metadata, spam, spun phrases) and the word
lists the spam rules name, all read by the one loader
(`pipeline.core.rules`): every mistake points at `file:line`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from pipeline.core.chars import HAN
from pipeline.core.patterns import Literals
from pipeline.core.rules import Entry, RuleError, check_unique_ids, load_toml_file, load_word_list
from pipeline.core.schema import (
    Bool, Chars, Enum, Float, Int, Kind, ListOf, Regex, Section, String, TomlFile, Value, WordList,
)

ZONES = ("any", "head", "body", "tail")
LINE_KINDS = ("pattern", "tokens", "island", "list_after", "duplicate", "layout", "tail", "annotation")
# The clean passes, each with the line-rule kinds it runs (Cleaner runs them in this order).
SCOPES = {
    "line": ("pattern", "tokens"),  # the line on its own, anywhere (zones = any)
    "paragraph-duplicate": ("duplicate",),  # a paragraph repeated earlier, before zones are drawn
    "zone": ("pattern",),  # the line on its own, only in its zones (head, tail), once the body is known
    "block": ("island", "list_after"),  # the line by its removed neighbours, once the body is known
    "metadata-duplicate": ("duplicate",),  # a metadata line repeated
    "title-duplicate": ("duplicate",),  # a line repeating the title
    "layout": ("layout",),  # blank lines left over by removals
    "inline": ("tail", "annotation"),  # inside a kept line: a glued related list, reading annotations
}
# Scopes that take one rule: a second one would never run.
SINGLE_RULE_SCOPES = ("paragraph-duplicate", "metadata-duplicate", "title-duplicate", "layout")
FIELDS = ("published_at", "author", "news_source", "original_title", "editor")
# The spam line classifier's features, in the order pipeline/stages/clean/classifier.py computes them;
# its weights file weighs exactly these.
FEATURES = (
    "bias", "lex_weight", "lex_density", "spam_domains", "domains", "domain_share", "odd_domains",
    "brand_strong", "brand_weak", "brand_segments", "segments", "short_segments",
    "no_sentence", "marks_per_100", "keyword_list", "log_chars", "digit_share", "latin_share", "prose_share",
    "han_share", "spam_segments", "brand_bare",
)


@dataclass(frozen=True)
class LineRule:
    id: str
    version: int
    kind: str
    cls: str
    reason: str
    pattern: re.Pattern | None = None
    requires: re.Pattern | None = None
    forbid: re.Pattern | None = None
    max_chars: int = 200
    zones: frozenset = frozenset({"any"})
    tokens: tuple[str, ...] = ()
    token_patterns: tuple[str, ...] = ()
    between_class: str = ""
    after_rule: str = ""
    min_chars: int = 0
    examples: tuple = ()
    counterexamples: tuple = ()
    scope: str = "line"
    readings: Mapping[str, frozenset] = field(default_factory=dict)  # annotation: char -> syllables


@dataclass(frozen=True)
class FieldRule:
    id: str
    version: int
    field: str
    reason: str
    labels: tuple[str, ...]
    bare_labels: tuple[str, ...]
    value: re.Pattern
    rest_of_line: bool
    ignore_values: frozenset
    bare: re.Pattern | None
    zones: frozenset
    bare_zones: frozenset
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class TitleRule:
    id: str
    version: int
    reason: str
    column_tag: re.Pattern
    forbid: re.Pattern
    min_chars: int
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class BylineRule:
    """The byline grammar (kind = "byline" in metadata.toml); see pipeline/stages/clean/bylines.py."""

    id: str
    version: int
    reason: str
    roles: Mapping[str, str]  # role word -> field (author, editor, news_source, original_title)
    separator_only: frozenset
    not_names: frozenset
    prefixes: tuple[str, ...]
    prefix_shape: re.Pattern
    label_separators: str
    name_separators: str
    lead_marks: str
    boundary_before: str
    story_before: str
    word_min_freq: int
    speaker_roles: frozenset
    not_after: str
    segment_breaks: str
    affiliation: re.Pattern
    pen_name: re.Pattern
    not_given: str
    wrappers: Mapping[str, str]
    surnames: frozenset
    compound_surnames: tuple[str, ...]
    name_stop: re.Pattern
    trail: re.Pattern
    media_value: re.Pattern
    ignore_values: frozenset
    head_chars: int
    signature: re.Pattern | None = None
    signature_source: re.Pattern | None = None
    signature_after: re.Pattern | None = None
    signature_before: str = ""
    signature_not: frozenset = frozenset()
    signature_not_tags: frozenset = frozenset()
    signature_source_min_chars: int = 0
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class Lexicon:
    id: str
    version: int
    words: dict  # word -> (weight, category)
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class SpamLineRule:
    id: str
    version: int
    reason: str
    min_weight: float = 0.0
    min_density: float = 0.0
    max_sentence_marks: int | None = None
    min_segments: int = 0
    max_chars: int | None = None
    min_domains: int = 0
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class ClassifierRule:
    """The learnt spam line classifier (kind = "classifier"); see pipeline/stages/clean/classifier.py."""

    id: str
    version: int
    reason: str
    weights: Mapping[str, float]  # feature name -> weight (the weights file)
    threshold: float
    strong_suffixes: tuple[str, ...]
    weak_suffixes: tuple[str, ...]
    prose_chars: str
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class InlineShapeRule:
    """Brand names found by their shape inside kept lines (kind = "inline_shape"); see spam.InlineShapes."""

    id: str
    version: int
    reason: str
    suffixes: tuple[str, ...]
    weak_suffixes: tuple[str, ...]
    decorations: tuple[str, ...]
    weak_decorations: tuple[str, ...]
    not_followed_by: str
    min_chars: int
    max_chars: int
    unless_context: tuple[str, ...]
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class InlineRule:
    id: str
    version: int
    reason: str
    phrases: tuple[str, ...]
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    require_suffix_for: frozenset
    not_followed_by: str
    unless_context: tuple[str, ...]
    absorb_before: str
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class SpunRule:
    id: str
    version: int
    spun: re.Pattern
    standard: re.Pattern
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class SpunTable:
    """Spun phrases built from spinner word swaps ([[table]] of spun.toml): counted with the spun
    rules, and restored in documents flagged spun where one standard phrase gives them."""

    id: str
    version: int
    reason: str
    phrases: Mapping[str, tuple[str, bool]]  # spun phrase -> (standard phrase, restorable)
    spun: Literals  # any spun phrase, longest first
    standard: Literals  # any standard phrase, longest first
    examples: tuple = ()
    counterexamples: tuple = ()


# The spun-copy model's features (pipeline/stages/clean/spun.py), in the order of its weights.
SPUN_FEATURES = ("bias", "phrases", "phrase_density", "phrase_share", "lm_swaps", "lm_words")


@dataclass(frozen=True)
class SpunContext:
    """Spinner word swaps judged in context by the character 4-gram model ([[context]] of spun.toml):
    a spun word the model finds far less likely there than its standard word is evidence, and, in a
    document the learnt weights flag, restored."""

    id: str
    version: int
    reason: str
    words: Mapping[str, str]  # spun word -> standard word
    evidence_words: frozenset  # the spun words whose context swaps count as evidence (the rest are only restored)
    weights: Mapping[str, float]  # SPUN_FEATURES -> weight
    evidence_margin: float  # nats by which the standard word must be likelier to count as evidence
    restore_margin: float  # ... to be restored in a flagged document
    examples: tuple = ()
    counterexamples: tuple = ()


@dataclass(frozen=True)
class SpamText:
    """What spam evidence counts as separators and as letters ([evidence] of spam.toml)."""

    separators: str  # besides white space: split a line into segments
    not_letters: str  # besides white space: not counted in a line's length


@dataclass(frozen=True)
class MetaText:
    """How a metadata line is read ([line] of metadata.toml)."""

    wrappers: dict[str, str]  # opening -> closing bracket around a whole line
    quotes: dict[str, str]  # opening -> closing quote around an original title
    before_label: str  # besides white space: what a label may follow
    after_label: str  # what comes between a label and its value
    url_day: re.Pattern | None = None  # the published day in a record's url (/20120615/), when it has none


@dataclass(frozen=True)
class ViewRules:
    """How a line is read (the `[view]` table of lines.toml)."""

    pinyin_annotation: re.Pattern
    sentence_marks: re.Pattern
    separators: re.Pattern


@dataclass(frozen=True)
class CleanRules:
    lines: tuple[LineRule, ...]
    fields: tuple[FieldRule, ...]
    header_line_id: str
    title: TitleRule
    lexicons: tuple[Lexicon, ...]
    domains: frozenset
    domain_rule: Lexicon
    spam_lines: tuple[SpamLineRule, ...]
    inline: tuple[InlineRule, ...]
    spun: tuple[SpunRule, ...]
    files: tuple[Path, ...] = field(default=())
    # Every rule as loaded (file, lines of its keys and examples), by id.
    entries: Mapping[str, Entry] = field(default_factory=dict)
    spam_text: SpamText | None = None
    meta_text: MetaText | None = None
    view: ViewRules | None = None
    byline: BylineRule | None = None
    classifier: ClassifierRule | None = None
    inline_shapes: tuple[InlineShapeRule, ...] = ()
    spun_table: SpunTable | None = None
    spun_context: SpunContext | None = None

    def by_id(self) -> dict[str, Any]:
        every = [*self.lines, *self.fields, *((self.byline,) if self.byline else ()), self.title, *self.lexicons, self.domain_rule, *self.spam_lines,
                 *((self.classifier,) if self.classifier else ()), *self.inline, *self.inline_shapes, *self.spun,
                 *((self.spun_table,) if self.spun_table else ()), *((self.spun_context,) if self.spun_context else ())]
        return {r.id: r for r in every}


def _text(case: Any) -> str | None:
    return None if isinstance(case, str) else "must be a text"


def _pair(case: Any) -> str | None:
    ok = isinstance(case, list) and len(case) == 2 and all(isinstance(c, str) for c in case)
    return None if ok else "must be [line, expected]"


def _texts(doc: str) -> ListOf:
    return ListOf(Value("a text (one line, or several with \\n)", check=_text), doc)


def _pairs(doc: str) -> ListOf:
    return ListOf(Value("[line, expected]", check=_pair), doc)


_ZONES = ListOf(Enum(ZONES, "a zone"), "where it may fire: any, head (before the first body paragraph), "
                "tail (after the last), body", default=("any",))
_REASON = String("what `pipeline explain` and the golden files say about the removal", required=True)
_CLASS = String("the removal's class (navigation, widget, spam ...)", required=True)


def _line_rule_complete(v) -> str | tuple | None:
    kind = v["kind"]
    if kind == "pattern" and v["pattern"] is None:
        return "kind", "a pattern rule needs `pattern`"
    if kind == "tokens" and not (v["tokens"] or v["token_patterns"]):
        return "kind", "a tokens rule needs `tokens` or `token_patterns`"
    if kind == "island" and not v["between_class"]:
        return "kind", "an island rule needs `between_class`"
    if kind == "list_after" and not (v["after_rule"] and v["pattern"] is not None):
        return "kind", "a list_after rule needs `after_rule` and `pattern`"
    if kind == "annotation" and (v["pattern"] is None or "syllable" not in v["pattern"].groupindex
                                 or not v["readings"]):
        return "kind", "an annotation rule needs `pattern` with a group `syllable` and `readings`"
    if kind == "tail" and v["pattern"] is None:
        return "kind", "a tail rule needs `pattern` (the heading, searched in the raw line)"
    return None


def _chars_in_order(v) -> str | tuple | None:
    """A rule whose min_chars exceeds its max_chars would never fire."""
    if v["min_chars"] > v["max_chars"]:
        return "min_chars", f"min_chars {v['min_chars']} is above max_chars {v['max_chars']}: the rule never fires"
    return None


def _scope_fits(v) -> str | tuple | None:
    scope, kind = v["scope"], v["kind"]
    if kind not in SCOPES[scope]:
        return "scope", f"a {kind} rule cannot have scope {scope!r}"
    if (scope == "zone") == ("any" in v["zones"]):
        return "scope", (f"scope {scope!r} with zones {sorted(v['zones'])}: "
                         "a `zone` rule lists its zones (not any), any other runs anywhere")
    return None


LINE_RULE = Kind("clean.line", "A kind of page-furniture line the clean stage removes, with its reason.", {
    "kind": Enum(LINE_KINDS, "how the rule decides: pattern, tokens, island, list_after, duplicate, layout",
                 required=True),
    "class": _CLASS,
    "reason": _REASON,
    "pattern": Regex("searched in the line's view (pattern, list_after)"),
    "requires": Regex("must also be found in the view"),
    "forbid": Regex("must not be found in the view"),
    "max_chars": Int("the rule ignores lines whose view is longer", default=200, minimum=0),
    "min_chars": Int("the rule ignores shorter lines (duplicate)", default=0, minimum=0),
    "zones": _ZONES,
    "tokens": ListOf(String("a token"), "literal tokens a tokens line is made of"),
    "token_patterns": ListOf(Regex("a token regex"), "regex tokens a tokens line is made of"),
    "between_class": String("island: the class of the removed lines around it", default=""),
    "readings": String("annotation: the table of readings (char, syllables), relative to rules/", default=""),
    "after_rule": String("list_after: the id of the heading rule", default=""),
    "scope": Enum(tuple(SCOPES), "the clean pass that runs the rule: " + ", ".join(SCOPES), required=True),
    "examples": _texts("text placed in a document (in the rule's zone) where the rule fires"),
    "counterexamples": _texts("text where it must not fire, in any zone"),
}, rule=True, checks=(_line_rule_complete, _scope_fits, _chars_in_order))
VIEW = Kind("clean.view", "How a line is read before rules look at it ([view]).", {
    "pinyin_annotation": Regex("a reading annotation after a Han character, left out of the view ({HAN})",
                               required=True, fragments=True),
    "sentence_marks": String("the marks that count as sentence ends", required=True),
    "separators": Regex("a run of separators between the tokens of a token line", required=True),
})
LINES_FILE = TomlFile("clean lines", "Page furniture the clean stage removes.",
                      {"view": Section(VIEW, required=True), "rule": Section(LINE_RULE, array=True)})


def _published_groups(v) -> str | tuple | None:
    if v["field"] == "published_at" and not {"year", "month", "day"} <= set(v["value"].groupindex):
        return "value", "a published_at value needs groups year, month, day"
    return None


META_FIELD = Kind("clean.metadata.field", "A metadata field lifted from header lines (kind = \"field\").", {
    "kind": Enum(("field",), "field"),
    "field": Enum(FIELDS, "the metadata column", required=True),
    "reason": _REASON,
    "labels": ListOf(String("a label"), "labels that need a colon (or / |) before the value", required=True,
                     non_empty=True),
    "bare_labels": ListOf(String("a label"), "labels that may be followed by a space instead"),
    "value": Regex("what a value must match from its start", required=True),
    "rest_of_line": Bool("the value runs to the end of the line", default=False),
    "bare": Bool("the value may stand without a label (a bare date)", default=False),
    "bare_value": Regex("a value standing without a label (a media name)"),
    "ignore_values": ListOf(String("a value"), "values that are no value (网络): nothing is lifted"),
    "zones": _ZONES,
    "bare_zones": ListOf(Enum(ZONES, "a zone"), "where a line of only bare values may be removed "
                         "(default: zones)"),
    "examples": _pairs("[line, value lifted]"),
    "counterexamples": _texts("lines that must stay"),
}, rule=True, checks=(_published_groups,))
META_LINE = Kind("clean.metadata.line", "The rule id of header lines made of metadata items (kind = \"line\").", {
    "kind": Enum(("line",), "line"),
    "reason": _REASON,
    "examples": _texts("none: metadata examples are the fields'"),
    "counterexamples": _texts("none"),
}, rule=True)
META_TITLE = Kind("clean.metadata.title", "The title: the first title-like line of the head (kind = \"title\").", {
    "kind": Enum(("title",), "title"),
    "field": Enum(("title",), "title"),
    "reason": _REASON,
    "column_tag": Regex("a leading column tag (【行业新闻】) that is not part of the title", required=True),
    "forbid": Regex("lines matching it are no title", required=True),
    "min_chars": Int("shortest title", default=4, minimum=0),
    "examples": _pairs("[line, title lifted]"),
    "counterexamples": _texts("head lines that are no title"),
}, rule=True)
_PAIR = String("an opening and a closing character", length=2)
_WORDS = ListOf(String("a word"), "role words")
META_BYLINE = Kind("clean.metadata.byline", "The grammar of bylines inside the text (kind = \"byline\").", {
    "kind": Enum(("byline",), "byline"),
    "reason": _REASON,
    "author_roles": ListOf(String("a role"), "roles whose names go to `author` (记者, 通讯员, 作者)", required=True),
    "editor_roles": ListOf(String("a role"), "roles whose names go to `editor`", required=True),
    "source_roles": ListOf(String("a role"), "roles whose values are media (`news_source`)", required=True),
    "title_roles": ListOf(String("a role"), "roles whose value is the original title", required=True),
    "separator_only": ListOf(String("a role"), "roles that count only with a label separator (文/张三)"),
    "not_names": ListOf(String("a word"), "words after a role that are no name (作者简介)"),
    "prefixes": ListOf(String("a word"), "media and words that may stand before a role (本报记者)"),
    "prefix_shape": Regex("a medium-shaped prefix, allowed where the byline starts at a boundary", required=True),
    "label_separators": Chars("characters between a role and its value", required=True),
    "name_separators": Chars("besides white space, characters between names", required=True),
    "lead_marks": Chars("marks before a byline (⊙)", required=True),
    "boundary_before": Chars("besides white space and lead marks, what an unwrapped byline may follow",
                             required=True),
    "story_before": Chars("sentence ends after which a byline may start a story inside a line, far from "
                          "its ends (…中心。本报记者 陈小瑛 广州报道)"),
    "not_after": Chars("characters after which a bare role glued to the text is no byline (告诉记者)"),
    "segment_breaks": Chars("characters that end a segment inside a line (U+E40C)"),
    "affiliation": Regex("a medium or school before a name, skipped", required=True),
    "pen_name": Regex("a name without a surname (needs a closed end)", required=True),
    "not_given": Chars("characters no given name holds (的, 和)"),
    "wrappers": ListOf(_PAIR, "brackets a byline may fill", required=True),
    "surnames": String("single-character surnames", required=True),
    "compound_surnames": ListOf(String("a surname"), "two-character surnames"),
    "name_stop": Regex("after a glued two-character name: text that starts like the article", required=True),
    "trail": Regex("what may close a list of names (/文, 发自北京, 报道)", required=True),
    "media_value": Regex("a value of a source role", required=True),
    "ignore_values": ListOf(String("a value"), "source values that name no source (网络)"),
    "speaker_roles": ListOf(String("a role"), "roles that with a colon label speech in interviews and quotes "
                            "(记者：您…): no pen name after them, no byline from them inside a line"),
    "word_min_freq": Int("a jieba dictionary word counts after a glued name from this frequency on "
                         "(0: the dictionary is not used)", default=0, minimum=0),
    "head_chars": Int("an unwrapped byline inside a line starts within this many characters", default=80,
                      minimum=0),
    "examples": _pairs("[text, \"field=value;field=value\"] (names and media joined with 、)"),
    "signature": Regex("a closing signature: the text inside round brackets that close a story "
                       "((张 哲), (全景网/陈丹蓉), (王雨/文)); groups `names` (and `aff`, `trail`)"),
    "signature_source": Regex("a closing signature naming a medium ((新华社), (据天天新报)); group `source`"),
    "signature_after": Regex("what may follow a signature inside a line: a story starting (本报讯)"),
    "signature_before": Chars("besides Han characters, what a signature may follow (the story's last "
                              "sentence end)"),
    "signature_not": ListOf(String("a word"), "bracketed words closing a text that are no signature (完, 图)"),
    "signature_source_min_chars": Int("a closing medium shorter than this is an outlet cut short ((证报)): no byline",
                                      default=0, minimum=0),
    "signature_not_tags": ListOf(String("a jieba part-of-speech tag"), "a lone signature name that is a jieba "
                                 "dictionary word with one of these tags is a word, not a writer ((每日), (喜欢))"),
    "counterexamples": _texts("texts with no byline"),
}, rule=True)
META_TEXT = Kind("clean.metadata.line_text", "How a metadata line is read: brackets, quotes, label separators "
                 "([line]).", {
    "wrappers": ListOf(_PAIR, "brackets around a whole metadata line ([来源:新华社])", required=True),
    "quotes": ListOf(_PAIR, "quotes around an original title (原标题:《…》)", required=True),
    "before_label": Chars("besides white space, the characters a label may follow", required=True),
    "after_label": Chars("the characters between a label and its value", required=True),
    "url_day": Regex("the published day in a record's url, used when neither the record nor the text gives one "
                     "(groups year, month, day; only when every match in the url names the same day)",
                     groups=("year", "month", "day")),
})
METADATA_FILE = TomlFile("clean metadata", "Article metadata the clean stage lifts out of header lines.", {
    "line": Section(META_TEXT, required=True),
    "rule": Section(Kind("clean.metadata", "A metadata rule: a field, the header line or the title.",
                         discriminator="kind",
                         variants={"field": META_FIELD, "line": META_LINE, "title": META_TITLE,
                                   "byline": META_BYLINE}), array=True),
})

SPAM_LEXICON = Kind("clean.spam.lexicon", "A spam word list with weights (kind = \"lexicon\").", {
    "kind": Enum(("lexicon",), "lexicon"),
    "file": String("the list (TSV word, weight, category; or one word a line), relative to rules/", required=True),
    "weight": Float("weight of words the file gives without one", minimum=0),
    "category": String("category of words the file gives without one", non_empty=False),
    "examples": _texts("words the list must give weight"),
    "counterexamples": _texts("ordinary words it must not give a strong weight (>= 1)"),
}, rule=True)
SPAM_DOMAINS = Kind("clean.spam.domains", "Spam site domains (kind = \"domains\").", {
    "kind": Enum(("domains",), "domains"),
    "file": String("the list (one domain a line), relative to rules/", required=True),
    "examples": _texts("domains (or hosts under them) it lists"),
    "counterexamples": _texts("domains it must not list"),
}, rule=True)
SPAM_LINE = Kind("clean.spam.line", "A spam-line decision: every condition given must hold (kind = \"line\").", {
    "kind": Enum(("line",), "line"),
    # Only lines of class spam count toward spam_ratio and the `spam` flag: a misspelt class would not.
    "class": Enum(("spam",), "the removal's class", required=True),
    "reason": _REASON,
    "min_weight": Float("summed weight of spam vocabulary, at least", default=0.0, minimum=0),
    # A share: above 1 the rule could never fire.
    "min_density": Float("share of the line's characters spam vocabulary covers, at least", default=0.0,
                         minimum=0, maximum=1),
    "max_sentence_marks": Int("sentence punctuation marks, at most", minimum=0),
    "min_segments": Int("separator-delimited segments, at least", default=0, minimum=0),
    "max_chars": Int("characters, at most", minimum=0),
    "min_domains": Int("spam site domains, at least", default=0, minimum=0),
    "examples": _texts("lines it removes"),
    "counterexamples": _texts("lines that stay"),
}, rule=True)


def _has_phrases(v) -> str | None:
    return None if v["phrases"] or v["phrases_file"] else "an inline rule needs `phrases` or `phrases_file`"


SPAM_INLINE = Kind("clean.spam.inline", "Names removed from inside a kept line (kind = \"inline\").", {
    "kind": Enum(("inline",), "inline"),
    "class": _CLASS,
    "reason": _REASON,
    "phrases": ListOf(String("a name"), "the names"),
    "phrases_file": String("more names, one a line, relative to rules/"),
    "prefixes": ListOf(String("a prefix"), "words before a name removed with it"),
    "suffixes": ListOf(String("a suffix"), "decorations after a name removed with it (repeated)"),
    "require_suffix_for": ListOf(String("a name"), "names removed only with a suffix (ordinary words without)"),
    "not_followed_by": Chars("characters after a name that make it another word"),
    "unless_context": ListOf(String("a word"), "words that, elsewhere in the document, make a bare name legitimate"),
    "absorb_before": Chars("separators before a removed name removed with it"),
    "examples": _pairs("[line, line after]"),
    "counterexamples": _texts("lines that stay unchanged"),
}, rule=True, checks=(_has_phrases,))
SPAM_CLASSIFIER = Kind("clean.spam.classifier", "The learnt spam line classifier: logistic regression over a "
                       "line's evidence (kind = \"classifier\"), run after the line rules.", {
    "kind": Enum(("classifier",), "classifier"),
    "class": Enum(("spam",), "the removal's class", required=True),
    "reason": _REASON,
    "weights_file": String("feature<TAB>weight, written by scripts/fit_spam_classifier.py, relative to rules/",
                           required=True),
    "threshold": Float("a line is spam when its probability reaches this", required=True, minimum=0, maximum=1),
    "strong_suffixes": ListOf(String("a suffix"), "brand-name endings rarely seen in news (贵宾会, 娱乐城)",
                              required=True, non_empty=True),
    "weak_suffixes": ListOf(String("a suffix"), "brand-name endings that are common words too (国际, 体育, 平台)"),
    "prose_chars": Chars("function characters of running prose (的了是在), rare in keyword strings", required=True),
    "examples": _texts("lines it removes"),
    "counterexamples": _texts("lines that stay"),
}, rule=True)
def _shape_bounds(v) -> str | tuple | None:
    if v["min_chars"] > v["max_chars"]:
        return "min_chars", f"min_chars {v['min_chars']} is above max_chars {v['max_chars']}: the rule never fires"
    return None


SPAM_INLINE_SHAPE = Kind("clean.spam.inline_shape", "Brand names found by their shape inside a kept line: "
                         "Han characters + a brand suffix (金狮贵宾会), not a list (kind = \"inline_shape\").", {
    "kind": Enum(("inline_shape",), "inline_shape"),
    "class": _CLASS,
    "reason": _REASON,
    "suffixes": ListOf(String("a suffix"), "brand endings news rarely writes (贵宾会, 现金网)", required=True,
                       non_empty=True),
    "weak_suffixes": ListOf(String("a suffix"), "endings that are ordinary words (国际, 体育): only with a "
                            "weak decoration and spam shown on the page"),
    "weak_decorations": ListOf(String("a decoration"), "decorations that make a weak-suffix name a brand "
                               "(官网, app; not 注册: 国际注册会计师)"),
    "decorations": ListOf(String("a decoration"), "what follows a brand and goes with it (官网, app下载), repeated",
                          required=True),
    "not_followed_by": Chars("characters after a suffix that make it another word (贵宾会员, 娱乐场所)"),
    "min_chars": Int("Han characters of the name before its suffix, at least", default=2, minimum=1),
    "max_chars": Int("Han characters of the name before its suffix, at most", default=4, minimum=1),
    "unless_context": ListOf(String("a word"), "words that, elsewhere in the document, make a bare name reported "
                             "news (博彩业, 赌王)"),
    "examples": _pairs("[text (lines with \\n), text after]"),
    "counterexamples": _texts("texts that stay unchanged"),
}, rule=True, checks=(_shape_bounds,))
SPAM_EVIDENCE = Kind("clean.spam.evidence", "What spam evidence counts as separators and letters ([evidence]).", {
    "separators": Chars("besides white space, the characters that split a line into segments", required=True),
    "not_letters": Chars("besides white space, the characters not counted in a line's length (density)",
                         required=True),
})
SPAM_FILE = TomlFile("clean spam", "SEO spam: word lists, line decisions and inline names.", {
    "evidence": Section(SPAM_EVIDENCE, required=True),
    "rule": Section(Kind("clean.spam", "A spam rule: lexicon, domains, line or inline.", discriminator="kind",
                         variants={"lexicon": SPAM_LEXICON, "domains": SPAM_DOMAINS, "line": SPAM_LINE,
                                   "inline": SPAM_INLINE, "classifier": SPAM_CLASSIFIER,
                                   "inline_shape": SPAM_INLINE_SHAPE}), array=True),
})
SPUN = Kind("clean.spun", "A synonym-spun phrase and the standard phrase it replaces.", {
    "spun": Regex("the spun phrase", required=True),
    "standard": Regex("the standard phrase", required=True),
    "examples": _texts("texts holding the spun phrase"),
    "counterexamples": _texts("texts that must not count as spun"),
}, rule=True)
SPUN_TABLE = Kind("clean.spun.table", "Spun phrases built by scripts/build_spun_table.py from spinner word swaps "
                  "(`[[table]]`): counted like the rules, restored in documents flagged spun.", {
    "reason": _REASON,
    "table_file": String("spun<TAB>standard<TAB>despin<TAB>standard_count, relative to rules/", required=True),
    "examples": _pairs("[text of a flagged document, text after restoring]"),
    "counterexamples": _texts("ordinary texts in which the table counts no spun phrase"),
}, rule=True)
SPUN_CONTEXT = Kind("clean.spun.context", "Spinner word swaps judged in context by the repair stage's character "
                    "4-gram model (`[[context]]`): evidence for the learnt spun-copy weights, restored in documents "
                    "they flag.", {
    "reason": _REASON,
    "pairs_file": String("standard<TAB>spun<TAB>half, relative to rules/ (the `fit` half is used)", required=True),
    "weights_file": String("feature<TAB>weight, written by scripts/fit_spun_classifier.py, relative to rules/",
                           required=True),
    "words_file": String("spun<TAB>standard<TAB>uses<TAB>false_hits<TAB>evidence: how often ordinary uses of each "
                         "spinner word look swapped, written by scripts/fit_spun_classifier.py, relative to rules/",
                         required=True),
    "evidence_margin": Float("log-probability (nats) by which the standard word must be likelier in context for "
                             "the spun word to count as evidence", required=True, minimum=0),
    "restore_margin": Float("the same margin for restoring it in a flagged document", required=True, minimum=0),
    "examples": _pairs("[text of a document, text after restoring]"),
    "counterexamples": _texts("ordinary texts left unchanged and unflagged"),
}, rule=True)
SPUN_FILE = TomlFile("clean spun", "Synonym-spun phrases (伪原创).", {"rule": Section(SPUN, array=True),
                                                                     "table": Section(SPUN_TABLE, array=True),
                                                                     "context": Section(SPUN_CONTEXT, array=True)})

LEXICON_WORD = Kind("clean.lexicon.word", "A spam word: word<TAB>weight<TAB>category, or one word a line.", {
    "word": String("the word (ASCII words match whole, case-insensitively)", required=True),
    "weight": Float("its spam weight", required=True, minimum=0),
    "category": String("its category", required=True, non_empty=False),
})
LEXICON_FILE = WordList("spam lexicon", "A spam word list.", LEXICON_WORD, ("word", "weight", "category"))
DOMAIN = Kind("clean.lexicon.domain", "A spam site domain, one a line.",
              {"domain": String("the domain", required=True)})
DOMAINS_FILE = WordList("spam domains", "Spam site domains.", DOMAIN, ("domain",), separator="")
WEIGHT = Kind("clean.lexicon.weight", "A feature of the spam line classifier and its weight: feature<TAB>weight.", {
    "feature": String("the feature (pipeline/stages/clean/classifier.py FEATURES)", required=True),
    "weight": Float("its learnt weight", required=True),
})
WEIGHTS_FILE = WordList("classifier weights", "Learnt weights of the spam line classifier.", WEIGHT,
                        ("feature", "weight"))
SPUN_ENTRY = Kind("clean.lexicon.spun", "A spun phrase: spun<TAB>standard<TAB>despin<TAB>standard_count.", {
    "spun": String("the spun phrase", required=True),
    "standard": String("the standard phrase it replaced", required=True),
    "despin": Int("1: restorable (one standard phrase gives it), 0: not", required=True, minimum=0),
    "standard_count": Int("the standard phrase's count in the background text", required=True, minimum=0),
})
SPUN_PAIR = Kind("clean.lexicon.spun_pair", "A spinner word swap: standard<TAB>spun<TAB>half.", {
    "standard": String("the standard word", required=True),
    "spun": String("the word a spinner writes for it", required=True),
    "half": Enum(("fit", "heldout"), "fit: the table and model learn from it; heldout: evaluation only", required=True),
})
SPUN_PAIRS_FILE = WordList("spinner swaps", "Word swaps of synonym spinners.", SPUN_PAIR, ("standard", "spun", "half"))
SPUN_WORD = Kind("clean.lexicon.spun_word", "A spinner word's ordinary uses: spun<TAB>standard<TAB>uses<TAB>"
                 "false_hits<TAB>evidence.", {
    "spun": String("the spinner word", required=True),
    "standard": String("its standard word", required=True),
    "uses": Int("its ordinary uses in the calibration text", required=True, minimum=0),
    "false_hits": Int("those past the evidence margin", required=True, minimum=0),
    "evidence": Int("1: its context swaps count as evidence; 0: too many ordinary uses look swapped", required=True,
                    minimum=0, maximum=1),
})
SPUN_WORDS_FILE = WordList("spinner words", "How often ordinary uses of each spinner word look swapped.", SPUN_WORD,
                           ("spun", "standard", "uses", "false_hits", "evidence"))
SPUN_WEIGHT = Kind("clean.lexicon.spun_weight", "A feature of the spun-copy model and its weight: feature<TAB>weight.", {
    "feature": String("the feature (pipeline/stages/clean/ruleset.py SPUN_FEATURES)", required=True),
    "weight": Float("its learnt weight", required=True),
})
SPUN_WEIGHTS_FILE = WordList("spun weights", "Learnt weights of the spun-copy model.", SPUN_WEIGHT, ("feature", "weight"))
SPUN_TABLE_FILE = WordList("spun table", "Spun phrases and their standard phrases.", SPUN_ENTRY,
                           ("spun", "standard", "despin", "standard_count"))
PHRASE = Kind("clean.lexicon.phrase", "A name removed inline, one a line.", {"phrase": String("the name", required=True)})
PHRASES_FILE = WordList("inline names", "Names removed inside kept lines.", PHRASE, ("phrase",), separator="")


def _cases(e: Entry) -> dict[str, tuple]:
    return {k: tuple(tuple(v) if isinstance(v, list) else v for v in e[k]) for k in ("examples", "counterexamples")}


READING = Kind("clean.lexicon.reading", "A character and its untoned readings: char<TAB>syllable,syllable.", {
    "char": String("the character", required=True, length=1),
    "syllables": String("its readings, comma-separated", required=True),
})
READINGS_FILE = WordList("readings", "Untoned readings of characters.", READING, ("char", "syllables"))


def _readings(path: Path) -> dict[str, frozenset]:
    return {e["char"]: frozenset(e["syllables"].split(",")) for e in load_word_list(path, READINGS_FILE)}


def load_line_rules(path: Path, rules_dir: Path | None = None) -> tuple[tuple[LineRule, ...], tuple[Entry, ...], ViewRules]:
    loaded = load_toml_file(path, LINES_FILE, fragments={"HAN": HAN})
    entries = loaded.arrays["rule"]
    ids = {e.id for e in entries}
    classes = {e["class"] for e in entries}
    scoped: dict[str, str] = {}
    for e in entries:
        if e["kind"] == "list_after" and e["after_rule"] not in ids:
            raise e.error(f"after_rule {e['after_rule']!r} is not a rule of this file", "after_rule")
        if e["kind"] == "island" and e["between_class"] not in classes:  # else the island never fires
            raise e.error(f"between_class {e['between_class']!r} is not the class of a rule of this file",
                          "between_class")
        if e["scope"] in SINGLE_RULE_SCOPES:
            if e["scope"] in scoped:
                raise e.error(f"scope {e['scope']!r} already taken by {scoped[e['scope']]}", "scope")
            scoped[e["scope"]] = e.id
    v = loaded.tables["view"]
    view = ViewRules(v["pinyin_annotation"], re.compile(f"[{re.escape(v['sentence_marks'])}]"), v["separators"])
    rules = tuple(LineRule(
        id=e.id, version=e.version, kind=e["kind"], cls=e["class"], reason=e["reason"], pattern=e["pattern"],
        requires=e["requires"], forbid=e["forbid"], max_chars=e["max_chars"], zones=frozenset(e["zones"]),
        tokens=e["tokens"], token_patterns=tuple(r.pattern for r in e["token_patterns"]),
        between_class=e["between_class"], after_rule=e["after_rule"], min_chars=e["min_chars"], scope=e["scope"],
        readings=_readings((rules_dir or path.parent.parent) / e["readings"]) if e["readings"] else {},
        **_cases(e),
    ) for e in entries)
    return rules, entries, view


def load_metadata_rules(path: Path):
    loaded = load_toml_file(path, METADATA_FILE)
    entries = loaded.arrays["rule"]
    t = loaded.tables["line"]
    text = MetaText(dict(t["wrappers"]), dict(t["quotes"]), t["before_label"], t["after_label"], t["url_day"])
    fields, header, title, byline = [], None, None, None
    for e in entries:
        if e.kind == META_BYLINE.name:
            byline = _byline_rule(e)
        elif e.kind == META_FIELD.name:
            zones = frozenset(e["zones"])
            fields.append(FieldRule(
                id=e.id, version=e.version, field=e["field"], reason=e["reason"], labels=e["labels"],
                bare_labels=e["bare_labels"], value=e["value"], rest_of_line=e["rest_of_line"],
                ignore_values=frozenset(e["ignore_values"]),
                bare=e["value"] if e["bare"] else e["bare_value"],
                zones=zones, bare_zones=frozenset(e["bare_zones"]) if e["bare_zones"] else zones, **_cases(e),
            ))
        elif e.kind == META_LINE.name:
            header = e.id
        else:
            title = TitleRule(e.id, e.version, e["reason"], e["column_tag"], e["forbid"], e["min_chars"], **_cases(e))
    if header is None or title is None:
        raise RuleError(path, None, "needs one rule of kind `line` (header lines) and one of kind `title`")
    return tuple(fields), header, title, entries, text, byline


def _byline_rule(e: Entry) -> BylineRule:
    roles: dict[str, str] = {}
    for key, name in (("title_roles", "original_title"), ("source_roles", "news_source"),
                      ("editor_roles", "editor"), ("author_roles", "author")):
        for word in e[key]:
            if word in roles:
                raise e.error(f"role {word!r} is given twice", key)
            roles[word] = name
    return BylineRule(
        id=e.id, version=e.version, reason=e["reason"], roles=roles, separator_only=frozenset(e["separator_only"]),
        not_names=frozenset(e["not_names"]),
        prefixes=tuple(e["prefixes"]), prefix_shape=e["prefix_shape"], label_separators=e["label_separators"],
        name_separators=e["name_separators"], lead_marks=e["lead_marks"], boundary_before=e["boundary_before"],
        story_before=e["story_before"] or "", word_min_freq=e["word_min_freq"],
        speaker_roles=frozenset(e["speaker_roles"] or ()),
        not_after=e["not_after"], segment_breaks=e["segment_breaks"], affiliation=e["affiliation"],
        pen_name=e["pen_name"], not_given=e["not_given"], wrappers=dict(e["wrappers"]), surnames=frozenset(e["surnames"]), compound_surnames=tuple(e["compound_surnames"]),
        name_stop=e["name_stop"], trail=e["trail"], media_value=e["media_value"],
        ignore_values=frozenset(e["ignore_values"]), head_chars=e["head_chars"],
        signature=e["signature"], signature_source=e["signature_source"], signature_after=e["signature_after"],
        signature_before=e["signature_before"] or "", signature_not=frozenset(e["signature_not"] or ()),
        signature_not_tags=frozenset(e["signature_not_tags"] or ()),
        signature_source_min_chars=e["signature_source_min_chars"] or 0, **_cases(e),
    )


def read_lexicon(path: Path, rule: Entry) -> dict[str, tuple[float, str]]:
    defaults = {k: rule[k] for k in ("weight", "category") if rule[k] is not None}
    if "weight" in defaults:
        defaults.setdefault("category", "")
    words = {}
    for e in load_word_list(path, LEXICON_FILE, defaults):
        word = e["word"]
        words[word.lower() if word.isascii() else word] = (float(e["weight"]), e["category"])
    return words


def load_spam_rules(path: Path, rules_dir: Path):
    loaded = load_toml_file(path, SPAM_FILE)
    entries = loaded.arrays["rule"]
    evidence = loaded.tables["evidence"]
    text = SpamText(evidence["separators"], evidence["not_letters"])
    lexicons, domains, domain_rule, lines, inline, files = [], frozenset(), None, [], [], []
    classifier, shapes = None, []
    for e in entries:
        cases = _cases(e)
        if e.kind == SPAM_LEXICON.name:
            file = rules_dir / e["file"]
            files.append(file)
            lexicons.append(Lexicon(e.id, e.version, read_lexicon(file, e), **cases))
        elif e.kind == SPAM_DOMAINS.name:
            file = rules_dir / e["file"]
            files.append(file)
            domains = frozenset(d["domain"].lower() for d in load_word_list(file, DOMAINS_FILE))
            domain_rule = Lexicon(e.id, e.version, {}, **cases)
        elif e.kind == SPAM_LINE.name:
            lines.append(SpamLineRule(
                id=e.id, version=e.version, reason=e["reason"], min_weight=float(e["min_weight"]),
                min_density=float(e["min_density"]), max_sentence_marks=e["max_sentence_marks"],
                min_segments=e["min_segments"], max_chars=e["max_chars"], min_domains=e["min_domains"], **cases,
            ))
        elif e.kind == SPAM_CLASSIFIER.name:
            if classifier is not None:
                raise e.error("a second classifier rule would never run", "kind")
            file = rules_dir / e["weights_file"]
            files.append(file)
            weights = {w["feature"]: float(w["weight"]) for w in load_word_list(file, WEIGHTS_FILE)}
            if set(weights) != set(FEATURES):
                raise e.error(f"{file.name} must weigh exactly the features {', '.join(FEATURES)}; "
                              f"missing {sorted(set(FEATURES) - set(weights))}, unknown {sorted(set(weights) - set(FEATURES))}",
                              "weights_file")
            classifier = ClassifierRule(
                id=e.id, version=e.version, reason=e["reason"], weights=weights, threshold=float(e["threshold"]),
                strong_suffixes=e["strong_suffixes"], weak_suffixes=e["weak_suffixes"], prose_chars=e["prose_chars"],
                **cases)
        elif e.kind == SPAM_INLINE_SHAPE.name:
            shapes.append(InlineShapeRule(
                id=e.id, version=e.version, reason=e["reason"], suffixes=e["suffixes"],
                weak_suffixes=e["weak_suffixes"], decorations=e["decorations"],
                weak_decorations=e["weak_decorations"], not_followed_by=e["not_followed_by"],
                min_chars=e["min_chars"], max_chars=e["max_chars"], unless_context=e["unless_context"], **cases))
        else:
            phrases = list(e["phrases"])
            if e["phrases_file"]:
                file = rules_dir / e["phrases_file"]
                files.append(file)
                phrases += [p["phrase"] for p in load_word_list(file, PHRASES_FILE)]
            inline.append(InlineRule(
                id=e.id, version=e.version, reason=e["reason"], phrases=tuple(phrases), prefixes=e["prefixes"],
                suffixes=e["suffixes"], require_suffix_for=frozenset(e["require_suffix_for"]),
                not_followed_by=e["not_followed_by"], unless_context=e["unless_context"],
                absorb_before=e["absorb_before"], **cases,
            ))
    if domain_rule is None:
        raise RuleError(path, None, "needs one rule of kind `domains`")
    return tuple(lexicons), domains, domain_rule, tuple(lines), tuple(inline), tuple(files), entries, text, classifier, tuple(shapes)


def load_spun_rules(path: Path, rules_dir: Path):
    loaded = load_toml_file(path, SPUN_FILE)
    entries = loaded.arrays["rule"]
    tables = loaded.arrays.get("table", ())
    contexts = loaded.arrays.get("context", ())
    if len(contexts) > 1:
        raise contexts[1].error("a second context model would never be used", "pairs_file")
    if contexts and not tables:
        raise contexts[0].error("needs the [[table]] (its phrases are the model's first evidence)", "pairs_file")
    if len(tables) > 1:
        raise tables[1].error("a second spun table would never be used", "table_file")
    table, files = None, []
    for e in tables:
        file = rules_dir / e["table_file"]
        files.append(file)
        phrases = {w["spun"]: (w["standard"], bool(w["despin"])) for w in load_word_list(file, SPUN_TABLE_FILE)}
        table = SpunTable(e.id, e.version, e["reason"], phrases, Literals(phrases),
                          Literals({v for v, _ in phrases.values()}), **_cases(e))
    context = None
    for e in contexts:
        pairs_file, weights_file = rules_dir / e["pairs_file"], rules_dir / e["weights_file"]
        words_file = rules_dir / e["words_file"]
        files += [pairs_file, weights_file, words_file]
        words = {w["spun"]: w["standard"] for w in load_word_list(pairs_file, SPUN_PAIRS_FILE) if w["half"] == "fit"}
        calibrated = {w["spun"]: bool(w["evidence"]) for w in load_word_list(words_file, SPUN_WORDS_FILE)}
        if set(calibrated) - set(words):
            raise e.error(f"{words_file.name} names spinner words the fit half lacks: "
                          f"{sorted(set(calibrated) - set(words))}", "words_file")
        # A word never calibrated (no ordinary use seen) counts.
        evidence_words = frozenset(w for w in words if calibrated.get(w, True))
        weights = {w["feature"]: float(w["weight"]) for w in load_word_list(weights_file, SPUN_WEIGHTS_FILE)}
        if set(weights) != set(SPUN_FEATURES):
            raise e.error(f"{weights_file.name} must weigh exactly the features {', '.join(SPUN_FEATURES)}",
                          "weights_file")
        context = SpunContext(e.id, e.version, e["reason"], words, evidence_words, weights, float(e["evidence_margin"]),
                              float(e["restore_margin"]), **_cases(e))
    rules = tuple(SpunRule(e.id, e.version, e["spun"], e["standard"], **_cases(e)) for e in entries)
    return rules, (*entries, *tables, *contexts), table, context, tuple(files)


def load_clean_rules(rules_dir: Path, lines: str, metadata: str, spam: str, spun: str) -> CleanRules:
    paths = [rules_dir / p for p in (lines, metadata, spam, spun)]
    line_rules, line_entries, view = load_line_rules(paths[0], rules_dir)
    extra_lines = tuple(dict.fromkeys(rules_dir / e["readings"] for e in line_entries if e["readings"]))
    fields, header, title, meta_entries, meta_text, byline = load_metadata_rules(paths[1])
    lexicons, domains, domain_rule, spam_lines, inline, extra, spam_entries, spam_text, classifier, shapes = load_spam_rules(
        paths[2], rules_dir)
    spun_rules, spun_entries, spun_table, spun_context, spun_files = load_spun_rules(paths[3], rules_dir)
    entries = (*line_entries, *meta_entries, *spam_entries, *spun_entries)
    check_unique_ids(entries)
    return CleanRules(line_rules, fields, header, title, lexicons, domains, domain_rule, spam_lines, inline,
                      spun_rules, tuple(paths) + extra_lines + extra + spun_files, {e.id: e for e in entries}, spam_text, meta_text, view,
                      byline, classifier, shapes, spun_table, spun_context)
