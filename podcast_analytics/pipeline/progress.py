"""A dependency-free progress line for the long steps (only drawn on a terminal)."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None):
        self._label = label
        self._total = total
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty() or os.environ.get("PODCAST_PROGRESS") == "1"
        self._done = 0
        self._started = time.perf_counter()
        self._last_draw = 0.0

    def advance(self, n: int = 1) -> None:
        self._done += n
        now = time.perf_counter()
        if self._enabled and now - self._last_draw > 0.2:
            self._last_draw = now
            self._draw(now)

    def close(self) -> None:
        if self._enabled:
            self._draw(time.perf_counter())
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self, now: float) -> None:
        elapsed = max(now - self._started, 1e-9)
        rate = f"{self._done / elapsed:,.0f}/s"
        if self._total:
            share = min(self._done / self._total, 1.0)
            bar = "#" * int(share * 30)
            line = f"  {self._label:<10} [{bar:<30}] {self._done:>10,}/{self._total:,} {rate}"
        else:
            line = f"  {self._label:<10} {self._done:>10,} {rate}"
        self._stream.write("\r" + line)
        self._stream.flush()
