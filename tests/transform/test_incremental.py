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
# The one column in which an incremental build may differ from a full refresh: the count of
# the runs that wrote a row (stg_events__records), by which the staging models below it
# find what is new to them. Audit only; every other column must match row for row.
RUN_COUNT_COLUMNS = ("classified_batch",)


def single_valid_playback(rows: list[RawRow]) -> list[RawRow]:
    """The contract-valid playback records of `rows` whose event_id arrived once."""
    settings = load_settings("local").events
    arrivals = Counter(json.loads(row.record).get("event_id") for row in rows)

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

    return [row for row in rows if valid_playback(row)]


def backfill_resends(first: list[RawRow]) -> list[RawRow]:
    """Resends of events already loaded before the cut, in one file loaded after it: every
    other one stamped a second before its original (it arrived first, so it is the valid
    record from now on), the others a second after (a duplicate)."""
    playback = single_valid_playback(first)
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
    statuses = table_rows(database, "staging", "stg_events__records", RUN_COUNT_COLUMNS)
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
        full_rows = table_rows(refreshed_warehouse, schema, table, RUN_COUNT_COLUMNS)
        assert full_rows, f"{table} is empty"
        assert table_rows(database, schema, table, RUN_COUNT_COLUMNS) == full_rows, table


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


def _event_id(row: RawRow) -> str:
    return json.loads(row.record)["event_id"]


def _file(name: str, records: list[tuple[str, datetime]]) -> list[RawRow]:
    return [
        RawRow(record, f"raw_events/replay/{name}.json", number, loaded_at)
        for number, (record, loaded_at) in enumerate(records, start=1)
    ]


def test_staging_catches_up_over_several_runs(tmp_path_factory, history_rows) -> None:
    """The staging models read only what stg_events__records wrote since they last ran
    (`classified_batch`): over several runs, one of which died after stg_events__records,
    some of which bring nothing for the duplicates or the quarantine, and with valid
    records displaced after their duplicates were staged, they still equal a full refresh."""
    first = [row for row in history_rows if row.loaded_at < CUT]
    originals = single_valid_playback(first)[::7][:4]
    assert len(originals) == 4
    later = max(row.loaded_at for row in first) + timedelta(hours=1)
    fresh = [
        json.dumps({**json.loads(row.record), "event_id": f"replay-fresh-{number}"})
        for number, row in enumerate(originals, start=1)
    ]
    second = timedelta(seconds=1)
    loads = [
        # resends of the four events, loaded later: plain duplicates; the run dies after
        # stg_events__records, so the models below it read two batches next time
        (_file("late-resends", [(row.record, later) for row in originals]), "records only"),
        # two of them again, stamped before their originals: they take the valid record's
        # place, and the staged duplicates move to them
        (_file("early-resends", [(r.record, r.loaded_at - second) for r in originals[:2]]), ""),
        # new events only: nothing for the duplicates or the quarantine
        (_file("fresh", [(record, later + second) for record in fresh]), ""),
        # a third event displaced two runs after its duplicate was staged, a resend of a
        # fresh event, and a broken record
        (
            _file(
                "mixed",
                [
                    (originals[2].record, originals[2].loaded_at - second),
                    (fresh[0], later + 2 * second),
                    (json.dumps({"event_type": "play"}), later + 2 * second),
                ],
            ),
            "",
        ),
    ]
    work = tmp_path_factory.mktemp("dbt_staging_runs")
    database = work / load_settings("local").local.duckdb_file
    project = DbtProject(work_dir=work, database=database)
    staging = ("--select", "path:models/1.staging")
    load_raw_rows(database, first)
    assert (built := project.run("run", *staging)).ok, built.failures()
    for rows, mode in loads:
        load_raw_rows(database, rows)
        selected = (
            ("--select", "stg_events__records_parsed stg_events__records")
            if mode == "records only"
            else staging
        )
        assert (run := project.run("run", *selected)).ok, run.failures()

    tables = [*STAGING_TABLES, "stg_events__records_parsed"]
    incremental = {t: table_rows(database, "staging", t, RUN_COUNT_COLUMNS) for t in tables}
    with_batches = {t: table_rows(database, "staging", t) for t in tables}
    assert (again := project.run("run", *staging)).ok, again.failures()
    # nothing new: the models that re-read batches with no rows for them write nothing else
    assert {t: table_rows(database, "staging", t) for t in tables} == with_batches

    copy = tmp_path_factory.mktemp("dbt_staging_refresh") / database.name
    shutil.copy(database, copy)
    refreshed = DbtProject(work_dir=copy.parent, database=copy)
    assert (full := refreshed.run("run", "--full-refresh", *staging)).ok, full.failures()
    for table in tables:
        assert table_rows(copy, "staging", table, RUN_COUNT_COLUMNS) == incremental[table], table

    with duckdb.connect(str(database), read_only=True) as con:
        first_arrival = dict(
            con.execute(
                "select event_id, source_file from staging.stg_user_events "
                "where event_id in (select unnest(?))",
                [[_event_id(row) for row in originals] + ["replay-fresh-1"]],
            ).fetchall()
        )
        duplicates_of = dict(
            con.execute(
                "select dup.event_id, first.source_file "
                "from staging.stg_user_events_duplicates as dup "
                "inner join staging.stg_events__records as first "
                "on first.record_id = dup.first_record_id"
            ).fetchall()
        )
    # the displaced events' first arrivals, and what their duplicates repeat, moved
    expected = {
        _event_id(originals[0]): "raw_events/replay/early-resends.json",
        _event_id(originals[1]): "raw_events/replay/early-resends.json",
        _event_id(originals[2]): "raw_events/replay/mixed.json",
        _event_id(originals[3]): originals[3].source_file,
        "replay-fresh-1": "raw_events/replay/fresh.json",
    }
    assert first_arrival == expected
    assert {event: duplicates_of[event] for event in expected} == expected
