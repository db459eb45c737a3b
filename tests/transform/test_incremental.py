"""Incremental facts: building day by day gives what one full build gives, and a run with
nothing new changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from podcast_analytics.config import load_settings
from tests.transform.dbt_runner import DbtProject
from tests.transform.marts_snapshot import marts
from tests.transform.raw_rows import START, load_raw_rows

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def incremental_warehouse(tmp_path_factory, history_rows):
    """History loaded in two parts: a full build on the first, an incremental on the rest."""
    cut = START + timedelta(days=9, hours=13)
    first = [row for row in history_rows if row.loaded_at < cut]
    rest = [row for row in history_rows if row.loaded_at >= cut]
    assert first and rest
    work = tmp_path_factory.mktemp("dbt_incremental")
    database = work / load_settings("local").local.duckdb_file
    project = DbtProject(work_dir=work, database=database)
    load_raw_rows(database, first)
    first_run = project.run("run")  # models only: the tests run on the incremental result
    assert first_run.ok, first_run.output[-4000:]
    load_raw_rows(database, rest)
    project.build()
    compiled = work / "target" / "compiled" / "podcast_analytics" / "models" / "3.marts"
    executed = work / "target" / "run" / "podcast_analytics" / "models" / "3.marts"
    name = "fct_episode_plays.sql"
    return project, database, (compiled / name).read_text() + (executed / name).read_text()


def test_second_build_was_incremental(incremental_warehouse) -> None:
    _, _, incremental_sql = incremental_warehouse
    # delete+insert from a temp relation, filtered to newly loaded listeners
    assert "newly_loaded" in incremental_sql
    assert "delete from" in incremental_sql.lower()


def test_late_events_for_earlier_days_arrived_after_the_cut(history_rows) -> None:
    # The data must exercise the hard case: events loaded after the cut for days before it.
    cut = START + timedelta(days=9, hours=13)
    late = [r for r in history_rows if r.loaded_at >= cut and '"event_ts":"2026-11-0' in r.record]
    assert late


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
