"""Incremental facts: building day by day gives what one full build gives, and a run with
nothing new changes nothing."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest

from podcast_analytics.config import load_settings
from podcast_analytics.contract import parse_event_ts
from tests.transform.dbt_runner import DbtProject
from tests.transform.marts_snapshot import marts
from tests.transform.raw_rows import HISTORY, catalog_table, generated_catalog, load_raw_rows

pytestmark = pytest.mark.slow

# Day 10 of the history, mid-afternoon: later loads hold new days and late, offline listening.
CUT = datetime.combine(HISTORY.start, time()) + timedelta(days=9, hours=13)


@pytest.fixture(scope="module")
def incremental_warehouse(tmp_path_factory, history_rows):
    """History loaded in two parts: a full build on the first, an incremental on the rest.
    The catalog's first snapshot comes with the first part; its re-read (one episode re-cut
    to a new duration) with the rest, so plays of that episode are recomputed though their
    events are not new."""
    first = [row for row in history_rows if row.loaded_at < CUT]
    rest = [row for row in history_rows if row.loaded_at >= CUT]
    assert first and rest
    catalog = generated_catalog()
    first_catalog = [row for row in catalog if row.source_file == "catalog/first.ndjson.gz"]
    rest_catalog = [row for row in catalog if row.source_file != "catalog/first.ndjson.gz"]
    assert first_catalog and rest_catalog
    work = tmp_path_factory.mktemp("dbt_incremental")
    database = work / load_settings("local").local.duckdb_file
    project = DbtProject(work_dir=work, database=database)
    load_raw_rows(database, first)
    load_raw_rows(database, first_catalog, catalog_table())
    first_run = project.run("run")  # models only: the tests run on the incremental result
    assert first_run.ok, first_run.output[-4000:]
    load_raw_rows(database, rest)
    load_raw_rows(database, rest_catalog, catalog_table())
    project.build()
    compiled = work / "target" / "compiled" / "podcast_analytics" / "models" / "3.marts"
    executed = work / "target" / "run" / "podcast_analytics" / "models" / "3.marts"
    name = "fct_episode_plays.sql"
    return project, database, (compiled / name).read_text() + (executed / name).read_text()


def test_second_build_was_incremental(incremental_warehouse) -> None:
    _, _, incremental_sql = incremental_warehouse
    # delete+insert from a temp relation, filtered to newly loaded listeners
    assert "affected_listeners" in incremental_sql
    assert "recatalogued_listeners" in incremental_sql
    assert "delete from" in incremental_sql.lower()


def test_late_events_for_earlier_days_arrived_after_the_cut(history_rows) -> None:
    # The data must exercise the hard case: events loaded after the cut for days before it.
    def event_time(record: str) -> datetime | None:
        stamp = json.loads(record).get("event_ts")
        parsed = parse_event_ts(stamp) if isinstance(stamp, str) else None
        return parsed.replace(tzinfo=None) if parsed else None

    late = [
        row
        for row in history_rows
        if row.loaded_at >= CUT
        and (moment := event_time(row.record)) is not None
        and moment < CUT - timedelta(days=1)
    ]
    assert len(late) >= 10


def test_incremental_equals_full_refresh(incremental_warehouse, built_warehouse) -> None:
    _, database, _ = incremental_warehouse
    incremental, full = marts(database), marts(built_warehouse.database)
    for table, rows in full.items():
        assert rows, f"{table} is empty"
        assert incremental[table] == rows, table


def test_a_run_with_no_new_data_changes_nothing(incremental_warehouse) -> None:
    project, database, _ = incremental_warehouse
    before = marts(database)
    result = project.run("run")
    assert result.ok, result.output[-4000:]
    assert marts(database) == before
