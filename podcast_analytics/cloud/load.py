"""The load task in the cloud: wait until Snowpipe has drained, then prove it loaded cleanly.

Snowpipe loads files as S3 notifications arrive; dbt must not start while files are still
queued, and a file Snowpipe could not load must stop the run instead of silently missing
from the marts. `SYSTEM$PIPE_STATUS` says how many files are pending; `COPY_HISTORY` says
what happened to each file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from podcast_analytics.config import Settings

# COPY_HISTORY's STATUS values are "Loaded", "Load failed", "Partially loaded",
# "Load in progress" and "Load skipped"
# (https://docs.snowflake.com/en/sql-reference/account-usage/copy_history,
# https://docs.snowflake.com/en/sql-reference/functions/copy_history). Only "Load failed" and
# "Partially loaded" mean rows are missing from raw; a file "in progress" is still loading
# (the check waits for it), and a skipped one is reported, not counted as a failure.
LOADED_STATUS = "LOADED"
FAILED_STATUSES: tuple[str, ...] = ("LOAD FAILED", "PARTIALLY LOADED")
IN_PROGRESS_STATUS = "LOAD IN PROGRESS"
SKIPPED_STATUS = "LOAD SKIPPED"
RUNNING = "RUNNING"


class PipeNotDrained(RuntimeError):
    """Files were still pending when the wait ran out."""


class PipeNotRunning(RuntimeError):
    """The pipe is paused or stopped, so pending files will never load."""


class LoadErrors(RuntimeError):
    """Snowpipe failed to load some files; the message lists them."""


@dataclass(frozen=True, slots=True)
class PipeStatus:
    execution_state: str
    pending_file_count: int


@dataclass(frozen=True, slots=True)
class FailedLoad:
    file_name: str
    status: str
    error_count: int
    first_error: str

    def describe(self) -> str:
        return (
            f"{self.file_name}: {self.status} "
            f"({self.error_count} errors; first: {self.first_error})"
        )


@dataclass(frozen=True, slots=True)
class RawSource:
    """One auto-ingest pipe and the raw table it loads, fully qualified. The load task checks
    two: the events' and the episode catalog's (whose snapshot read_catalog wrote just
    before); everything below takes the one it checks."""

    database: str
    pipe: str
    table: str

    @classmethod
    def events(cls, settings: Settings) -> RawSource:
        sf = settings.snowflake
        return cls._in_raw_schema(settings, sf.pipe, sf.raw_table)

    @classmethod
    def catalog(cls, settings: Settings) -> RawSource:
        sf = settings.snowflake
        return cls._in_raw_schema(settings, sf.catalog_pipe, sf.catalog_table)

    @classmethod
    def _in_raw_schema(cls, settings: Settings, pipe: str, table: str) -> RawSource:
        sf = settings.snowflake
        schema = f"{sf.raw_database}.{sf.raw_schema}"
        return cls(sf.raw_database, f"{schema}.{pipe}", f"{schema}.{table}")


def pipe_status(connection: Any, source: RawSource) -> PipeStatus:
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT SYSTEM$PIPE_STATUS(%s)", (source.pipe,))
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        raise PipeNotRunning(f"SYSTEM$PIPE_STATUS returned nothing for {source.pipe}")
    status = json.loads(row[0])
    return PipeStatus(
        execution_state=str(status.get("executionState", "UNKNOWN")),
        pending_file_count=int(status.get("pendingFileCount", 0)),
    )


def wait_for_pipe_drain(
    connection: Any,
    source: RawSource,
    *,
    timeout_s: float,
    poll_interval_s: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> PipeStatus:
    """Poll the pipe until no file is pending; raise if it stops or the time runs out."""
    deadline = clock() + timeout_s
    while True:
        status = pipe_status(connection, source)
        if status.execution_state != RUNNING:
            raise PipeNotRunning(
                f"pipe {source.pipe} is {status.execution_state} with "
                f"{status.pending_file_count} files pending: resume it "
                f"(ALTER PIPE ... SET PIPE_EXECUTION_PAUSED = FALSE) and re-run"
            )
        if status.pending_file_count == 0:
            return status
        if clock() + poll_interval_s > deadline:
            raise PipeNotDrained(
                f"pipe {source.pipe} still has "
                f"{status.pending_file_count} files pending after {timeout_s:.0f} s"
            )
        sleep(poll_interval_s)


def unsettled_loads(connection: Any, source: RawSource, *, since: datetime) -> list[FailedLoad]:
    """Files since `since` (UTC) whose COPY_HISTORY status is anything but Loaded."""
    # Identifiers come from the validated config; every value is a bound parameter.
    sql = (
        "SELECT file_name, status, error_count, first_error_message "  # noqa: S608
        f"FROM TABLE({source.database}.INFORMATION_SCHEMA.COPY_HISTORY("
        "TABLE_NAME => %s, START_TIME => TO_TIMESTAMP_LTZ(%s))) "
        "WHERE UPPER(status) <> %s ORDER BY last_load_time, file_name"
    )
    cursor = connection.cursor()
    try:
        cursor.execute(sql, (source.table, since.isoformat(), LOADED_STATUS))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return [
        FailedLoad(
            file_name=str(file_name),
            status=str(status),
            error_count=int(error_count or 0),
            first_error=str(first_error or "-"),
        )
        for file_name, status, error_count, first_error in rows
    ]


def _with_status(loads: list[FailedLoad], *statuses: str) -> list[FailedLoad]:
    return [load for load in loads if load.status.upper() in statuses]


def check_loads(
    connection: Any,
    source: RawSource,
    *,
    since: datetime,
    timeout_s: float,
    poll_interval_s: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """The load task's check of one pipe: drained, no file still loading, none failed;
    else raise."""
    deadline = clock() + timeout_s
    status = wait_for_pipe_drain(
        connection,
        source,
        timeout_s=timeout_s,
        poll_interval_s=poll_interval_s,
        sleep=sleep,
        clock=clock,
    )
    while True:
        unsettled = unsettled_loads(connection, source, since=since)
        in_progress = _with_status(unsettled, IN_PROGRESS_STATUS)
        if not in_progress:
            break
        if clock() + poll_interval_s > deadline:
            raise PipeNotDrained(
                f"{len(in_progress)} file(s) still 'Load in progress' in "
                f"{source.table} after {timeout_s:.0f} s, e.g. "
                f"{in_progress[0].file_name}"
            )
        sleep(poll_interval_s)
    failures = _with_status(unsettled, *FAILED_STATUSES)
    if failures:
        shown = "; ".join(f.describe() for f in failures[:5])
        more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
        raise LoadErrors(
            f"Snowpipe failed to load {len(failures)} file(s) into {source.table} "
            f"since {since.isoformat()}: {shown}{more}"
        )
    skipped = _with_status(unsettled, SKIPPED_STATUS)
    return {
        "pipe": source.pipe,
        "state": status.execution_state,
        "failed_files": 0,
        "skipped_files": [load.file_name for load in skipped],
    }
