"""The local load stage reads each object with DuckDB's NDJSON reader: every line's text as
delivered, exact line numbers, once per object, and a malformed object skipped whole."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from podcast_analytics.config import load_settings
from podcast_analytics.local.emulator import snowpipe
from podcast_analytics.local.emulator.snowpipe import (
    LoadStats,
    LocalSnowpipe,
    RawTable,
    ensure_raw_tables,
)

SETTINGS = load_settings("local")
CLOCK = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
RAW = RawTable.from_settings(SETTINGS)


class Bucket:
    """Just enough of boto3's S3 client for the loader: objects in memory."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        return {"Body": io.BytesIO(self.objects[Key]), "Metadata": {}}


class Queue:
    """Just enough of boto3's SQS client: messages handed out 10 at a time, as SQS does."""

    def __init__(self) -> None:
        self.waiting: list[dict[str, str]] = []
        self.received: list[int] = []  # messages per receive
        self.deleted: list[str] = []

    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        return {"QueueUrl": f"http://queue/{QueueName}"}

    def notify(self, *objects: tuple[str, str]) -> None:
        """One S3 notification message per (key, etag)."""
        for key, etag in objects:
            record = {
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": SETTINGS.storage.buckets.raw},
                    "object": {"key": key, "eTag": etag},
                },
            }
            n = len(self.received) * 100 + len(self.waiting)
            self.waiting.append(
                {"ReceiptHandle": f"r{n}", "Body": json.dumps({"Records": [record]})}
            )

    def receive_message(self, **_: Any) -> dict[str, Any]:
        batch, self.waiting = self.waiting[:10], self.waiting[10:]
        if batch:
            self.received.append(len(batch))
        return {"Messages": batch}

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        self.deleted += [entry["ReceiptHandle"] for entry in Entries]
        return {"Successful": [{"Id": entry["Id"]} for entry in Entries]}


@pytest.fixture
def loader(tmp_path: Path):
    bucket = Bucket()
    database = tmp_path / SETTINGS.local.duckdb_file
    pipe = LocalSnowpipe(SETTINGS, bucket, Queue(), database, clock=lambda: CLOCK)
    raw = RawTable.from_settings(SETTINGS)
    with duckdb.connect(str(database)) as con:
        ensure_raw_tables(con, raw)
        yield bucket, pipe, con, raw


@pytest.fixture
def queued(tmp_path: Path):
    """A loader drained from a queue: drain() opens the warehouse itself."""
    bucket, queue = Bucket(), Queue()
    database = tmp_path / SETTINGS.local.duckdb_file
    pipe = LocalSnowpipe(SETTINGS, bucket, queue, database, clock=lambda: CLOCK)
    return bucket, queue, pipe, database


def raw_rows(database: Path) -> list[tuple[str, int, str]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            f"SELECT source_file, source_row, record FROM {RAW.qualified} ORDER BY 1, 2"
        ).fetchall()


def history(database: Path) -> list[tuple[str, str, int]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            f"SELECT source_file, etag, row_count FROM {RAW.history} ORDER BY 1"
        ).fetchall()


def test_every_line_keeps_its_text_and_its_number(loader) -> None:
    bucket, pipe, con, raw = loader
    # Many rows, so a parallel or reordered scan would show; texts with odd spacing and
    # escaped newlines must come back byte for byte.
    lines = [json.dumps({"n": n, "pad": "x" * (n % 50)}) for n in range(1, 60_001)]
    lines[10] = '{"spaced" :  1 ,"text":"a\\nb"}'
    bucket.objects["raw/a.json.gz"] = gzip.compress(("\n".join(lines) + "\n").encode())
    bucket.objects["raw/b.json"] = b'{"only": true}\n'
    stats = LoadStats()
    pipe.load_object(con, "raw/a.json.gz", "etag-a", stats)
    pipe.load_object(con, "raw/b.json", "etag-b", stats)
    rows = con.execute(
        f"select source_file, source_row, record, loaded_at from {raw.qualified} "
        "order by source_file, source_row"
    ).fetchall()
    assert [(f, n, text) for f, n, text, _ in rows] == [
        ("raw/a.json.gz", number, text) for number, text in enumerate(lines, start=1)
    ] + [("raw/b.json", 1, '{"only": true}')]
    assert {loaded for *_, loaded in rows} == {CLOCK.replace(tzinfo=None)}
    assert (stats.objects_loaded, stats.rows_loaded) == (2, 60_001)


def test_an_object_loads_once(loader) -> None:
    bucket, pipe, con, raw = loader
    bucket.objects["raw/c.json"] = b'{"a": 1}\n{"a": 2}\n'
    stats = LoadStats()
    for _ in range(3):
        pipe.load_object(con, "raw/c.json", '"etag-c"', stats)
    assert (stats.objects_loaded, stats.objects_skipped) == (1, 2)
    assert con.execute(f"select count(*) from {raw.qualified}").fetchone() == (2,)


def test_a_malformed_object_is_skipped_whole_and_reported(loader) -> None:
    bucket, pipe, con, raw = loader
    bucket.objects["raw/bad.json"] = b'{"a": 1}\nnot json\n{"a": 3}\n'
    stats = LoadStats()
    pipe.load_object(con, "raw/bad.json", "etag-bad", stats)
    assert con.execute(f"select count(*) from {raw.qualified}").fetchone() == (0,)
    assert con.execute(f"select count(*) from {raw.history}").fetchone() == (0,)
    assert stats.objects_rejected == 1 and "Malformed JSON" in stats.rejected["raw/bad.json"]
    # corrected (a new ETag), it loads
    bucket.objects["raw/bad.json"] = b'{"a": 1}\n{"a": 3}\n'
    pipe.load_object(con, "raw/bad.json", "etag-fixed", stats)
    assert stats.rows_loaded == 2


def test_a_catalog_object_loads_into_the_catalog_table_once(loader) -> None:
    bucket, pipe, con, raw = loader
    catalog = RawTable.catalog_from_settings(SETTINGS)
    ensure_raw_tables(con, catalog)
    key = f"{SETTINGS.storage.prefixes.catalog_for(CLOCK.date())}snapshot.ndjson"
    lines = ['{"episode_id":"e1"}', '{"episode_id": "e2" }']
    bucket.objects[key] = ("\n".join(lines) + "\n").encode()
    stats = LoadStats()
    pipe.load_object(con, key, "etag-c", stats)
    pipe.load_object(con, key, "etag-c", stats)  # a re-sent notification
    assert (stats.catalog_objects_loaded, stats.catalog_rows_loaded) == (1, 2)
    assert (stats.objects_loaded, stats.objects_skipped) == (0, 1)
    rows = con.execute(
        f"SELECT record, source_file, source_row, loaded_at FROM {catalog.qualified} ORDER BY 3"
    ).fetchall()
    assert rows == [(text, key, n, CLOCK.replace(tzinfo=None)) for n, text in enumerate(lines, 1)]
    assert con.execute(f"SELECT count(*) FROM {raw.qualified}").fetchone() == (0,)
    columns = [con.execute(f"DESCRIBE {table.qualified}").fetchall() for table in (raw, catalog)]
    assert columns[0] == columns[1]  # the same columns as the events' raw table


def test_a_batch_loads_its_good_objects_and_skips_its_bad_one_whole(queued) -> None:
    bucket, queue, pipe, database = queued
    bucket.objects["raw/1.json"] = b'{"a": 1}\n{"a": 2}\n'
    bucket.objects["raw/2.json"] = b'{"b": 1}\nnot json\n{"b": 3}\n'
    bucket.objects["raw/3.json.gz"] = gzip.compress(b'{"c": 1}\n')
    queue.notify(("raw/1.json", "e1"), ("raw/2.json", "e2"), ("raw/3.json.gz", "e3"))
    stats = pipe.drain()
    assert queue.received == [3]  # one batch, so the bad object shared its transaction
    assert raw_rows(database) == [
        ("raw/1.json", 1, '{"a": 1}'),
        ("raw/1.json", 2, '{"a": 2}'),
        ("raw/3.json.gz", 1, '{"c": 1}'),
    ]
    assert history(database) == [("raw/1.json", "e1", 2), ("raw/3.json.gz", "e3", 1)]
    assert (stats.objects_loaded, stats.rows_loaded, stats.objects_rejected) == (2, 3, 1)
    assert "Malformed JSON" in stats.rejected["raw/2.json"]
    assert stats.loaded_keys == ["raw/1.json", "raw/3.json.gz"]
    assert sorted(queue.deleted) == ["r0", "r1", "r2"]  # a rejected object is not retried


def test_a_notification_repeated_within_a_batch_loads_once(queued) -> None:
    bucket, queue, pipe, database = queued
    bucket.objects["raw/d.json"] = b'{"d": 1}\n{"d": 2}\n'
    queue.notify(("raw/d.json", '"etag-d"'), ("raw/d.json", "etag-d"))  # quoted or not: one ETag
    stats = pipe.drain()
    assert queue.received == [2]
    assert (stats.notifications, stats.objects_loaded, stats.objects_skipped) == (2, 1, 1)
    assert [row[:2] for row in raw_rows(database)] == [("raw/d.json", 1), ("raw/d.json", 2)]
    assert history(database) == [("raw/d.json", "etag-d", 2)]


def test_every_batch_commits_and_a_redrain_loads_nothing(queued) -> None:
    bucket, queue, pipe, database = queued
    objects = [(f"raw/{n:02d}.json", f"e{n}") for n in range(23)]  # batches of 10, 10, 3
    for n, (key, _) in enumerate(objects):
        bucket.objects[key] = f'{{"n": {n}}}\n'.encode()
    queue.notify(*objects)
    first = pipe.drain()
    assert queue.received == [10, 10, 3] and len(queue.deleted) == 23
    assert (first.objects_loaded, first.rows_loaded) == (23, 23)
    queue.notify(*objects)  # the same notifications again (a crash before their delete)
    again = pipe.drain()
    assert (again.objects_loaded, again.objects_skipped, again.rows_loaded) == (0, 23, 0)
    assert len(raw_rows(database)) == 23 and len(history(database)) == 23
    assert queue.waiting == [] and len(queue.deleted) == 46


def test_a_failure_mid_batch_leaves_none_of_the_batch_and_keeps_its_messages(
    queued, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket, queue, pipe, database = queued
    for key in ("raw/x.json", "raw/y.json"):
        bucket.objects[key] = b'{"x": 1}\n'
    queue.notify(("raw/x.json", "ex"), ("raw/y.json", "ey"))
    real_insert = snowpipe._insert_object
    calls: list[str] = []

    def disk_full_on_the_second(con: Any, raw: Any, staged: Any, *args: Any) -> int:
        calls.append(str(staged))
        if len(calls) == 2:
            raise duckdb.IOException("disk full")
        return real_insert(con, raw, staged, *args)

    monkeypatch.setattr(snowpipe, "_insert_object", disk_full_on_the_second)
    with pytest.raises(duckdb.IOException):
        pipe.drain()
    assert raw_rows(database) == [] and history(database) == []  # the first object too
    assert queue.deleted == []  # so SQS re-sends both
    monkeypatch.setattr(snowpipe, "_insert_object", real_insert)
    queue.notify(("raw/x.json", "ex"), ("raw/y.json", "ey"))  # the re-send
    stats = pipe.drain()
    assert (stats.objects_loaded, stats.rows_loaded) == (2, 2)
