"""The ingest ledger: what each input batch produced, spilled and dead-lettered.

The warehouse keeps what was loaded; the emulator's S3 and the stream vanish with the run,
so the counts before the warehouse are kept here, one entry per input batch, to reconcile
the whole warehouse across runs. Rerunning a batch replaces its entry (the loader likewise
skips its already-loaded objects), so the same input twice changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

LEDGER_FILE = "ingest_ledger.json"


def read_ledger(out_dir: Path) -> dict[str, dict[str, Any]]:
    path = out_dir / LEDGER_FILE
    if not path.exists():
        return {}
    data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def record_batch(out_dir: Path, batch_id: str, entry: dict[str, Any]) -> None:
    ledger = read_ledger(out_dir)
    ledger[batch_id] = entry
    write_json_atomically(out_dir / LEDGER_FILE, ledger)


def write_json_atomically(path: Path, value: Any) -> None:
    """Readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
