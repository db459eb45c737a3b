"""The ingest ledger: what each input batch produced, spilled and dead-lettered.

The warehouse keeps what was loaded; the emulator's S3 and the stream vanish with the run,
so the counts before the warehouse are kept here, one entry per input batch, to reconcile
the whole warehouse across runs. Rerunning a batch replaces its entry (the loader likewise
skips its already-loaded objects), so the same input twice changes nothing.

Updates are read-modify-write under an exclusive flock(2) of a sibling lock file, and the
file is replaced atomically, so two writers never lose each other's entries or leave half
a file (a run holds OUT's lock too; this keeps the ledger safe for any other writer).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.files import write_json_atomically

LEDGER_FILE = "ingest_ledger.json"
# The episode catalog's batches (one per snapshot read or replayed), kept apart: their
# counts are items read / written / rejected, not records produced into the stream.
CATALOG_LEDGER_FILE = "catalog_ledger.json"


def read_ledger(out_dir: Path, name: str = LEDGER_FILE) -> dict[str, dict[str, Any]]:
    path = out_dir / name
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise PipelineError(
            f"{path} is not valid JSON: restore it, or remove it together with the warehouse"
        ) from None
    if not isinstance(data, dict):
        raise PipelineError(f"{path} is not a ledger (a JSON object of batches)")
    return data


def record_batch(
    out_dir: Path, batch_id: str, entry: dict[str, Any], name: str = LEDGER_FILE
) -> None:
    with _locked(out_dir / f".{name}.lock"):
        ledger = read_ledger(out_dir, name)
        ledger[batch_id] = entry
        write_json_atomically(out_dir / name, ledger)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
