"""One BLAS thread in every process that runs the pipeline.

BLAS libraries start a thread per core in each process that loads them (numpy's OpenBLAS, used by
the NER model's matrix products). With `--jobs N` that made N x cores threads for the cores: on the
first 300 news articles with --jobs 2, one thread per worker took less CPU and wall time (README,
"Threads", has the figures). The thread count also changes the model's float sums in the last bits
(one confidence among the news set's 48,481 facts moved by 0.0003), so with
one thread everywhere the facts no longer depend on the machine's cores or on `--jobs`. The variables
are read when numpy loads: `pipeline run` sets them before loading anything, pool workers start with
them (engines.py), Dask's nanny sets the same ones for its workers
(`distributed.nanny.pre-spawn-environ`). A count the user set is kept.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator, Mapping

BLAS_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def use_one_blas_thread() -> None:
    """Set the variables in this process (effective only if numpy has not loaded yet)."""
    for k, v in BLAS_ENVIRONMENT.items():
        os.environ.setdefault(k, v)


@contextmanager
def blas_environment(values: Mapping[str, str] = BLAS_ENVIRONMENT) -> Iterator[None]:
    """`values` where this process has none set, for processes started inside the block (the
    forkserver takes the environment it starts with, and workers fork from it); this process's
    own environment restored afterwards."""
    added = [k for k in values if k not in os.environ]
    for k in added:
        os.environ[k] = values[k]
    try:
        yield
    finally:
        for k in added:
            os.environ.pop(k, None)
