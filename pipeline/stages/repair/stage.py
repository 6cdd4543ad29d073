"""repair: mojibake and character damage, fixer by fixer (`pipeline.stages.repair`).

Each fixer adds its own layer of edits with its own rule ids, so `explain`
and `edits.parquet` show which fixer changed what; the order is
`pipeline.stages.repair.order.ORDER` (the reasons are written there). Flags
count each fixer's edits (`repair_<fixer>`), characters that could not be
recovered (`repair_unrecoverable`, U+FFFD put in their place) and ASCII `?`
left in the text (`repair_question_marks`: a lost character or a question
mark folded to ASCII; the stage cannot always tell which).
"""

from __future__ import annotations

import hashlib
import time
from functools import cached_property
from importlib import resources
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Mapping

from pipeline.core.document import Document
from pipeline.stages.repair.base import Fixer
from pipeline.stages.repair.charlm import CHAR_LM, CharLM
from pipeline.stages.repair.charngram import CHAR_NGRAM, CharNgram
from pipeline.stages.repair.frameshift import FrameshiftLMFixer, FrameshiftPinyinFixer
from pipeline.stages.repair.ftfy_fix import FtfyFixer
from pipeline.stages.repair.homoglyphs import HomoglyphFixer
from pipeline.stages.repair.pinyin import PINYIN_TABLE, PinyinAnnotationFixer, PinyinTable
from pipeline.stages.repair.order import ORDER
from pipeline.stages.repair.roundtrip import GbkLatin1Fixer, Utf8GbkFixer
from pipeline.stages.repair.width import InvisibleFixer, WidthFixer
from pipeline.core.examples import is_pair, pair_cases
from pipeline.core.literal import load_literals
from pipeline.core.rules import RuleError, check_unique_ids, load_toml_file
from pipeline.core.schema import Cases, Enum, Float, Kind, ListOf, Section, String, TomlFile
from pipeline.core.stage import Assigns, Stage

NAME_CHARS = "data/name_chars.tsv"
DATA_FILES = (PINYIN_TABLE, CHAR_LM, CHAR_NGRAM, NAME_CHARS)
# Fixers that read the pinyin table, and those that also need the character model.
# The rule ids each fixer can emit, known without building it.
FIXER_RULE_IDS: Mapping[str, tuple[str, ...]] = {
    "gbk_latin1": GbkLatin1Fixer.rule_ids,
    "ftfy": FtfyFixer.rule_ids,
    "invisible": InvisibleFixer.rule_ids,
    "utf8_gbk": Utf8GbkFixer.rule_ids,
    "frameshift_pinyin": FrameshiftPinyinFixer.rule_ids,
    "frameshift_lm": FrameshiftLMFixer.rule_ids,
    "pinyin": PinyinAnnotationFixer.rule_ids,
    "width": WidthFixer.rule_ids,
}
_NEEDS_TABLE = frozenset({"frameshift_pinyin", "frameshift_lm", "pinyin"})
_NEEDS_LM = frozenset({"gbk_latin1", "utf8_gbk", "frameshift_pinyin", "frameshift_lm"})
# Passes of the whole fixer chain; real text settles in one or two.
_MAX_PASSES = 4

FIXER_RULE = Kind(
    "repair.fixer",
    "A rule id a repair fixer emits, with its version and examples run through the whole stage.",
    {
        "fixer": Enum([n for n in ORDER if n != "homoglyphs"], "the fixer that emits it", required=True),
        "examples": Cases("[input, expected output of the repair stage] pairs where the rule fires", is_pair),
        "counterexamples": Cases("[input, expected output] pairs where it must not fire", is_pair),
    },
    rule=True,
)
FIXERS_FILE = TomlFile("repair fixers", "Rule ids of the repair stage's fixers ([[rule]]).",
                       {"rule": Section(FIXER_RULE, array=True)})


def _fixer_order(names) -> str | None:
    if [n for n in ORDER if n in names] != list(names):
        return f"must keep this order (a subset is fine): {', '.join(ORDER)}"
    return None


class RepairStage(Stage):
    name = "repair"
    # 2: lost characters only letters the model is sure of (never punctuation);
    # chosen by the 4-gram model with three characters of context a side.
    # 3: common punctuation when the model is all but certain; lone `?` read.
    # 4: runs with no mark at either end (`repair.frameshift.quiet`); a lost
    # character beside name characters needs share 0.99.
    version = 4
    assigns = Assigns(layer=True)
    settings_kind = Kind("settings.repair", "Settings of the repair stage ([stages.repair]).", {
        "fixers": ListOf(Enum(ORDER, "a fixer"), "fixers to run, in the fixed order (a subset may be listed)",
                         default=list(ORDER), check=_fixer_order),
        "rules": String("rule ids, versions and examples of the fixers, relative to rules/",
                        default="repair/fixers.toml"),
        "homoglyphs": String("the homoglyph table (literal replacements), relative to rules/",
                             default="repair/homoglyphs.toml"),
        # 0.9: on half of the held-out news (eval/repair.py, tune part) the
        # 4-gram model's wrong choices are 1.1% of the characters it shows there.
        "min_confidence": Float("share of the candidates' probability a character the model chooses needs",
                                default=0.9, above=0, maximum=1),
        "min_gain": Float("nats per character a repair without evidence must gain", default=3.0, minimum=0),
    })

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        super().__init__(settings, rules_dir, cache_dir)
        self._names = list(self.settings["fixers"])
        self._rules = load_toml_file(self._path("rules"), FIXERS_FILE).arrays["rule"]
        self.rule_versions = {r.id: r.version for r in self._rules}
        self._homoglyph_rules, self._homoglyphs = load_literals(self._path("homoglyphs"))
        check_unique_ids([*self._rules, *self._homoglyph_rules])
        for name in self._names:
            if name == "homoglyphs":
                continue  # its rules are the table's own entries
            missing = [r for r in FIXER_RULE_IDS[name] if r not in self.rule_versions]
            if missing:
                raise RuleError(
                    self._path("rules"), None,
                    f"fixer {name!r} emits rule id(s) {', '.join(missing)} not declared here",
                )

    # Loaded on first use: the language model and pinyin table take most of a
    # second, which a run answered from the cache never needs.
    @cached_property
    def _table(self) -> PinyinTable | None:
        return PinyinTable.load() if _NEEDS_TABLE.intersection(self._names) else None

    @cached_property
    def _lm(self) -> CharLM | None:
        return CharLM.load() if _NEEDS_LM.intersection(self._names) else None

    # The 4-gram model chooses lost characters; loaded only when a document has one.
    @cached_property
    def _ngram(self) -> CharNgram:
        return CharNgram.load(self._lm)

    # Characters mostly written inside names: a lost character beside them needs a stricter share.
    @cached_property
    def _name_chars(self) -> frozenset[str]:
        raw = resources.files("pipeline.stages.repair").joinpath(NAME_CHARS).read_text(encoding="utf-8")
        return frozenset(line.split("\t", 1)[0] for line in raw.splitlines() if line and not line.startswith("#"))

    def _ngram_model(self) -> CharNgram:
        return self._ngram

    def load_data(self) -> dict[str, float]:
        """Loads now what otherwise loads on first use (the pinyin table, the bigram
        model, the fixers and the 4-gram model), and returns the seconds each took.

        For benchmarks, which time documents, not loads: the first document
        with damage would otherwise carry a few seconds of loading.
        """
        seconds = {}
        for name in ("_table", "_lm", "_fixers", "_ngram"):
            if name == "_ngram" and self._lm is None:
                continue  # no fixer that chooses characters
            t0 = time.perf_counter()
            getattr(self, name)
            seconds[name.lstrip("_")] = time.perf_counter() - t0
        return seconds

    @cached_property
    def _fixers(self) -> list[Fixer]:
        return [self._build(name) for name in self._names]

    def _path(self, key: str) -> Path:
        return self.rules_dir / self.settings[key]

    def _build(self, name: str) -> Fixer:
        conf, gain = float(self.settings["min_confidence"]), float(self.settings["min_gain"])
        builders = {
            "gbk_latin1": lambda: GbkLatin1Fixer(self._lm, gain),
            "ftfy": FtfyFixer,
            "invisible": InvisibleFixer,
            "utf8_gbk": lambda: Utf8GbkFixer(self._lm, gain, conf, self._ngram_model),
            "frameshift_pinyin": lambda: FrameshiftPinyinFixer(self._table, self._lm, conf, self._ngram_model),
            "frameshift_lm": lambda: FrameshiftLMFixer(self._table, self._lm, conf, gain, self._ngram_model, self._name_chars),
            "pinyin": lambda: PinyinAnnotationFixer(self._table),
            "homoglyphs": lambda: HomoglyphFixer(self._homoglyphs),
            "width": WidthFixer,
        }
        return builders[name]()

    def rule_files(self) -> tuple[Path, ...]:
        return (self._path("rules"), self._path("homoglyphs"))

    def libraries(self) -> dict[str, str]:
        data = {
            f: hashlib.sha256(resources.files("pipeline.stages.repair").joinpath(f).read_bytes()).hexdigest()[:16]
            for f in DATA_FILES
        }
        return {"ftfy": package_version("ftfy"), **data}

    def example_cases(self, prepare) -> list:
        """[input, expected output] through the whole stage: the rule fires on examples only."""
        return pair_cases((*self._rules, *self._homoglyph_rules), self, prepare)

    def __call__(self, doc: Document) -> Document:
        counts: dict[str, int] = {}
        # A repair can expose damage an earlier fixer would have fixed
        # (removing U+200B from `Ã\u200b©` makes mojibake ftfy knows), so the
        # fixers run again while a pass changes something: repairing repaired
        # text must change nothing. Undamaged text takes one pass.
        for _ in range(_MAX_PASSES):
            changed = False
            for fixer in self._fixers:
                edits = fixer.edits(doc.text)
                if edits:
                    before = len(doc.layers)
                    doc = doc.with_edits(self.name, edits)
                    if len(doc.layers) > before:
                        key = f"repair_{fixer.name}"
                        counts[key] = counts.get(key, 0) + len(doc.layers[-1].edits)
                        changed = True
            if not changed:
                break
        counts["repair_unrecoverable"] = doc.text.count("\ufffd") - doc.original.count("\ufffd")
        counts["repair_question_marks"] = doc.text.count("?")
        return doc.with_flags(**{k: max(0, v) for k, v in counts.items()})
