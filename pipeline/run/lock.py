"""The run-folder lock: one `pipeline run` per `--out` folder at a time.

`DIR/.pipeline-run.lock` holds the pid, host and start time of the run that owns
the folder. It is created with O_CREAT|O_EXCL, so of two runs starting together
exactly one gets it. A lock left by a run that was killed (same host, pid no
longer alive) is taken over with a warning; a lock from another host cannot be
checked and is never taken over.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

LOCK_FILE = ".pipeline-run.lock"


class RunFolderLocked(RuntimeError):
    """Another run holds the run folder (or its lock cannot be read)."""


class RunLock:
    """`with RunLock(out_dir):` holds the folder for the block; the lock is removed on any exit."""

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / LOCK_FILE
        # What this run writes into the lock, so release never removes a lock it does not own.
        self._token = uuid.uuid4().hex
        self._held = False

    def acquire(self) -> None:
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "token": self._token,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Two attempts: the second after taking over a stale lock.
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                self._take_over_if_stale()
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(record) + "\n")
            self._held = True
            return
        raise RunFolderLocked(f"{self.path.parent} is locked by another run ({self.path} came back while taking it over)")

    def _take_over_if_stale(self) -> None:
        holder = read_lock(self.path)
        if holder is None:  # maybe just created and not yet written: look once more
            time.sleep(0.2)
            holder = read_lock(self.path)
        if holder is None:
            raise RunFolderLocked(
                f"{self.path.parent} is locked: {self.path} exists but cannot be read; "
                f"if no run is using this folder, remove {self.path}")
        pid, host, started = holder.get("pid"), holder.get("host"), holder.get("started")
        owner = f"pid {pid} on {host}, started {started}"
        if host != socket.gethostname() or not isinstance(pid, int) or _alive(pid):
            hint = "" if host == socket.gethostname() else f"; if that run is gone, remove {self.path}"
            raise RunFolderLocked(f"{self.path.parent} is in use by another run ({owner}){hint}")
        print(f"pipeline: warning: taking over the lock of a run that is gone ({owner})", file=sys.stderr)
        # Rename, then remove: of two runs taking over together only one rename succeeds.
        stale = self.path.with_name(f"{LOCK_FILE}.{self._token}.stale")
        try:
            os.rename(self.path, stale)
        except FileNotFoundError:
            return
        if read_lock(stale) != holder:
            # Another run took it over first and this rename moved its fresh lock: put it back.
            try:
                os.link(stale, self.path)
            except OSError:
                pass
        stale.unlink(missing_ok=True)

    def release(self) -> None:
        if not self._held:
            return
        self._held = False
        holder = read_lock(self.path)
        if holder is not None and holder.get("token") == self._token:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> "RunLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def read_lock(path: Path) -> dict | None:
    """The lock's record, or None when it is not a readable lock."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return record if isinstance(record, dict) else None


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    except OSError as exc:
        return exc.errno != errno.ESRCH
    return True
