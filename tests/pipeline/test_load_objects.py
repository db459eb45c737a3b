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
from podcast_analytics.local.emulator.snowpipe import (
    LoadStats,
    LocalSnowpipe,
    RawTable,
    ensure_raw_tables,
)

SETTINGS = load_settings("local")
CLOCK = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)


class Bucket:
    """Just enough of boto3's S3 client for the loader: objects in memory."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        return {"Body": io.BytesIO(self.objects[Key]), "Metadata": {}}


class Queue:
    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        return {"QueueUrl": f"http://queue/{QueueName}"}


@pytest.fixture
def loader(tmp_path: Path):
    bucket = Bucket()
    database = tmp_path / SETTINGS.local.duckdb_file
    pipe = LocalSnowpipe(SETTINGS, bucket, Queue(), database, clock=lambda: CLOCK)
    raw = RawTable.from_settings(SETTINGS)
    with duckdb.connect(str(database)) as con:
        ensure_raw_tables(con, raw)
        yield bucket, pipe, con, raw


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
