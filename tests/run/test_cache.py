"""The stage cache: reuse exactly what is unchanged, never trust a bad file."""

import json
import sqlite3

import pytest

from pipeline.run.cache import StageCache, from_state, to_state
from pipeline.cli import main
from pipeline.core.document import Document, Edit, Fact

from pipeline.core.stage import Stage

from conftest import RULES, SEEDS

OUTPUTS = ("documents.parquet", "edits.parquet", "facts.parquet", "facts.jsonl")


def run(*args):
    # Pinned to two stages so the expectations do not move as stages are added.
    return main(["run", *map(str, args), "--quiet", "--jobs", "1", "--stages", "decode,convert"])


def manifest(out):
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def snapshot(out):
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def test_state_round_trip_keeps_everything_a_stage_can_change():
    doc = Document("d", "s", original="聯動", text="聯動", meta={"encoding": "utf-8"}, flags={"x": 2})
    doc = doc.with_edits("convert", [Edit(0, 1, "联", "r.a"), Edit(1, 2, "动", "r.b")])
    fact = Fact("d", "id", "count", "联", {"value": 1.0, "unit": "个"}, 0, 1, 0, 1, 0, "r", 1, "rule", 0.9)
    doc = doc.__class__(**{**doc.__dict__, "facts": (fact,)})
    back = from_state(Document("d", "s"), json.loads(json.dumps(to_state(doc))))
    assert back == doc
    assert back.to_original(0, 1) == (0, 1)


def test_rerun_reuses_every_stage_and_gives_identical_outputs(tmp_path):
    out = tmp_path / "out"
    run(SEEDS, "--out", out)
    first = snapshot(out)
    assert manifest(out)["cache"]["reused"] == {"decode": 0, "convert": 0}
    run(SEEDS, "--out", out)
    assert manifest(out)["cache"]["reused"] == {"decode": 5, "convert": 5}
    assert snapshot(out) == first


def test_rule_edit_reruns_that_stage_and_nothing_before(tmp_path, rules_copy):
    out = tmp_path / "out"
    run(SEEDS, "--out", out, "--rules", rules_copy)
    fix = rules_copy / "convert" / "fixups.toml"
    fix.write_text(fix.read_text(encoding="utf-8").replace('from = "著力"\nto = "着力"', 'from = "著力"\nto = "著力X"'),
                   encoding="utf-8")
    run(SEEDS, "--out", out, "--rules", rules_copy)
    assert manifest(out)["cache"]["reused"] == {"decode": 5, "convert": 0}
    docs = __import__("pandas").read_parquet(out / "documents.parquet")
    assert docs.text.str.contains("著力X").sum() == 1  # seed 000, rerun with the edited rule


def test_no_cache_writes_no_cache_file(tmp_path):
    out = tmp_path / "out"
    run(SEEDS, "--out", out, "--no-cache")
    assert not (out / "cache.sqlite").exists()
    assert manifest(out)["engine"]["cache"] is None


def foreign_file(path, kind):
    """A user's file where the cache would go: another SQLite database, or not a database at all."""
    if kind == "garbage":
        path.write_bytes(b"this is not a database" * 100)
    else:
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE results (key TEXT, value TEXT)")
        db.execute("INSERT INTO results VALUES ('k', 'v')")
        db.commit()
        db.close()
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["garbage", "foreign"])
def test_a_file_that_is_not_this_tools_cache_is_refused_and_left_alone(tmp_path, capsys, kind):
    out = tmp_path / "out"
    out.mkdir()
    path = out / "cache.sqlite"
    before = foreign_file(path, kind)
    assert run(SEEDS, "--out", out) == 2
    assert f"{path} is not a pipeline cache" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["cache.sqlite"]  # nothing run, nothing written
    mine = tmp_path / "mine.sqlite"
    before = foreign_file(mine, kind)
    assert run(SEEDS, "--out", tmp_path / "out2", "--cache", mine) == 2
    assert mine.read_bytes() == before and not (tmp_path / "out2" / "manifest.json").exists()


def test_this_tools_cache_of_an_older_format_is_rebuilt(tmp_path, capsys):
    out = tmp_path / "out"
    run(SEEDS, "--out", out)
    db = sqlite3.connect(out / "cache.sqlite")
    db.execute("UPDATE header SET value = '3' WHERE key = 'format'")
    db.commit()
    db.close()
    assert run(SEEDS, "--out", out) == 0
    assert "is of format 3, this version uses" in capsys.readouterr().err
    assert manifest(out)["cache"]["reused"]["convert"] == 0
    run(SEEDS, "--out", out)
    assert manifest(out)["cache"]["reused"]["convert"] == 5  # the rebuilt cache works


@pytest.mark.parametrize("action", ["info", "clear"])
@pytest.mark.parametrize("kind", ["garbage", "foreign"])
def test_cache_commands_leave_a_file_that_is_not_a_cache_alone(tmp_path, capsys, action, kind):
    path = tmp_path / "data.sqlite"
    before = foreign_file(path, kind)
    assert main(["cache", action, "--cache", str(path)]) == 2
    assert "is not a pipeline cache" in capsys.readouterr().err
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["data.sqlite"]


@pytest.mark.parametrize("action", ["info", "clear"])
def test_cache_commands_on_a_missing_path_create_nothing(tmp_path, capsys, action):
    path = tmp_path / "nothing.sqlite"
    assert main(["cache", action, "--cache", str(path)]) == 2
    assert f"no cache at {path}" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_cache_info_is_read_only(tmp_path, capsys):
    out = tmp_path / "out"
    run(SEEDS, "--out", out)
    files = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert main(["cache", "info", "--out", str(out)]) == 0
    assert "10 cached results" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == files  # no -wal, -shm, nothing changed


def test_a_damaged_row_is_recomputed_not_trusted(tmp_path):
    out = tmp_path / "out"
    run(SEEDS, "--out", out)
    clean = snapshot(out)
    db = sqlite3.connect(out / "cache.sqlite")
    db.execute("UPDATE results SET value = CAST(substr(value, 1, length(value) - 3) || X'000102' AS BLOB)")
    db.commit()
    db.close()
    run(SEEDS, "--out", out)
    assert manifest(out)["cache"]["reused"] == {"decode": 0, "convert": 0}
    assert snapshot(out) == clean


def test_cache_clear_and_info(tmp_path, capsys):
    out = tmp_path / "out"
    run(SEEDS, "--out", out)
    assert main(["cache", "info", "--out", str(out)]) == 0
    assert "10 cached results" in capsys.readouterr().out
    assert main(["cache", "clear", "--out", str(out)]) == 0
    assert "removed 10 cached results" in capsys.readouterr().out
    cache = StageCache(out / "cache.sqlite")
    assert cache.count() == 0
    cache.close()


class Extractors(Stage):
    """A stage made of parts; each part's result becomes a flag."""

    name, version = "extract", 1

    def __init__(self, parts):
        super().__init__({}, RULES)
        self._parts = parts

    def parts(self):
        return self._parts

    def assemble(self, doc, results):
        return doc.with_flags(**{f"{n}_chars": r[0]["chars"] for n, r in results.items()})


class Counting:
    """A stage part that counts how often it really runs."""

    def __init__(self, name, version):
        self.name, self.version, self.calls = name, version, 0

    def fingerprint(self):
        return f"{self.name}-v{self.version}"

    def run(self, doc):
        self.calls += 1
        return [{"part": self.name, "chars": len(doc.text)}]


def test_parts_of_a_stage_are_cached_one_by_one(tmp_path):
    from pipeline.run.inputs import InputRecord
    from pipeline.run.runner import Pipeline
    from pipeline.stages.decode.stage import DecodeStage

    items = [InputRecord(f"d{i}", "s", f"第{i}篇文章".encode()) for i in range(3)]
    money, dates = Counting("money", 1), Counting("date", 1)
    cache = StageCache(tmp_path / "c.sqlite")
    first = [Pipeline([DecodeStage({}, RULES), Extractors([money, dates])], cache).process_one(i) for i in items]
    assert (money.calls, dates.calls) == (3, 3)
    assert first[0].document.flags == {"money_chars": 5, "date_chars": 5}

    # Only the money part changed: dates come from the cache, money reruns.
    money2 = Counting("money", 2)
    again = [Pipeline([DecodeStage({}, RULES), Extractors([money2, dates])], cache).process_one(i) for i in items]
    assert (money2.calls, dates.calls) == (3, 3)
    assert [o.cached for o in again] == [1, 1, 1]  # decode reused, extract assembled anew
    assert [o.document.flags for o in again] == [o.document.flags for o in first]
    cache.close()


def test_a_version_bump_reruns_every_part(tmp_path):
    from pipeline.run.inputs import InputRecord
    from pipeline.run.runner import Pipeline
    from pipeline.stages.decode.stage import DecodeStage

    items = [InputRecord(f"d{i}", "s", f"第{i}篇".encode()) for i in range(2)]
    money, dates = Counting("money", 1), Counting("date", 1)
    cache = StageCache(tmp_path / "c.sqlite")
    bumped = type("Extractors", (Extractors,), {"version": 2})
    for cls, expected in ((Extractors, 2), (Extractors, 2), (bumped, 4)):  # same version: all parts cached
        stage = cls([money, dates])
        [Pipeline([DecodeStage({}, RULES), stage], cache).process_one(i) for i in items]
        assert (money.calls, dates.calls) == (expected, expected)
    cache.close()


def test_a_code_change_reruns_that_stage_and_the_ones_after_not_before(tmp_path, monkeypatch):
    from pipeline.core import stage as stage_module
    from pipeline.run.inputs import InputRecord
    from pipeline.run.runner import Pipeline
    from pipeline.stages.clean.stage import CleanStage
    from pipeline.stages.convert.stage import ConvertStage
    from pipeline.stages.decode.stage import DecodeStage


    def build():
        return [cls({}, RULES) for cls in (DecodeStage, ConvertStage, CleanStage)]

    items = [InputRecord(f"d{i}", "s", f"聯動第{i}篇".encode()) for i in range(2)]
    cache = StageCache(tmp_path / "c.sqlite")
    first = [Pipeline(build(), cache).process_one(i) for i in items]
    assert [o.cached for o in first] == [0, 0]
    assert [o.cached for o in (Pipeline(build(), cache).process_one(i) for i in items)] == [3, 3]

    real = stage_module.source_digest
    monkeypatch.setattr(stage_module, "source_digest",
                        lambda package: "edited" if package == "pipeline.stages.convert" else real(package))
    again = [Pipeline(build(), cache).process_one(i) for i in items]
    assert [o.cached for o in again] == [1, 1]  # decode reused; convert and clean rerun
    assert [o.document for o in again] == [o.document for o in first]
    cache.close()


def test_source_digest_sees_every_python_file_of_the_package(tmp_path, monkeypatch):
    from pipeline.core.stage import source_digest

    package = tmp_path / "somestage"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "rules.py").write_text("WORDS = ['约']\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = source_digest("somestage")
    assert source_digest("somestage") == before
    (package / "sub" / "rules.py").write_text("WORDS = ['约', '近']\n")
    assert source_digest("somestage") != before
