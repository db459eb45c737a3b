"""The pipe's COPY and the task's SQL parse as Snowflake SQL and touch the right objects."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from podcast_analytics.config import RAW_TABLE_COLUMNS, Settings
from tests.infra.snowflake.harness import StackRun

T = "snowflake:index/"


def parse(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read="snowflake", error_level=sqlglot.ErrorLevel.RAISE)


def table_name(table: exp.Table) -> str:
    return ".".join(part.name for part in table.parts)


def column_names(run: StackRun, table: str) -> list[str]:
    (declared,) = [t for t in run.of_type(f"{T}table:Table") if t.inputs["name"] == table]
    return [column["name"] for column in declared.inputs["columns"]]


def test_raw_table_has_the_shared_columns(run: StackRun, settings: Settings) -> None:
    assert column_names(run, settings.snowflake.raw_table) == [
        column.name.upper() for column in RAW_TABLE_COLUMNS
    ]


def pipe_named(run: StackRun, name: str):
    (pipe,) = [p for p in run.of_type(f"{T}pipe:Pipe") if p.inputs["name"] == name]
    return pipe


def test_catalog_table_has_the_raw_events_columns(run: StackRun, settings: Settings) -> None:
    sf = settings.snowflake
    assert column_names(run, sf.catalog_table) == column_names(run, sf.raw_table)


@pytest.mark.parametrize("source", ["events", "catalog"])
def test_pipe_copies_every_record_with_its_origin(
    run: StackRun, settings: Settings, source: str
) -> None:
    sf = settings.snowflake
    pipe_name, table, stage = {
        "events": (sf.pipe, sf.raw_table, sf.stage),
        "catalog": (sf.catalog_pipe, sf.catalog_table, sf.catalog_stage),
    }[source]
    copy = parse(pipe_named(run, pipe_name).inputs["copyStatement"])
    assert isinstance(copy, exp.Copy)
    target = copy.this
    assert table_name(target.this) == f"{sf.raw_database}.{sf.raw_schema}.{table}"
    inserted = [column.name.upper() for column in target.expressions]
    assert inserted == column_names(run, table)

    (source,) = copy.args["files"]
    select = source.this
    assert isinstance(select, exp.Select)
    assert [e.sql("snowflake") for e in select.expressions] == [
        "$1",  # the whole JSON object, no filter, no parsing that could drop it
        "METADATA$FILENAME",
        "METADATA$FILE_ROW_NUMBER",
        # the load's own time, as UTC TIMESTAMP_NTZ (CREATE PIPE's advice, see sql.py)
        "CAST(CONVERT_TIMEZONE('UTC', METADATA$START_SCAN_TIME) AS TIMESTAMPNTZ)",
    ]
    assert select.args["from_"].this.sql("snowflake") == (
        f"@{sf.raw_database}.{sf.raw_schema}.{stage}"
    )
    assert select.args.get("where") is None
    # No copy option at all, so none of those CREATE PIPE refuses (FILES, PURGE, FORCE,
    # ON_ERROR = ABORT_STATEMENT, VALIDATION_MODE, ...: see sql.py).
    assert not copy.args.get("params"), copy.args.get("params")


# Functions CREATE PIPE says not to use in a pipe's COPY: their value can be hours earlier
# than the load (https://docs.snowflake.com/en/sql-reference/sql/create-pipe).
TIME_OF_CALL_FUNCTIONS = {
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "GETDATE",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "SYSDATE",
    "SYSTIMESTAMP",
}


@pytest.mark.parametrize("source", ["events", "catalog"])
def test_loaded_at_is_the_scan_time_in_utc_not_a_time_of_call(
    run: StackRun, settings: Settings, source: str
) -> None:
    sf = settings.snowflake
    pipe = pipe_named(run, sf.pipe if source == "events" else sf.catalog_pipe)
    copy = parse(pipe.inputs["copyStatement"])
    select = copy.args["files"][0].this
    loaded_at = select.expressions[3]
    assert isinstance(loaded_at, exp.Cast)
    assert loaded_at.to.sql("snowflake") == "TIMESTAMPNTZ"
    convert = loaded_at.this
    assert isinstance(convert, exp.ConvertTimezone)
    assert convert.args["target_tz"].name == "UTC"
    assert convert.args["timestamp"].sql("snowflake") == "METADATA$START_SCAN_TIME"
    called = {
        (f.sql_name() if not isinstance(f, exp.Anonymous) else f.name).upper()
        for f in copy.find_all(exp.Func)
    }
    called |= {c.name.upper() for c in copy.find_all(exp.Column)}
    assert not called & TIME_OF_CALL_FUNCTIONS, called & TIME_OF_CALL_FUNCTIONS
