"""A time budget per document: past it, the document fails with `DocumentTimeout`, the batch goes on.

Two mechanisms, because a budget has to hold wherever a document runs:
- on a process's main thread (`--jobs 1`, each worker of `--jobs N`), a SIGALRM timer raises the
  exception in the running code, including inside a regular-expression match (`re` checks signals
  while it backtracks);
- on any other thread (a Dask worker's task thread), a watchdog thread raises it asynchronously in
  the running thread. That lands between Python bytecodes only, so code stuck in one long C call
  is stopped when the call returns; the process pool's supervisor (engines.run_pool) also kills a
  worker that overruns its budget by `HARD_GRACE`, whatever it is doing.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from contextlib import contextmanager
from typing import Iterator

DEFAULT_SECONDS = 300.0
# How long past its budget a pool worker may stay silent before it is killed: the soft
# mechanism normally stops the document well before.
HARD_GRACE = 30.0


class DocumentTimeout(Exception):
    """The document used up its time budget; raised inside whatever stage was running."""

    def __init__(self, seconds: float | None = None):  # None: raised asynchronously, as the bare class
        budget = f" of {seconds:g} s" if seconds else ""
        super().__init__(f"the document took longer than its time budget{budget} (pipeline run --timeout)")
        self.seconds = seconds


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise DocumentTimeout in this thread if the block runs longer than `seconds` (None or 0: no limit)."""
    if not seconds or seconds <= 0:
        yield
        return
    if threading.current_thread() is threading.main_thread():
        with _alarm(seconds):
            yield
    else:
        with _watchdog(seconds):
            yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(signum, frame):
        raise DocumentTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    target = threading.get_ident()
    done = threading.Event()
    fired = threading.Event()

    def watch() -> None:
        if not done.wait(seconds):
            fired.set()
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(DocumentTimeout))

    thread = threading.Thread(target=watch, name="document-budget", daemon=True)
    thread.start()
    try:
        yield
    except DocumentTimeout as exc:
        if exc.seconds is None:  # the asynchronous one: give it its budget
            raise DocumentTimeout(seconds) from None
        raise
    finally:
        done.set()
        thread.join()
        if fired.is_set():
            # An exception set but not yet delivered would land in the caller's next bytecodes.
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)
