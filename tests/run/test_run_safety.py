"""Run-folder safety and exit codes: one run per folder, no user file removed or replaced,
no folder mixing two runs, and a documented exit status for every way a run ends."""

import json
import os
import socket
import subprocess
import sys

import pytest

from pipeline.cli import main
from pipeline.run import outputs
from pipeline.run.lock import LOCK_FILE, RunFolderLocked, RunLock

from conftest import ROOT


@pytest.fixture
def src(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("青島科學儀器產業園著力發展。", encoding="utf-8")
    (folder / "b.txt").write_text("第二篇文章。", encoding="utf-8")
    return folder


def run(src, out, *extra):
    # decode only, one process, no report: these tests are about the folder, not the text.
    return main(["run", str(src), "--out", str(out), "--quiet", "--jobs", "1", "--stages", "decode",
                 "--no-report", *map(str, extra)])


def write_lock(out, pid, host=None):
    out.mkdir(parents=True, exist_ok=True)
    record = {"pid": pid, "host": host or socket.gethostname(), "started": "2024-04-25T00:00:00+00:00"}
    (out / LOCK_FILE).write_text(json.dumps(record), encoding="utf-8")


def dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid  # reaped: no process has it (until the system reuses it)


def test_a_second_run_into_a_locked_folder_exits_2_and_changes_nothing(src, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(src, out) == 0
    write_lock(out, os.getpid())  # a live run: this test's own process
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert run(src, out) == 2
    err = capsys.readouterr().err
    assert f"is in use by another run (pid {os.getpid()} on {socket.gethostname()}, started 2024-04-25" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_lock_from_another_host_is_never_taken_over(src, tmp_path, capsys):
    out = tmp_path / "out"
    write_lock(out, dead_pid(), host="elsewhere.example")
    assert run(src, out) == 2
    assert f"if that run is gone, remove {out / LOCK_FILE}" in capsys.readouterr().err


def test_a_stale_lock_is_taken_over_with_a_warning_and_removed_at_the_end(src, tmp_path, capsys):
    out = tmp_path / "out"
    pid = dead_pid()
    write_lock(out, pid)
    assert run(src, out) == 0
    assert f"taking over the lock of a run that is gone (pid {pid}" in capsys.readouterr().err
    assert (out / "manifest.json").is_file() and not (out / LOCK_FILE).exists()


def test_the_lock_is_exclusive_and_held_for_the_whole_run(src, tmp_path, monkeypatch):
    out = tmp_path / "out"
    seen = []
    add = outputs.RunWriter.add_document

    def add_document(self, doc, sha):
        lock = json.loads((out / LOCK_FILE).read_text(encoding="utf-8"))
        seen.append(lock["pid"])
        with pytest.raises(RunFolderLocked):
            RunLock(out).acquire()
        add(self, doc, sha)

    monkeypatch.setattr(outputs.RunWriter, "add_document", add_document)
    assert run(src, out) == 0
    assert seen == [os.getpid()] * 2 and not (out / LOCK_FILE).exists()


def test_only_this_tools_temporary_files_are_removed(src, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    users = {".notes.tmp": b"mine", ".documents.parquet.tmp": b"mine too", ".x.parquet.abcd1234.tmp": b"and this"}
    for name, data in users.items():
        (out / name).write_bytes(data)
    (out / ".documents.parquet.k2j4_9xq.tmp").write_bytes(b"left by a killed run")
    assert run(src, out) == 0
    assert {n: (out / n).read_bytes() for n in users} == users
    assert not (out / ".documents.parquet.k2j4_9xq.tmp").exists()


@pytest.mark.parametrize("name,data", [
    ("documents.parquet", b"my own parquet? no, my notes"),
    ("errors.jsonl", b"line one of my log\n"),
    ("manifest.json", b'{"name": "my project"}'),
    ("report.html", b"<html><body>my report</body></html>"),
])
def test_a_file_of_a_run_folder_name_that_is_not_this_tools_is_refused(src, tmp_path, capsys, name, data):
    out = tmp_path / "out"
    out.mkdir()
    (out / name).write_bytes(data)
    assert run(src, out) == 2
    assert f"{out / name} was not written by pipeline" in capsys.readouterr().err
    assert (out / name).read_bytes() == data
    assert sorted(p.name for p in out.iterdir()) == [name]


def test_a_run_that_fails_leaves_no_manifest_no_temporary_files_and_exits_3(src, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert run(src, out) == 0
    (out / "report.html").write_text('<meta name="generator" content="zh-news-pipeline report">', encoding="utf-8")

    def broken(self, doc, sha):
        raise RuntimeError("disk on fire\nand smoke")

    monkeypatch.setattr(outputs.RunWriter, "add_document", broken)
    assert run(src, out) == 3
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("pipeline: error: unexpected RuntimeError: disk on fire / and smoke (traceback in ")
    trace = err.split("traceback in ", 1)[1].split(";", 1)[0]
    assert "Traceback" in open(trace, encoding="utf-8").read()
    os.unlink(trace)
    # No old results that look current: the previous manifest and report are gone.
    names = sorted(p.name for p in out.iterdir())
    assert "manifest.json" not in names and "report.html" not in names and LOCK_FILE not in names
    assert not [n for n in names if n.endswith(".tmp")]
    with pytest.raises(Exception, match="the last run into it did not finish"):
        from pipeline.inspect.load import load_run

        load_run(out)


def test_debug_prints_the_traceback(src, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(outputs.RunWriter, "add_document", lambda *a: 1 / 0)
    assert main(["--debug", "run", str(src), "--out", str(tmp_path / "o"), "--quiet", "--jobs", "1",
                 "--stages", "decode"]) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "(traceback above)" in err


def test_ctrl_c_exits_130_with_one_line_and_releases_the_folder(src, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"

    def interrupted(self, doc, sha):
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs.RunWriter, "add_document", interrupted)
    assert run(src, out) == 130
    assert capsys.readouterr().err == "pipeline: interrupted\n"
    assert [p.name for p in out.iterdir()] == ["cache.sqlite"]  # no lock, no temporary files, no manifest


def test_out_naming_a_file_exits_2(src, tmp_path, capsys):
    path = tmp_path / "file.txt"
    path.write_bytes(b"keep me")
    assert run(src, path) == 2
    assert f"--out {path} is a file, not a folder" in capsys.readouterr().err
    assert path.read_bytes() == b"keep me"


def test_exit_codes_are_documented_in_help():
    proc = subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True, cwd=ROOT)
    section = proc.stdout.split("exit status:\n", 1)[1]
    lines = {line.split()[0]: line for line in section.splitlines() if line.split()[0].isdigit()}
    assert sorted(lines) == ["0", "1", "130", "2", "3"] and "143 terminated" in lines["130"]
    assert "locked by another" in lines["2"] and "failed" in lines["3"] and "Ctrl-C" in lines["130"]


def test_sigterm_is_unwound_like_ctrl_c(src, tmp_path, monkeypatch, capsys):
    import signal

    out = tmp_path / "out"
    monkeypatch.setattr(outputs.RunWriter, "add_document", lambda *a: os.kill(os.getpid(), signal.SIGTERM))
    before = signal.getsignal(signal.SIGTERM)
    assert run(src, out) == 143
    assert capsys.readouterr().err == "pipeline: terminated\n"
    assert [p.name for p in out.iterdir()] == ["cache.sqlite"]
    assert signal.getsignal(signal.SIGTERM) is before  # main() put the handler back


def test_report_refuses_a_locked_folder_and_a_report_it_did_not_write(tmp_path, capsys):
    from report_runs import write_run

    run_dir = write_run(tmp_path / "run")
    write_lock(run_dir, os.getpid())
    assert main(["report", str(run_dir)]) == 2
    assert "is in use by another run" in capsys.readouterr().err
    (run_dir / LOCK_FILE).unlink()
    (run_dir / "report.html").write_bytes(b"<p>my notes</p>")
    assert main(["report", str(run_dir)]) == 2
    assert "report.html was not written by pipeline" in capsys.readouterr().err
    assert (run_dir / "report.html").read_bytes() == b"<p>my notes</p>"
    (run_dir / "report.html").unlink()
    assert main(["report", str(run_dir)]) == 0 and not (run_dir / LOCK_FILE).exists()
    assert main(["report", str(run_dir)]) == 0  # its own report is replaced


def test_this_tools_own_files_are_recognised(tmp_path):
    from report_runs import write_run

    run_dir = write_run(tmp_path / "run")
    (run_dir / "errors.jsonl").write_text('{"doc_id": "x", "message": "' + "长" * 300_000 + '"}\n',
                                          encoding="utf-8")
    for name in (*outputs.TABLE_FILES, outputs.MANIFEST_FILE):
        assert outputs.is_own_file(run_dir / name), name
    (run_dir / "facts.jsonl").write_text("", encoding="utf-8")  # a run without facts
    assert outputs.is_own_file(run_dir / "facts.jsonl")
    (run_dir / "facts.jsonl").write_text('["doc_id"]\n', encoding="utf-8")
    assert not outputs.is_own_file(run_dir / "facts.jsonl")
