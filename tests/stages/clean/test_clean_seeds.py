"""The seeds through the clean stage, against reviewed golden files.

`tests/golden/seeds_clean.tsv` lists every non-blank line of every seed (as the
clean stage sees it: after the stages before it) with what clean did to it
(keep, remove, edit) and why (rule id); `seeds_clean_meta.tsv` the metadata,
scores and flags. Each line was reviewed by hand. The first line of the lines
file names the stages the goldens were made with; the test runs exactly those,
so another stage landing does not change what is compared. Regenerate with
`python tests/stages/clean/test_clean_seeds.py` (it writes both files), then review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from conftest import RULES, SEEDS  # noqa: E402

# Golden files over the seeds: the stages up to clean on every seed.
pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
LINES = GOLDEN / "seeds_clean.tsv"
META = GOLDEN / "seeds_clean_meta.tsv"
META_FIELDS = ("title", "published_at", "author", "news_source", "news_sources", "original_title", "editor", "spam_ratio",
               "spun_score")
SHOWN = 60


def golden_stages() -> list[str]:
    first = LINES.read_text(encoding="utf-8").splitlines()[0]
    return first.removeprefix("# stages: ").split(",")


def current_stages() -> list[str]:
    from pipeline.run.config import load_config
    from pipeline.stages.registry import KNOWN_STAGES

    config = load_config(RULES, tuple(KNOWN_STAGES))
    return list(config.stages[: config.stages.index("clean") + 1])


def tables(stages: list[str]) -> tuple[list[str], list[str]]:
    from pipeline.run.config import load_config
    from pipeline.run.inputs import expand, read_inputs
    from pipeline.run.runner import Timings, process
    from pipeline.stages.registry import KNOWN_STAGES, build_stages

    config = load_config(RULES, tuple(KNOWN_STAGES))
    before = build_stages(config, stages[:-1])
    (clean,) = build_stages(config, ["clean"])
    lines = [f"# stages: {','.join(stages)}", "doc_id\tline\taction\trule_id\tchars\ttext"]
    meta = ["doc_id\tfield\tvalue"]
    for outcome in process(read_inputs(expand([SEEDS])), before, Timings()):
        doc, result = clean.run(outcome.document)
        blank_removed = 0
        for line in result.lines:
            why = result.removed.get(line.index)
            if line.blank:
                blank_removed += why is not None
                continue
            shown = line.plain[:SHOWN] + ("…" if len(line.plain) > SHOWN else "")
            if why is not None:
                lines.append(f"{doc.doc_id}\t{line.index + 1}\tremove\t{why.rule_id}\t{len(line.raw)}\t{shown}")
                for a, b, rule_id in result.inline.get(line.index, ()):
                    lines.append(f"{doc.doc_id}\t{line.index + 1}\tphrase\t{rule_id}\t{b - a}\t{line.raw[a:b]}")
            elif line.index in result.inline or line.index in result.bylines or line.index in result.tails:
                spans = [*result.inline.get(line.index, ()),
                         *((x.start, x.end, "clean.meta.byline") for x in result.bylines.get(line.index, ())),
                         *([result.tails[line.index]] if line.index in result.tails else [])]
                for a, b, rule_id in sorted(spans):
                    lines.append(f"{doc.doc_id}\t{line.index + 1}\tedit\t{rule_id}\t{b - a}\t{line.raw[a:b]}")
            else:
                lines.append(f"{doc.doc_id}\t{line.index + 1}\tkeep\t-\t{len(line.raw)}\t{shown}")
        lines.append(f"{doc.doc_id}\t-\tblank-lines-removed\tclean.layout.blank\t{blank_removed}\t-")
        for name in META_FIELDS:
            if doc.meta.get(name) is not None:
                meta.append(f"{doc.doc_id}\t{name}\t{doc.meta[name]}")
        flags = {k: v for k, v in doc.flags.items() if k in ("spam", "spun", "clean_empty")}
        meta.append(f"{doc.doc_id}\tflags\t{sorted(flags.items())}")
    return lines, meta


@pytest.fixture(scope="module")
def generated():
    from pipeline.stages.registry import KNOWN_STAGES

    stages = golden_stages()
    missing = [s for s in stages if s not in KNOWN_STAGES]
    if missing:
        pytest.fail(f"goldens were made with stage(s) {missing} this checkout does not have; regenerate them")
    return tables(stages)


def test_seed_lines_as_reviewed(generated):
    assert generated[0] == LINES.read_text(encoding="utf-8").splitlines()


def test_seed_metadata_as_reviewed(generated):
    assert generated[1] == META.read_text(encoding="utf-8").splitlines()


def test_seed_000_metadata_from_the_issue(generated):
    meta = dict(tuple(row.split("\t")[1:]) for row in generated[1] if row.startswith("000_"))
    assert meta["published_at"] == "2024-04-25T11:36"
    # The header line names the reporter; the dateline's byline (记者 韩彤彤 通讯员 薛笑飞) adds
    # the correspondent (issue 21: every name of a byline is lifted).
    assert meta["author"] == "韩彤彤、薛笑飞"
    assert meta["news_source"] == "青岛新闻网"


if __name__ == "__main__":
    lines, meta = tables(current_stages())
    LINES.write_text("\n".join(lines) + "\n", encoding="utf-8")
    META.write_text("\n".join(meta) + "\n", encoding="utf-8")
    print(f"wrote {LINES} ({len(lines)} rows) and {META} ({len(meta)} rows) with stages {current_stages()}")
