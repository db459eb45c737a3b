"""Amazon MWAA: the environment (L1, MWAA has no L2) and its least-privilege execution role."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_mwaa as mwaa
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.aws.log_encryption import EncryptedLogs
from infra.aws.mwaa.dag_bucket import (
    DAGS_PREFIX,
    REQUIREMENTS_KEY,
    STARTUP_SCRIPT_KEY,
    DagBucketContents,
)
from infra.aws.mwaa.network import AirflowNetwork
from infra.aws.nag import acknowledge, bucket_objects
from podcast_analytics.config import MwaaConfig

SECRETS_BACKEND = "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend"
# The Airflow option the DAG reads to pick its environment (then load_settings(<it>)).
ENVIRONMENT_OPTION = "podcast.environment"
LOG_LEVEL = "INFO"


class AirflowEnvironment(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        mwaa_config: MwaaConfig,
        network: AirflowNetwork,
        dags_bucket: s3.IBucket,
        exports_bucket: s3.IBucket,
        artefacts_bucket: s3.IBucket,
        outputs_key: kms.IKey,
        raw_bucket: s3.IBucket,
        raw_key: kms.IKey,
        catalog_prefix: str,
        alarm_topic_arn: str,
        alarm_key: kms.IKey,
        logs: EncryptedLogs,
        dbt_manifest: Path | None,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        name = mwaa_config.environment_name

        self.execution_role = iam.Role(
            self,
            "ExecutionRole",
            description=f"MWAA execution role of {name}",
            assumed_by=iam.CompositePrincipal(
                iam.ServicePrincipal("airflow.amazonaws.com"),
                iam.ServicePrincipal("airflow-env.amazonaws.com"),
            ),
        )
        statements = _execution_statements(
            stack=stack,
            mwaa_config=mwaa_config,
            dags_bucket=dags_bucket,
            exports_bucket=exports_bucket,
            artefacts_bucket=artefacts_bucket,
            outputs_key=outputs_key,
            alarm_topic_arn=alarm_topic_arn,
            alarm_key=alarm_key,
        ) + _catalog_statements(raw_bucket, raw_key, catalog_prefix)
        policy = iam.Policy(self, "ExecutionPolicy", statements=statements)
        policy.attach_to_role(self.execution_role)
        _acknowledge_service_wildcards(
            policy, statements, dags_bucket, exports_bucket, artefacts_bucket
        )
        acknowledge(
            policy,
            "AwsSolutions-IAM5",
            "The read_catalog task writes catalog snapshots under content-named keys; the "
            "raw bucket's catalog prefix only, put only (no read, list or delete of raw).",
            bucket_objects(raw_bucket, f"{catalog_prefix}*"),
        )

        self.contents = DagBucketContents(
            self,
            "DagBucketContents",
            bucket=dags_bucket,
            logs=logs,
            dbt_manifest=dbt_manifest,
        )

        module_logs = mwaa.CfnEnvironment.ModuleLoggingConfigurationProperty(
            enabled=True, log_level=LOG_LEVEL
        )
        self.environment = mwaa.CfnEnvironment(
            self,
            "Environment",
            name=name,
            airflow_version=mwaa_config.airflow_version,
            environment_class=mwaa_config.environment_class,
            schedulers=mwaa_config.schedulers,
            min_workers=mwaa_config.min_workers,
            max_workers=mwaa_config.max_workers,
            execution_role_arn=self.execution_role.role_arn,
            source_bucket_arn=dags_bucket.bucket_arn,
            dag_s3_path=DAGS_PREFIX.rstrip("/"),
            requirements_s3_path=REQUIREMENTS_KEY,
            startup_script_s3_path=STARTUP_SCRIPT_KEY,
            # MWAA installs these files by version; a new version reaches the workers only if
            # the environment is given it (see DeployedObjectVersion).
            requirements_s3_object_version=self.contents.requirements_version.version_id,
            startup_script_s3_object_version=self.contents.startup_script_version.version_id,
            network_configuration=mwaa.CfnEnvironment.NetworkConfigurationProperty(
                security_group_ids=[network.security_group.security_group_id],
                subnet_ids=network.private_subnets.subnet_ids,
            ),
            # The Airflow UI is reachable only from inside the VPC (VPN / bastion), not the
            # internet.
            webserver_access_mode="PRIVATE_ONLY",
            logging_configuration=mwaa.CfnEnvironment.LoggingConfigurationProperty(
                dag_processing_logs=module_logs,
                scheduler_logs=module_logs,
                task_logs=module_logs,
                webserver_logs=module_logs,
                worker_logs=module_logs,
            ),
            airflow_configuration_options={
                ENVIRONMENT_OPTION: environment,
                "secrets.backend": SECRETS_BACKEND,
                "secrets.backend_kwargs": json.dumps(
                    {
                        "connections_prefix": mwaa_config.connections_secret_prefix,
                        "variables_prefix": mwaa_config.variables_secret_prefix,
                    },
                    sort_keys=True,
                ),
                # No usage pings from the workers (private subnets, and nobody asked).
                "cosmos.enable_telemetry": "False",
            },
        )
        # requirements.txt must be in the bucket before MWAA first reads it, and the role's
        # policy attached before MWAA validates the role.
        for deployment in self.contents.deployments:
            self.environment.node.add_dependency(deployment)
        self.environment.node.add_dependency(policy)


def _execution_statements(
    *,
    stack: cdk.Stack,
    mwaa_config: MwaaConfig,
    dags_bucket: s3.IBucket,
    exports_bucket: s3.IBucket,
    artefacts_bucket: s3.IBucket,
    outputs_key: kms.IKey,
    alarm_topic_arn: str,
    alarm_key: kms.IKey,
) -> list[iam.PolicyStatement]:
    """The execution role of the AWS MWAA user guide, narrowed to this environment."""
    name = mwaa_config.environment_name
    region, account = stack.region, stack.account
    log_groups = f"arn:{stack.partition}:logs:{region}:{account}:log-group:airflow-{name}-*"

    def secrets(prefix: str) -> str:
        return f"arn:{stack.partition}:secretsmanager:{region}:{account}:secret:{prefix}/*"

    return [
        iam.PolicyStatement(
            sid="PublishMetrics",
            actions=["airflow:PublishMetrics"],
            resources=[f"arn:{stack.partition}:airflow:{region}:{account}:environment/{name}"],
        ),
        # MWAA refuses a source bucket unless it can see the account's public-access block.
        iam.PolicyStatement(
            sid="CheckPublicAccessBlock",
            actions=["s3:GetAccountPublicAccessBlock"],
            resources=["*"],
        ),
        iam.PolicyStatement(
            sid="ReadDags",
            actions=["s3:GetObject*", "s3:GetBucket*", "s3:List*"],
            resources=[dags_bucket.bucket_arn, dags_bucket.arn_for_objects("*")],
        ),
        iam.PolicyStatement(
            sid="ListOutputBuckets",
            actions=["s3:ListBucket", "s3:GetBucketLocation"],
            resources=[exports_bucket.bucket_arn, artefacts_bucket.bucket_arn],
        ),
        # The DAG uploads dbt artefacts and reads/writes export manifests.
        iam.PolicyStatement(
            sid="ReadWriteOutputs",
            actions=["s3:GetObject", "s3:PutObject"],
            resources=[
                exports_bucket.arn_for_objects("*"),
                artefacts_bucket.arn_for_objects("*"),
            ],
        ),
        iam.PolicyStatement(
            sid="UseOutputsKey",
            actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            resources=[outputs_key.key_arn],
        ),
        # A failed task publishes its report to the environment's alarm topic (KMS-encrypted:
        # publishing needs the key's GenerateDataKey and Decrypt).
        iam.PolicyStatement(
            sid="PublishFailureReports",
            actions=["sns:Publish"],
            resources=[alarm_topic_arn],
        ),
        iam.PolicyStatement(
            sid="EncryptFailureReports",
            actions=["kms:GenerateDataKey", "kms:Decrypt"],
            resources=[alarm_key.key_arn],
        ),
        iam.PolicyStatement(
            sid="WriteAirflowLogs",
            actions=[
                "logs:CreateLogStream",
                "logs:CreateLogGroup",
                "logs:PutLogEvents",
                "logs:GetLogEvents",
                "logs:GetLogRecord",
                "logs:GetLogGroupFields",
                "logs:GetQueryResults",
            ],
            resources=[log_groups],
        ),
        iam.PolicyStatement(
            sid="DescribeLogGroups",
            actions=["logs:DescribeLogGroups"],
            resources=["*"],
        ),
        iam.PolicyStatement(
            sid="PutAirflowMetrics",
            actions=["cloudwatch:PutMetricData"],
            resources=["*"],
            conditions={"StringEquals": {"cloudwatch:namespace": "AmazonMWAA"}},
        ),
        # Celery's queue lives in an account MWAA owns, hence the account wildcard.
        iam.PolicyStatement(
            sid="CeleryQueue",
            actions=[
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ReceiveMessage",
                "sqs:SendMessage",
            ],
            resources=[f"arn:{stack.partition}:sqs:{region}:*:airflow-celery-*"],
        ),
        # The Celery queue is encrypted with an AWS-owned key: usable only through SQS.
        iam.PolicyStatement(
            sid="CeleryQueueEncryption",
            actions=["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:Encrypt"],
            not_resources=[f"arn:{stack.partition}:kms:*:{account}:key/*"],
            conditions={"StringLike": {"kms:ViaService": [f"sqs.{region}.amazonaws.com"]}},
        ),
        iam.PolicyStatement(
            sid="ReadAirflowSecrets",
            actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            resources=[
                secrets(mwaa_config.connections_secret_prefix),
                secrets(mwaa_config.variables_secret_prefix),
            ],
        ),
    ]


def _catalog_statements(
    raw_bucket: s3.IBucket, raw_key: kms.IKey, catalog_prefix: str
) -> list[iam.PolicyStatement]:
    """The read_catalog task puts one snapshot object under the catalog prefix: nothing
    else of the raw bucket (the raw events stay out of the DAG's reach). The bucket's
    default encryption is the raw key, and an upload to an SSE-KMS bucket needs
    kms:GenerateDataKey on its key (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
    UsingKMSEncryption.html); a snapshot is one small PutObject, never a multipart upload
    (which would need kms:Decrypt too, for the parts after the first:
    https://repost.aws/knowledge-center/s3-large-file-encryption-kms-key), and the task never
    reads raw objects back."""
    return [
        iam.PolicyStatement(
            sid="WriteCatalogSnapshots",
            actions=["s3:PutObject"],
            resources=[raw_bucket.arn_for_objects(f"{catalog_prefix}*")],
        ),
        iam.PolicyStatement(
            sid="EncryptCatalogSnapshots",
            actions=["kms:GenerateDataKey"],
            resources=[raw_key.key_arn],
        ),
    ]


def _acknowledge_service_wildcards(
    policy: iam.Policy,
    statements: list[iam.PolicyStatement],
    dags: s3.IBucket,
    exports: s3.IBucket,
    artefacts: s3.IBucket,
) -> None:
    rule = "AwsSolutions-IAM5"
    acknowledge(
        policy,
        rule,
        "Only s3:GetAccountPublicAccessBlock, logs:DescribeLogGroups and the "
        "namespace-conditioned cloudwatch:PutMetricData: none has resource-level permissions.",
        "Resource::*",
    )
    acknowledge(
        policy,
        rule,
        "MWAA reads DAGs, their versions and the bucket's settings; DAG bucket only.",
        "Action::s3:GetObject*",
        "Action::s3:GetBucket*",
        "Action::s3:List*",
        bucket_objects(dags),
    )
    acknowledge(
        policy,
        rule,
        "The DAG writes exports and dbt artefacts under run-dependent keys; those two "
        "buckets only, and no deletes.",
        bucket_objects(exports),
        bucket_objects(artefacts),
    )
    acknowledge(
        policy,
        rule,
        "Celery's SQS queue is created by MWAA in its own account with an "
        "airflow-celery- name prefix; the AWS-owned key is usable only via SQS (kms:ViaService).",
        *(f"Resource::{r}" for r in _resources(statements, "CeleryQueue")),
        "Action::kms:GenerateDataKey*",
    )
    acknowledge(
        policy,
        rule,
        "MWAA creates its log groups as airflow-<environment name>-<component>; "
        "this environment's only.",
        *(f"Resource::{r}" for r in _resources(statements, "WriteAirflowLogs")),
    )
    acknowledge(
        policy,
        rule,
        "Airflow's Secrets Manager backend reads <prefix>/<connection or variable id>; "
        "only the two configured prefixes.",
        *(f"Resource::{r}" for r in _resources(statements, "ReadAirflowSecrets")),
    )


def _resources(statements: list[iam.PolicyStatement], sid: str) -> list[str]:
    (statement,) = (s for s in statements if s.sid == sid)
    return list(statement.resources)
