"""`dbt build --target local` on a generated history, checked against plain Python.

The build itself runs every dbt data test and unit test (it fails on any error); the tests
here then compare what landed in the marts with tests/reference, an independent
implementation of the same definitions.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import duckdb
import pytest

from tests.reference import catalog as catalog_reference
from tests.reference.marts import Kpis, Listeners, compute_marts, reconcile, six_places

pytestmark = pytest.mark.slow


def _query(database, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql).fetchall()


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


def test_sql_and_python_judge_each_catalog_record_the_same(built_warehouse) -> None:
    expected = catalog_reference.catalog_statuses(built_warehouse.catalog_rows)
    rows = _query(
        built_warehouse.database,
        "select source_file, source_row, record_status, invalid_reason "
        "from staging.stg_catalog__records",
    )
    assert {(f, r): (s, reason) for f, r, s, reason in rows} == expected
    reasons = Counter(reason for _, reason in expected.values() if reason)
    # every reason code of the catalog contract appears, and the near misses stay valid
    assert len(reasons) == 32, sorted(reasons)
    statuses = Counter(status for status, _ in expected.values())
    assert statuses["duplicate"] == 1 and statuses["valid"] > 100


@pytest.fixture(scope="module")
def catalog(built_warehouse):
    return catalog_reference.catalog_episodes(built_warehouse.catalog_rows)


@pytest.fixture(scope="module")
def reference(built_warehouse, events_settings, catalog):
    return compute_marts(
        built_warehouse.rows,
        future_tolerance_s=events_settings.future_tolerance_s,
        session_gap_minutes=events_settings.session_gap_minutes,
        catalog=catalog,
    )


def test_episodes_take_the_catalogs_duration_and_release(built_warehouse, catalog) -> None:
    rows = _query(
        built_warehouse.database,
        "select episode_id, podcast_id, episode_duration_s, duration_source, title, "
        "published_at from marts.dim_episodes",
    )
    listed = [row for row in rows if row[0] in catalog]
    assert listed and all(row[3] == "catalog" for row in listed)
    assert {row[0]: row[1:3] + row[4:] for row in listed} == {
        row[0]: (
            catalog[row[0]].podcast_id,
            catalog[row[0]].duration_s,
            catalog[row[0]].title,
            catalog[row[0]].published_at,
        )
        for row in listed
    }
    # the re-cut episode (read twice, 45 s shorter the second time) has its latest duration
    recut = _query(
        built_warehouse.database,
        "select episode_id, duration_s from staging.stg_catalog__episodes where valid_versions > 1",
    )
    assert len(recut) == 1 and recut[0][1] == catalog[recut[0][0]].duration_s
    assert all(row[3] == "events" for row in rows if row[0] not in catalog)


def test_launch_curves_match_the_reference(built_warehouse, reference, catalog) -> None:
    db = built_warehouse.database
    days = _query(
        db,
        "select episode_id, days_since_release, plays, unique_listeners, cumulative_plays "
        "from marts.fct_episode_launch_curve",
    )
    assert {(e, d): tuple(rest) for e, d, *rest in days} == catalog_reference.launch_curve(
        reference.plays, catalog
    )
    hours = _query(
        db,
        "select episode_id, hours_since_release, plays, unique_listeners, cumulative_plays "
        "from marts.fct_episode_launch_hours",
    )
    expected_hours = catalog_reference.launch_hours(reference.plays, catalog)
    assert {(e, h): tuple(rest) for e, h, *rest in hours} == expected_hours
    assert expected_hours  # some plays fall in an episode's first day


def test_ad_break_reach_matches_the_reference(built_warehouse, reference, catalog) -> None:
    db = built_warehouse.database
    rows = _query(
        db,
        "select episode_id, break_number, plays, unique_listeners, plays_reaching_start, "
        "plays_reaching_25, plays_reaching_50, plays_reaching_75, plays_completing_break, "
        "start_rate, completion_rate from marts.fct_ad_break_reach",
    )
    expected = catalog_reference.ad_break_reach(reference.plays, catalog)
    assert {(e, n): catalog_reference.AdReach(*rest[:7]) for e, n, *rest in rows} == expected
    for _, _, plays, _, start, *_, completing, start_rate, completion_rate in rows:
        assert start_rate == catalog_reference.rate(start, plays)
        assert completion_rate == catalog_reference.rate(completing, plays)
    # the listeners' reactions show: some plays reach a break's start but not its end
    assert any(r.reaching_start > r.completing for r in expected.values())
    daily = _query(
        db,
        "select event_date, podcast_id, kind, plays, unique_listeners, plays_reaching_start, "
        "plays_reaching_25, plays_reaching_50, plays_reaching_75, plays_completing_break "
        "from marts.fct_daily_podcast_ad_reach",
    )
    assert {
        (d, p, k): catalog_reference.AdReach(*rest) for d, p, k, *rest in daily
    } == catalog_reference.daily_podcast_ad_reach(reference.plays, catalog)


def test_sessions_and_plays_match_the_reference(built_warehouse, reference) -> None:
    db = built_warehouse.database
    sessions = _query(db, "select count(*) from marts.fct_listening_sessions")[0][0]
    assert sessions == reference.sessions
    plays = _query(
        db,
        "select user_id, podcast_id, episode_id, play_start_ts, seconds_listened, "
        "furthest_position_listened_s, is_completed, app_reported_complete, is_stream, "
        "is_engaged, consumption_ratio, client_app, client_platform, country "
        "from marts.fct_episode_plays",
    )
    expected = [
        (
            p.user_id,
            p.podcast_id,
            p.episode_id,
            p.start_ts,
            p.seconds_listened,
            p.furthest_position_listened_s,
            p.is_completed,
            p.app_reported_complete,
            p.is_stream,
            p.is_engaged,
            p.consumption_ratio,
            p.first_event.client_app,
            p.first_event.client_platform,
            p.first_event.country,
        )
        for p in reference.plays
    ]
    assert sorted(plays, key=str) == sorted(expected, key=str)
    # the rules are exercised: completions by both tests, streams, engaged plays
    assert any(p.is_completed and not p.app_reported_complete for p in reference.plays)
    assert any(p.app_reported_complete for p in reference.plays)
    assert any(p.is_stream for p in reference.plays) and any(p.is_engaged for p in reference.plays)


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
        f"select {keys}, plays, streams, unique_listeners, engaged_listeners, minutes_listened, "
        f"completed_plays, completion_rate, avg_consumption from marts.{table}",
    )
    width = len(keys.split(","))
    expected = reference.daily_podcast_kpis if width == 2 else reference.daily_episode_kpis
    actual = {tuple(row[:width]): Kpis(*row[width:]) for row in rows}
    assert actual == expected


def test_listening_curve_matches_the_reference(built_warehouse, reference) -> None:
    rows = _query(
        built_warehouse.database,
        "select episode_id, pct_of_episode, listeners, share_of_listeners "
        "from marts.fct_episode_listening_curve",
    )
    actual = {(e, p): (n, s) for e, p, n, s in rows}
    assert actual == reference.listening_curve
    # a curve can rise again (a skipped stretch), which furthest-point curves never do
    rises = [(e, p) for (e, p), (n, _) in actual.items() if p > 0 and n > actual[(e, p - 5)][0]]
    assert rises


def test_retention_matches_the_reference(built_warehouse, reference) -> None:
    rows = _query(
        built_warehouse.database,
        "select cohort_week, weeks_since_first_listen, cohort_listeners, active_listeners, "
        "retention_rate from marts.fct_listener_retention",
    )
    actual = {(c, w): (n, a) for c, w, n, a, _ in rows}
    assert actual == reference.listener_retention
    assert all(rate == six_places(Decimal(a) / n) for _, _, n, a, rate in rows)
    assert len({c for c, _ in actual}) >= 2  # more than one cohort, more than one week


@pytest.mark.parametrize(
    ("table", "keys", "attribute"),
    [
        ("fct_daily_network_listeners", "event_date", "daily_network_listeners"),
        ("fct_weekly_podcast_listeners", "week_start, podcast_id", "weekly_podcast_listeners"),
        ("fct_weekly_network_listeners", "week_start", "weekly_network_listeners"),
        ("fct_monthly_podcast_listeners", "month_start, podcast_id", "monthly_podcast_listeners"),
        ("fct_monthly_network_listeners", "month_start", "monthly_network_listeners"),
    ],
)
def test_period_listeners_match_the_reference(
    built_warehouse, reference, table, keys, attribute
) -> None:
    rows = _query(
        built_warehouse.database,
        f"select {keys}, plays, streams, unique_listeners, engaged_listeners, minutes_listened "
        f"from marts.{table}",
    )
    width = len(keys.split(","))
    actual = {tuple(row[:width]): Listeners(*row[width:]) for row in rows}
    assert actual == getattr(reference, attribute)


def test_weekly_listeners_are_fewer_than_summed_daily_listeners(reference) -> None:
    # listeners who come back on another day of the week are counted once in the week
    daily = Counter()
    for (day,), listeners in reference.daily_network_listeners.items():
        daily[day - timedelta(days=day.weekday())] += listeners.unique_listeners
    weekly = reference.weekly_network_listeners
    assert all(weekly[(week,)].unique_listeners <= total for week, total in daily.items())
    assert any(weekly[(week,)].unique_listeners < total for week, total in daily.items())


def test_followers_downloads_and_listener_episodes_match_the_reference(
    built_warehouse, reference
) -> None:
    db = built_warehouse.database
    followers = _query(
        db,
        "select event_date, podcast_id, follows, unfollows, followers "
        "from marts.fct_daily_podcast_followers",
    )
    assert {(d, p): (f, u, t) for d, p, f, u, t in followers} == reference.podcast_followers
    assert any(u for _, _, _, u, _ in followers) and any(f for _, _, f, _, _ in followers)
    downloads = _query(
        db,
        "select event_date, podcast_id, episode_id, downloads, download_events "
        "from marts.fct_daily_episode_downloads",
    )
    assert {(d, p, e): (n, c) for d, p, e, n, c in downloads} == reference.episode_downloads
    listener_episodes = _query(
        db,
        "select user_id, episode_id, plays, seconds_listened, furthest_position_listened_s, "
        "is_completed, share_heard, share_heard_uncapped from marts.fct_listener_episodes",
    )
    assert {(u, e): tuple(rest) for u, e, *rest in listener_episodes} == (
        reference.listener_episodes
    )


@pytest.mark.parametrize("dimension", ["client_app", "client_platform", "country"])
def test_breakdowns_match_the_reference(built_warehouse, reference, dimension) -> None:
    table = {
        "client_app": "fct_daily_client_app_listening",
        "client_platform": "fct_daily_platform_listening",
        "country": "fct_daily_country_listening",
    }[dimension]
    rows = _query(
        built_warehouse.database,
        f"select event_date, podcast_id, {dimension}, plays, unique_listeners, "
        f"minutes_listened from marts.{table}",
    )
    assert {(d, p, v): (n, u, m) for d, p, v, n, u, m in rows} == reference.breakdowns[dimension]


def test_no_mart_stores_a_float(built_warehouse) -> None:
    # methodology rule 9: measures are exact decimals, so sums cannot differ run to run
    floats = _query(
        built_warehouse.database,
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and data_type in ('DOUBLE', 'FLOAT', 'REAL')",
    )
    assert not floats, floats
    decimals = _query(
        built_warehouse.database,
        "select count(*) from information_schema.columns "
        "where table_schema = 'marts' and data_type like 'DECIMAL(18,%'",
    )[0][0]
    assert decimals >= 30
