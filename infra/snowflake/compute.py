"""The warehouse every role runs on. Its credit cap (the resource monitor) is admin-only.

Snowflake lets only ACCOUNTADMIN create a resource monitor
(https://docs.snowflake.com/en/user-guide/resource-monitors) and assign one to a warehouse
(https://github.com/snowflakedb/terraform-provider-snowflake/issues/3019), so neither happens
in the routine `pulumi up`: the one-time admin bootstrap (bootstrap.py) creates the monitor
and attaches it. The routine run then must not undo that attachment, hence
`ignore_changes` on the warehouse's `resource_monitor`.
"""

from __future__ import annotations

import pulumi
import pulumi_snowflake as snowflake

from podcast_analytics.config import SnowflakeConfig

# The property the admin bootstrap sets and the routine run leaves alone (Pulumi's name).
ADMIN_OWNED_WAREHOUSE_PROPERTIES: tuple[str, ...] = ("resourceMonitor",)


class Compute(pulumi.ComponentResource):
    """One warehouse per environment (sizes from config); the admin attaches its monitor."""

    def __init__(
        self,
        name: str,
        sf: SnowflakeConfig,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("podcast-analytics:snowflake:Compute", name, None, opts)
        wh = sf.warehouse
        multi_cluster = wh.max_clusters > 1
        self.warehouse = snowflake.Warehouse(
            "warehouse",
            name=wh.name,
            warehouse_type="STANDARD",
            warehouse_size=wh.size,
            auto_suspend=wh.auto_suspend_s,
            auto_resume="true",
            # Nothing bills until the first query wakes it.
            initially_suspended=True,
            min_cluster_count=wh.min_clusters,
            max_cluster_count=wh.max_clusters,
            # A scaling policy only matters when the warehouse can scale out (multi-cluster
            # warehouses need Enterprise edition); a single-cluster warehouse leaves it unset.
            scaling_policy=wh.scaling_policy if multi_cluster else None,
            comment="Loads checks, dbt builds, exports and reporting for this environment",
            opts=pulumi.ResourceOptions(
                parent=self, ignore_changes=list(ADMIN_OWNED_WAREHOUSE_PROPERTIES)
            ),
        )
        self.register_outputs({"warehouse": self.warehouse.name})
