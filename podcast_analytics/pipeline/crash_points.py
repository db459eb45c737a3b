"""Test-only crash points: `PODCAST_CRASH_AT=<point>` SIGKILLs this process at that point.

A SIGKILL runs no cleanup (no `finally`, no atexit), which is what a power cut, the OOM
killer or `kill -9` do to a run; tests/pipeline/test_recovery.py uses it to prove that a
run killed at any step, then run again, ends as an uninterrupted run. Unset (always, outside
those tests), a crash point costs one environment lookup.

Points, in the order a run reaches them: ingest:day-delivered, catalog:snapshot-written,
load:object-committed, dbt-running, export:file-written, report.
`load:object-committed` is after the load stage committed one received batch of
notifications (its objects' rows and load history) and before it deleted those messages.
"""

from __future__ import annotations

import os
import signal

CRASH_AT_VARIABLE = "PODCAST_CRASH_AT"


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_AT_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)
