"""Incremental models: building in two parts gives what one full build of the same rows
gives (staging and marts, row for row), and a run with nothing new changes nothing.

The second part holds new days, late and out-of-order listening, and a backfill file whose
rows carry `loaded_at`s older than rows already classified: resends of known events, some
stamped earlier than the record that was `valid` (they must take its place), some later
(plain duplicates).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import duckdb
import pytest

from podcast_analytics.config import load_settings
from podcast_analytics.contract import invalid_reason, parse_event_ts
from tests.reference.marts import RawRow
from tests.transform.dbt_runner import DbtProject
from tests.transform.marts_snapshot import marts, table_rows
from tests.transform.raw_rows import HISTORY, catalog_table, generated_catalog, load_raw_rows

pytestmark = pytest.mark.slow

# Day 10 of the history, mid-afternoon: later loads hold new days and late, offline listening.
CUT = datetime.combine(HISTORY.start, time()) + timedelta(days=9, hours=13)
BACKFILL_FILE = "raw_events/backfill/resends.json"
# Compared beside marts_snapshot.MART_TABLES: the catalog marts, the shared copies and the
# stored segments the curves are recomputed from.
MORE_TABLES = (
    ("marts", "fct_episode_launch_curve"),
    ("marts", "fct_episode_launch_hours"),
    ("marts", "fct_ad_break_reach"),
    ("marts", "fct_daily_podcast_ad_reach"),
    ("marts", "shared_daily_podcast_ad_reach"),
    ("marts", "shared_daily_podcast_kpis"),
    ("marts", "shared_weekly_podcast_listeners"),
    ("intermediate", "int_listening_segments"),
)
STAGING_TABLES = (
    "stg_events__records",
    "stg_user_events",
    "stg_user_events_invalid",
    "stg_user_events_duplicates",
)


def backfill_resends(first: list[RawRow]) -> list[RawRow]:
    """Resends of events already loaded before the cut, in one file loaded after it: every
    other one stamped a second before its original (it arrived first, so it is the valid
    record from now on), the others a second after (a duplicate)."""
    settings = load_settings("local").events
    arrivals = Counter(json.loads(row.record).get("event_id") for row in first)

    def valid_playback(row: RawRow) -> bool:
        event = json.loads(row.record)
        reason = invalid_reason(
            event,
            received_at=row.loaded_at.replace(tzinfo=UTC),
            future_tolerance_s=settings.future_tolerance_s,
            earliest_event_ts=settings.earliest_event_instant,
        )
        return (
            reason is None
            and arrivals[event["event_id"]] == 1
            and event["event_type"] in ("play", "progress", "pause")
        )

    playback = [row for row in first if valid_playback(row)]
    picked = playback[:: max(1, len(playback) // 12)][:12]
    return [
        RawRow(
            row.record,
            BACKFILL_FILE,
            number,
            row.loaded_at + timedelta(seconds=-1 if number % 2 else 1),
        )
        for number, row in enumerate(picked, start=1)
    ]


@pytest.fixture(scope="module")
def incremental_warehouse(tmp_path_factory, history_rows):
    """History loaded in two parts: a full build on the first, an incremental on the rest
    (with the backfill file). The catalog's first snapshot comes with the first part; its
    re-read (one episode re-cut to a new duration) with the rest, so the sessions with plays
    of that episode are rebuilt though their events are not new."""
    first = [row for row in history_rows if row.loaded_at < CUT]
    rest = [row for row in history_rows if row.loaded_at >= CUT] + backfill_resends(first)
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
    _, database, incremental_sql = incremental_warehouse
    # the plays came from the affected sessions only, appended after the pre-hook's delete
    assert 'from "warehouse"."intermediate"."int_episode_plays_affected"' in incremental_sql
    assert "insert into" in incremental_sql.lower()
    with duckdb.connect(str(database), read_only=True) as con:
        (re_read,) = con.execute(
            "select count(*) from intermediate.int_user_events_affected"
        ).fetchone()
        (new,) = con.execute(
            "select count(*) from staging.stg_user_events where loaded_at >= ?", [CUT]
        ).fetchone()
        (total,) = con.execute("select count(*) from staging.stg_user_events").fetchone()
        (recut_plays,) = con.execute(
            "select count(*) from marts.fct_episode_plays as plays "
            "inner join intermediate.int_episodes_recatalogued as recut using (episode_id)"
        ).fetchone()
    # the new events, the sessions they touched and the sessions with plays of the re-cut
    # episode, not the listeners' whole history
    assert recut_plays > 0
    assert 0 < new <= re_read < total


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


@pytest.fixture(scope="module")
def refreshed_warehouse(tmp_path_factory, incremental_warehouse):
    """The same raw rows as the incremental warehouse, rebuilt with --full-refresh."""
    _, database, _ = incremental_warehouse
    work = tmp_path_factory.mktemp("dbt_full_refresh")
    copy = work / database.name
    shutil.copy(database, copy)
    refreshed = DbtProject(work_dir=work, database=copy)
    result = refreshed.run("run", "--full-refresh")
    assert result.ok, result.failures()
    return copy


def test_the_backfill_displaced_valid_records(incremental_warehouse) -> None:
    _, database, _ = incremental_warehouse
    statuses = table_rows(database, "staging", "stg_events__records")
    backfill = [row for row in statuses if row[1] == BACKFILL_FILE]
    status_of = {row[2]: row[-1] for row in backfill}  # source_row -> record_status
    assert len(status_of) == 12
    assert {status_of[n] for n in status_of if n % 2} == {"valid"}
    assert {status_of[n] for n in status_of if not n % 2} == {"duplicate"}


def test_incremental_equals_full_refresh(incremental_warehouse, refreshed_warehouse) -> None:
    _, database, _ = incremental_warehouse
    incremental, full = marts(database), marts(refreshed_warehouse)
    for table, rows in full.items():
        assert rows, f"{table} is empty"
        assert incremental[table] == rows, table
    for schema, table in [("staging", t) for t in STAGING_TABLES] + list(MORE_TABLES):
        full_rows = table_rows(refreshed_warehouse, schema, table)
        assert full_rows, f"{table} is empty"
        assert table_rows(database, schema, table) == full_rows, table


def test_a_run_with_no_new_data_changes_nothing(incremental_warehouse) -> None:
    project, database, _ = incremental_warehouse
    before = marts(database)
    result = project.run("run")
    assert result.ok, result.output[-4000:]
    assert marts(database) == before
    with duckdb.connect(str(database), read_only=True) as con:
        (re_read,) = con.execute(
            "select count(*) from intermediate.int_user_events_affected"
        ).fetchone()
    assert re_read == 0  # nothing was recomputed: every mart kept its rows untouched


def test_events_later_than_the_lookback_are_reported_and_modelled(incremental_warehouse) -> None:
    _, database, _ = incremental_warehouse
    lookback = timedelta(days=load_settings("local").events.late_arrival_lookback_days)
    with duckdb.connect(str(database), read_only=True) as con:
        staged = con.execute("select event_id, event_ts, loaded_at from staging.stg_user_events")
        beyond = {event_id for event_id, ts, loaded in staged.fetchall() if ts < loaded - lookback}
        reported = {
            event_id
            for (event_id,) in con.execute(
                "select event_id from staging.stg_user_events_late"
            ).fetchall()
        }
        modelled = {
            event_id
            for (event_id,) in con.execute(
                "select event_id from marts.fct_listening_events "
                "where event_id in (select event_id from staging.stg_user_events_late)"
            ).fetchall()
        }
    assert len(beyond) >= 5  # the data holds arrivals beyond the lookback
    assert reported == beyond
    assert modelled == beyond  # and they reached the marts like any other event
