"""Mart unloads to the exports stage, against a fake Snowflake connection."""

from __future__ import annotations

import pytest
import sqlglot

from podcast_analytics.cloud import export as unload
from tests.cloud.conftest import FakeConnection


def marts_connection(tables: list[str]) -> FakeConnection:
    def answer(sql: str, params):
        if "INFORMATION_SCHEMA.TABLES" in sql:
            return [(t,) for t in tables]
        if sql.startswith("COPY INTO"):
            return [(42, 1000, 300)]
        raise AssertionError(f"unexpected SQL: {sql}")

    return FakeConnection(answer)


def test_every_mart_is_unloaded_under_the_run_prefix(dev_settings):
    connection = marts_connection(["FCT_PLAYS", "DIM_EPISODES"])
    result = unload.unload_marts(connection, dev_settings, run_key="manual__2026-11-25")
    sf = dev_settings.snowflake
    assert result["rows"] == {"fct_plays": 42, "dim_episodes": 42}
    assert result["stage"] == f"{sf.analytics_database}.{sf.marts_schema}.{sf.exports_stage}"
    copies = [sql for sql, _ in connection.executed if sql.startswith("COPY INTO")]
    assert copies == [
        unload.unload_statement(dev_settings, "FCT_PLAYS", "manual__2026-11-25"),
        unload.unload_statement(dev_settings, "DIM_EPISODES", "manual__2026-11-25"),
    ]
    assert f"@{result['stage']}/manual__2026-11-25/fct_plays/" in copies[0]
    assert f'FROM {sf.analytics_database}.{sf.marts_schema}."FCT_PLAYS"' in copies[0]
    assert "TYPE = PARQUET" in copies[0]
    _, params = connection.executed[0]
    assert params == (sf.marts_schema,)


def test_the_listing_query_is_valid_snowflake_sql(dev_settings):
    connection = marts_connection(["FCT_PLAYS"])
    unload.unload_marts(connection, dev_settings, run_key="r1")
    listing_sql = connection.executed[0][0].replace("%s", "'MARTS'")
    sqlglot.parse_one(listing_sql, read="snowflake")


def test_no_marts_is_an_error_not_an_empty_export(dev_settings):
    with pytest.raises(RuntimeError, match=r"no mart tables .* did dbt build run"):
        unload.unload_marts(marts_connection([]), dev_settings, run_key="r1")
