"""Importing any module of the package does no work: no data read, nothing printed.

Collecting the doctests (`--doctest-modules pipeline`) imports every module, so
a model or table loaded at import time would make every test run pay for it.
"""

import json
import subprocess
import sys

import pytest

from conftest import ROOT

# Imports every module (but __main__, which is the program) with an audit hook
# that records every file opened, then reports files of ours other than code
# (source and bytecode, which Python writes on a first import).
PROBE = r"""
import contextlib, importlib, io, json, pkgutil, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
import pipeline
out = io.StringIO()
with contextlib.redirect_stdout(out):
    names = [m.name for m in pkgutil.walk_packages(pipeline.__path__, "pipeline.") if not m.name.endswith("__main__")]
    for name in names:
        importlib.import_module(name)
ours = [p for p in opened if p.startswith(sys.argv[1]) and not p.endswith(".py") and "__pycache__" not in p]
print(json.dumps({"modules": len(names), "printed": out.getvalue(), "opened": ours}))
"""


@pytest.mark.slow  # a fresh interpreter imports every module
def test_importing_every_module_reads_no_data_and_prints_nothing():
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT)], capture_output=True, text=True, cwd=ROOT, check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    report = json.loads(proc.stdout)
    assert report["modules"] > 50  # the walk found the package
    assert report["opened"] == [] and report["printed"] == ""
    assert proc.stderr == "", proc.stderr
