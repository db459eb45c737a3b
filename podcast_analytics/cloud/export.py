"""The export task in the cloud: unload every mart table to the exports stage as Parquet.

The exports stage (Pulumi) points at the exports bucket (CDK), so `COPY INTO @stage/...`
lands the files in S3 without the data passing through the Airflow worker.

A retried export must leave exactly one complete copy, and the Snowflake-access role may
write but never delete (`s3:PutObject`, no `s3:DeleteObject`), so nothing is overwritten:

- every attempt writes under its own prefix, `<run_key>/<attempt>/<table>/`, with
  `INCLUDE_QUERY_ID = TRUE` so even Snowflake's own statement retries get fresh file names
  (https://docs.snowflake.com/en/sql-reference/sql/copy-into-location); no OVERWRITE, no PURGE;
- when every mart is unloaded the attempt writes `<run_key>/<attempt>/_SUCCESS` (JSON: rows
  per table): the one complete copy of the run. Readers take the attempt that has the marker;
  files of an attempt that died half-way carry no marker and are ignored;
- an attempt first LISTs `<run_key>/`: if a marker is there the run was already exported, and
  it returns that attempt instead of writing a second copy.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from podcast_analytics.config import Settings

SUCCESS_MARKER = "_SUCCESS"


def exports_stage_name(settings: Settings) -> str:
    # The stage lives beside the marts it unloads (analytics database, marts schema).
    sf = settings.snowflake
    return f"{sf.analytics_database}.{sf.marts_schema}.{sf.exports_stage}"


def mart_tables(connection: Any, settings: Settings) -> list[str]:
    sf = settings.snowflake
    cursor = connection.cursor()
    try:
        cursor.execute(
            f"SELECT table_name FROM {sf.analytics_database}.INFORMATION_SCHEMA.TABLES "  # noqa: S608
            "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
            (sf.marts_schema,),
        )
        return [str(row[0]) for row in cursor.fetchall()]
    finally:
        cursor.close()


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def attempt_prefix(run_key: str, attempt: str) -> str:
    return f"{run_key}/{attempt}/"


def unload_statement(settings: Settings, table: str, run_key: str, attempt: str) -> str:
    sf = settings.snowflake
    source = f"{sf.analytics_database}.{sf.marts_schema}.{_quoted(table)}"
    target = f"@{exports_stage_name(settings)}/{attempt_prefix(run_key, attempt)}{table.lower()}/"
    return (
        f"COPY INTO {target} FROM {source} "
        "FILE_FORMAT = (TYPE = PARQUET) HEADER = TRUE INCLUDE_QUERY_ID = TRUE"
    )


def marker_statement(settings: Settings, run_key: str, attempt: str, rows: dict[str, int]) -> str:
    """The attempt's completion marker: one small JSON file, written after every mart."""
    body = json.dumps({"run_key": run_key, "attempt": attempt, "rows": rows}, sort_keys=True)
    target = f"@{exports_stage_name(settings)}/{attempt_prefix(run_key, attempt)}{SUCCESS_MARKER}"
    return (
        f"COPY INTO {target} FROM (SELECT PARSE_JSON({_sql_string(body)})) "
        "FILE_FORMAT = (TYPE = JSON COMPRESSION = NONE) SINGLE = TRUE"
    )


def list_statement(settings: Settings, run_key: str) -> str:
    return f"LIST @{exports_stage_name(settings)}/{run_key}/ PATTERN = '.*/{SUCCESS_MARKER}.*'"


def completed_attempt(connection: Any, settings: Settings, run_key: str) -> str | None:
    """The attempt of this run that finished (has its marker), if any."""
    cursor = connection.cursor()
    try:
        cursor.execute(list_statement(settings, run_key))
        names = sorted(str(row[0]) for row in cursor.fetchall())
    finally:
        cursor.close()
    for name in names:
        # LIST names the full location: s3://<bucket>/<run_key>/<attempt>/_SUCCESS
        parts = name.rstrip("/").split("/")
        if len(parts) >= 3 and parts[-1].startswith(SUCCESS_MARKER) and parts[-3] == run_key:
            return parts[-2]
    return None


def unload_marts(
    connection: Any,
    settings: Settings,
    *,
    run_key: str,
    new_attempt: Callable[[], str] = lambda: uuid.uuid4().hex,
) -> dict[str, Any]:
    """Unload each mart once per run; returns the complete attempt's prefix and rows."""
    stage = exports_stage_name(settings)
    done = completed_attempt(connection, settings, run_key)
    if done is not None:
        return {
            "stage": stage,
            "prefix": attempt_prefix(run_key, done),
            "already_exported": True,
        }
    tables = mart_tables(connection, settings)
    if not tables:
        sf = settings.snowflake
        raise RuntimeError(
            f"no mart tables in {sf.analytics_database}.{sf.marts_schema}: did dbt build run?"
        )
    attempt = new_attempt()
    rows: dict[str, int] = {}
    cursor = connection.cursor()
    try:
        for table in tables:
            cursor.execute(unload_statement(settings, table, run_key, attempt))
            # COPY INTO <location> returns one row: rows_unloaded, input_bytes, output_bytes.
            result = cursor.fetchone()
            rows[table.lower()] = int(result[0]) if result else 0
        cursor.execute(marker_statement(settings, run_key, attempt, rows))
    finally:
        cursor.close()
    return {
        "stage": stage,
        "prefix": attempt_prefix(run_key, attempt),
        "rows": rows,
        "already_exported": False,
    }
