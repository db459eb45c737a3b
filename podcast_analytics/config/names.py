"""Name derivation: every cross-tool name comes from (project, environment) here and only here,
so CDK, Pulumi, dbt and Airflow cannot disagree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from podcast_analytics.config.facts import DBT_PROJECT_DIR
from podcast_analytics.config.model import (
    AccessConfig,
    AlertingConfig,
    AwsConfig,
    BucketNames,
    DbtCloudConfig,
    DbtConfig,
    EventsConfig,
    FirehoseConfig,
    KinesisConfig,
    LocalConfig,
    MwaaConfig,
    Prefixes,
    ReportingConfig,
    ResourceMonitorConfig,
    Settings,
    SnowflakeConfig,
    SnowflakeHandoff,
    SnowflakeRoles,
    StorageConfig,
    WarehouseConfig,
)


def derive_settings(project: str, env: str, c: Mapping[str, Any]) -> Settings:
    """Every cross-tool name, derived from (project, environment) and nothing else."""
    prefix = f"{project}-{env}"
    account, region = c["aws"]["account"], c["aws"]["region"]
    sf = c["snowflake"]
    sf_prefix = f"{project}_{env}".upper().replace("-", "_")

    def bucket(purpose: str) -> str:
        # Account and region make the globally unique S3 name predictable, not random.
        return f"{prefix}-{purpose}-{account}-{region}"

    buckets = BucketNames(
        raw=bucket("raw"),
        exports=bucket("exports"),
        artefacts=bucket("artefacts"),
        access_logs=bucket("access-logs"),
        dags=bucket("dags"),
    )
    role = f"{prefix}-snowflake-access"
    return Settings(
        project=project,
        environment=env,
        aws=AwsConfig(account=account, region=region),
        # Given values pass through by name (`**c[...]`), so a new input needs no edit here.
        kinesis=KinesisConfig(stream_name=f"{prefix}-events", **c["kinesis"]),
        firehose=FirehoseConfig(
            delivery_stream_name=f"{prefix}-raw-delivery",
            processor_function_name=f"{prefix}-record-processor",
            **c["firehose"],
        ),
        storage=StorageConfig(
            buckets=buckets,
            prefixes=Prefixes(
                raw_events="raw_events/",
                errors="errors/",
                catalog="catalog/",
                firehose_raw_events="raw_events/!{timestamp:yyyyMMdd}/",
                firehose_errors="errors/!{firehose:error-output-type}/!{timestamp:yyyyMMdd}/",
                deploy_artefacts=f"dbt/{env}/deploy/",
            ),
            dead_letter_bucket=buckets.raw,
            **c["storage"],
        ),
        events=EventsConfig(**c["events"]),
        reporting=ReportingConfig(**c["reporting"]),
        snowflake=SnowflakeConfig(
            organization=sf["organization"],
            account=sf["account"],
            raw_database=f"{sf_prefix}_RAW",
            raw_schema="EVENTS",
            analytics_database=f"{sf_prefix}_ANALYTICS",
            staging_schema="STAGING",
            intermediate_schema="INTERMEDIATE",
            marts_schema="MARTS",
            warehouse=WarehouseConfig(name=f"{sf_prefix}_WH", **sf["warehouse"]),
            resource_monitor=ResourceMonitorConfig(
                name=f"{sf_prefix}_MONITOR",
                **{
                    **sf["resource_monitor"],
                    "notify_at_percent": tuple(sf["resource_monitor"]["notify_at_percent"]),
                },
            ),
            roles=SnowflakeRoles(
                loader=f"{sf_prefix}_LOADER",
                transformer=f"{sf_prefix}_TRANSFORMER",
                reporter=f"{sf_prefix}_REPORTER",
                previewer=f"{sf_prefix}_PREVIEWER",
            ),
            service_users=SnowflakeRoles(
                loader=f"{sf_prefix}_LOADER_SVC",
                transformer=f"{sf_prefix}_TRANSFORMER_SVC",
                reporter=f"{sf_prefix}_REPORTER_SVC",
                previewer=f"{sf_prefix}_PREVIEWER_SVC",
            ),
            storage_integration=f"{sf_prefix}_S3_INTEGRATION",
            file_format="NDJSON_GZIP",
            stage="RAW_EVENTS_STAGE",
            exports_stage="EXPORTS_STAGE",
            raw_table="RAW_EVENTS",
            pipe="RAW_EVENTS_PIPE",
            catalog_stage="RAW_CATALOG_STAGE",
            catalog_table="RAW_CATALOG",
            catalog_pipe="RAW_CATALOG_PIPE",
            handoff=SnowflakeHandoff(**sf["handoff"]),
            deployer_role=f"{sf_prefix}_DEPLOYER",
            notification_integration=f"{sf_prefix}_PIPE_ERRORS",
        ),
        dbt=DbtConfig(
            profile="podcast_analytics",
            target=env,
            project_dir=DBT_PROJECT_DIR,
            target_path=f"target/{env}",
            runner=c["dbt"]["runner"],
            cloud=DbtCloudConfig(**c["dbt"]["cloud"]),
        ),
        mwaa=MwaaConfig(
            environment_name=f"{prefix}-airflow",
            dag_id="podcast_analytics",
            connections_secret_prefix="airflow/connections",  # noqa: S106 - a name, not a secret
            variables_secret_prefix="airflow/variables",  # noqa: S106 - a name, not a secret
            snowflake_loader_conn_id="snowflake_loader",
            snowflake_transformer_conn_id="snowflake_transformer",
            dbt_executable="/usr/local/airflow/dbt_venv/bin/dbt",
            catalog_feeds_variable="catalog_feeds",
            **c["mwaa"],
        ),
        access=AccessConfig(
            snowflake_access_role_name=role,
            snowflake_access_role_arn=f"arn:aws:iam::{account}:role/{role}",
            ci_deploy_role_name=f"{prefix}-github-deploy",
            ci_plan_role_name=f"{prefix}-github-plan",
            github_repository=c["ci"]["github_repository"],
            github_oidc_provider_arn=c["ci"]["github_oidc_provider_arn"],
        ),
        alerting=AlertingConfig(
            topic_name=f"{prefix}-alarms",
            topic_arn=f"arn:aws:sns:{region}:{account}:{prefix}-alarms",
            snowflake_publisher_role_name=f"{prefix}-snowflake-alarm-publisher",
            snowflake_publisher_role_arn=(
                f"arn:aws:iam::{account}:role/{prefix}-snowflake-alarm-publisher"
            ),
            email_subscriptions=tuple(c["alerting"]["email_subscriptions"]),
            https_subscriptions=tuple(c["alerting"]["https_subscriptions"]),
        ),
        local=LocalConfig(
            notification_queue=f"{prefix}-snowpipe-notifications",
            **c["local"],
        ),
    )
