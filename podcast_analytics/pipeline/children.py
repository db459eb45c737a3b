"""The child processes of a run (moto's server, dbt) die with it, even when it is SIGKILLed.

A SIGKILLed parent runs no cleanup of its own, so there are three layers:
- on Linux every child asks the kernel for SIGKILL when its parent dies (`prctl
  PR_SET_PDEATHSIG`, set between fork and exec, kept across exec; see prctl(2),
  https://man7.org/linux/man-pages/man2/prctl.2.html);
- a normal exit, an exception or Ctrl-C stops them in the callers' `finally` blocks;
- while `recorded_in(OUT)` is active, each child is written to `OUT/.children.json` (pid,
  command, start time) until it has been waited for, and the next run into that OUT kills
  any recorded child that is still the same process: the last resort where
  PR_SET_PDEATHSIG does not exist (macOS).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from podcast_analytics.pipeline.files import write_json_atomically

CHILDREN_FILE = ".children.json"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

_record: Path | None = None  # OUT/.children.json while a run records its children


def _die_with_parent() -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    parent = os.getpid()

    def set_parent_death_signal() -> None:  # in the child, between fork and exec
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the prctl took effect
            os._exit(1)

    return set_parent_death_signal


def popen(command: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """`subprocess.Popen` for a child that must not outlive this process."""
    process = subprocess.Popen(command, preexec_fn=_die_with_parent(), **kwargs)  # noqa: S603
    if _record is not None:
        entries = _read(_record)
        entries[str(process.pid)] = {"command": list(command), "started": _start_time(process.pid)}
        _write(_record, entries)
    return process


def forget(process: subprocess.Popen[Any]) -> None:
    """The child has been waited for: drop it from the record."""
    if _record is not None:
        entries = _read(_record)
        if entries.pop(str(process.pid), None) is not None:
            _write(_record, entries)


@contextlib.contextmanager
def recorded_in(out_dir: Path) -> Iterator[list[str]]:
    """Record this run's children in OUT; first kill what a killed run left recorded there.
    Yields a description of each leftover it killed. The caller holds OUT's lock."""
    global _record
    path = out_dir / CHILDREN_FILE
    killed = _kill_leftovers(path)
    _record = path
    try:
        yield killed
    finally:
        _record = None
        if not _read(path):  # every child was waited for
            path.unlink(missing_ok=True)


def _kill_leftovers(path: Path) -> list[str]:
    killed = []
    for pid_text, entry in _read(path).items():
        pid = int(pid_text)
        started = _start_time(pid)
        # A pid may have been reused: only the process that started at that time is ours.
        if started is not None and started == entry.get("started"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed.append(f"{' '.join(entry.get('command', [])[:4])} (pid {pid})")
    path.unlink(missing_ok=True)
    return killed


def _start_time(pid: int) -> str | None:
    """When the process started, in a form that identifies it together with its pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:  # no /proc (macOS): ask ps
        done = subprocess.run(  # noqa: S603
            ["ps", "-o", "lstart=", "-p", str(pid)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip() or None
    return stat.rsplit(")", 1)[1].split()[19]  # field 22, starttime (clock ticks since boot)


def _write(path: Path, entries: dict[str, dict[str, Any]]) -> None:
    # The record is the last resort behind PR_SET_PDEATHSIG: failing to write it (a full
    # disk) must not hide the error the run is failing with.
    with contextlib.suppress(OSError):
        write_json_atomically(path, entries)


def _read(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
