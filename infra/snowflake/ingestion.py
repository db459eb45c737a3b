"""Snowpipe's path from S3 into the raw table: integration, file format, stages, table, pipe."""

from __future__ import annotations

import pulumi
import pulumi_snowflake as snowflake

from infra.snowflake.sql import pipe_copy_statement
from infra.snowflake.storage import Storage
from podcast_analytics.config import RAW_TABLE_COLUMNS, Settings


def snowflake_column(name: str) -> str:
    """The provider quotes column names, so declare them as Snowflake stores unquoted ones
    (upper case): the COPY, the task and dbt then refer to them unquoted in any case."""
    return name.upper()


def s3_url(bucket: str, prefix: str = "") -> str:
    return f"s3://{bucket}/{prefix}"


def raw_table_columns() -> list[dict[str, object]]:
    """The shared raw columns (`RAW_TABLE_COLUMNS`) as the provider declares them: the raw
    events table and the raw catalog table have exactly these."""
    return [
        {
            "name": snowflake_column(column.name),
            "type": column.snowflake_type,
            "nullable": False,
            "comment": column.meaning,
        }
        for column in RAW_TABLE_COLUMNS
    ]


class Ingestion(pulumi.ComponentResource):
    """Storage integration (the CDK-made IAM role), JSON format, stages, raw table, pipe."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        storage: Storage,
        *,
        error_integration: snowflake.NotificationIntegration,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("podcast-analytics:snowflake:Ingestion", name, None, opts)
        sf, st = settings.snowflake, settings.storage
        child = pulumi.ResourceOptions(parent=self)
        raw_events_url = s3_url(st.buckets.raw, st.prefixes.raw_events)
        catalog_url = s3_url(st.buckets.raw, st.prefixes.catalog)
        exports_url = s3_url(st.buckets.exports)

        self.integration = snowflake.StorageIntegrationAws(
            "s3-integration",
            name=sf.storage_integration,
            storage_provider="S3",
            enabled=True,
            storage_aws_role_arn=settings.access.snowflake_access_role_arn,
            # Read the raw events' and the catalog's prefixes, write the exports bucket;
            # nothing else in the account (a stage outside these is refused).
            storage_allowed_locations=[raw_events_url, catalog_url, exports_url],
            comment="Snowpipe reads raw events and the catalog; the DAG unloads marts to exports",
            opts=child,
        )
        in_raw_schema = {"database": storage.raw_database.name, "schema": storage.raw_schema.name}
        self.file_format = snowflake.FileFormatJson(
            "ndjson-gzip",
            name=sf.file_format,
            # Firehose writes GZIP objects of newline-delimited JSON objects.
            compression="GZIP",
            strip_outer_array="false",
            comment="Firehose output: GZIP NDJSON, one listening event per line",
            opts=child,
            **in_raw_schema,
        )
        self.stage = snowflake.StageExternalS3(
            "raw-events-stage",
            name=sf.stage,
            url=raw_events_url,
            storage_integration=self.integration.name,
            file_format={"format_name": self.file_format.fully_qualified_name},
            comment="Firehose's raw_events/yyyymmdd/ folders (arrival dates)",
            opts=child,
            **in_raw_schema,
        )
        self.exports_stage = snowflake.StageExternalS3(
            "exports-stage",
            name=sf.exports_stage,
            url=exports_url,
            storage_integration=self.integration.name,
            comment="Mart unloads written by the Airflow DAG",
            database=storage.analytics_database.name,
            schema=storage.marts_schema.name,
            opts=child,
        )
        self.raw_table = snowflake.Table(
            "raw-events",
            name=sf.raw_table,
            columns=raw_table_columns(),
            # The stream turns change tracking on anyway; declaring it avoids a perpetual diff.
            change_tracking=True,
            comment="Every loaded record as delivered, with its file, row and load time",
            opts=pulumi.ResourceOptions(parent=self, protect=settings.storage.retain_on_delete),
            **in_raw_schema,
        )
        self.pipe = snowflake.Pipe(
            "raw-events-pipe",
            name=sf.pipe,
            auto_ingest=True,
            copy_statement=pipe_copy_statement(sf),
            # A file the pipe cannot load is published to the alarm topic (notifications.py).
            error_integration=error_integration.name,
            comment="Auto-ingest from the raw bucket's S3 event notifications",
            # The COPY names the stage and table by their config names, so say the order.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.stage, self.raw_table]),
            **in_raw_schema,
        )
        describe = self.integration.describe_outputs
        self.integration_iam_user_arn = describe.apply(lambda d: d[0].iam_user_arn if d else "")
        self.integration_external_id = describe.apply(lambda d: d[0].external_id if d else "")
        self.register_outputs(
            {
                "integration_iam_user_arn": self.integration_iam_user_arn,
                "integration_external_id": self.integration_external_id,
                "pipe_notification_channel": self.pipe.notification_channel,
            }
        )
