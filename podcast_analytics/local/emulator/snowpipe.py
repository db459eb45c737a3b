"""Local Snowpipe stand-in: S3 notifications (SQS) -> the DuckDB raw table, once per object.

Snowpipe's guarantees, kept here:
- auto-ingest: new objects are found from the bucket's event notifications (S3 -> SQS,
  filtered on the raw prefix), not by listing the bucket;
- exactly once per object: a load history keyed by (object key, ETag) means a re-sent
  notification, a rerun, or the same input delivered again loads nothing twice;
- atomic per object: the rows and the load-history entry commit in one transaction, so a
  crash mid-object leaves none of it (and the object is loaded again next time);
- DuckDB's own NDJSON reader parses each object (gzip or not), as the pipe's JSON file
  format does; an object that is not newline-delimited JSON is skipped whole and reported
  (Snowpipe's ON_ERROR default is SKIP_FILE:
  https://docs.snowflake.com/en/user-guide/data-load-snowpipe-errors), never loaded in part.

Two pipes share the one notification channel, as Snowflake's auto-ingest pipes of one
account share its SQS queue and each takes the objects under its own stage's path
(https://docs.snowflake.com/en/user-guide/data-load-snowpipe-auto-s3): objects under the
catalog prefix load into the raw catalog table, the rest into the raw events table. One
load history serves both: their keys live under different prefixes, so (key, ETag) never
names an object of the other table.

Columns (both tables) are the shared `RAW_TABLE_COLUMNS`: the line as delivered, the object key, the
1-based line number, and `loaded_at`. In AWS `loaded_at` is the load time; the local run
simulates arrival days, so it is the simulated delivery time the Firehose stand-in stored
on the object (falling back to now for objects put there by hand).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import duckdb

from podcast_analytics.config import RAW_TABLE_COLUMNS, Settings
from podcast_analytics.local.emulator.firehose import DELIVERED_AT_METADATA
from podcast_analytics.pipeline.crash_points import crash_point

LOAD_HISTORY_TABLE = "load_history"


@dataclass(frozen=True, slots=True)
class RawTable:
    schema: str
    table: str

    @classmethod
    def from_settings(cls, settings: Settings) -> RawTable:
        return cls(settings.snowflake.raw_schema.lower(), settings.snowflake.raw_table.lower())

    @classmethod
    def catalog_from_settings(cls, settings: Settings) -> RawTable:
        """The episode catalog's raw table: same schema, same columns, its own name."""
        sf = settings.snowflake
        return cls(sf.raw_schema.lower(), sf.catalog_table.lower())

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def history(self) -> str:
        return f"{self.schema}.{LOAD_HISTORY_TABLE}"


@dataclass(slots=True)
class LoadStats:
    notifications: int = 0
    objects_loaded: int = 0
    objects_skipped: int = 0
    rows_loaded: int = 0
    objects_rejected: int = 0
    # The catalog pipe's share (objects_loaded / rows_loaded count the events'):
    catalog_objects_loaded: int = 0
    catalog_rows_loaded: int = 0
    loaded_keys: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)  # object key -> why

    def to_dict(self) -> dict[str, Any]:
        return {
            "notifications": self.notifications,
            "objects_loaded": self.objects_loaded,
            "objects_skipped": self.objects_skipped,
            "rows_loaded": self.rows_loaded,
            "objects_rejected": self.objects_rejected,
            "catalog_objects_loaded": self.catalog_objects_loaded,
            "catalog_rows_loaded": self.catalog_rows_loaded,
            "rejected": dict(self.rejected),
        }


def ensure_raw_tables(con: duckdb.DuckDBPyConnection, raw: RawTable) -> None:
    columns = ", ".join(f"{column.name} {column.duckdb_type}" for column in RAW_TABLE_COLUMNS)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {raw.schema}")
    con.execute(f"CREATE TABLE IF NOT EXISTS {raw.qualified} ({columns})")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {raw.history} ("
        "source_file VARCHAR NOT NULL, etag VARCHAR NOT NULL, row_count INTEGER NOT NULL, "
        "loaded_at TIMESTAMP NOT NULL, PRIMARY KEY (source_file, etag))"
    )


class LocalSnowpipe:
    def __init__(
        self,
        settings: Settings,
        s3: Any,
        sqs: Any,
        duckdb_path: Path,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._settings = settings
        self._s3 = s3
        self._sqs = sqs
        self._duckdb_path = duckdb_path
        self._clock = clock
        self._raw = RawTable.from_settings(settings)
        self._catalog = RawTable.catalog_from_settings(settings)
        self._queue_url = sqs.get_queue_url(QueueName=settings.local.notification_queue)["QueueUrl"]

    def drain(self) -> LoadStats:
        """Load every object announced on the queue until the queue is empty."""
        stats = LoadStats()
        self._duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(self._duckdb_path)) as con:
            ensure_raw_tables(con, self._raw)
            ensure_raw_tables(con, self._catalog)
            for receipt, objects in self._notifications():
                stats.notifications += 1
                for key, etag in objects:
                    self.load_object(con, key, etag, stats)
                # Deleted only after the load committed: a crash in between re-sends the
                # message, and the load history turns the re-send into a no-op.
                self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=receipt)
        return stats

    def _notifications(self) -> Iterator[tuple[str, list[tuple[str, str]]]]:
        while True:
            messages = self._sqs.receive_message(
                QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                return
            for message in messages:
                yield message["ReceiptHandle"], _objects_in(message["Body"], self._raw_bucket)

    @property
    def _raw_bucket(self) -> str:
        return self._settings.storage.buckets.raw

    def load_object(
        self, con: duckdb.DuckDBPyConnection, key: str, etag: str, stats: LoadStats
    ) -> None:
        if not etag:  # a hand-made notification without one: ask S3
            etag = self._s3.head_object(Bucket=self._raw_bucket, Key=key)["ETag"]
        etag = etag.strip('"')
        already = con.execute(
            f"SELECT 1 FROM {self._raw.history} WHERE source_file = ? AND etag = ?", [key, etag]
        ).fetchone()
        if already:
            stats.objects_skipped += 1
            return
        response = self._s3.get_object(Bucket=self._raw_bucket, Key=key)
        body = response["Body"].read()
        loaded_at = _delivered_at(response.get("Metadata", {})) or self._clock()
        loaded_at_naive = loaded_at.astimezone(UTC).replace(tzinfo=None)  # TIMESTAMP is UTC
        is_catalog = key.startswith(self._settings.storage.prefixes.catalog)
        table = self._catalog if is_catalog else self._raw
        with tempfile.TemporaryDirectory(dir=self._duckdb_path.parent) as tmp:
            # DuckDB cannot reach S3 here (no httpfs offline): its reader gets a local copy.
            staged = Path(tmp) / "object"
            staged.write_bytes(body)
            compression = "gzip" if key.endswith(".gz") else "none"
            con.execute("BEGIN TRANSACTION")
            try:
                rows = _insert_object(con, table, staged, compression, key, loaded_at_naive)
                con.execute(
                    f"INSERT INTO {self._raw.history} VALUES (?, ?, ?, ?)",
                    [key, etag, rows, loaded_at_naive],
                )
                con.execute("COMMIT")
            except duckdb.InvalidInputException as exc:
                # Snowpipe's default for a bad file is SKIP_FILE: nothing of it is loaded
                # and the load history says why. Not recorded as loaded, so a corrected
                # object (a new ETag) loads.
                con.execute("ROLLBACK")
                stats.objects_rejected += 1
                stats.rejected[key] = _first_line(str(exc))
                return
            except BaseException:
                con.execute("ROLLBACK")
                raise
        crash_point("load:object-committed")
        if is_catalog:
            stats.catalog_objects_loaded += 1
            stats.catalog_rows_loaded += rows
        else:
            stats.objects_loaded += 1
            stats.rows_loaded += rows
        stats.loaded_keys.append(key)


def _insert_object(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    staged: Path,
    compression: str,
    key: str,
    loaded_at: datetime,
) -> int:
    """One object through DuckDB's NDJSON reader: each line's JSON text as delivered.

    `source_row` is the record's position in the object: a single-file scan keeps file
    order (insertion order is preserved), and ROW_NUMBER() OVER () numbers rows in the
    order they stream through, so no line is split or numbered in Python.
    """
    inserted = con.execute(
        f"INSERT INTO {raw.qualified} "
        "SELECT json::VARCHAR, ?, (row_number() OVER ())::INTEGER, ? "
        "FROM read_ndjson_objects(?, compression = ?)",
        [key, loaded_at, str(staged), compression],
    ).fetchone()
    return int(inserted[0]) if inserted else 0


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unreadable object"


def _objects_in(body: str, bucket: str) -> list[tuple[str, str]]:
    """(key, etag) of every object-created record of one S3 notification message."""
    message = json.loads(body)
    objects = []
    for record in message.get("Records", []):  # s3:TestEvent has none
        s3 = record.get("s3", {})
        if s3.get("bucket", {}).get("name") != bucket:
            continue
        if not record.get("eventName", "").startswith("ObjectCreated"):
            continue
        obj = s3["object"]
        objects.append((unquote_plus(obj["key"]), obj.get("eTag", "")))
    return objects


def _delivered_at(metadata: dict[str, str]) -> datetime | None:
    value = metadata.get(DELIVERED_AT_METADATA)
    return datetime.fromisoformat(value) if value else None
