"""The CDK stacks: each composes the constructs of one logical unit under infra/.

Stateful storage has a stack of its own, so the stateless stacks (ingestion, Snowflake
access, orchestration, CI access) can be destroyed and re-created without touching data.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.aws.alerting.topic import AlarmTopic
from infra.aws.ci_access.github_deploy import GithubDeployAccess
from infra.aws.ingestion.delivery import EventIngestion
from infra.aws.log_encryption import EncryptedLogs
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


def encrypted_logs(stack: cdk.Stack, settings: Settings) -> EncryptedLogs:
    """The stack's logs key and log-group factory: the environment's retention and policy."""
    return EncryptedLogs(
        stack,
        "Logs",
        retention=log_retention(settings),
        removal_policy=removal_policy(settings.storage),
    )


def alarm_topic(scope: Construct, settings: Settings) -> sns.ITopic:
    """The Alerting stack's topic, by the ARN the config derives (no cross-stack output)."""
    return sns.Topic.from_topic_arn(scope, "AlarmTopic", settings.alerting.topic_arn)


class AlertingStack(cdk.Stack):
    """The alarm topic every other stack's alarms (and the DAG) notify: deployed first."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.alarms = AlarmTopic(
            self,
            "Alarms",
            alerting=settings.alerting,
            removal_policy=removal_policy(settings.storage),
        )


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
            self,
            raw_bucket=self.buckets.raw,
            raw_bucket_name=settings.storage.buckets.raw,
            queue_arn=settings.snowflake.handoff.pipe_notification_channel,
            prefixes=(settings.storage.prefixes.raw_events, settings.storage.prefixes.catalog),
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
            logs=encrypted_logs(self, settings),
            alarm_topic=alarm_topic(self, settings),
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
            # Snowpipe reads both sources' objects: the events' and the catalog's.
            raw_prefixes=(settings.storage.prefixes.raw_events, settings.storage.prefixes.catalog),
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
        alarms: AlarmTopic,
        dbt_manifest: Path | None,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        logs = encrypted_logs(self, settings)
        network = AirflowNetwork(
            self,
            "Network",
            nat_gateways=settings.mwaa.nat_gateways,
            logs=logs,
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
            # The read_catalog task writes its snapshots there, and nowhere else in raw.
            raw_bucket=bucket_by_name(self, "RawBucket", settings.storage.buckets.raw),
            raw_key=storage.raw_key,
            catalog_prefix=settings.storage.prefixes.catalog,
            alarm_topic_arn=settings.alerting.topic_arn,
            alarm_key=alarms.key,
            logs=logs,
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
