"""The export task in the cloud: unload every mart table to the exports stage as Parquet.

The exports stage (Pulumi) points at the exports bucket (CDK), so `COPY INTO @stage/...`
lands the files in S3 without the data passing through the Airflow worker. Each run writes
under its own prefix, so a re-run replaces its own files and never another run's.
"""

from __future__ import annotations

from typing import Any

from podcast_analytics.config import Settings


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


def unload_statement(settings: Settings, table: str, run_key: str) -> str:
    sf = settings.snowflake
    source = f"{sf.analytics_database}.{sf.marts_schema}.{_quoted(table)}"
    target = f"@{exports_stage_name(settings)}/{run_key}/{table.lower()}/"
    return (
        f"COPY INTO {target} FROM {source} "
        "FILE_FORMAT = (TYPE = PARQUET) HEADER = TRUE OVERWRITE = TRUE"
    )


def unload_marts(connection: Any, settings: Settings, *, run_key: str) -> dict[str, Any]:
    """Unload each mart; returns rows unloaded per table. No marts is an error, not a no-op."""
    tables = mart_tables(connection, settings)
    if not tables:
        sf = settings.snowflake
        raise RuntimeError(
            f"no mart tables in {sf.analytics_database}.{sf.marts_schema}: did dbt build run?"
        )
    rows: dict[str, int] = {}
    cursor = connection.cursor()
    try:
        for table in tables:
            cursor.execute(unload_statement(settings, table, run_key))
            # COPY INTO <location> returns one row: rows_unloaded, input_bytes, output_bytes.
            result = cursor.fetchone()
            rows[table.lower()] = int(result[0]) if result else 0
    finally:
        cursor.close()
    return {"stage": exports_stage_name(settings), "prefix": f"{run_key}/", "rows": rows}
