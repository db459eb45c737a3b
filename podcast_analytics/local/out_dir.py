"""OUT, the local run's directory: one run at a time, checked before anything starts.

`exclusive(out_dir)` holds an advisory lock (flock(2) on OUT/.lock) for the whole run: a
second run into the same OUT is refused at once instead of interleaving with the first.
The kernel drops the lock when the process dies, however it dies, so a crash never leaves
OUT locked. `preflight` checks what can be checked before ingest: OUT is a writable
directory with room, and the warehouse file opens (not corrupt, not held by a process).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from podcast_analytics.pipeline.errors import PipelineError

LOCK_FILE = ".lock"


@contextlib.contextmanager
def exclusive(out_dir: Path) -> Iterator[None]:
    check_directory(out_dir)
    fd = os.open(out_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise PipelineError(
                f"OUT {out_dir} is in use by another run (pid {holder}): wait for it to "
                "finish, or give this run another OUT"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def check_directory(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise PipelineError(f"OUT {out_dir} is not a directory")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out_dir, prefix=".write-check.")
        os.close(fd)
        Path(probe).unlink()
    except OSError as exc:
        raise PipelineError(f"OUT {out_dir} is not writable: {exc.strerror}") from None


def free_mb(out_dir: Path) -> int:
    return shutil.disk_usage(out_dir).free // (1024 * 1024)


def check_free_space(out_dir: Path, min_free_mb: int) -> None:
    free = free_mb(out_dir)
    if free < min_free_mb:
        raise PipelineError(
            f"only {free} MB free under OUT {out_dir}; a run needs at least {min_free_mb} MB "
            "(local.min_free_disk_mb): free some space or choose another OUT"
        )


def check_warehouse(path: Path) -> None:
    """The warehouse opens for writing now, rather than failing after ingest ran."""
    if not path.exists():
        return
    try:
        duckdb.connect(str(path)).close()
    except duckdb.Error as exc:
        raise PipelineError(warehouse_problem(path, exc)) from None


def warehouse_problem(path: Path, exc: Exception) -> str:
    message = str(exc)
    holder = re.search(r"\(PID (\d+)\)", message)
    if "Could not set lock" in message or "Conflicting lock" in message:
        pid = f" (pid {holder.group(1)})" if holder else ""
        return f"the warehouse {path} is open in another process{pid}: close it and run again"
    if "not a valid DuckDB database" in message:
        return (
            f"{path} is not a DuckDB database (corrupt or another file): move it away "
            "and the next run starts a new warehouse"
        )
    return f"the warehouse {path} cannot be opened: {message.splitlines()[0]}"


def disk_full(exc: BaseException) -> bool:
    """Whether `exc` (an OSError, or a DuckDB error wrapping one) means the disk is full."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    return "No space left on device" in str(exc)
