"""Where events come from: the seeded generator, or a user's NDJSON file (replay).

Both yield `SourceRecord`s in arrival order, streamed: nothing holds the whole input. The
batch id names the input (generator settings, or the file's content hash), so rerunning the
same input is recognised as such: same object names, and the ledger entry is replaced, not
added to.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from podcast_analytics.config.facts import KINESIS_PARTITION_KEY_MAX_CHARS
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.record_processor.handler import MAX_RECORD_BYTES, process_record

_READ_CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class SourceRecord:
    data: bytes
    partition_key: str
    arrival: datetime  # UTC; simulated for generated events, the run's clock for replay


def generated_batch_id(events: int | None, days: int, seed: int, start: date | None) -> str:
    spec = json.dumps(
        {"source": "generator", "events": events, "days": days, "seed": seed, "start": str(start)}
    )
    return hashlib.sha256(spec.encode()).hexdigest()[:16]


def generated_records(
    events: int | None, days: int, seed: int, start: date | None = None
) -> Iterator[SourceRecord]:
    from podcast_analytics.generator import GeneratorSettings, generate

    options = {"start": start} if start else {}
    for record in generate(GeneratorSettings(events=events, days=days, seed=seed, **options)):
        yield SourceRecord(record.data, record.partition_key, record.arrival)


def check_input(path: Path) -> str:
    """Read the whole file once (a bad gzip fails here, before anything starts) and
    return its batch id: a hash of its content, so the same input is recognised."""
    if not path.exists():
        raise PipelineError(f"INPUT {path} does not exist")
    if not path.is_file():
        raise PipelineError(f"INPUT {path} is not a file")
    digest = hashlib.sha256(b"replay:")
    try:
        with _open(path) as handle:
            while chunk := handle.read(_READ_CHUNK):
                digest.update(chunk)
        _check_has_records(path)
    except PermissionError:
        raise PipelineError(f"INPUT {path} is not readable (permission denied)") from None
    except (OSError, EOFError) as exc:
        raise PipelineError(f"INPUT {path} cannot be read: {exc}") from None
    return digest.hexdigest()[:16]


def check_catalog(path: Path) -> str:
    """A CATALOG file to replay, read once before anything starts (the same checks the
    replay makes): its batch id, or one line saying why it cannot be used."""
    from podcast_analytics.catalog import replay_snapshot
    from podcast_analytics.catalog.snapshot import CatalogInputError

    try:
        return replay_snapshot(path).batch_id()
    except CatalogInputError as exc:
        raise PipelineError(str(exc)) from None


def _check_has_records(path: Path) -> None:
    """A file with nothing deliverable would run every step to report nothing: say so now.
    Stops at the first line the record processor would deliver (normally line 1)."""
    with _open(path) as handle:
        first = handle.read(2)
        if not first:
            raise PipelineError(f"INPUT {path} has no records: it is empty")
        if path.suffix != ".gz" and first == _GZIP_MAGIC:
            raise PipelineError(f"INPUT {path} is gzip-compressed: name it {path.name}.gz")
        handle.seek(0)
        # Bounded reads: a binary file without newlines is not one giant line in memory.
        while line := handle.readline(MAX_RECORD_BYTES + 1):
            if process_record(line.rstrip(b"\n")).result == "Ok":
                return
    raise PipelineError(
        f"INPUT {path} has no records: no line is a JSON object (binary, or not NDJSON?)"
    )


def replay_records(path: Path, arrival: datetime) -> Iterator[SourceRecord]:
    """Every line of the file is one record (blank ones too: they are dead-lettered as
    `empty`, so every line is accounted for). The partition key is the listener when the
    line names one, else the line number."""
    with _open(path) as handle:
        for number, line in enumerate(handle, start=1):
            data = line[:-1] if line.endswith(b"\n") else line
            yield SourceRecord(data, _partition_key(data, number), arrival)


def _partition_key(data: bytes, number: int) -> str:
    try:
        user_id = json.loads(data).get("user_id")
    except (ValueError, AttributeError, RecursionError):  # the record processor says why
        user_id = None
    if isinstance(user_id, str) and 0 < len(user_id) <= KINESIS_PARTITION_KEY_MAX_CHARS:
        return user_id
    return f"line-{number}"


def _open(path: Path):  # type: ignore[no-untyped-def]
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")
