"""Read whole tables out of a DuckDB warehouse in a comparable form."""

from __future__ import annotations

from pathlib import Path

import duckdb

MART_TABLES = (
    "fct_listening_events",
    "fct_listening_sessions",
    "fct_episode_plays",
    "fct_daily_podcast_kpis",
    "fct_daily_episode_kpis",
    "fct_episode_listening_curve",
    "fct_listener_retention",
    "fct_listener_episodes",
    "fct_daily_network_listeners",
    "fct_weekly_podcast_listeners",
    "fct_weekly_network_listeners",
    "fct_monthly_podcast_listeners",
    "fct_monthly_network_listeners",
    "fct_daily_podcast_followers",
    "fct_daily_episode_downloads",
    "fct_daily_client_app_listening",
    "fct_daily_platform_listening",
    "fct_daily_country_listening",
    "dim_podcasts",
    "dim_episodes",
    "dim_listeners",
    "dim_clients",
)


def _comparable(value: object) -> object:
    # Sums over the same rows in another order may differ in the last bits of a double.
    return round(value, 6) if isinstance(value, float) else value


def table_rows(
    database: Path, schema: str, table: str, exclude: tuple[str, ...] = ()
) -> list[tuple]:
    """Every row of the table, sorted, without the `exclude` columns (those the table has)."""
    with duckdb.connect(str(database), read_only=True) as con:
        columns = [
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            if name not in exclude
        ]
        selected = ", ".join(f'"{name}"' for name in columns)
        rows = con.execute(f"select {selected} from {schema}.{table}").fetchall()
    return sorted(
        (tuple(_comparable(v) for v in row) for row in rows), key=lambda r: tuple(map(str, r))
    )


def marts(database: Path, schema: str = "marts") -> dict[str, list[tuple]]:
    return {table: table_rows(database, schema, table) for table in MART_TABLES}
