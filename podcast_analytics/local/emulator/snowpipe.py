"""Local Snowpipe stand-in: S3 notifications (SQS) -> the DuckDB raw table, once per object.

Snowpipe's guarantees, kept here:
- auto-ingest: new objects are found from the bucket's event notifications (S3 -> SQS,
  filtered on the raw prefix), not by listing the bucket;
- exactly once per object: a load history keyed by (object key, ETag) means a re-sent
  notification, a rerun, or the same input delivered again loads nothing twice; the
  history is read once per received batch of messages (SQS hands out up to 10), and a
  (key, ETag) repeated within the batch is loaded once;
- atomic per batch: the batch's new objects' rows and their load-history entries commit in
  one transaction (one commit, not one per object: a commit is most of a small object's
  cost), so a crash mid-batch leaves none of it and the batch's objects load again next
  time. Its messages are deleted from the queue only after that commit; a crash between
  the two re-sends them, and the history (committed with the rows) makes the re-send a
  no-op. Each object is still its own single-file scan inside the transaction, so its
  line numbers are exact;
- DuckDB's own NDJSON reader parses each object (gzip or not), as the pipe's JSON file
  format does; an object that is not newline-delimited JSON is skipped whole and reported
  (Snowpipe's ON_ERROR default is SKIP_FILE:
  https://docs.snowflake.com/en/user-guide/data-load-snowpipe-errors), never loaded in part:
  its batch's transaction is rolled back and the batch's objects are loaded again one
  transaction each, so the good ones load and the bad one alone is skipped.

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
from podcast_analytics.pipeline.errors import PipelineError

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
            for messages in self._received_batches():
                stats.notifications += len(messages)
                objects = [
                    obj
                    for message in messages
                    for obj in _objects_in(message["Body"], self._raw_bucket)
                ]
                self.load_batch(con, objects, stats)
                crash_point("load:object-committed")
                # Deleted only after the batch committed: a crash in between re-sends the
                # messages, and the load history turns the re-send into a no-op.
                self._delete(messages)
        return stats

    def _received_batches(self) -> Iterator[list[dict[str, Any]]]:
        while True:
            messages = self._sqs.receive_message(
                QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                return
            yield messages

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        entries = [
            {"Id": str(n), "ReceiptHandle": message["ReceiptHandle"]}
            for n, message in enumerate(messages)
        ]
        response = self._sqs.delete_message_batch(QueueUrl=self._queue_url, Entries=entries)
        if failed := response.get("Failed"):
            # Loud, as a failed delete_message was: the objects are loaded (a re-send is a
            # no-op), but a queue that refuses deletes is worth a look.
            raise PipelineError(f"SQS kept {len(failed)} notification(s): {failed[0]}")

    @property
    def _raw_bucket(self) -> str:
        return self._settings.storage.buckets.raw

    def load_object(
        self, con: duckdb.DuckDBPyConnection, key: str, etag: str, stats: LoadStats
    ) -> None:
        """One object, as a batch of one."""
        self.load_batch(con, [(key, etag)], stats)

    def load_batch(
        self, con: duckdb.DuckDBPyConnection, objects: list[tuple[str, str]], stats: LoadStats
    ) -> None:
        """The new objects among `objects` ((key, ETag) pairs), in one transaction."""
        new = self._not_yet_loaded(con, objects, stats)
        if not new:
            return
        with tempfile.TemporaryDirectory(dir=self._duckdb_path.parent) as tmp:
            staged = [
                self._stage(key, etag, Path(tmp) / f"{n:02d}") for n, (key, etag) in enumerate(new)
            ]
            self._commit_staged(con, staged, stats)

    def _not_yet_loaded(
        self, con: duckdb.DuckDBPyConnection, objects: list[tuple[str, str]], stats: LoadStats
    ) -> list[tuple[str, str]]:
        """`objects` less those in the load history and repeats within `objects` (a
        notification sent twice lands in one receive as easily as in two), in order."""
        pairs = [(key, self._etag(key, etag)) for key, etag in objects]
        unique = list(dict.fromkeys(pairs))
        loaded: set[tuple[str, str]] = set()
        if unique:
            loaded = set(
                con.execute(
                    f"SELECT source_file, etag FROM {self._raw.history} "
                    "WHERE source_file IN (SELECT unnest(?::VARCHAR[]))",
                    [[key for key, _ in unique]],
                ).fetchall()
            )
        new = [pair for pair in unique if pair not in loaded]
        stats.objects_skipped += len(pairs) - len(new)
        return new

    def _etag(self, key: str, etag: str) -> str:
        if not etag:  # a hand-made notification without one: ask S3
            etag = self._s3.head_object(Bucket=self._raw_bucket, Key=key)["ETag"]
        return etag.strip('"')

    def _stage(self, key: str, etag: str, path: Path) -> _Staged:
        response = self._s3.get_object(Bucket=self._raw_bucket, Key=key)
        # DuckDB cannot reach S3 here (no httpfs offline): its reader gets a local copy.
        path.write_bytes(response["Body"].read())
        loaded_at = _delivered_at(response.get("Metadata", {})) or self._clock()
        is_catalog = key.startswith(self._settings.storage.prefixes.catalog)
        return _Staged(
            key=key,
            etag=etag,
            table=self._catalog if is_catalog else self._raw,
            is_catalog=is_catalog,
            path=path,
            compression="gzip" if key.endswith(".gz") else "none",
            loaded_at=loaded_at.astimezone(UTC).replace(tzinfo=None),  # TIMESTAMP is UTC
        )

    def _commit_staged(
        self, con: duckdb.DuckDBPyConnection, staged: list[_Staged], stats: LoadStats
    ) -> None:
        if len(staged) > 1:
            try:
                rows = _commit(con, self._raw.history, staged)
            except duckdb.InvalidInputException:
                pass  # a bad object among them (rolled back): each again on its own, below
            else:
                for obj, count in zip(staged, rows, strict=True):
                    _count_loaded(stats, obj, count)
                return
        for obj in staged:
            try:
                (count,) = _commit(con, self._raw.history, [obj])
            except duckdb.InvalidInputException as exc:
                # Snowpipe's default for a bad file is SKIP_FILE: nothing of it is loaded
                # and the load history says why. Not recorded as loaded, so a corrected
                # object (a new ETag) loads.
                stats.objects_rejected += 1
                stats.rejected[obj.key] = _first_line(str(exc))
            else:
                _count_loaded(stats, obj, count)


@dataclass(frozen=True, slots=True)
class _Staged:
    """A new object fetched and written where DuckDB's reader can open it."""

    key: str
    etag: str
    table: RawTable
    is_catalog: bool
    path: Path
    compression: str
    loaded_at: datetime  # naive UTC


def _commit(con: duckdb.DuckDBPyConnection, history: str, staged: list[_Staged]) -> list[int]:
    """The objects' rows and their load-history entries in one transaction; rows per object.

    One commit for many objects because a commit is most of a small object's cost (it writes
    the WAL and, past DuckDB's checkpoint threshold, checkpoints): measured, 14 bench objects
    spend 1.8 s committing one by one, 0.7 s in batches of 10.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        rows = [
            _insert_object(con, obj.table, obj.path, obj.compression, obj.key, obj.loaded_at)
            for obj in staged
        ]
        con.execute(
            f"INSERT INTO {history} VALUES " + ", ".join(["(?, ?, ?, ?)"] * len(staged)),
            [
                value
                for obj, count in zip(staged, rows, strict=True)
                for value in (obj.key, obj.etag, count, obj.loaded_at)
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return rows


def _count_loaded(stats: LoadStats, obj: _Staged, rows: int) -> None:
    if obj.is_catalog:
        stats.catalog_objects_loaded += 1
        stats.catalog_rows_loaded += rows
    else:
        stats.objects_loaded += 1
        stats.rows_loaded += rows
    stats.loaded_keys.append(obj.key)


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
