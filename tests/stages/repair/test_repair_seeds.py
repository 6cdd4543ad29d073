"""The repair stage on the seeds, against a reviewed golden file.

`tests/golden/seeds_repair.tsv` lists, per seed, every distinct change the
repair stage makes (rule, before, after, how often); each line was checked
by hand. Regenerate with
`python tests/stages/repair/test_repair_seeds.py > tests/golden/seeds_repair.tsv`, then
review the diff.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from conftest import RULES, SEEDS  # noqa: E402

# Golden files over the seeds: the whole repair stage on every seed.
pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "seeds_repair.tsv"


def repaired_seeds():
    from pipeline.run.config import load_config
    from pipeline.run.inputs import expand, read_inputs
    from pipeline.run.runner import Timings, process
    from pipeline.stages.registry import KNOWN_STAGES, build_stages

    config = load_config(RULES, tuple(KNOWN_STAGES))
    stages = build_stages(config, ["decode", "repair"])
    return [o.document for o in process(read_inputs(expand([SEEDS])), stages, Timings())]


def repair_table(docs) -> list[str]:
    from pipeline.core.document import apply_edits

    lines = ["doc_id\trule_id\tbefore\tafter\tcount"]
    for doc in docs:
        counts: Counter = Counter()
        text = doc.original
        for layer in doc.layers:
            for e in layer.edits:
                counts[(e.rule_id, text[e.start : e.end], e.replacement)] += 1
            text = apply_edits(text, layer.edits)
        if not counts:
            lines.append(f"{doc.doc_id}\t-\t-\t-\t0")
        for (rule, before, after), n in sorted(counts.items()):
            lines.append(f"{doc.doc_id}\t{rule}\t{_show(before)}\t{_show(after)}\t{n}")
    return lines


def _show(s: str) -> str:
    """Printable form for the golden file: invisible, private-use characters and U+FFFD as \\uXXXX."""
    return "".join(c if c.isprintable() and not (0xE000 <= ord(c) <= 0xF8FF) and c != "\ufffd" else f"\\u{ord(c):04x}" for c in s)


@pytest.fixture(scope="module")
def docs():
    return repaired_seeds()


def test_seeds_repair_as_reviewed(docs):
    expected = GOLDEN.read_text(encoding="utf-8").splitlines()
    assert repair_table(docs) == expected


def test_no_pinyin_annotation_is_left_in_the_seeds(docs):
    for doc in docs:
        left = re.findall(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)", doc.text)
        assert not [a for a in left if any(ord(c) > 0x7F for c in a)], (doc.doc_id, left[:5])


def test_survivors_in_parentheses_are_kept(docs):
    text = "\n".join(d.text for d in docs)
    for keep in ("(以下簡稱“中心”)", "(试行)》", "技術轉移中心(青島)有限公司", "致真精密儀器(青島)有限公司"):
        assert keep in text, keep


def test_repairing_the_repaired_seeds_changes_nothing(docs):
    from pipeline.core.document import Document
    from pipeline.stages.repair.stage import RepairStage

    stage = RepairStage({}, RULES)
    for doc in docs:
        again = stage(Document(doc_id=doc.doc_id, source="t", original=doc.text, text=doc.text))
        assert again.text == doc.text and again.layers == ()


def test_no_private_use_character_is_left_in_the_seeds(docs):
    for doc in docs:
        assert not re.search("[\ue000-\uf8ff]", doc.text), doc.doc_id


if __name__ == "__main__":
    print("\n".join(repair_table(repaired_seeds())))
