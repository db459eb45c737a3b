"""The warehouse every role runs on, and the resource monitor that caps its credits."""

from __future__ import annotations

import pulumi
import pulumi_snowflake as snowflake

from podcast_analytics.config import SnowflakeConfig


class Compute(pulumi.ComponentResource):
    """One warehouse per environment (sizes from config) under a monthly credit monitor."""

    def __init__(
        self,
        name: str,
        sf: SnowflakeConfig,
        monitor_provider: snowflake.Provider,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("podcast-analytics:snowflake:Compute", name, None, opts)
        rm, wh = sf.resource_monitor, sf.warehouse

        # Only ACCOUNTADMIN may create resource monitors (see providers.py).
        self.resource_monitor = snowflake.ResourceMonitor(
            "monitor",
            name=rm.name,
            credit_quota=rm.credit_quota,
            notify_triggers=list(rm.notify_at_percent),
            suspend_trigger=rm.suspend_at_percent,
            opts=pulumi.ResourceOptions(parent=self, provider=monitor_provider),
        )
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
            resource_monitor=self.resource_monitor.name,
            comment="Loads checks, dbt builds, exports and reporting for this environment",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs(
            {"warehouse": self.warehouse.name, "resource_monitor": self.resource_monitor.name}
        )
