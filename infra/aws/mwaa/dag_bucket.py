"""Fills the DAG bucket: the DAG, the shared package and the dbt project, as MWAA expects.

Layout in the bucket (MWAA reads `dags/` and `requirements.txt`):
    dags/                        <- orchestration/dags/
    dags/podcast_analytics/      <- podcast_analytics/ (the DAG calls load_settings())
    dags/transform/              <- transform/ (the dbt project)
    dags/transform/target/manifest.json <- `make manifest ENV=<env>` (cosmos renders from it)
    requirements.txt             <- orchestration/requirements.txt
    startup.sh                   <- orchestration/startup.sh (dbt's own virtualenv)
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from infra.aws.nag import acknowledge, bucket_objects
from podcast_analytics.config.facts import DBT_MANIFEST, REPO_ROOT

DAGS_DIR = REPO_ROOT / "orchestration" / "dags"
REQUIREMENTS_FILE = REPO_ROOT / "orchestration" / "requirements.txt"
STARTUP_SCRIPT_FILE = REPO_ROOT / "orchestration" / "startup.sh"
PACKAGE_DIR = REPO_ROOT / "podcast_analytics"
DBT_PROJECT_DIR = REPO_ROOT / "transform"

DAGS_PREFIX = "dags/"
REQUIREMENTS_KEY = "requirements.txt"
STARTUP_SCRIPT_KEY = "startup.sh"
MANIFEST_KEY = DBT_MANIFEST  # relative to the dbt project, where the DAG looks
# Bytecode and local build output would change the asset hash on every run.
BUILD_DEBRIS = ["__pycache__", "*.pyc", ".DS_Store"]
DBT_LOCAL_OUTPUT = ["target", "logs", "dbt_packages", "*.duckdb", "*.duckdb.wal", ".user.yml"]


class DagBucketContents(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.IBucket,
        log_retention: logs.RetentionDays,
        logs_policy: cdk.RemovalPolicy,
        dbt_manifest: Path | None,
    ) -> None:
        super().__init__(scope, construct_id)
        dbt_sources = [
            s3_deployment.Source.asset(
                str(DBT_PROJECT_DIR), exclude=BUILD_DEBRIS + DBT_LOCAL_OUTPUT
            )
        ]
        if dbt_manifest is not None:
            # Only the parsed manifest of this environment's target leaves target/.
            dbt_sources.append(
                s3_deployment.Source.data(MANIFEST_KEY, dbt_manifest.read_text(encoding="utf-8"))
            )
        # One log group for the (singleton) deployment handler, with our retention.
        handler_logs = logs.LogGroup(
            self, "DeploymentLogs", retention=log_retention, removal_policy=logs_policy
        )
        package_prefix = f"{DAGS_PREFIX}{PACKAGE_DIR.name}/"
        dbt_prefix = f"{DAGS_PREFIX}{DBT_PROJECT_DIR.name}/"
        # Three deployments under dags/, each pruning only its own prefix: the DAG folder's
        # deployment excludes the two sub-prefixes, so it never deletes their files.
        self.deployments = [
            s3_deployment.BucketDeployment(
                self,
                "Dags",
                destination_bucket=bucket,
                log_group=handler_logs,
                destination_key_prefix=DAGS_PREFIX,
                sources=[s3_deployment.Source.asset(str(DAGS_DIR), exclude=BUILD_DEBRIS)],
                exclude=[f"{PACKAGE_DIR.name}/*", f"{DBT_PROJECT_DIR.name}/*"],
                prune=True,
            ),
            s3_deployment.BucketDeployment(
                self,
                "SharedPackage",
                destination_bucket=bucket,
                log_group=handler_logs,
                destination_key_prefix=package_prefix,
                sources=[s3_deployment.Source.asset(str(PACKAGE_DIR), exclude=BUILD_DEBRIS)],
                prune=True,
            ),
            s3_deployment.BucketDeployment(
                self,
                "DbtProject",
                destination_bucket=bucket,
                log_group=handler_logs,
                destination_key_prefix=dbt_prefix,
                sources=dbt_sources,
                prune=True,
            ),
            # At the bucket root, so no pruning: it must not delete dags/.
            s3_deployment.BucketDeployment(
                self,
                "Requirements",
                destination_bucket=bucket,
                log_group=handler_logs,
                sources=[
                    s3_deployment.Source.data(
                        REQUIREMENTS_KEY, REQUIREMENTS_FILE.read_text(encoding="utf-8")
                    ),
                    s3_deployment.Source.data(
                        STARTUP_SCRIPT_KEY, STARTUP_SCRIPT_FILE.read_text(encoding="utf-8")
                    ),
                ],
                prune=False,
            ),
        ]
        _acknowledge_deployment_handler(cdk.Stack.of(self), bucket)


def _acknowledge_deployment_handler(stack: cdk.Stack, bucket: s3.IBucket) -> None:
    """The BucketDeployment handler is a per-stack singleton that aws-cdk-lib builds."""
    (handler,) = (
        child
        for child in stack.node.children
        if child.node.id.startswith("Custom::CDKBucketDeployment")
    )
    acknowledge(
        handler,
        "AwsSolutions-IAM4",
        "aws-cdk-lib's BucketDeployment handler logs through AWSLambdaBasicExecutionRole.",
        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    )
    acknowledge(
        handler,
        "AwsSolutions-IAM5",
        "The handler copies asset zips from the CDK assets bucket into the DAG bucket; "
        "both grants are aws-cdk-lib's and scoped to those two buckets.",
        "Action::s3:GetObject*",
        "Action::s3:GetBucket*",
        "Action::s3:List*",
        "Action::s3:DeleteObject*",
        "Action::s3:Abort*",
        bucket_objects(bucket),
        f"Resource::arn:{stack.partition}:s3:::{_assets_bucket(stack)}/*",
    )
    acknowledge(
        handler,
        "AwsSolutions-L1",
        "The handler's runtime is pinned by aws-cdk-lib's BucketDeployment and moves with it.",
    )


def _assets_bucket(stack: cdk.Stack) -> str:
    qualifier = cdk.DefaultStackSynthesizer.DEFAULT_QUALIFIER
    return f"cdk-{qualifier}-assets-{stack.account}-{stack.region}"
