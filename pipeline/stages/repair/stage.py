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
from functools import cached_property
from importlib import resources
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Mapping

from pipeline.core.document import Document
from pipeline.stages.repair.base import Fixer
from pipeline.stages.repair.charlm import CHAR_LM, CharLM
from pipeline.stages.repair.frameshift import FrameshiftLMFixer, FrameshiftPinyinFixer
from pipeline.stages.repair.ftfy_fix import FtfyFixer
from pipeline.stages.repair.homoglyphs import HomoglyphFixer, load_homoglyphs
from pipeline.stages.repair.pinyin import PINYIN_TABLE, PinyinAnnotationFixer, PinyinTable
from pipeline.stages.repair.order import ORDER
from pipeline.stages.repair.roundtrip import GbkLatin1Fixer, Utf8GbkFixer
from pipeline.stages.repair.width import InvisibleFixer, WidthFixer
from pipeline.core.rules import RuleError, load_rules
from pipeline.core.stage import Assigns, Stage

DATA_FILES = (PINYIN_TABLE, CHAR_LM)
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


class RepairStage(Stage):
    name = "repair"
    version = 1
    assigns = Assigns(layer=True)
    defaults: Mapping[str, Any] = {
        "fixers": list(ORDER),
        "rules": "repair/fixers.toml",
        "homoglyphs": "repair/homoglyphs.toml",
        "min_confidence": 0.9,
        "min_gain": 3.0,
    }

    def __init__(self, settings: Mapping[str, Any], rules_dir: Path, cache_dir: Path | None = None):
        super().__init__(settings, rules_dir, cache_dir)
        self._names = self._check_fixers(self.settings["fixers"])
        self._check_numbers()
        self.rule_versions = {r.id: r.version for r in load_rules(self._path("rules"))}
        self._homoglyphs = load_homoglyphs(self._path("homoglyphs"))
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

    @cached_property
    def _fixers(self) -> list[Fixer]:
        return [self._build(name) for name in self._names]

    def _path(self, key: str) -> Path:
        return self.rules_dir / self.settings[key]

    def _check_fixers(self, names: Any) -> list[str]:
        where = self.rules_dir / "pipeline.toml"
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise RuleError(where, None, "[stages.repair] fixers must be a list of fixer names")
        unknown = [n for n in names if n not in ORDER]
        if unknown:
            raise RuleError(where, None, f"[stages.repair] unknown fixer(s) {', '.join(unknown)}; known: {', '.join(ORDER)}")
        if [n for n in ORDER if n in names] != names:
            raise RuleError(where, None, f"[stages.repair] fixers must keep this order (a subset is fine): {', '.join(ORDER)}")
        return names

    def _check_numbers(self) -> None:
        where = self.rules_dir / "pipeline.toml"
        conf, gain = self.settings["min_confidence"], self.settings["min_gain"]
        if not (isinstance(conf, (int, float)) and 0 < conf <= 1):
            raise RuleError(where, None, "[stages.repair] min_confidence must be a number in (0, 1]")
        if not (isinstance(gain, (int, float)) and gain >= 0):
            raise RuleError(where, None, "[stages.repair] min_gain must be a number >= 0")

    def _build(self, name: str) -> Fixer:
        conf, gain = float(self.settings["min_confidence"]), float(self.settings["min_gain"])
        builders = {
            "gbk_latin1": lambda: GbkLatin1Fixer(self._lm, gain),
            "ftfy": FtfyFixer,
            "invisible": InvisibleFixer,
            "utf8_gbk": lambda: Utf8GbkFixer(self._lm, gain, conf),
            "frameshift_pinyin": lambda: FrameshiftPinyinFixer(self._table, self._lm, conf),
            "frameshift_lm": lambda: FrameshiftLMFixer(self._table, self._lm, conf, gain),
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
