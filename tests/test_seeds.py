"""The seeds against reviewed golden files.

`tests/golden/seeds_convert.tsv` lists, per seed, every distinct change the
convert stage makes (rule, before, after, how often); each line was checked by
hand against the mainland standard. Regenerate with
`python tests/test_seeds.py > tests/golden/seeds_convert.tsv`, then review the diff.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import RULES, SEEDS  # noqa: E402

GOLDEN = Path(__file__).resolve().parent / "golden" / "seeds_convert.tsv"


def convert_table() -> list[str]:
    from pipeline.run.config import load_config
    from pipeline.run.inputs import expand, read_inputs
    from pipeline.run.runner import Timings, process
    from pipeline.stages.registry import KNOWN_STAGES, build_stages

    config = load_config(RULES, tuple(KNOWN_STAGES))
    stages = build_stages(config, ["decode", "convert"])
    lines = ["doc_id\tencoding\trule_id\tbefore\tafter\tcount"]
    for outcome in process(read_inputs(expand([SEEDS])), stages, Timings()):
        doc = outcome.document
        counts = Counter(
            (e.rule_id, doc_text_before(doc, i, e), e.replacement)
            for i, layer in enumerate(doc.layers) for e in layer.edits
        )
        if not counts:
            lines.append(f"{doc.doc_id}\t{doc.meta['encoding']}\t-\t-\t-\t0")
        for (rule, before, after), n in sorted(counts.items()):
            lines.append(f"{doc.doc_id}\t{doc.meta['encoding']}\t{rule}\t{before}\t{after}\t{n}")
    return lines


def doc_text_before(doc, index, edit):
    from pipeline.core.document import apply_edits

    text = doc.original
    for layer in doc.layers[:index]:
        text = apply_edits(text, layer.edits)
    return text[edit.start : edit.end]


@pytest.fixture(scope="module")
def table():
    return convert_table()


def test_seeds_convert_as_reviewed(table):
    expected = GOLDEN.read_text(encoding="utf-8").splitlines()
    assert table == expected


def test_seed_copies_are_byte_for_byte():
    shared = SEEDS.parent.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds not beside the checkout")
    for f in shared.glob("*.txt"):
        assert (SEEDS / f.name).read_bytes() == f.read_bytes()


if __name__ == "__main__":
    print("\n".join(convert_table()))
