"""Read the raw table back as `RawRow`s, to feed the reference from a warehouse file."""

from __future__ import annotations

from pathlib import Path

import duckdb

from podcast_analytics.config import load_settings
from tests.reference.marts import RawRow


def raw_rows_from_duckdb(database: Path, env: str = "local") -> list[RawRow]:
    """Every row of the raw table in a local DuckDB warehouse (names from the config)."""
    sf = load_settings(env).snowflake
    table = f"{sf.raw_schema.lower()}.{sf.raw_table.lower()}"
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            f"select record, source_file, source_row, loaded_at from {table}"
        ).fetchall()
    return [
        RawRow(record, source_file, source_row, loaded_at)
        for record, source_file, source_row, loaded_at in rows
    ]
