"""The seeds' facts against the reviewed golden file.

`tests/golden/seeds_facts.tsv` lists every fact the extractors find in the
seeds (type, span in the original file, surface, value, rule); each line was
checked by hand against the article. `tests/golden/seeds_facts_missed.tsv` lists
what a careful reader would also expect and the extractors still miss, one case
a line, run as strict expected failures (`tests/missed.py`);
`seeds_facts_missed.md` is the review around them.

The seeds run through decode, repair, convert, segment and extract (not
clean, whose line removals would move facts in and out while it evolves),
with the published dates of `tests/golden/seeds_published.json` standing in
for what clean lifts from the headers. Spans are in the original file, which
no stage changes; a change upstream that moves a fact shows as a diff here. Regenerate with
`python tests/stages/extract/test_extract_seeds.py > tests/golden/seeds_facts.tsv`, then
review the diff line by line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from conftest import RULES, SEEDS  # noqa: E402
import missed  # noqa: E402

# Five stages over the seeds: not in `make quick`.
pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "seeds_facts.tsv"
MISSED = GOLDEN.with_name("seeds_facts_missed.tsv")
PUBLISHED = Path(__file__).resolve().parents[2] / "golden" / "seeds_published.json"
# Every stage up to extract but clean: clean lifts headers and drops lines, which would move
# facts in and out as it evolves; the published dates below stand in for what it lifts.
STAGES = ["decode", "repair", "convert", "segment", "extract"]
COLUMNS = ["doc_id", "type", "orig_start", "orig_end", "original", "text", "value", "rule_id", "sentence"]


def seed_documents():
    from dataclasses import replace

    from pipeline.run.config import load_config
    from pipeline.run.inputs import expand, read_inputs
    from pipeline.run.runner import Pipeline
    from pipeline.stages.registry import KNOWN_STAGES, build_stages

    published = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    config = load_config(RULES, tuple(KNOWN_STAGES))
    pipeline = Pipeline(build_stages(config, [s for s in STAGES if s in KNOWN_STAGES]))
    for record in read_inputs(expand([SEEDS])):
        if record.doc_id in published:
            record = replace(record, meta={**record.meta, "published_at": published[record.doc_id]})
        outcome = pipeline.process_one(record)
        assert outcome.document is not None, outcome.error
        yield outcome.document


def facts_table(docs) -> list[str]:
    lines = ["\t".join(COLUMNS)]
    for doc in docs:
        for f in doc.facts:
            value = json.dumps(dict(f.value), ensure_ascii=False, sort_keys=True)
            original = doc.original[f.orig_start : f.orig_end].replace("\n", "\\n")
            lines.append("\t".join(map(str, [doc.doc_id, f.type, f.orig_start, f.orig_end, original, f.text,
                                             value, f.rule_id, f.sentence])))
    return lines


@pytest.fixture(scope="module")
def docs():
    return list(seed_documents())


@pytest.fixture(scope="module")
def table(docs):
    return facts_table(docs)


def test_seed_facts_as_reviewed(table):
    expected = GOLDEN.read_text(encoding="utf-8").splitlines()
    assert table == expected


def test_every_fact_points_at_its_text_in_the_original(docs):
    for doc in docs:
        for f in doc.facts:
            assert doc.text[f.start : f.end] == f.text
            assert 0 <= f.orig_start < f.orig_end <= len(doc.original)
            assert doc.from_original(f.orig_start, f.orig_end) == (f.start, f.end)


@pytest.mark.parametrize("case", missed.load(MISSED))
def test_known_misses_are_still_missed(case, docs):
    missed.check(case, docs)


if __name__ == "__main__":
    print("\n".join(facts_table(seed_documents())))
