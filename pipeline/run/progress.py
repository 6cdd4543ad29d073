"""A progress line on stderr for long runs, with no dependency."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """`done/total docs, rate, ETA`, redrawn in place on a terminal.

    Off a terminal (CI logs, `2> file`) it writes a plain line every
    `log_every` seconds instead, so logs stay readable.
    """

    def __init__(self, total: int | None, enabled: bool = True, stream: TextIO | None = None,
                 log_every: float = 30.0):
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and self.stream.isatty()
        self.log_every = log_every
        self.done = 0
        self.failed = 0
        self._start = time.monotonic()
        self._last = 0.0

    def update(self, failed: bool = False) -> None:
        self.done += 1
        self.failed += failed
        now = time.monotonic()
        interval = 0.2 if self.tty else self.log_every
        if self.enabled and now - self._last >= interval:
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self._start, 1e-9)
        rate = self.done / elapsed
        parts = [f"{self.done}" + (f"/{self.total}" if self.total else "") + " docs"]
        if self.total:
            parts.insert(0, f"{100 * self.done / self.total:5.1f}%")
            if rate > 0 and self.done < self.total:
                parts.append(f"ETA {_duration((self.total - self.done) / rate)}")
        parts.append(f"{rate:.1f} docs/s")
        if self.failed:
            parts.append(f"{self.failed} failed")
        line = "  ".join(parts)
        if self.tty:
            self.stream.write("\r" + line + "\x1b[K")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self._draw(time.monotonic())
            if self.tty:
                self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s"
