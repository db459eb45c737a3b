"""The cloud load check against a fake Snowflake connection (no Snowflake reachable here)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from podcast_analytics.cloud import load as snowpipe
from tests.cloud.conftest import FakeConnection, pipe_status_row

SINCE = datetime(2026, 11, 25, 10, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def scripted(pending_counts: list[int], failures: list[tuple] | None = None, state="RUNNING"):
    pending = iter(pending_counts)

    def answer(sql: str, params):
        if "SYSTEM$PIPE_STATUS" in sql:
            return pipe_status_row(state, next(pending))
        if "COPY_HISTORY" in sql:
            return failures or []
        raise AssertionError(f"unexpected SQL: {sql}")

    return FakeConnection(answer)


def test_waits_until_no_file_is_pending(dev_settings):
    connection, clock = scripted([3, 1, 0]), Clock()
    status = snowpipe.wait_for_pipe_drain(
        connection,
        snowpipe.RawSource.events(dev_settings),
        timeout_s=600,
        poll_interval_s=30,
        sleep=clock.sleep,
        clock=lambda: clock.now,
    )
    assert status.pending_file_count == 0
    assert clock.sleeps == [30, 30]
    _, params = connection.executed[0]
    assert params == (
        f"{dev_settings.snowflake.raw_database}.{dev_settings.snowflake.raw_schema}."
        f"{dev_settings.snowflake.pipe}",
    )
    assert connection.closed_cursors == 3


def test_gives_up_loudly_when_files_stay_pending(dev_settings):
    connection, clock = scripted([5] * 100), Clock()
    with pytest.raises(snowpipe.PipeNotDrained, match="still has 5 files pending after 90 s"):
        snowpipe.wait_for_pipe_drain(
            connection,
            snowpipe.RawSource.events(dev_settings),
            timeout_s=90,
            poll_interval_s=30,
            sleep=clock.sleep,
            clock=lambda: clock.now,
        )
    assert sum(clock.sleeps) <= 90


def test_a_paused_pipe_fails_at_once(dev_settings):
    connection, clock = scripted([2], state="PAUSED"), Clock()
    with pytest.raises(snowpipe.PipeNotRunning, match="is PAUSED with 2 files pending"):
        snowpipe.wait_for_pipe_drain(
            connection,
            snowpipe.RawSource.events(dev_settings),
            timeout_s=600,
            sleep=clock.sleep,
            clock=lambda: clock.now,
        )
    assert clock.sleeps == []


def test_copy_history_errors_fail_the_load_and_name_the_files(dev_settings):
    failures = [
        ("raw_events/20261125/a.gz", "Load failed", 10, "Error parsing JSON"),
        ("raw_events/20261125/b.gz", "Partially loaded", 1, "Field delimiter"),
    ]
    connection = scripted([0], failures)
    with pytest.raises(snowpipe.LoadErrors) as caught:
        snowpipe.check_loads(
            connection,
            snowpipe.RawSource.events(dev_settings),
            since=SINCE,
            timeout_s=60,
            sleep=pytest.fail,
        )
    message = str(caught.value)
    assert "2 file(s)" in message
    assert "raw_events/20261125/a.gz: Load failed (10 errors; first: Error parsing JSON)" in message
    assert "b.gz: Partially loaded" in message
    history_sql, params = connection.executed[-1]
    assert f"TABLE({dev_settings.snowflake.raw_database}.INFORMATION_SCHEMA.COPY_HISTORY(" in (
        history_sql
    )
    assert params == (snowpipe.RawSource.events(dev_settings).table, SINCE.isoformat(), "LOADED")


def test_clean_loads_pass(dev_settings):
    result = snowpipe.check_loads(
        scripted([0]),
        snowpipe.RawSource.events(dev_settings),
        since=SINCE,
        timeout_s=60,
        sleep=pytest.fail,
    )
    assert result == {
        "pipe": snowpipe.RawSource.events(dev_settings).pipe,
        "state": "RUNNING",
        "failed_files": 0,
        "skipped_files": [],
    }


# Issue 12.9: COPY_HISTORY statuses other than Loaded are not all failures.


def history(rounds: list[list[tuple]]):
    """A COPY_HISTORY that answers each call with the next round (the last one repeats)."""
    answers = iter(rounds)
    last: list[list[tuple]] = [[]]

    def answer(sql: str, params):
        if "SYSTEM$PIPE_STATUS" in sql:
            return pipe_status_row("RUNNING", 0)
        if "COPY_HISTORY" in sql:
            last[0] = next(answers, last[0])
            return last[0]
        raise AssertionError(f"unexpected SQL: {sql}")

    return FakeConnection(answer)


def test_a_file_still_loading_is_waited_for_not_failed(dev_settings):
    in_progress = ("raw_events/20261125/c.gz", "Load in progress", 0, None)
    connection, clock = history([[in_progress], []]), Clock()
    result = snowpipe.check_loads(
        connection,
        snowpipe.RawSource.events(dev_settings),
        since=SINCE,
        timeout_s=600,
        poll_interval_s=30,
        sleep=clock.sleep,
        clock=lambda: clock.now,
    )
    assert result["failed_files"] == 0
    assert clock.sleeps == [30]


def test_a_file_loading_past_the_wait_says_so(dev_settings):
    in_progress = ("raw_events/20261125/c.gz", "Load in progress", 0, None)
    connection, clock = history([[in_progress]]), Clock()
    with pytest.raises(snowpipe.PipeNotDrained, match="1 file\\(s\\) still 'Load in progress'"):
        snowpipe.check_loads(
            connection,
            snowpipe.RawSource.events(dev_settings),
            since=SINCE,
            timeout_s=60,
            poll_interval_s=30,
            sleep=clock.sleep,
            clock=lambda: clock.now,
        )


def test_a_skipped_file_is_reported_not_failed(dev_settings):
    skipped = ("raw_events/20261125/d.gz", "Load skipped", 0, None)
    result = snowpipe.check_loads(
        history([[skipped]]),
        snowpipe.RawSource.events(dev_settings),
        since=SINCE,
        timeout_s=60,
        sleep=pytest.fail,
    )
    assert result["failed_files"] == 0
    assert result["skipped_files"] == ["raw_events/20261125/d.gz"]


def test_only_failed_and_partial_loads_fail_among_mixed_statuses(dev_settings):
    rows = [
        ("a.gz", "Load failed", 3, "Error parsing JSON"),
        ("b.gz", "Load skipped", 0, None),
        ("c.gz", "Partially loaded", 1, "bad row"),
    ]
    with pytest.raises(snowpipe.LoadErrors) as caught:
        snowpipe.check_loads(
            history([rows]),
            snowpipe.RawSource.events(dev_settings),
            since=SINCE,
            timeout_s=60,
            sleep=pytest.fail,
        )
    assert "2 file(s)" in str(caught.value) and "b.gz" not in str(caught.value)


def test_the_catalog_pipe_is_checked_on_its_own_pipe_and_table(dev_settings):
    sf = dev_settings.snowflake
    failed = [("catalog/20261125/abc.ndjson.gz", "LOAD FAILED", 1, "JSON parse error")]
    connection = scripted([0], failed)
    with pytest.raises(snowpipe.LoadErrors, match=r"RAW_CATALOG since .*abc\.ndjson\.gz"):
        snowpipe.check_loads(
            connection,
            snowpipe.RawSource.catalog(dev_settings),
            since=SINCE,
            timeout_s=60,
            sleep=pytest.fail,
        )
    (_, status_params), (_, history_params) = connection.executed
    assert status_params == (f"{sf.raw_database}.{sf.raw_schema}.{sf.catalog_pipe}",)
    assert history_params[0] == f"{sf.raw_database}.{sf.raw_schema}.{sf.catalog_table}"


def test_the_cloud_load_task_checks_both_pipes(dev_settings):
    from podcast_analytics.dag_tasks import CloudSide

    connection = scripted([0, 0])
    side = CloudSide(dev_settings, connect=lambda conn_id: connection)
    connection.close = lambda: None  # closing() closes it when the task is done
    result = side.load(since=SINCE)
    assert result["pipe"] == snowpipe.RawSource.events(dev_settings).pipe
    assert result["catalog"]["pipe"] == snowpipe.RawSource.catalog(dev_settings).pipe
    pipes = [params[0] for sql, params in connection.executed if "PIPE_STATUS" in sql]
    assert pipes == [
        snowpipe.RawSource.events(dev_settings).pipe,
        snowpipe.RawSource.catalog(dev_settings).pipe,
    ]
