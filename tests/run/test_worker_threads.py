"""Pool workers and `pipeline run` use one BLAS thread each (pipeline/run/threads.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from conftest import RULES
from pipeline.core.document import Edit
from pipeline.core.stage import Assigns, Stage
from pipeline.run import engines, threads
from pipeline.run.inputs import InputRecord
from pipeline.run.runner import Pipeline
from pipeline.stages.decode.stage import DecodeStage

VARS = tuple(threads.BLAS_ENVIRONMENT)


class ShowEnvironment(Stage):
    """Writes the worker's thread variables into the text."""

    name = "show_env"
    version = 1
    assigns = Assigns(layer=True)

    def __call__(self, doc):
        seen = ";".join(f"{k}={os.environ.get(k)}" for k in VARS)
        return doc.with_edits(self.name, [Edit(0, len(doc.text), seen, "show_env.all")])


@dataclass(frozen=True)
class EnvSpec:
    timeout: float | None = None

    def build(self) -> Pipeline:
        return Pipeline([DecodeStage({}, RULES), ShowEnvironment({}, RULES)])


def test_workers_run_one_blas_thread_and_the_parent_environment_is_left_as_it_was(monkeypatch):
    for k in VARS:
        monkeypatch.delenv(k, raising=False)
    items = [InputRecord(f"d{i}", f"d{i}.txt", "文".encode()) for i in range(4)]
    outcomes = list(engines.run_pool(EnvSpec(), items, 2))
    assert {o.document.text for o in outcomes} == {";".join(f"{k}=1" for k in VARS)}
    assert not any(k in os.environ for k in VARS)


def test_a_count_the_user_set_is_kept(monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with threads.blas_environment():
        assert (os.environ["OPENBLAS_NUM_THREADS"], os.environ["OMP_NUM_THREADS"]) == ("3", "1")
    assert os.environ["OPENBLAS_NUM_THREADS"] == "3" and "OMP_NUM_THREADS" not in os.environ


def test_dask_workers_get_one_blas_thread_from_its_nanny():
    # The Dask engine relies on distributed's own default rather than setting it again.
    import dask
    import distributed  # noqa: F401 - loads distributed's configuration defaults

    environ = dask.config.get("distributed.nanny.pre-spawn-environ")
    assert {k: str(environ.get(k)) for k in VARS} == threads.BLAS_ENVIRONMENT


def test_pipeline_run_sets_one_blas_thread_before_numpy_loads(tmp_path):
    # In a fresh process: the CLI sets the variables, then the stages load numpy.
    import subprocess
    import sys

    # An import hook notes the variable as numpy first loads (OpenBLAS reads it then).
    code = ("import builtins, os, sys; seen = []; real = builtins.__import__\n"
            "def hook(name, *a, **k):\n"
            "    if name == 'numpy' and 'numpy' not in sys.modules and not seen:\n"
            "        seen.append(os.environ.get('OPENBLAS_NUM_THREADS'))\n"
            "    return real(name, *a, **k)\n"
            "builtins.__import__ = hook\n"
            "from pipeline.cli import main\n"
            f"main(['run', {str(tmp_path / 'in.txt')!r}, '--out', {str(tmp_path / 'out')!r}, '--no-cache', "
            "'--quiet', '--no-report', '--stages', 'decode', '--jobs', '1'])\n"
            "print(seen[0] if seen else 'none', 'numpy' in sys.modules)")
    (tmp_path / "in.txt").write_text("文", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in VARS}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "True"]
