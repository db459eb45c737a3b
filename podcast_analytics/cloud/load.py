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


# The two pipes the load task checks: the events' and the episode catalog's (whose snapshot
# the read_catalog task wrote just before). `catalog=True` names the catalog's pipe/table.
def pipe_name(settings: Settings, *, catalog: bool = False) -> str:
    sf = settings.snowflake
    return f"{sf.raw_database}.{sf.raw_schema}.{sf.catalog_pipe if catalog else sf.pipe}"


def raw_table_name(settings: Settings, *, catalog: bool = False) -> str:
    sf = settings.snowflake
    table = sf.catalog_table if catalog else sf.raw_table
    return f"{sf.raw_database}.{sf.raw_schema}.{table}"


def pipe_status(connection: Any, settings: Settings, *, catalog: bool = False) -> PipeStatus:
    pipe = pipe_name(settings, catalog=catalog)
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT SYSTEM$PIPE_STATUS(%s)", (pipe,))
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        raise PipeNotRunning(f"SYSTEM$PIPE_STATUS returned nothing for {pipe}")
    status = json.loads(row[0])
    return PipeStatus(
        execution_state=str(status.get("executionState", "UNKNOWN")),
        pending_file_count=int(status.get("pendingFileCount", 0)),
    )


def wait_for_pipe_drain(
    connection: Any,
    settings: Settings,
    *,
    timeout_s: float,
    poll_interval_s: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    catalog: bool = False,
) -> PipeStatus:
    """Poll the pipe until no file is pending; raise if it stops or the time runs out."""
    deadline = clock() + timeout_s
    while True:
        status = pipe_status(connection, settings, catalog=catalog)
        if status.execution_state != RUNNING:
            raise PipeNotRunning(
                f"pipe {pipe_name(settings, catalog=catalog)} is {status.execution_state} with "
                f"{status.pending_file_count} files pending: resume it "
                f"(ALTER PIPE ... SET PIPE_EXECUTION_PAUSED = FALSE) and re-run"
            )
        if status.pending_file_count == 0:
            return status
        if clock() + poll_interval_s > deadline:
            raise PipeNotDrained(
                f"pipe {pipe_name(settings, catalog=catalog)} still has "
                f"{status.pending_file_count} files pending after {timeout_s:.0f} s"
            )
        sleep(poll_interval_s)


def unsettled_loads(
    connection: Any, settings: Settings, *, since: datetime, catalog: bool = False
) -> list[FailedLoad]:
    """Files since `since` (UTC) whose COPY_HISTORY status is anything but Loaded."""
    sf = settings.snowflake
    # Identifiers come from the validated config; every value is a bound parameter.
    sql = (
        "SELECT file_name, status, error_count, first_error_message "  # noqa: S608
        f"FROM TABLE({sf.raw_database}.INFORMATION_SCHEMA.COPY_HISTORY("
        "TABLE_NAME => %s, START_TIME => TO_TIMESTAMP_LTZ(%s))) "
        "WHERE UPPER(status) <> %s ORDER BY last_load_time, file_name"
    )
    cursor = connection.cursor()
    try:
        cursor.execute(
            sql, (raw_table_name(settings, catalog=catalog), since.isoformat(), LOADED_STATUS)
        )
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
    settings: Settings,
    *,
    since: datetime,
    timeout_s: float,
    poll_interval_s: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    catalog: bool = False,
) -> dict[str, Any]:
    """The load task: pipe drained, no file still loading, none failed; else raise.
    `catalog=True` checks the episode catalog's pipe and table instead of the events'."""
    deadline = clock() + timeout_s
    table = raw_table_name(settings, catalog=catalog)
    status = wait_for_pipe_drain(
        connection,
        settings,
        timeout_s=timeout_s,
        poll_interval_s=poll_interval_s,
        sleep=sleep,
        clock=clock,
        catalog=catalog,
    )
    while True:
        unsettled = unsettled_loads(connection, settings, since=since, catalog=catalog)
        in_progress = _with_status(unsettled, IN_PROGRESS_STATUS)
        if not in_progress:
            break
        if clock() + poll_interval_s > deadline:
            raise PipeNotDrained(
                f"{len(in_progress)} file(s) still 'Load in progress' in "
                f"{table} after {timeout_s:.0f} s, e.g. "
                f"{in_progress[0].file_name}"
            )
        sleep(poll_interval_s)
    failures = _with_status(unsettled, *FAILED_STATUSES)
    if failures:
        shown = "; ".join(f.describe() for f in failures[:5])
        more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
        raise LoadErrors(
            f"Snowpipe failed to load {len(failures)} file(s) into {table} "
            f"since {since.isoformat()}: {shown}{more}"
        )
    skipped = _with_status(unsettled, SKIPPED_STATUS)
    return {
        "pipe": pipe_name(settings, catalog=catalog),
        "state": status.execution_state,
        "failed_files": 0,
        "skipped_files": [load.file_name for load in skipped],
    }
