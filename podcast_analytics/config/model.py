"""The typed model of the shared configuration: one frozen value per environment.

`environments.yaml` holds the inputs; `loading.py` reads and merges them and checks their
shape against the fields marked GIVEN here; `names.py` derives every name that crosses a
tool boundary; `checks.py` checks the values. The CDK app, the Pulumi program, the dbt
profiles, the Airflow DAG and the local runner all read a `Settings`.

Adding a setting: a field marked GIVEN here, its value in environments.yaml, and (if it has
limits) a line in checks.py. The input-shape check is derived from these fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from podcast_analytics.config.facts import MWAA_AIRFLOW_PYTHON
from podcast_analytics.contract import parse_event_ts

# Marks a field whose value comes from environments.yaml (the rest are derived):
# `field(metadata=GIVEN)`. A "section" entry names the YAML key when it differs.
GIVEN: Mapping[str, Any] = MappingProxyType({"given": True})


class ConfigError(ValueError):
    """Invalid configuration. `problems` holds one readable line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class AwsConfig:
    account: str = field(metadata=GIVEN)
    region: str = field(metadata=GIVEN)


@dataclass(frozen=True, slots=True)
class KinesisConfig:
    stream_name: str
    retention_hours: int = field(metadata=GIVEN)


@dataclass(frozen=True, slots=True)
class FirehoseConfig:
    delivery_stream_name: str
    processor_function_name: str
    buffer_mib: int = field(metadata=GIVEN)
    buffer_interval_s: int = field(metadata=GIVEN)
    # Lambda concurrency reserved for the record processor; 0 reserves none. Lambda keeps 100
    # of the account's concurrency unreserved, and new accounts can start with a quota of 10,
    # so a reservation can fail a first deploy (docs/deploy.md, first-run checks).
    processor_reserved_concurrency: int = field(metadata=GIVEN)


@dataclass(frozen=True, slots=True)
class Prefixes:
    """S3 key layout of the raw bucket. Firehose folders are *arrival* dates."""

    raw_events: str
    errors: str
    # Episode-catalog snapshots (NDJSON, one record per episode version), written by the feed
    # reader; a second source beside the events, loaded by its own pipe.
    catalog: str
    # Firehose expressions for the same layout (evaluated by Firehose, not by us).
    firehose_raw_events: str
    firehose_errors: str
    # In the artefacts bucket: dbt artefacts of CI deploys (the deploy role may write here
    # and nowhere else in the bucket).
    deploy_artefacts: str

    def raw_events_for(self, day: date) -> str:
        return f"{self.raw_events}{day:%Y%m%d}/"

    def catalog_for(self, day: date) -> str:
        return f"{self.catalog}{day:%Y%m%d}/"

    def errors_for(self, error_type: str, day: date) -> str:
        return f"{self.errors}{error_type}/{day:%Y%m%d}/"


@dataclass(frozen=True, slots=True)
class BucketNames:
    raw: str
    exports: str
    artefacts: str
    access_logs: str
    dags: str


@dataclass(frozen=True, slots=True)
class StorageConfig:
    buckets: BucketNames
    prefixes: Prefixes
    # Firehose writes records it could not process to the error prefix of its own
    # destination bucket, so the dead-letter location is (raw bucket, errors prefix).
    dead_letter_bucket: str
    raw_to_infrequent_access_days: int = field(metadata=GIVEN)
    raw_to_glacier_ir_days: int = field(metadata=GIVEN)
    dead_letter_expiry_days: int = field(metadata=GIVEN)
    artefacts_expiry_days: int = field(metadata=GIVEN)
    access_logs_expiry_days: int = field(metadata=GIVEN)
    # Versioned data buckets (exports, artefacts) keep an overwritten object this long.
    noncurrent_version_expiry_days: int = field(metadata=GIVEN)
    retain_on_delete: bool = field(metadata=GIVEN)


@dataclass(frozen=True, slots=True)
class EventsConfig:
    future_tolerance_s: int = field(metadata=GIVEN)
    # RFC 3339; an event_ts before it is `too_early_timestamp` (year 0001 is a broken clock).
    earliest_event_ts: str = field(metadata=GIVEN)
    session_gap_minutes: int = field(metadata=GIVEN)
    # Incremental models re-read this many days behind their high-water mark, because
    # Firehose folders are arrival dates and apps resend late (offline listening).
    late_arrival_lookback_days: int = field(metadata=GIVEN)
    # The longest a listening session may last: incremental runs look for the sessions a new
    # event can join no further back than this (plus the gap), as Snowplow's
    # `max_session_days` bounds its session lookups; a longer session fails a data test.
    max_session_hours: int = field(metadata=GIVEN)
    # A listening span counts at most its wall-clock time x this (apps play at up to 3x).
    max_playback_speed: int = field(metadata=GIVEN)
    # A play is completed once its furthest point heard reaches this share of the episode.
    completion_threshold: float = field(metadata=GIVEN)

    @property
    def earliest_event_instant(self) -> datetime:
        """`earliest_event_ts` as the aware UTC datetime the contract validator takes."""
        parsed = parse_event_ts(self.earliest_event_ts)
        if parsed is None:  # checks.py refuses such a config; this is for hand-made values
            raise ValueError(f"events.earliest_event_ts {self.earliest_event_ts!r} is not RFC 3339")
        return parsed


@dataclass(frozen=True, slots=True)
class ReportingConfig:
    # The small-cell rule for numbers that leave the warehouse (report.html, the exports for
    # shows and advertisers): a count of fewer than this many listeners reads "<N".
    min_cell_listeners: int = field(metadata=GIVEN)


@dataclass(frozen=True, slots=True)
class WarehouseConfig:
    name: str
    size: str = field(metadata=GIVEN)
    auto_suspend_s: int = field(metadata=GIVEN)
    min_clusters: int = field(metadata=GIVEN)
    max_clusters: int = field(metadata=GIVEN)
    scaling_policy: str = field(metadata=GIVEN)


@dataclass(frozen=True, slots=True)
class ResourceMonitorConfig:
    name: str
    credit_quota: int = field(metadata=GIVEN)
    notify_at_percent: tuple[int, ...] = field(metadata=GIVEN)
    suspend_at_percent: int = field(metadata=GIVEN)


@dataclass(frozen=True, slots=True)
class SnowflakeRoles:
    loader: str
    transformer: str
    reporter: str
    # Read-only: pull-request previews (`pulumi preview` of unreviewed code) act as it.
    previewer: str


@dataclass(frozen=True, slots=True)
class SnowflakeHandoff:
    """Values Snowflake generates on `pulumi up` that the CDK stacks consume."""

    integration_iam_user_arn: str = field(metadata=GIVEN)
    integration_external_id: str = field(metadata=GIVEN)
    pipe_notification_channel: str = field(metadata=GIVEN)


# The hand-off values' names: Pulumi stack outputs, CDK context keys and the config's
# `snowflake.handoff` keys are all these field names.
HANDOFF_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(SnowflakeHandoff))


@dataclass(frozen=True, slots=True)
class SnowflakeConfig:
    organization: str = field(metadata=GIVEN)
    account: str = field(metadata=GIVEN)
    raw_database: str
    raw_schema: str
    analytics_database: str
    staging_schema: str
    intermediate_schema: str
    marts_schema: str
    warehouse: WarehouseConfig = field(metadata=GIVEN)
    resource_monitor: ResourceMonitorConfig = field(metadata=GIVEN)
    roles: SnowflakeRoles
    service_users: SnowflakeRoles  # one key-pair service user per functional role
    storage_integration: str
    file_format: str
    stage: str
    exports_stage: str
    raw_table: str
    pipe: str
    # The episode catalog's own stage, raw table and pipe (same file format and integration).
    catalog_stage: str
    catalog_table: str
    catalog_pipe: str
    handoff: SnowflakeHandoff = field(metadata=GIVEN)
    # Role the Pulumi program deploys as (created once by an account admin, see
    # infra/README.md); it owns every object the program creates.
    deployer_role: str
    # Outbound AWS SNS notification integration the pipe reports load errors through.
    notification_integration: str


# Where the transform runs in dev/prod: cosmos renders one Airflow task per dbt node and runs
# dbt on the MWAA workers; dbt_cloud triggers a dbt Cloud job and waits for it. `local`
# always runs one `dbt build` on DuckDB.
TRANSFORM_RUNNERS: tuple[str, ...] = ("cosmos", "dbt_cloud")


@dataclass(frozen=True, slots=True)
class DbtCloudConfig:
    """The dbt Cloud job the DAG triggers when `runner` is dbt_cloud (ids are not secrets)."""

    account_id: int = field(metadata=GIVEN)
    job_id: int = field(metadata=GIVEN)
    # The Airflow connection (Secrets Manager: <mwaa.connections_secret_prefix>/<conn_id>)
    # whose password is the API token and host the dbt Cloud access URL's host.
    conn_id: str = field(metadata=GIVEN)
    # How often the transform task asks dbt Cloud whether the run has ended.
    check_interval_s: int = field(metadata=GIVEN)


@dataclass(frozen=True, slots=True)
class DbtConfig:
    profile: str
    target: str
    project_dir: str
    # Where `make manifest` writes this environment's parsed manifest, relative to
    # project_dir; the CDK app ships it to MWAA, where cosmos renders the dbt tasks from it.
    target_path: str
    runner: str = field(metadata=GIVEN)  # one of TRANSFORM_RUNNERS
    cloud: DbtCloudConfig = field(metadata=GIVEN)

    @property
    def manifest_path(self) -> str:
        """The parsed manifest, relative to the repository root."""
        return f"{self.project_dir}/{self.target_path}/manifest.json"


@dataclass(frozen=True, slots=True)
class MwaaConfig:
    environment_name: str
    environment_class: str = field(metadata=GIVEN)
    airflow_version: str = field(metadata=GIVEN)
    schedulers: int = field(metadata=GIVEN)
    min_workers: int = field(metadata=GIVEN)
    max_workers: int = field(metadata=GIVEN)
    schedule: str = field(metadata=GIVEN)
    start_date: str = field(metadata=GIVEN)
    # NAT gateways of the MWAA VPC (1 or 2: one per private subnet buys AZ-failure tolerance).
    nat_gateways: int = field(metadata=GIVEN)
    dag_id: str
    # Airflow's Secrets Manager backend looks up `<prefix>/<conn_id>` and
    # `<prefix>/<variable>`; the execution role may read these prefixes and nothing else.
    connections_secret_prefix: str
    variables_secret_prefix: str
    # Task policy of the DAG: retries back off exponentially from retry_delay_s up to
    # max_retry_delay_s; every task is killed after task_timeout_minutes.
    task_retries: int = field(metadata=GIVEN)
    retry_delay_s: int = field(metadata=GIVEN)
    max_retry_delay_s: int = field(metadata=GIVEN)
    task_timeout_minutes: int = field(metadata=GIVEN)
    # The DAG's Snowflake connections (secrets "<connections_secret_prefix>/<id>"): the
    # loader checks the pipe, the transformer runs dbt and the unloads.
    snowflake_loader_conn_id: str
    snowflake_transformer_conn_id: str
    # dbt lives in its own virtualenv on the workers (made by orchestration/startup.sh),
    # never in Airflow's environment.
    dbt_executable: str
    # The Airflow Variable (secret "<variables_secret_prefix>/<it>") listing the shows'
    # feeds and the CMS export the read_catalog task reads (podcast_analytics.catalog).
    catalog_feeds_variable: str

    @property
    def python_version(self) -> str:
        """The Python of MWAA's image for this Airflow version: its constraints file's."""
        return MWAA_AIRFLOW_PYTHON[self.airflow_version]

    @property
    def constraints_url(self) -> str:
        """Airflow's constraints file MWAA's requirements.txt must name."""
        return (
            "https://raw.githubusercontent.com/apache/airflow/"
            f"constraints-{self.airflow_version}/constraints-{self.python_version}.txt"
        )


@dataclass(frozen=True, slots=True)
class AccessConfig:
    snowflake_access_role_name: str
    snowflake_access_role_arn: str
    ci_deploy_role_name: str
    # Pull-request previews (cdk diff) get their own role: read-only, never the deploy role.
    ci_plan_role_name: str
    github_repository: str = field(metadata=GIVEN)
    # IAM allows one OIDC provider per issuer URL and account: name an existing one to reuse
    # it ("" = the CiAccess stack creates it).
    github_oidc_provider_arn: str = field(metadata=GIVEN)


@dataclass(frozen=True, slots=True)
class AlertingConfig:
    """The environment's alarm topic: CloudWatch alarms, DAG failures and Snowpipe load errors
    all notify it, and its subscribers are the on-call."""

    topic_name: str
    topic_arn: str
    # The role Snowflake's notification integration assumes to publish load errors.
    snowflake_publisher_role_name: str
    snowflake_publisher_role_arn: str
    email_subscriptions: tuple[str, ...] = field(metadata=GIVEN)
    https_subscriptions: tuple[str, ...] = field(metadata=GIVEN)


@dataclass(frozen=True, slots=True)
class LocalConfig:
    host: str = field(metadata=GIVEN)
    moto_port: int = field(metadata=GIVEN)
    out_dir: str = field(metadata=GIVEN)
    duckdb_file: str = field(metadata=GIVEN)
    # `make pipeline` refuses to start with less free disk under OUT than this.
    min_free_disk_mb: int = field(metadata=GIVEN)
    # Local stand-in for the pipe's notification channel: S3 -> SQS -> loader.
    notification_queue: str


@dataclass(frozen=True, slots=True)
class Settings:
    project: str
    environment: str
    aws: AwsConfig = field(metadata=GIVEN)
    kinesis: KinesisConfig = field(metadata=GIVEN)
    firehose: FirehoseConfig = field(metadata=GIVEN)
    storage: StorageConfig = field(metadata=GIVEN)
    events: EventsConfig = field(metadata=GIVEN)
    reporting: ReportingConfig = field(metadata=GIVEN)
    snowflake: SnowflakeConfig = field(metadata=GIVEN)
    dbt: DbtConfig = field(metadata=GIVEN)
    mwaa: MwaaConfig = field(metadata=GIVEN)
    access: AccessConfig = field(metadata={**GIVEN, "section": "ci"})
    alerting: AlertingConfig = field(metadata=GIVEN)
    local: LocalConfig = field(metadata=GIVEN)

    @property
    def resource_prefix(self) -> str:
        return f"{self.project}-{self.environment}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
