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

# COPY_HISTORY statuses; anything but LOADED is a file that is (partly) missing from raw.
LOADED = "LOADED"
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


def pipe_name(settings: Settings) -> str:
    sf = settings.snowflake
    return f"{sf.raw_database}.{sf.raw_schema}.{sf.pipe}"


def raw_table_name(settings: Settings) -> str:
    sf = settings.snowflake
    return f"{sf.raw_database}.{sf.raw_schema}.{sf.raw_table}"


def pipe_status(connection: Any, settings: Settings) -> PipeStatus:
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT SYSTEM$PIPE_STATUS(%s)", (pipe_name(settings),))
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        raise PipeNotRunning(f"SYSTEM$PIPE_STATUS returned nothing for {pipe_name(settings)}")
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
) -> PipeStatus:
    """Poll the pipe until no file is pending; raise if it stops or the time runs out."""
    deadline = clock() + timeout_s
    while True:
        status = pipe_status(connection, settings)
        if status.execution_state != RUNNING:
            raise PipeNotRunning(
                f"pipe {pipe_name(settings)} is {status.execution_state} with "
                f"{status.pending_file_count} files pending: resume it "
                f"(ALTER PIPE ... SET PIPE_EXECUTION_PAUSED = FALSE) and re-run"
            )
        if status.pending_file_count == 0:
            return status
        if clock() + poll_interval_s > deadline:
            raise PipeNotDrained(
                f"pipe {pipe_name(settings)} still has {status.pending_file_count} files "
                f"pending after {timeout_s:.0f} s"
            )
        sleep(poll_interval_s)


def failed_loads(connection: Any, settings: Settings, *, since: datetime) -> list[FailedLoad]:
    """Files Snowpipe did not fully load into the raw table since `since` (UTC)."""
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
        cursor.execute(sql, (raw_table_name(settings), since.isoformat(), LOADED))
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


def check_loads(
    connection: Any,
    settings: Settings,
    *,
    since: datetime,
    timeout_s: float,
    poll_interval_s: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """The load task: pipe drained and every file since `since` loaded, else raise."""
    status = wait_for_pipe_drain(
        connection, settings, timeout_s=timeout_s, poll_interval_s=poll_interval_s, sleep=sleep
    )
    failures = failed_loads(connection, settings, since=since)
    if failures:
        shown = "; ".join(f.describe() for f in failures[:5])
        more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
        raise LoadErrors(
            f"Snowpipe failed to load {len(failures)} file(s) into {raw_table_name(settings)} "
            f"since {since.isoformat()}: {shown}{more}"
        )
    return {"pipe": pipe_name(settings), "state": status.execution_state, "failed_files": 0}
