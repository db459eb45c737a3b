"""Mart unloads to the exports stage, against a fake Snowflake connection."""

from __future__ import annotations

import json

import pytest
import sqlglot
from sqlglot import exp

from podcast_analytics.cloud import export
from tests.cloud.conftest import FakeConnection


def marts_connection(tables: list[str], listed: list[str] | None = None) -> FakeConnection:
    def answer(sql: str, params):
        if sql.startswith("LIST @"):
            return [(name, 12, "md5", "Tue, 1 Dec 2026 10:00:00 GMT") for name in listed or []]
        if "INFORMATION_SCHEMA.TABLES" in sql:
            return [(t,) for t in tables]
        if sql.startswith("COPY INTO"):
            return [(42, 1000, 300)]
        raise AssertionError(f"unexpected SQL: {sql}")

    return FakeConnection(answer)


def copies(connection: FakeConnection) -> list[str]:
    return [sql for sql, _ in connection.executed if sql.startswith("COPY INTO")]


def test_every_mart_is_unloaded_under_its_attempt_then_marked_complete(dev_settings):
    connection = marts_connection(["FCT_PLAYS", "DIM_EPISODES"])
    result = export.unload_marts(
        connection, dev_settings, run_key="manual__2026-11-25", new_attempt=lambda: "a1"
    )
    sf = dev_settings.snowflake
    stage = f"{sf.analytics_database}.{sf.marts_schema}.{sf.exports_stage}"
    assert result == {
        "stage": stage,
        "prefix": "manual__2026-11-25/a1/",
        "rows": {"fct_plays": 42, "dim_episodes": 42},
        "already_exported": False,
    }
    *unloads, marker = copies(connection)
    assert unloads == [
        export.unload_statement(dev_settings, "FCT_PLAYS", "manual__2026-11-25", "a1"),
        export.unload_statement(dev_settings, "DIM_EPISODES", "manual__2026-11-25", "a1"),
    ]
    assert f"@{stage}/manual__2026-11-25/a1/fct_plays/" in unloads[0]
    assert marker.startswith(f"COPY INTO @{stage}/manual__2026-11-25/a1/_SUCCESS ")


def test_no_unload_can_overwrite_or_delete_and_names_stay_unique(dev_settings):
    connection = marts_connection(["FCT_PLAYS"])
    export.unload_marts(connection, dev_settings, run_key="r1", new_attempt=lambda: "a1")
    for sql in copies(connection):
        copy = sqlglot.parse_one(sql, read="snowflake")
        assert isinstance(copy, exp.Copy)
        options = {p.this.name.upper(): p for p in copy.args.get("params") or []}
        # The role may PutObject but not DeleteObject: nothing may replace or purge a file.
        assert "OVERWRITE" not in options and "PURGE" not in options
    unload, marker = copies(connection)
    assert "INCLUDE_QUERY_ID = TRUE" in unload
    assert "SINGLE = TRUE" in marker


def test_the_marker_records_what_was_unloaded(dev_settings):
    connection = marts_connection(["FCT_PLAYS"])
    export.unload_marts(connection, dev_settings, run_key="r1", new_attempt=lambda: "a1")
    marker = copies(connection)[-1]
    body = sqlglot.parse_one(marker, read="snowflake").find(exp.Literal).this
    assert json.loads(body) == {"attempt": "a1", "rows": {"fct_plays": 42}, "run_key": "r1"}


def test_a_retry_after_a_complete_export_writes_nothing(dev_settings):
    bucket = dev_settings.storage.buckets.exports
    connection = marts_connection(["FCT_PLAYS"], listed=[f"s3://{bucket}/r1/a1/_SUCCESS"])
    result = export.unload_marts(connection, dev_settings, run_key="r1", new_attempt=pytest.fail)
    assert result["already_exported"] is True and result["prefix"] == "r1/a1/"
    assert copies(connection) == []


def test_a_retry_after_a_crashed_attempt_writes_a_new_complete_one(dev_settings):
    # Attempt a1 died half-way: its files are there, its marker is not (LIST finds none), and
    # nothing may delete them; the new attempt writes beside them and marks itself complete.
    connection = marts_connection(["FCT_PLAYS"], listed=[])
    result = export.unload_marts(connection, dev_settings, run_key="r1", new_attempt=lambda: "a2")
    assert result["prefix"] == "r1/a2/"
    unload, marker = copies(connection)
    assert "/r1/a2/fct_plays/" in unload and "/r1/a2/_SUCCESS" in marker
    assert not any("/a1/" in sql for sql in copies(connection))


def test_the_listing_queries_are_valid_snowflake_sql(dev_settings):
    connection = marts_connection(["FCT_PLAYS"])
    export.unload_marts(connection, dev_settings, run_key="r1", new_attempt=lambda: "a1")
    for sql, _ in connection.executed:
        sqlglot.parse_one(sql.replace("%s", "'MARTS'"), read="snowflake")


def test_no_marts_is_an_error_not_an_empty_export(dev_settings):
    with pytest.raises(RuntimeError, match=r"no mart tables .* did dbt build run"):
        export.unload_marts(marts_connection([]), dev_settings, run_key="r1")
