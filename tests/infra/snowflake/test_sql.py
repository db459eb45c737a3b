"""The pipe's COPY and the task's SQL parse as Snowflake SQL and touch the right objects."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from infra.snowflake.sql import LOAD_DATES_COLUMNS
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


def test_task_drains_the_stream_into_the_load_dates_table(
    run: StackRun, settings: Settings
) -> None:
    sf = settings.snowflake
    (task,) = run.of_type(f"{T}task:Task")
    insert = parse(task.inputs["sqlStatement"])
    assert isinstance(insert, exp.Insert)
    target = insert.this
    assert table_name(target.this) == f"{sf.raw_database}.{sf.raw_schema}.{sf.load_dates_table}"
    inserted = [column.name.upper() for column in target.expressions]
    assert inserted == column_names(run, sf.load_dates_table)
    assert inserted == [name.upper() for name, _, _ in LOAD_DATES_COLUMNS]

    select = insert.expression
    assert len(select.expressions) == len(inserted)
    (source,) = select.find_all(exp.From)
    assert table_name(source.this) == f"{sf.raw_database}.{sf.raw_schema}.{sf.stream}"
    # It reads only columns the raw table has (the stream exposes the table's columns).
    aliases = {e.alias.upper() for e in select.expressions if e.alias}
    read = {c.name.upper() for c in select.find_all(exp.Column)} - aliases
    assert read <= set(column_names(run, sf.raw_table)), read


def test_task_condition_is_a_stream_check(run: StackRun, settings: Settings) -> None:
    sf = settings.snowflake
    (task,) = run.of_type(f"{T}task:Task")
    condition = parse(f"SELECT {task.inputs['when']}").expressions[0]
    assert condition.name.upper() == "SYSTEM$STREAM_HAS_DATA"
    (argument,) = condition.expressions
    assert argument.this == f"{sf.raw_database}.{sf.raw_schema}.{sf.stream}"
