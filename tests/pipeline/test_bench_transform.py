"""make bench-transform's raw rows: the generator's stream as the loader lands it, split at
the last day, loaded straight into DuckDB (the timing itself is the benchmark, not a test)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime

import duckdb

from podcast_analytics.config import load_settings
from podcast_analytics.contract.catalog import catalog_invalid_reason
from podcast_analytics.generator import GeneratorSettings
from podcast_analytics.pipeline.bench_transform import load_raw, write_catalog_rows, write_raw_rows


def test_raw_rows_split_at_the_new_day_and_load_exactly(tmp_path) -> None:
    generator = GeneratorSettings(seed=3, days=3, events=3000, start=date(2026, 9, 1))
    new_from = datetime(2026, 9, 3)
    raw = write_raw_rows(generator, tmp_path, new_from)
    assert raw.rows_history > 0 and raw.rows_new > 0
    rows = {
        path: [json.loads(line) for line in path.read_text().splitlines()]
        for path in (raw.history, raw.new)
    }
    assert len(rows[raw.history]) == raw.rows_history and len(rows[raw.new]) == raw.rows_new
    assert all(row["loaded_at"] < "2026-09-03" for row in rows[raw.history])
    assert all(row["loaded_at"] >= "2026-09-03" for row in rows[raw.new])
    numbers: dict[str, list[int]] = defaultdict(list)
    for row in rows[raw.history] + rows[raw.new]:
        numbers[row["source_file"]].append(row["source_row"])
    # one object per arrival hour, rows numbered 1..n in order, as the loader numbers lines
    assert all(found == list(range(1, len(found) + 1)) for found in numbers.values())

    settings = load_settings("local")
    database = tmp_path / settings.local.duckdb_file
    load_raw(database, settings, raw.history)
    load_raw(database, settings, raw.new)
    table = f"{settings.snowflake.raw_schema}.{settings.snowflake.raw_table}".lower()
    with duckdb.connect(str(database)) as con:
        count, distinct = con.execute(
            f"select count(*), count(distinct (source_file, source_row)) from {table}"
        ).fetchone()
    assert count == distinct == raw.rows_history + raw.rows_new


def test_the_generated_catalog_loads_valid_into_the_raw_catalog_table(tmp_path) -> None:
    generator = GeneratorSettings(seed=3, days=3, events=3000, start=date(2026, 9, 1))
    rows = write_catalog_rows(generator, tmp_path, datetime(2026, 9, 3))
    settings = load_settings("local")
    database = tmp_path / settings.local.duckdb_file
    load_raw(database, settings, rows, catalog=True)
    sf = settings.snowflake
    with duckdb.connect(str(database)) as con:
        records = con.execute(
            f"select record from {sf.raw_schema}.{sf.catalog_table}".lower()
        ).fetchall()
        events = con.execute(f"select count(*) from {sf.raw_schema}.{sf.raw_table}".lower())
        assert events.fetchone() == (0,)  # created empty: both sources exist
    assert records
    assert all(catalog_invalid_reason(json.loads(record)) is None for (record,) in records)
    assert any(json.loads(record)["ad_breaks"] for (record,) in records)
