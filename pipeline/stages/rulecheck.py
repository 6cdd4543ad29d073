"""`pipeline rules check`: load every rule file of every configured stage and run every example.

Each stage is built on its own, so one stage's broken file does not hide
another's; every problem is a `file:line: message` line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.document import Document
from pipeline.core.rules import RuleError
from pipeline.core.stage import Stage
from pipeline.run.config import load_config
from pipeline.stages.registry import KNOWN_STAGES


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    files: set[Path] = field(default_factory=set)
    rules: set[str] = field(default_factory=set)
    examples: int = 0
    examples_run: bool = True

    def summary(self) -> str:
        if not self.examples_run:
            return f"{len(self.files)} rule files loaded (examples not run)"
        return (f"{len(self.files)} rule files, {len(self.rules)} rules with examples, "
                f"{self.examples} examples and counterexamples checked")


def check_rules(rules_dir: Path, examples: bool = True) -> CheckReport:
    """Every problem with the rules in `rules_dir`; a broken pipeline.toml raises RuleError.

    With `examples=False` the files are only loaded and validated (the
    examples take nearly all the time).
    """
    config = load_config(rules_dir, tuple(KNOWN_STAGES))
    report = CheckReport(files={config.path}, examples_run=examples)
    stages: dict[str, Stage] = {}
    for name in config.stages:
        try:
            stages[name] = KNOWN_STAGES[name](config.settings.get(name, {}), config.rules_dir)
        except RuleError as exc:
            report.problems.extend(str(e) for e in exc.errors)
    for name, stage in stages.items():
        report.files.update(stage.rule_files())
        if not examples:
            continue
        needed = [stages.get(n) or KNOWN_STAGES[n]({}, config.rules_dir) for n in stage.examples_need]

        def prepare(doc: Document, needed=needed) -> Document:
            for before in needed:
                doc = before(doc)
            return doc

        for case in stage.example_cases(prepare):
            report.examples += 1
            report.rules.add(case.rule_id)
            problem = case.failure()
            if problem:
                report.problems.append(problem)
    return report


def rule_file_schemas() -> dict[str, tuple]:
    """The layouts (TomlFile, JsonlFile, WordList) of every rule file, by stage, settings first.

    For the rule-kind reference: each layout's kinds have a name and a
    one-line description, each field a doc string.
    """
    from pipeline.core.literal import LITERAL_FILE
    from pipeline.run.config import CONFIG_FILE
    from pipeline.stages.clean import ruleset as clean
    from pipeline.stages.extract.approx import APPROX_FILE
    from pipeline.stages.extract.region import REGION_FILE
    from pipeline.stages.extract.stage import EXTRACTORS
    from pipeline.stages.ner import rulefile as ner
    from pipeline.stages.ner.abbrev import ABBREV_FILE
    from pipeline.stages.repair.stage import FIXERS_FILE
    from pipeline.stages.segment import stage as segment

    files = {
        "pipeline": (CONFIG_FILE,),
        "repair": (FIXERS_FILE, LITERAL_FILE),
        "convert": (LITERAL_FILE,),
        "clean": (clean.LINES_FILE, clean.METADATA_FILE, clean.SPAM_FILE, clean.SPUN_FILE, clean.LEXICON_FILE,
                  clean.DOMAINS_FILE, clean.PHRASES_FILE, clean.READINGS_FILE, clean.WEIGHTS_FILE,
                  clean.SPUN_TABLE_FILE, clean.SPUN_PAIRS_FILE, clean.SPUN_WEIGHTS_FILE, clean.SPUN_WORDS_FILE),
        "segment": (segment.SENTENCES_FILE, segment.USER_WORDS_FILE),
        "ner": (ner.NAME_FILE, ner.COMPLETION_FILE, ABBREV_FILE),
        "extract": (*(cls.schema() for cls in EXTRACTORS.values()), APPROX_FILE, REGION_FILE),
    }
    out = {}
    # Every registered stage, so one with settings but no rule files (decode) is listed too.
    for name in [*files, *(n for n in KNOWN_STAGES if n not in files)]:
        settings = getattr(KNOWN_STAGES.get(name), "settings_kind", None)
        out[name] = (*((settings,) if settings else ()), *files.get(name, ()))
    return out
