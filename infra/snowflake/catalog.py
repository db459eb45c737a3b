"""The episode catalog's path from S3 into its raw table: stage, table, auto-ingest pipe.

The feed reader writes NDJSON snapshots under the raw bucket's catalog prefix (GZIP, like
Firehose's objects, so the one file format serves both). The catalog reuses the events'
storage integration (which allows the catalog prefix), file format and load-error
integration: one way in, one way to hear of a file that failed. Its table has the raw
events table's columns, and its pipe the events pipe's COPY over its own stage and table.
Auto-ingest pipes of an account share one SQS queue (the pipe's notification channel) and
each loads what its stage's path covers, so the raw bucket's notification for the catalog
prefix goes to the same queue as the events' (the CDK side).
"""

from __future__ import annotations

import pulumi
import pulumi_snowflake as snowflake

from infra.snowflake.ingestion import Ingestion, raw_table_columns, s3_url
from infra.snowflake.sql import catalog_pipe_copy_statement
from infra.snowflake.storage import Storage
from podcast_analytics.config import Settings


class CatalogIngestion(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        settings: Settings,
        storage: Storage,
        ingestion: Ingestion,
        *,
        error_integration: snowflake.NotificationIntegration,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("podcast-analytics:snowflake:CatalogIngestion", name, None, opts)
        sf, st = settings.snowflake, settings.storage
        child = pulumi.ResourceOptions(parent=self)
        in_raw_schema = {"database": storage.raw_database.name, "schema": storage.raw_schema.name}
        self.stage = snowflake.StageExternalS3(
            "raw-catalog-stage",
            name=sf.catalog_stage,
            url=s3_url(st.buckets.raw, st.prefixes.catalog),
            storage_integration=ingestion.integration.name,
            file_format={"format_name": ingestion.file_format.fully_qualified_name},
            comment="The feed reader's catalog/yyyymmdd/ snapshots (episode versions)",
            opts=child,
            **in_raw_schema,
        )
        self.table = snowflake.Table(
            "raw-catalog",
            name=sf.catalog_table,
            columns=raw_table_columns(),
            comment="Every catalog record as the reader wrote it, with its file, row, load time",
            opts=pulumi.ResourceOptions(parent=self, protect=st.retain_on_delete),
            **in_raw_schema,
        )
        self.pipe = snowflake.Pipe(
            "raw-catalog-pipe",
            name=sf.catalog_pipe,
            auto_ingest=True,
            copy_statement=catalog_pipe_copy_statement(sf),
            error_integration=error_integration.name,
            comment="Auto-ingest of the catalog prefix from the raw bucket's S3 notifications",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.stage, self.table]),
            **in_raw_schema,
        )
        self.register_outputs({"catalog_pipe_notification_channel": self.pipe.notification_channel})
