"""`dbt build --target local` on a generated history, checked against plain Python.

The build itself runs every dbt data test and unit test (it fails on any error); the tests
here then compare what landed in the marts with tests/reference, an independent
implementation of the same definitions.
"""

from __future__ import annotations

import math
from collections import Counter

import duckdb
import pytest

from tests.reference.marts import compute_marts, reconcile

pytestmark = pytest.mark.slow


def _query(database, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_build_ran_models_unit_tests_and_data_tests(built_warehouse) -> None:
    output = built_warehouse.build.output
    assert "Completed successfully" in output
    # all three kinds ran, so a passing build is not an empty one
    for kind in ("unit test", "data test", "incremental model"):
        assert kind in output, kind


def test_every_loaded_record_is_valid_quarantined_or_duplicate(
    built_warehouse, events_settings
) -> None:
    tolerance = events_settings.future_tolerance_s
    expected = reconcile(built_warehouse.rows, future_tolerance_s=tolerance)
    db = built_warehouse.database
    loaded = _query(db, "select count(*) from events.raw_events")[0][0]
    valid = _query(db, "select count(*) from staging.stg_user_events")[0][0]
    quarantined = _query(db, "select count(*) from staging.stg_user_events_invalid")[0][0]
    duplicates = _query(db, "select count(*) from staging.stg_user_events_duplicates")[0][0]
    assert (loaded, valid, quarantined, duplicates) == (
        expected.loaded,
        expected.valid,
        expected.quarantined,
        expected.duplicates,
    )
    assert loaded == valid + quarantined + duplicates
    assert expected.quarantined > 0 and expected.duplicates > 0  # the data exercises both


def test_sql_and_python_give_each_record_the_same_reason(built_warehouse, events_settings) -> None:
    tolerance = events_settings.future_tolerance_s
    expected = reconcile(built_warehouse.rows, future_tolerance_s=tolerance)
    rows = _query(
        built_warehouse.database,
        "select source_file, source_row, record_status, invalid_reason "
        "from staging.stg_events__records",
    )
    actual_status = {(f, r): s for f, r, s, _ in rows}
    actual_reason = {(f, r): reason for f, r, _, reason in rows}
    assert actual_status == expected.status
    assert actual_reason == expected.reasons
    # every reason code the contract knows appears at least once in the data
    assert len(Counter(r for r in expected.reasons.values() if r)) >= 25


@pytest.fixture(scope="module")
def reference(built_warehouse, events_settings):
    return compute_marts(
        built_warehouse.rows,
        future_tolerance_s=events_settings.future_tolerance_s,
        session_gap_minutes=events_settings.session_gap_minutes,
    )


def test_sessions_and_plays_match_the_reference(built_warehouse, reference) -> None:
    db = built_warehouse.database
    sessions = _query(db, "select count(*) from marts.fct_listening_sessions")[0][0]
    assert sessions == reference.sessions
    plays = _query(
        db,
        "select user_id, episode_id, play_start_ts, seconds_listened, is_completed "
        "from marts.fct_episode_plays",
    )
    actual = sorted((u, e, ts, round(s, 6), c) for u, e, ts, s, c in plays)
    expected = sorted(
        (p.user_id, p.episode_id, p.start_ts, round(p.seconds_listened, 6), p.is_completed)
        for p in reference.plays
    )
    assert actual == expected
    assert any(p.is_completed for p in reference.plays)


@pytest.mark.parametrize(
    ("table", "keys"),
    [
        ("fct_daily_podcast_kpis", "event_date, podcast_id"),
        ("fct_daily_episode_kpis", "event_date, podcast_id, episode_id"),
    ],
)
def test_daily_kpis_match_the_reference(built_warehouse, reference, table, keys) -> None:
    rows = _query(
        built_warehouse.database,
        f"select {keys}, plays, unique_listeners, minutes_listened, completion_rate, "
        f"avg_consumption from marts.{table}",
    )
    width = len(keys.split(","))
    expected = reference.daily_podcast_kpis if width == 2 else reference.daily_episode_kpis
    actual = {tuple(row[:width]): row[width:] for row in rows}
    assert set(actual) == set(expected)
    for key, (plays, listeners, minutes, completion, consumption) in actual.items():
        kpis = expected[key]
        assert (plays, listeners) == (kpis.plays, kpis.unique_listeners), key
        assert _close(minutes, kpis.minutes_listened), key
        assert _close(completion, kpis.completion_rate), key
        assert _close(consumption, kpis.avg_consumption), key


def test_dropoff_curve_matches_the_reference(built_warehouse, reference) -> None:
    rows = _query(
        built_warehouse.database,
        "select episode_id, pct_of_episode, listeners_reached, share_of_listeners "
        "from marts.fct_episode_dropoff",
    )
    actual = {(e, p): (n, s) for e, p, n, s in rows}
    assert set(actual) == set(reference.episode_dropoff)
    for key, (reached, share) in actual.items():
        expected_reached, expected_share = reference.episode_dropoff[key]
        assert reached == expected_reached and _close(share, expected_share), key
    # a curve only ever falls, and starts with everyone
    assert all(actual[(e, 0)][1] == 1.0 for e, p in actual if p == 0)


def test_retention_matches_the_reference(built_warehouse, reference) -> None:
    rows = _query(
        built_warehouse.database,
        "select cohort_week, weeks_since_first_listen, cohort_listeners, active_listeners, "
        "retention_rate from marts.fct_listener_retention",
    )
    actual = {(c, w): (n, a) for c, w, n, a, _ in rows}
    assert actual == reference.listener_retention
    assert all(_close(rate, a / n) for _, _, n, a, rate in rows)
    assert len({c for c, _ in actual}) >= 2  # more than one cohort, more than one week
