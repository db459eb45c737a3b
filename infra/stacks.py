"""The CDK stacks: each composes the constructs of one logical unit under infra/.

Stateful storage has a stack of its own, so the stateless stacks (ingestion, Snowflake
access, orchestration, CI access) can be destroyed and re-created without touching data.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.ci_access.github_deploy import GithubDeployAccess
from infra.ingestion.delivery import EventIngestion
from infra.orchestration.airflow import AirflowEnvironment
from infra.orchestration.network import AirflowNetwork
from infra.retention import removal_policy
from infra.snowflake_access.notification import add_snowpipe_notification
from infra.snowflake_access.role import SnowflakeAccessRole
from infra.storage.buckets import PipelineBuckets
from podcast_analytics.config.settings import Settings

# CloudWatch Logs accepts only these retention periods (days).
_RETENTION_PERIODS: tuple[tuple[int, logs.RetentionDays], ...] = (
    (7, logs.RetentionDays.ONE_WEEK),
    (14, logs.RetentionDays.TWO_WEEKS),
    (30, logs.RetentionDays.ONE_MONTH),
    (60, logs.RetentionDays.TWO_MONTHS),
    (90, logs.RetentionDays.THREE_MONTHS),
    (180, logs.RetentionDays.SIX_MONTHS),
    (365, logs.RetentionDays.ONE_YEAR),
)


def log_retention(settings: Settings) -> logs.RetentionDays:
    """Operational logs live at least as long as the dead letters they help explain."""
    days = settings.storage.dead_letter_expiry_days
    for period, retention in _RETENTION_PERIODS:
        if period >= days:
            return retention
    return logs.RetentionDays.TWO_YEARS


def bucket_by_name(scope: Construct, construct_id: str, name: str) -> s3.IBucket:
    """Refer to a storage-stack bucket by its configured name, not by a cross-stack output.

    Names are fixed by the config, so the stateless stacks need no CloudFormation outputs of
    the storage stack for them (only the KMS key ARNs, which AWS generates).
    """
    return s3.Bucket.from_bucket_name(scope, construct_id, name)


class StorageStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.buckets = PipelineBuckets(self, "Buckets", storage=settings.storage)
        add_snowpipe_notification(
            self.buckets.raw,
            queue_arn=settings.snowflake.handoff.pipe_notification_channel,
            prefix=settings.storage.prefixes.raw_events,
        )


class IngestionStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        storage: PipelineBuckets,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.ingestion = EventIngestion(
            self,
            "Ingestion",
            kinesis_config=settings.kinesis,
            firehose_config=settings.firehose,
            storage=settings.storage,
            raw_bucket=bucket_by_name(self, "RawBucket", settings.storage.buckets.raw),
            raw_key=storage.raw_key,
            log_retention=log_retention(settings),
        )


class SnowflakeAccessStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        storage: PipelineBuckets,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.access = SnowflakeAccessRole(
            self,
            "SnowflakeAccess",
            access=settings.access,
            handoff=settings.snowflake.handoff,
            raw_bucket=bucket_by_name(self, "RawBucket", settings.storage.buckets.raw),
            raw_key=storage.raw_key,
            raw_prefix=settings.storage.prefixes.raw_events,
            exports_bucket=bucket_by_name(self, "ExportsBucket", settings.storage.buckets.exports),
            exports_key=storage.outputs_key,
        )


class OrchestrationStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        storage: PipelineBuckets,
        dbt_manifest: Path | None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        logs_policy = removal_policy(settings.storage)
        network = AirflowNetwork(
            self,
            "Network",
            nat_gateways=settings.mwaa.nat_gateways,
            log_retention=log_retention(settings),
            logs_policy=logs_policy,
        )
        self.airflow = AirflowEnvironment(
            self,
            "Airflow",
            environment=settings.environment,
            mwaa_config=settings.mwaa,
            network=network,
            dags_bucket=bucket_by_name(self, "DagsBucket", settings.storage.buckets.dags),
            exports_bucket=bucket_by_name(self, "ExportsBucket", settings.storage.buckets.exports),
            artefacts_bucket=bucket_by_name(
                self, "ArtefactsBucket", settings.storage.buckets.artefacts
            ),
            outputs_key=storage.outputs_key,
            log_retention=log_retention(settings),
            logs_policy=logs_policy,
            dbt_manifest=dbt_manifest,
        )


class CiAccessStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        storage: PipelineBuckets,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.github = GithubDeployAccess(
            self,
            "GithubDeploy",
            environment=settings.environment,
            access=settings.access,
            artefacts_bucket=bucket_by_name(
                self, "ArtefactsBucket", settings.storage.buckets.artefacts
            ),
            artefacts_prefix=settings.storage.prefixes.deploy_artefacts,
            artefacts_key=storage.outputs_key,
        )
