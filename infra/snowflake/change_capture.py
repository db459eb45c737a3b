"""New raw rows without scanning history: an append-only stream and the task that drains it."""

from __future__ import annotations

import pulumi
import pulumi_snowflake as snowflake

from infra.snowflake.compute import Compute
from infra.snowflake.ingestion import Ingestion, snowflake_column
from infra.snowflake.sql import (
    LOAD_DATES_COLUMNS,
    load_dates_task_statement,
    stream_has_data_condition,
)
from infra.snowflake.storage import Storage
from podcast_analytics.config import SnowflakeConfig


class ChangeCapture(pulumi.ComponentResource):
    """Stream on the raw table -> task -> load-dates table (see sql.py for the task's job).

    The task fires on the config's schedule but only runs (and only wakes the warehouse)
    when SYSTEM$STREAM_HAS_DATA says Snowpipe loaded something since the last run.
    """

    def __init__(
        self,
        name: str,
        sf: SnowflakeConfig,
        storage: Storage,
        compute: Compute,
        ingestion: Ingestion,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("podcast-analytics:snowflake:ChangeCapture", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        in_raw_schema = {"database": storage.raw_database.name, "schema": storage.raw_schema.name}

        self.load_dates_table = snowflake.Table(
            "load-dates",
            name=sf.load_dates_table,
            columns=[
                {
                    "name": snowflake_column(column),
                    "type": sql_type,
                    "nullable": column == "event_date",
                    "comment": meaning,
                }
                for column, sql_type, meaning in LOAD_DATES_COLUMNS
            ],
            comment="Event dates each batch of raw loads touched (filled by the task)",
            opts=child,
            **in_raw_schema,
        )
        self.stream = snowflake.StreamOnTable(
            "raw-events-stream",
            name=sf.stream,
            table=ingestion.raw_table.fully_qualified_name,
            # Raw is insert-only: an append-only stream is cheaper and says so.
            append_only="true",
            comment="Rows Snowpipe loaded since the task last consumed the stream",
            opts=child,
            **in_raw_schema,
        )
        self.task = snowflake.Task(
            "load-dates-task",
            name=sf.task,
            warehouse=compute.warehouse.name,
            schedule={"minutes": sf.task_schedule_minutes},
            when=stream_has_data_condition(sf),
            sql_statement=load_dates_task_statement(sf),
            allow_overlapping_execution="false",
            started=True,
            comment="Records which event dates new raw rows carry, for incremental dbt models",
            # The SQL names the stream and table by their config names, so say the order.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[self.stream, self.load_dates_table]
            ),
            **in_raw_schema,
        )
        self.register_outputs({"stream": self.stream.name, "task": self.task.name})
