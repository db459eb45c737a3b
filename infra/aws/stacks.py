"""The CDK stacks: each composes the constructs of one logical unit under infra/.

Stateful storage has a stack of its own, so the stateless stacks (ingestion, Snowflake
access, orchestration, CI access) can be destroyed and re-created without touching data.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.aws.ci_access.github_deploy import GithubDeployAccess
from infra.aws.ingestion.delivery import EventIngestion
from infra.aws.mwaa.airflow import AirflowEnvironment
from infra.aws.mwaa.network import AirflowNetwork
from infra.aws.policies import log_retention, removal_policy
from infra.aws.snowflake_integration_role.role import SnowflakeAccessRole
from infra.aws.storage.buckets import PipelineBuckets
from infra.aws.storage.notification import add_snowpipe_notification
from podcast_analytics.config import Settings


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
