"""pipeline.inspect.folder: the one run-folder reader behind load_run and diff, and its errors."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.inspect.diff import diff_runs
from pipeline.inspect.folder import RunFolderError, RunSchemaError, read_manifest, read_table, run_folder
from pipeline.inspect.load import load_run

from report_runs import as_older_run, manifest, write_run


@pytest.fixture
def run(tmp_path):
    return write_run(tmp_path / "run")


@pytest.mark.parametrize("reader", [load_run, lambda p: diff_runs(p, p), run_folder])
def test_every_reader_says_what_is_not_a_run_folder(tmp_path, reader):
    with pytest.raises(RunFolderError, match="not a run folder: no such folder"):
        reader(tmp_path / "missing")
    with pytest.raises(RunFolderError, match="documents.parquet and manifest.json missing"):
        reader(tmp_path)
    (tmp_path / "documents.parquet").write_bytes(b"")
    with pytest.raises(RunFolderError, match="not a run folder: manifest.json missing"):
        reader(tmp_path)


def test_manifest_must_be_a_json_object(run):
    (run / "manifest.json").write_text("[1]", encoding="utf-8")
    with pytest.raises(RunSchemaError, match="manifest.json: expected a JSON object"):
        read_manifest(run)


def test_selected_columns_are_checked_and_missing_ones_come_back_as_nulls(run):
    table = pq.read_table(run / "facts.parquet")
    pq.write_table(table.drop_columns(["confidence"]), run / "facts.parquet")
    got = read_table(run, "facts.parquet", ["fact_id", "confidence"])
    assert got.column_names == ["fact_id", "confidence"] and got["confidence"].null_count == len(got)
    pq.write_table(table.set_column(table.column_names.index("start"), "start",
                                    pa.array([str(v) for v in table["start"].to_pylist()])), run / "facts.parquet")
    with pytest.raises(RunSchemaError, match="column 'start' is string, expected int64"):
        read_table(run, "facts.parquet", ["fact_id", "start"])
    read_table(run, "facts.parquet", ["fact_id"])  # a damaged column not asked for is not read


def test_a_table_a_run_did_not_write_is_empty_with_its_schema(run):
    as_older_run(run)  # a run of a version that did not write edits (nor record its tables)
    (run / "edits.parquet").unlink()
    assert read_table(run, "edits.parquet").num_rows == 0
    assert diff_runs(run, run)["counts"]["facts_added"] == 0


def test_the_manifest_records_every_table_committed_before_it(run):
    tables = manifest(run)["tables"]
    assert sorted(tables) == ["documents.parquet", "edits.parquet", "errors.jsonl", "facts.jsonl", "facts.parquet"]
    assert tables["documents.parquet"]["rows"] == 4 and tables["errors.jsonl"]["rows"] == 1
    for name, record in tables.items():
        assert record["bytes"] == (run / name).stat().st_size
        assert (run / name).stat().st_mtime_ns <= (run / "manifest.json").stat().st_mtime_ns


@pytest.mark.parametrize("reader", [load_run, lambda p: diff_runs(p, p), run_folder])
def test_every_reader_refuses_tables_that_are_not_the_manifests(tmp_path, reader):
    """An interrupted rerun must not pass off another run's tables as this manifest's."""
    run = write_run(tmp_path / "run")
    other = write_run(tmp_path / "other", 2)
    (run / "facts.parquet").write_bytes((other / "facts.parquet").read_bytes())
    with pytest.raises(RunFolderError, match=r"mixes runs: facts.parquet is [\d,]+ bytes, its manifest "
                                             r"\(20240425T000000Z-synthetic\) records"):
        reader(run)
    (run / "facts.parquet").unlink()
    with pytest.raises(RunFolderError, match="incomplete: its manifest records facts.parquet, which is missing"):
        reader(run)


def test_a_folder_whose_run_did_not_finish_says_so(run):
    (run / "manifest.json").unlink()  # what a run removes first, and writes last
    with pytest.raises(RunFolderError, match="manifest.json missing \\(the last run into it did not finish\\)"):
        load_run(run)
    (run / ".pipeline-run.lock").write_text("{}", encoding="utf-8")
    with pytest.raises(RunFolderError, match="a run into it is in progress"):
        load_run(run)
