"""The whole Snowflake side of one environment, as components; `__main__.py` only calls this."""

from __future__ import annotations

from typing import Any

import pulumi

from infra.snowflake.access import AccessControl, grant_matrix
from infra.snowflake.catalog import CatalogIngestion
from infra.snowflake.compute import Compute
from infra.snowflake.ingestion import Ingestion
from infra.snowflake.notifications import LoadErrorNotifications
from infra.snowflake.providers import build_providers
from infra.snowflake.storage import Storage
from podcast_analytics.config import Settings


def build(settings: Settings) -> dict[str, Any]:
    """Declare every resource; return the stack outputs other tools consume."""
    sf = settings.snowflake
    providers = build_providers(sf)
    deployer = pulumi.ResourceOptions(providers=[providers.deployer])

    storage = Storage("storage", sf, protect=settings.storage.retain_on_delete, opts=deployer)
    compute = Compute("compute", sf, opts=deployer)
    notifications = LoadErrorNotifications("load-error-notifications", settings, opts=deployer)
    ingestion = Ingestion(
        "ingestion", settings, storage, error_integration=notifications.integration, opts=deployer
    )
    # Its pipe listens on the same notification channel (one SQS queue per account), so
    # `pipe_notification_channel` below serves both prefixes' S3 notifications.
    catalog = CatalogIngestion(
        "catalog-ingestion",
        settings,
        storage,
        ingestion,
        error_integration=notifications.integration,
        opts=deployer,
    )
    access = AccessControl(
        "access-control",
        sf,
        grant_matrix(storage, compute, ingestion, catalog),
        compute.warehouse,
        opts=deployer,
    )
    return {
        # -> podcast_analytics/config/environments.yaml `snowflake.handoff` (for CDK)
        "integration_iam_user_arn": ingestion.integration_iam_user_arn,
        "integration_external_id": ingestion.integration_external_id,
        "pipe_notification_channel": ingestion.pipe.notification_channel,
        # -> the CDK side: the trust of alerting.snowflake_publisher_role_name (the role
        # Snowflake assumes to publish the pipe's load errors to the alarm topic)
        "notification_iam_user_arn": notifications.iam_user_arn,
        "notification_external_id": notifications.external_id,
        # names dbt profiles and the DAG use (already in the shared config; exported so a
        # check can compare what exists with what the config says)
        "warehouse": compute.warehouse.name,
        "raw_database": storage.raw_database.name,
        "analytics_database": storage.analytics_database.name,
        "roles": {key: role.name for key, role in access.roles.items()},
        "service_users": {key: user.name for key, user in access.users.items()},
    }
