"""The pipe's COPY and the task's SQL parse as Snowflake SQL and touch the right objects."""

from __future__ import annotations

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


def test_pipe_copies_every_record_with_its_origin(run: StackRun, settings: Settings) -> None:
    sf = settings.snowflake
    (pipe,) = run.of_type(f"{T}pipe:Pipe")
    copy = parse(pipe.inputs["copyStatement"])
    assert isinstance(copy, exp.Copy)
    target = copy.this
    assert table_name(target.this) == f"{sf.raw_database}.{sf.raw_schema}.{sf.raw_table}"
    inserted = [column.name.upper() for column in target.expressions]
    assert inserted == column_names(run, sf.raw_table)

    (source,) = copy.args["files"]
    select = source.this
    assert isinstance(select, exp.Select)
    assert [e.sql("snowflake") for e in select.expressions] == [
        "$1",  # the whole JSON object, no filter, no parsing that could drop it
        "METADATA$FILENAME",
        "METADATA$FILE_ROW_NUMBER",
        "SYSDATE()",  # UTC now as TIMESTAMP_NTZ
    ]
    assert select.args["from_"].this.sql("snowflake") == (
        f"@{sf.raw_database}.{sf.raw_schema}.{sf.stage}"
    )
    assert select.args.get("where") is None
