"""Writing files so that readers see the old content or the new, never half of either.

A temporary file with a unique name in the same directory (so the rename stays on one file
system), flushed to disk, then `os.replace`d over the target: rename is atomic on POSIX
(rename(2)). A fixed temporary name is not enough: two writers would share it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def replaced_atomically(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; moved over `path` when the block
    succeeds, removed when it fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes_atomically(path: Path, data: bytes) -> None:
    with replaced_atomically(path) as tmp:
        tmp.write_bytes(data)


def write_json_atomically(path: Path, value: Any) -> None:
    write_bytes_atomically(path, (json.dumps(value, indent=2, sort_keys=True) + "\n").encode())
