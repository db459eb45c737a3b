"""The task's SQL, executed: fakesnow (Snowflake SQL over DuckDB) stands in for Snowflake.

A stream exposes its table's columns, so a plain table with the raw columns stands in for
the stream (fakesnow has no streams); the statement run is the one the Task resource gets.
"""

from __future__ import annotations

import json
import warnings
from collections import defaultdict
from datetime import UTC, date, datetime

import fakesnow
import pytest
import snowflake.connector

from infra.snowflake.sql import LOAD_DATES_COLUMNS
from podcast_analytics.config import RAW_TABLE_COLUMNS, load_settings
from tests.infra.snowflake.harness import StackRun

# (record, loaded_at): offsets on both sides of midnight UTC, and records without a usable
# event_ts (quarantined later by dbt; their date is unknown).
RAW_ROWS: list[tuple[dict[str, object], str]] = [
    ({"event_ts": "2026-11-24T23:30:00-02:00"}, "2026-11-25 10:00:00"),
    ({"event_ts": "2026-11-24T10:00:00.250Z"}, "2026-11-25 10:00:00"),
    ({"event_ts": "2026-11-25T03:00:00+05:30"}, "2026-11-25 10:05:00"),
    ({"event_ts": "not a time"}, "2026-11-25 10:05:00"),
    ({"event_id": "no-timestamp"}, "2026-11-25 10:06:00"),
]


def utc_date(record: dict[str, object]) -> date | None:
    try:
        return datetime.fromisoformat(str(record["event_ts"])).astimezone(UTC).date()
    except (KeyError, ValueError):
        return None


@pytest.fixture(scope="module")
def load_dates(stack_runs: dict[str, StackRun]) -> list[tuple]:
    sf = load_settings("dev").snowflake
    (task,) = stack_runs["dev"].of_type("snowflake:index/task:Task")
    schema = f"{sf.raw_database}.{sf.raw_schema}"
    raw_columns = ", ".join(f"{c.name} {c.snowflake_type}" for c in RAW_TABLE_COLUMNS)
    date_columns = ", ".join(f"{n} {t}" for n, t, _ in LOAD_DATES_COLUMNS)
    with fakesnow.patch(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fakesnow's Arrow copy notice
        conn = snowflake.connector.connect(database=sf.raw_database, schema=sf.raw_schema)
        cur = conn.cursor()
        cur.execute(f"CREATE TABLE {schema}.{sf.stream} ({raw_columns})")
        cur.execute(f"CREATE TABLE {schema}.{sf.load_dates_table} ({date_columns})")
        for row, (record, loaded_at) in enumerate(RAW_ROWS, start=1):
            cur.execute(
                f"INSERT INTO {schema}.{sf.stream} "
                "SELECT PARSE_JSON(%s), 'raw_events/20261125/f.gz', %s, %s::TIMESTAMP_NTZ",
                (json.dumps(record), row, loaded_at),
            )
        cur.execute(task.inputs["sqlStatement"])
        cur.execute(
            "SELECT event_date, min_loaded_at, max_loaded_at, records "
            f"FROM {schema}.{sf.load_dates_table}"
        )
        return cur.fetchall()


def test_task_records_each_utc_event_date_with_its_load_range(load_dates: list[tuple]) -> None:
    expected: dict[date | None, list[datetime]] = defaultdict(list)
    for record, loaded_at in RAW_ROWS:
        expected[utc_date(record)].append(datetime.fromisoformat(loaded_at))
    assert sorted(load_dates, key=str) == sorted(
        ((day, min(times), max(times), len(times)) for day, times in expected.items()), key=str
    )
    # The cases the rows were chosen for: a late-evening event west of UTC is the next UTC
    # day, and records without a timestamp are counted, not dropped.
    assert date(2026, 11, 25) in {row[0] for row in load_dates}
    assert sum(row[3] for row in load_dates) == len(RAW_ROWS)
