"""rules/ner/: gazetteers and patterns (JSONL, for spaCy's span_ruler) and org completion (TOML).

A JSONL line is one rule:
  {"id": "ner.gazetteer.org.ceyear", "version": 1, "label": "ORG",
   "pattern": "中电科思仪科技股份有限公司", "confidence": 0.98,
   "examples": ["..."], "counterexamples": ["..."]}
`pattern` is a phrase (matched character for character) or a spaCy token
pattern. The model's tokens are single characters, so in a token pattern a
`TEXT`/`ORTH` string of several characters stands for that many tokens:
{"TEXT": "政府"} is {"TEXT": "政"}, {"TEXT": "府"}. Token attributes the
patterns may use: TEXT/ORTH, TAG (the character's place in its jieba word and
the word's part of speech, e.g. `E-ns`; pipeline/stages/ner/features.py, without the
model's `|o` marks), LEMMA (the jieba word), OP. `after` (optional) is a list of words one of which must come right before the
match (spaces between allowed) without being part of it: a person's name after
a title, {"after": ["记者", "书记", "总工程师"], "pattern": [a jieba nr word]}.
`then` (optional, a regex) is the same on the right: it must match right after the match (a
company's short name before 旗下 or 股价, a maker's before a model number: 三星PL10). `except` (optional) lists texts the rule never gives (国家实验室 is a kind of
laboratory, not one). `whole_words` (optional, default false): the match stands
only where it starts and ends on jieba word boundaries (阿曼 the country, not in
阿曼达; 马里 not in 马里兰州). `strip_marks` (optional): the pattern takes in the marks
around a name (《金融时报》: a pattern that starts on 《 is cheap to run where one starting on any
character is not) and the name is what lies between them. `near` (optional, a regex) marks weak
evidence: a short name that is also an ordinary word (太阳能) stands only where `near` matches
within `near_window` characters of it (公司, 股价, a stock code), in its sentence unless
`near_sentence` is false (a team's nickname looks at the game report around it). `canonical` (optional) is
the full name a short form stands for (世卫组织 -> 世界卫生组织), given as value.canonical. `mask`
(optional) makes a rule that finds what is no name: the match takes part in the merge like a name
(so the shorter names inside it lose to it) and is then dropped (a fund product named after its
company, 华商盛世成长: the guide marks nothing there, not 华商, nor 华 as a place).
`examples` are texts the rule must match as a whole span of
(`{"text", "match"}` or a string matched whole); `counterexamples` texts it must
not match at all. `pipeline rules check` and tests/stages/ner/test_ner_rules.py run them.
Lines starting with `#` are comments.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.stages.ner.merge import Completion
from pipeline.core.patterns import longest_first
from pipeline.core.postags import JiebaTags
from pipeline.core.rules import Entry, check_unique_ids, load_jsonl_file, load_toml_file
from pipeline.core.schema import (
    Bool, Enum, Float, Int, JsonlFile, Kind, ListOf, Regex, Section, String, TomlFile, Value,
)

LABELS = ("PER", "LOC", "ORG")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
DEFAULT_CONFIDENCE = 0.95
# A token pattern whose first token is one of at most this many values is split into one pattern
# per value (NameRule.spacy_patterns).
EXPAND_FIRST = 8
_TOKEN_KEYS = {"TEXT", "ORTH", "TAG", "LEMMA", "OP"}
# The spaCy Token attribute a pattern key reads, as a string.
_TOKEN_ATTRS = {"TEXT": "text", "ORTH": "orth_", "TAG": "tag_", "LEMMA": "lemma_"}


def _pattern(value: Any) -> str | None:
    if isinstance(value, str):
        return None if value.strip() else "must not be empty (empty pattern)"
    if not (isinstance(value, list) and value and all(isinstance(t, dict) for t in value)):
        return "must be a phrase or a list of token patterns"
    for tok in value:
        bad = set(tok) - _TOKEN_KEYS
        if bad:
            return f"token attribute(s) {', '.join(sorted(bad))} not available; use {', '.join(sorted(_TOKEN_KEYS))}"
    try:
        expand_chars(value)
    except ValueError as exc:
        return str(exc)
    return None


def _example(value: Any) -> str | None:
    if isinstance(value, str) or (isinstance(value, dict) and set(value) == {"text", "match"}
                                  and all(isinstance(v, str) for v in value.values())):
        return None
    return 'an example is a text or {"text", "match"}'


NAME_RULE = Kind(
    "ner.name",
    "A gazetteer name or token pattern for spaCy's span_ruler (one JSONL line).",
    {
        "label": Enum(LABELS, "the entity label", required=True),
        "pattern": Value("a phrase (matched character for character) or a list of spaCy token patterns",
                         required=True, check=_pattern),
        "confidence": Float("the facts' confidence", default=DEFAULT_CONFIDENCE, above=0, maximum=1),
        "examples": ListOf(Value("a text matched whole, or {text, match}", check=_example),
                           "texts the rule must match"),
        "counterexamples": ListOf(String("a text"), "texts it must not match at all"),
        "after": ListOf(String("a word"), "one of these must come right before the match"),
        "then": Regex("must match right after the match (spaces skipped)"),
        "except": ListOf(String("a text"), "texts the rule never gives"),
        "whole_words": Bool("the match stands only on jieba word boundaries", default=False),
        "strip_marks": Bool("the match's first and last characters are marks around the name (《…》): "
                            "the name is what lies between", default=False),
        "near": Regex("weak evidence: the match stands only where this matches within `near_window` "
                      "characters before or after it"),
        "near_window": Int("characters around the match `near` looks at", default=12, minimum=1),
        "near_sentence": Bool("`near` looks within the match's sentence only (a team's nickname looks at "
                              "the game report around it: false)", default=True),
        "canonical": String("the full name the match stands for (the fact's value.canonical)"),
        "mask": Bool("the match is no name (a fund product named after its company: 华商盛世成长): it is "
                     "not given, and the names inside it (华 of 华商 as a place) go with it", default=False),
    },
    rule=True,
)
NAME_FILE = JsonlFile("ner names", "Gazetteers and token patterns of the ner stage.", NAME_RULE)

_WORDS = ListOf(String("a word"), "words")
COMPLETION = Kind("ner.completion", "Completion of organisation names to the right ([completion]).", {
    "confidence": Float("confidence of a completed name", required=True, minimum=0, maximum=1),
    "max_extension": Int("characters a name may grow", required=True, minimum=0),
    "max_verbs": Int("verbs a name may run through", required=True, minimum=0),
    "bare_suffix": Bool("whether a name directly followed by a bare suffix is completed", required=True),
    "clause_pos": JiebaTags("after a verb, a word with these tags starts a new clause"),
    "allowed_pos": JiebaTags("parts of speech a name may run through", required=True),
    "suffixes": ListOf(String("a suffix"), "organisation suffixes a completed name ends in", required=True),
    "not_suffix_words": ListOf(String("a word"), "words ending in a suffix that never end a name", required=True),
    "stop_words": Regex("words that end the extension (一家, 16家)"),
}, rule=True)
LEFT = Kind("ner.completion.left", "Company names grown leftwards from their suffix ([left]).", {
    "confidence": Float("confidence of such a name", required=True, minimum=0, maximum=1),
    "suffixes": ListOf(String("a suffix"), "company suffixes", required=True),
    "allowed_pos": JiebaTags("parts of speech the name grows through", required=True),
    "boundary_pos": JiebaTags("parts of speech a clean start stops at", required=True),
    "min_chars": Int("characters before the suffix, at least", required=True, minimum=0),
}, rule=True)
FILTER = Kind("ner.completion.filter", "Model names dropped or cut back first ([filter]).", {
    "pos": JiebaTags("a model name holding a word with these tags is dropped", required=True),
    "chars": String("a model name holding one of these characters is dropped", required=True),
    "org_end_pos": JiebaTags("an organisation ending in these after other words is cut back"),
    "country_generic": ListOf(String("a word"), "a country + one of these words is no organisation (美国大学)"),
    "country_rules": String("the id prefix of the rules that find countries", default=""),
    "damaged": String("marks of damaged text: a name holding or touching one is dropped", default=""),
    "latin_lowercase": Bool("drop model names of Latin letters that start lowercase", default=False),
    "latin_fragments": Bool("drop one-word Latin model names that are English stop words or have a Latin "
                            "word next to them", default=False),
    "not_names": ListOf(String("a text"), "model names with one of these texts are dropped: words the guide "
                        "does not mark although the model learnt them (内地)"),
})


def _anchored(v) -> str | None:
    if v["anchor"] is None and v["label"] is None:
        return None
    if v["anchor"] is None or v["label"] is None:
        return "an example with an anchor needs both `anchor` and `label`"
    if v["anchor"] not in v["text"]:
        return ("anchor", f"anchor {v['anchor']!r} is not in the text")
    return None


COMPLETION_EXAMPLE = Kind("ner.completion.example", "A completion example ([[example]]): text, name and, "
                          "for completion from a name, its anchor and label.", {
    "text": String("the text", required=True),
    "name": String("the name completion must give (\"\" for none)", required=True, non_empty=False),
    "anchor": String("the entity completion starts from (omit for company names grown leftwards)"),
    "label": Enum(LABELS, "the anchor's label"),
}, checks=(_anchored,))
DOTTED = Kind("ner.completion.dotted", "Foreign names joined across their dots ([dotted]).", {
    "confidence": Float("confidence of a name joined or trimmed at a dot", required=True, minimum=0, maximum=1),
    "dots": String("the dots that join the parts of a transcribed name", required=True),
    "chars": String("characters of transliterated names (built by scripts/build_ner_gazetteer.py --translit)",
                    default="", non_empty=False),
    "max_run": Int("characters taken in on the dot's other side, at most", required=True, minimum=1),
}, rule=True)
PROPAGATE = Kind("ner.completion.propagate", "A name found once stands at its other mentions ([propagate]).", {
    "confidence": Float("confidence of a name found at another mention", required=True, minimum=0, maximum=1),
    "min_chars": Int("the shortest name that is carried to its other mentions", required=True, minimum=1),
    "labels": ListOf(Enum(LABELS, "a label"), "labels whose names are carried", required=True),
    "min_confidence": Float("a name is carried when found once with this confidence or more", default=0.0,
                            minimum=0, maximum=1),
    "common_pos": JiebaTags("a mention that is one jieba word with one of these tags is not a name"),
}, rule=True)
COMPLETION_FILE = TomlFile("ner completion", "Organisation-name completion rules of the ner stage.", {
    "completion": Section(COMPLETION, required=True),
    "left": Section(LEFT, required=True),
    "filter": Section(FILTER, required=True),
    "dotted": Section(DOTTED),
    "propagate": Section(PROPAGATE),
    "example": Section(COMPLETION_EXAMPLE, array=True),
})


@dataclass(frozen=True)
class NameRule:
    id: str
    version: int
    label: str
    pattern: str | list[dict[str, Any]]
    confidence: float
    examples: tuple[Any, ...]
    counterexamples: tuple[str, ...]
    path: Path
    line: int
    after: tuple[str, ...] = ()
    excepted: frozenset[str] = frozenset()
    whole_words: bool = False
    strip_marks: bool = False
    near: Any = None  # re.Pattern
    near_window: int = 12
    canonical: str | None = None
    near_sentence: bool = True
    then: Any = None  # re.Pattern
    mask: bool = False

    def accepts(self, text: str, start: int, end: int, bounds: frozenset[int] | set[int] = frozenset(),
                context: bool = True) -> bool:
        """Whether a match at text[start:end] stands: `after` before it, not an `except` text,
        on word boundaries (`bounds`: the starts and ends of the jieba words) if
        `whole_words`, with `near` context if it is weak evidence (unless `context` is false: the
        caller looks for the context itself, e.g. around a whole list of names)."""
        if text[start:end] in self.excepted:
            return False
        if self.whole_words and not (start in bounds and end in bounds):
            return False
        if self.after:
            p = start  # the text before, trailing spaces skipped, without copying it (linear in matches)
            while p > 0 and text[p - 1].isspace():
                p -= 1
            if not text.endswith(self.after, 0, p):
                return False
        if self.then is not None:
            q = end
            while q < len(text) and text[q].isspace():
                q += 1
            if not self.then.match(text, q):
                return False
        if self.near is not None and context:
            return self.has_context(text, start, end)
        return True

    def has_context(self, text: str, start: int, end: int) -> bool:
        """Whether `near` matches within `near_window` characters before or after text[start:end]
        (true for a rule without `near`)."""
        if self.near is None:
            return True
        # Within the sentence: 公司 in the sentence before says nothing of this one.
        w = self.near_window
        left, right = text[max(0, start - w) : start], text[end : end + w]
        if self.near_sentence:
            left, right = _SENTENCE_END.split(left)[-1], _SENTENCE_END.split(right)[0]
        return bool(self.near.search(left) or self.near.search(right))

    def spacy_patterns(self) -> list[dict[str, Any]]:
        """The pattern as spaCy's span_ruler takes it (token patterns split into characters).

        spaCy starts every pattern at every character, and a first token's set or regex
        ({"IN": [...]}, {"NOT_IN": [...]}, {"REGEX": ...}) is a Python call there, where an exact
        value is compared in C. So the first token is made exact where it can be: one set of at
        most EXPAND_FIRST values becomes one pattern per value (not a long set: 66 patterns, the
        provinces of ner.pattern.abbrev_route, cost 7 times the one set's calls), and its other
        sets and regexes are checked on the match's first token afterwards (`first_token_ok`),
        when an exact value is left to start on. The same matches: the span_ruler keeps every
        match, so dropping one later is dropping it before. 300 news articles, CPU under load: the
        token patterns' matcher 2.6 s -> 1.45 s (the limit) -> 1.1 s (the checks after).
        """
        if isinstance(self.pattern, str):
            return [{"label": self.label, "pattern": self.pattern, "id": self.id}]
        _, *rest = expand_chars(self.pattern)
        return [{"label": self.label, "pattern": [f, *rest], "id": self.id} for f in self._first_split[0]]

    @functools.cached_property
    def _first_split(self) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        """(the first token as spaCy matches it, one dict per pattern; what is checked after)."""
        if isinstance(self.pattern, str):
            return [], {}
        first = expand_chars(self.pattern)[0]
        if "OP" in first:  # a match may start past it: nothing can be checked on the first token
            return [first], {}
        movable = {k: v for k, v in first.items() if isinstance(v, dict) and set(v) <= {"IN", "NOT_IN", "REGEX"}}
        split = next((k for k, v in movable.items() if list(v) == ["IN"] and len(v["IN"]) <= EXPAND_FIRST), None)
        exact = {k: v for k, v in first.items() if k not in movable}
        if split is None and not exact:  # a first token of sets only: spaCy must try them
            return [first], {}
        after = {k: v for k, v in movable.items() if k != split}
        firsts = [{**exact, split: v} for v in movable[split]["IN"]] if split else [exact]
        return firsts, after

    @functools.cached_property
    def _first_checks(self) -> tuple[tuple[str, str, Any], ...]:
        checks = []
        for key, spec in self._first_split[1].items():
            for op, arg in spec.items():
                checks.append((_TOKEN_ATTRS[key], op, re.compile(arg) if op == "REGEX" else frozenset(arg)))
        return tuple(checks)

    def first_token_ok(self, token) -> bool:
        """Whether the first token of a match passes the sets and regexes spacy_patterns took
        out of the pattern (spaCy's own tests: a regex searches, a set holds the exact value)."""
        for attr, op, arg in self._first_checks:
            value = getattr(token, attr)
            if op == "IN" and value not in arg or op == "NOT_IN" and value in arg \
                    or op == "REGEX" and not arg.search(value):
                return False
        return True


def expand_chars(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """{"TEXT": "政府"} -> {"TEXT": "政"}, {"TEXT": "府"}; other token dicts unchanged."""
    out = []
    for tok in tokens:
        key = next((k for k in ("TEXT", "ORTH") if isinstance(tok.get(k), str)), None)
        if key is None or len(tok[key]) == 1:
            out.append(tok)
            continue
        chars = [{**tok, key: ch} for ch in tok[key]]
        if "OP" in tok:
            raise ValueError(f"an OP cannot apply to several characters: {tok}")
        out.extend(chars)
    return out


def load_name_rules(paths: list[Path]) -> list[NameRule]:
    entries = [e for path in paths for e in load_jsonl_file(path, NAME_FILE)]
    check_unique_ids(entries)
    return [_name_rule(e) for e in entries]


def _name_rule(e: Entry) -> NameRule:
    return NameRule(e.id, e.version, e["label"], e["pattern"], float(e["confidence"]), tuple(e["examples"]),
                    tuple(e["counterexamples"]), e.path, e.line, tuple(e["after"]), frozenset(e["except"]),
                    e["whole_words"], e["strip_marks"], e["near"], e["near_window"], e["canonical"],
                    e["near_sentence"], e["then"], e["mask"])


def load_completion(path: Path) -> tuple[Completion, list[dict[str, str]]]:
    """The completion rules and their examples from org_suffixes.toml: {text, anchor, label, name}
    for completion from a name (step 2), {text, name} for company names grown leftwards (step 3)."""
    completion, examples = load_completion_entries(path)
    return completion, [{k: v for k, v in e.values.items() if v is not None} for e in examples]


def load_completion_entries(path: Path) -> tuple[Completion, tuple[Entry, ...]]:
    loaded = load_toml_file(path, COMPLETION_FILE)
    c, left, filt = (loaded.tables[k] for k in ("completion", "left", "filter"))
    dotted = loaded.tables.get("dotted")
    prop = loaded.tables.get("propagate")
    completion = Completion(
        id=c.id,
        version=c.version,
        confidence=float(c["confidence"]),
        max_extension=c["max_extension"],
        max_verbs=c["max_verbs"],
        bare_suffix=c["bare_suffix"],
        clause_pos=frozenset(c["clause_pos"]),
        allowed_pos=frozenset(c["allowed_pos"]),
        # Longest first, so 股份有限公司 is tried before 公司.
        suffixes=tuple(longest_first(c["suffixes"])),
        not_suffix_words=tuple(c["not_suffix_words"]),
        left_id=left.id,
        left_version=left.version,
        left_confidence=float(left["confidence"]),
        left_suffixes=tuple(longest_first(left["suffixes"])),
        left_allowed_pos=frozenset(left["allowed_pos"]),
        left_boundary_pos=frozenset(left["boundary_pos"]),
        left_min_chars=left["min_chars"],
        filter_pos=frozenset(filt["pos"]),
        filter_chars=frozenset(filt["chars"]),
        filter_org_end_pos=frozenset(filt["org_end_pos"]),
        damaged=frozenset(filt["damaged"]),
        latin_lowercase=filt["latin_lowercase"], latin_fragments=filt["latin_fragments"],
        dotted_id=dotted.id if dotted else "", dotted_version=dotted.version if dotted else 1,
        dotted_confidence=float(dotted["confidence"]) if dotted else 0.0,
        dotted_dots=frozenset(dotted["dots"]) if dotted else frozenset(),
        dotted_chars=frozenset(dotted["chars"]) if dotted else frozenset(),
        dotted_max_run=dotted["max_run"] if dotted else 0,
        country_generic=tuple(filt["country_generic"]), country_rules=filt["country_rules"],
        propagate_id=prop.id if prop else "", propagate_version=prop.version if prop else 1,
        propagate_confidence=float(prop["confidence"]) if prop else 0.0,
        propagate_min_chars=prop["min_chars"] if prop else 0,
        propagate_labels=frozenset(prop["labels"]) if prop else frozenset(),
        propagate_min_confidence=float(prop["min_confidence"]) if prop else 0.0,
        propagate_common_pos=frozenset(prop["common_pos"] or ()) if prop else frozenset(),
        not_names=frozenset(filt["not_names"]),
        stop_words=c["stop_words"],
    )
    return completion, loaded.arrays["example"]
