"""Databases and schemas: raw (what Snowpipe loads) and analytics (what dbt builds)."""

from __future__ import annotations

import pulumi
import pulumi_snowflake as snowflake

from podcast_analytics.config import SnowflakeConfig


class Storage(pulumi.ComponentResource):
    """Raw database + schema, analytics database + staging/intermediate/marts schemas.

    Every schema has managed access: grants on objects inside are decided by the schema
    owner (the deployer), never by whichever role created an object, so the grant matrix
    in access.py stays the whole truth even for tables dbt creates later.
    """

    def __init__(
        self,
        name: str,
        sf: SnowflakeConfig,
        *,
        protect: bool,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("podcast-analytics:snowflake:Storage", name, None, opts)
        # Where the config keeps data on delete (prod), `pulumi destroy` or a rename must not
        # drop the databases either: Pulumi refuses until someone unprotects them on purpose.
        self._child = pulumi.ResourceOptions(parent=self, protect=protect)
        child = self._child

        self.raw_database = snowflake.Database(
            "raw",
            name=sf.raw_database,
            comment="Raw listening events exactly as loaded by Snowpipe",
            drop_public_schema_on_creation=True,
            opts=child,
        )
        self.analytics_database = snowflake.Database(
            "analytics",
            name=sf.analytics_database,
            comment="dbt models: staging, intermediate, marts",
            drop_public_schema_on_creation=True,
            opts=child,
        )
        self.raw_schema = self._schema("raw-events", self.raw_database, sf.raw_schema)
        self.staging_schema = self._schema("staging", self.analytics_database, sf.staging_schema)
        self.intermediate_schema = self._schema(
            "intermediate", self.analytics_database, sf.intermediate_schema
        )
        self.marts_schema = self._schema("marts", self.analytics_database, sf.marts_schema)
        self.register_outputs(
            {
                "raw_database": self.raw_database.name,
                "analytics_database": self.analytics_database.name,
            }
        )

    def _schema(self, name: str, database: snowflake.Database, schema: str) -> snowflake.Schema:
        return snowflake.Schema(
            name,
            database=database.name,
            name=schema,
            with_managed_access="true",
            opts=self._child,
        )
