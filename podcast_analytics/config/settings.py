"""The shared configuration object: one typed value per environment.

`environments.yaml` beside this module holds the inputs; this module validates them and
derives every name that crosses a tool boundary. The CDK app, the Pulumi program, the dbt
profiles, the Airflow DAG (through the variables CDK sets on MWAA) and the local runner all
read a `Settings`, so a resource is named in exactly one place: `_derive` below.
"""

from __future__ import annotations

import copy
import dataclasses
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ENVIRONMENTS: tuple[str, ...] = ("local", "dev", "prod")
DEFAULT_CONFIG_PATH = Path(__file__).with_name("environments.yaml")

WAREHOUSE_SIZES = (
    "XSMALL",
    "SMALL",
    "MEDIUM",
    "LARGE",
    "XLARGE",
    "XXLARGE",
    "XXXLARGE",
    "X4LARGE",
)
SCALING_POLICIES = ("STANDARD", "ECONOMY")
MWAA_CLASSES = ("mw1.micro", "mw1.small", "mw1.medium", "mw1.large", "mw1.xlarge", "mw1.2xlarge")

# Columns of the raw table, identical in Snowflake (Pulumi) and DuckDB (local loader), and
# the dbt source that reads it: the record exactly as delivered plus where it came from.
RAW_TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("record", "the record as delivered (VARIANT in Snowflake, JSON text locally)"),
    ("source_file", "object key the record was loaded from"),
    ("source_row", "1-based line number of the record inside that object"),
    ("loaded_at", "UTC time the loader committed the object"),
)


class ConfigError(ValueError):
    """Invalid configuration. `problems` holds one readable line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class AwsConfig:
    account: str
    region: str


@dataclass(frozen=True, slots=True)
class KinesisConfig:
    stream_name: str
    retention_hours: int


@dataclass(frozen=True, slots=True)
class FirehoseConfig:
    delivery_stream_name: str
    processor_function_name: str
    buffer_mib: int
    buffer_interval_s: int


@dataclass(frozen=True, slots=True)
class Prefixes:
    """S3 key layout of the raw bucket. Firehose folders are *arrival* dates."""

    raw_events: str
    errors: str
    # Firehose expressions for the same layout (evaluated by Firehose, not by us).
    firehose_raw_events: str
    firehose_errors: str
    # In the artefacts bucket: dbt artefacts of CI deploys (the deploy role may write here
    # and nowhere else in the bucket).
    deploy_artefacts: str

    def raw_events_for(self, day: date) -> str:
        return f"{self.raw_events}{day:%Y%m%d}/"

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
    raw_to_infrequent_access_days: int
    raw_to_glacier_ir_days: int
    dead_letter_expiry_days: int
    artefacts_expiry_days: int
    access_logs_expiry_days: int
    retain_on_delete: bool


@dataclass(frozen=True, slots=True)
class EventsConfig:
    future_tolerance_s: int
    session_gap_minutes: int
    # Incremental models re-read this many days behind their high-water mark, because
    # Firehose folders are arrival dates and apps resend late (offline listening).
    late_arrival_lookback_days: int
    completion_threshold: float  # furthest point heard / duration that completes a play


@dataclass(frozen=True, slots=True)
class WarehouseConfig:
    name: str
    size: str
    auto_suspend_s: int
    min_clusters: int
    max_clusters: int
    scaling_policy: str


@dataclass(frozen=True, slots=True)
class ResourceMonitorConfig:
    name: str
    credit_quota: int
    notify_at_percent: tuple[int, ...]
    suspend_at_percent: int


@dataclass(frozen=True, slots=True)
class SnowflakeRoles:
    loader: str
    transformer: str
    reporter: str


@dataclass(frozen=True, slots=True)
class SnowflakeHandoff:
    """Values Snowflake generates on `pulumi up` that the CDK stacks consume."""

    integration_iam_user_arn: str
    integration_external_id: str
    pipe_notification_channel: str


@dataclass(frozen=True, slots=True)
class SnowflakeConfig:
    organization: str
    account: str
    raw_database: str
    raw_schema: str
    analytics_database: str
    staging_schema: str
    intermediate_schema: str
    marts_schema: str
    warehouse: WarehouseConfig
    resource_monitor: ResourceMonitorConfig
    roles: SnowflakeRoles
    service_users: SnowflakeRoles  # one key-pair service user per functional role
    storage_integration: str
    file_format: str
    stage: str
    exports_stage: str
    raw_table: str
    pipe: str
    stream: str
    task: str
    task_schedule_minutes: int
    handoff: SnowflakeHandoff
    # Role the Pulumi program deploys as (created once by an account admin, see
    # infra/README.md); it owns every object the program creates.
    deployer_role: str
    # Small table the change-capture task fills from the stream: which event dates each
    # load touched, so incremental dbt models rebuild exactly those dates.
    load_dates_table: str


@dataclass(frozen=True, slots=True)
class DbtConfig:
    profile: str
    target: str
    project_dir: str
    # Where `make manifest` writes this environment's parsed manifest, relative to
    # project_dir; the CDK app ships it to MWAA, where cosmos renders the dbt tasks from it.
    target_path: str

    @property
    def manifest_path(self) -> str:
        """The parsed manifest, relative to the repository root."""
        return f"{self.project_dir}/{self.target_path}/manifest.json"


@dataclass(frozen=True, slots=True)
class MwaaConfig:
    environment_name: str
    environment_class: str
    airflow_version: str
    schedulers: int
    min_workers: int
    max_workers: int
    schedule: str
    start_date: str
    # NAT gateways of the MWAA VPC (1 or 2: one per private subnet buys AZ-failure tolerance).
    nat_gateways: int
    dag_id: str
    # Airflow's Secrets Manager backend looks up `<prefix>/<conn_id>` and
    # `<prefix>/<variable>`; the execution role may read these prefixes and nothing else.
    connections_secret_prefix: str
    variables_secret_prefix: str
    # Task policy of the DAG: retries back off exponentially from retry_delay_s up to
    # max_retry_delay_s; every task is killed after task_timeout_minutes.
    task_retries: int
    retry_delay_s: int
    max_retry_delay_s: int
    task_timeout_minutes: int
    # The DAG's Snowflake connections (secrets "<connections_secret_prefix>/<id>"): the
    # loader checks the pipe, the transformer runs dbt and the unloads.
    snowflake_loader_conn_id: str
    snowflake_transformer_conn_id: str
    # dbt lives in its own virtualenv on the workers (made by orchestration/startup.sh),
    # never in Airflow's environment.
    dbt_executable: str


@dataclass(frozen=True, slots=True)
class AccessConfig:
    snowflake_access_role_name: str
    snowflake_access_role_arn: str
    ci_deploy_role_name: str
    # Pull-request previews (cdk diff) get their own role: read-only, never the deploy role.
    ci_plan_role_name: str
    github_repository: str


@dataclass(frozen=True, slots=True)
class LocalConfig:
    host: str
    moto_port: int
    out_dir: str
    duckdb_file: str
    # Local stand-in for the pipe's notification channel: S3 -> SQS -> loader.
    notification_queue: str


@dataclass(frozen=True, slots=True)
class Settings:
    project: str
    environment: str
    aws: AwsConfig
    kinesis: KinesisConfig
    firehose: FirehoseConfig
    storage: StorageConfig
    events: EventsConfig
    snowflake: SnowflakeConfig
    dbt: DbtConfig
    mwaa: MwaaConfig
    access: AccessConfig
    local: LocalConfig

    @property
    def resource_prefix(self) -> str:
        return f"{self.project}-{self.environment}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# --------------------------------------------------------------------------- loading


def load_settings(
    environment: str,
    *,
    path: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Resolve one environment. Raises ConfigError listing every problem found."""
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            [f"unknown environment {environment!r}: choose one of {', '.join(ENVIRONMENTS)}"]
        )
    raw = _read_yaml(path or DEFAULT_CONFIG_PATH)
    merged = _merge(raw.get("defaults", {}), (raw.get("environments") or {}).get(environment, {}))
    if overrides:
        merged = _merge(merged, overrides)
    problems = _check_shape(merged, _SCHEMA, environment)
    project = raw.get("project")
    if not isinstance(project, str) or not re.fullmatch(r"[a-z][a-z0-9-]{1,30}[a-z0-9]", project):
        problems.append(f"project: {project!r} must be 3-32 lowercase letters, digits or hyphens")
    if problems:
        raise ConfigError(problems)
    settings = _derive(project, environment, merged)
    problems = _check_values(settings)
    if problems:
        raise ConfigError(problems)
    return settings


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read config ({exc.strerror})"]) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}" if where else ""
        raise ConfigError([f"{path}:{line} is not valid YAML"]) from None
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: expected a mapping at the top level"])
    unknown_envs = set(data.get("environments") or {}) - set(ENVIRONMENTS)
    if unknown_envs:
        raise ConfigError(
            [
                f"{path}: unknown environment(s) {', '.join(sorted(unknown_envs))}; "
                f"valid: {', '.join(ENVIRONMENTS)}"
            ]
        )
    return data


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


# The expected shape of one merged environment: a leaf is the Python type its value must
# have. Unknown keys are reported too, because a typo would otherwise be silently ignored.
_SCHEMA: dict[str, Any] = {
    "aws": {"account": str, "region": str},
    "kinesis": {"retention_hours": int},
    "firehose": {"buffer_mib": int, "buffer_interval_s": int},
    "storage": {
        "raw_to_infrequent_access_days": int,
        "raw_to_glacier_ir_days": int,
        "dead_letter_expiry_days": int,
        "artefacts_expiry_days": int,
        "access_logs_expiry_days": int,
        "retain_on_delete": bool,
    },
    "events": {
        "future_tolerance_s": int,
        "session_gap_minutes": int,
        "late_arrival_lookback_days": int,
        "completion_threshold": float,
    },
    "snowflake": {
        "organization": str,
        "account": str,
        "warehouse": {
            "size": str,
            "auto_suspend_s": int,
            "min_clusters": int,
            "max_clusters": int,
            "scaling_policy": str,
        },
        "resource_monitor": {
            "credit_quota": int,
            "notify_at_percent": list,
            "suspend_at_percent": int,
        },
        "task_schedule_minutes": int,
        "handoff": {
            "integration_iam_user_arn": str,
            "integration_external_id": str,
            "pipe_notification_channel": str,
        },
    },
    "mwaa": {
        "environment_class": str,
        "airflow_version": str,
        "schedulers": int,
        "min_workers": int,
        "max_workers": int,
        "schedule": str,
        "start_date": str,
        "nat_gateways": int,
        "task_retries": int,
        "retry_delay_s": int,
        "max_retry_delay_s": int,
        "task_timeout_minutes": int,
    },
    "ci": {"github_repository": str},
    "local": {"host": str, "moto_port": int, "out_dir": str, "duckdb_file": str},
}


def _check_shape(values: Mapping[str, Any], schema: Mapping[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    for key in values.keys() - schema.keys():
        problems.append(f"{where}.{key}: unknown setting")
    for key, expected in schema.items():
        path = f"{where}.{key}"
        if key not in values:
            problems.append(f"{path}: missing")
            continue
        value = values[key]
        if isinstance(expected, dict):
            if isinstance(value, Mapping):
                problems.extend(_check_shape(value, expected, path))
            else:
                problems.append(f"{path}: expected a mapping, got {value!r}")
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            problems.append(f"{path}: expected {expected.__name__}, got {value!r}")
    return sorted(problems)


def _derive(project: str, env: str, c: Mapping[str, Any]) -> Settings:
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
    st = c["storage"]
    return Settings(
        project=project,
        environment=env,
        aws=AwsConfig(account=account, region=region),
        kinesis=KinesisConfig(
            stream_name=f"{prefix}-events", retention_hours=c["kinesis"]["retention_hours"]
        ),
        firehose=FirehoseConfig(
            delivery_stream_name=f"{prefix}-raw-delivery",
            processor_function_name=f"{prefix}-record-processor",
            buffer_mib=c["firehose"]["buffer_mib"],
            buffer_interval_s=c["firehose"]["buffer_interval_s"],
        ),
        storage=StorageConfig(
            buckets=buckets,
            prefixes=Prefixes(
                raw_events="raw_events/",
                errors="errors/",
                firehose_raw_events="raw_events/!{timestamp:yyyyMMdd}/",
                firehose_errors="errors/!{firehose:error-output-type}/!{timestamp:yyyyMMdd}/",
                deploy_artefacts=f"dbt/{env}/deploy/",
            ),
            dead_letter_bucket=buckets.raw,
            raw_to_infrequent_access_days=st["raw_to_infrequent_access_days"],
            raw_to_glacier_ir_days=st["raw_to_glacier_ir_days"],
            dead_letter_expiry_days=st["dead_letter_expiry_days"],
            artefacts_expiry_days=st["artefacts_expiry_days"],
            access_logs_expiry_days=st["access_logs_expiry_days"],
            retain_on_delete=st["retain_on_delete"],
        ),
        events=EventsConfig(**c["events"]),
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
                credit_quota=sf["resource_monitor"]["credit_quota"],
                notify_at_percent=tuple(sf["resource_monitor"]["notify_at_percent"]),
                suspend_at_percent=sf["resource_monitor"]["suspend_at_percent"],
            ),
            roles=SnowflakeRoles(
                loader=f"{sf_prefix}_LOADER",
                transformer=f"{sf_prefix}_TRANSFORMER",
                reporter=f"{sf_prefix}_REPORTER",
            ),
            service_users=SnowflakeRoles(
                loader=f"{sf_prefix}_LOADER_SVC",
                transformer=f"{sf_prefix}_TRANSFORMER_SVC",
                reporter=f"{sf_prefix}_REPORTER_SVC",
            ),
            storage_integration=f"{sf_prefix}_S3_INTEGRATION",
            file_format="NDJSON_GZIP",
            stage="RAW_EVENTS_STAGE",
            exports_stage="EXPORTS_STAGE",
            raw_table="RAW_EVENTS",
            pipe="RAW_EVENTS_PIPE",
            stream="RAW_EVENTS_STREAM",
            task="PROCESS_NEW_EVENTS_TASK",
            task_schedule_minutes=sf["task_schedule_minutes"],
            handoff=SnowflakeHandoff(**sf["handoff"]),
            deployer_role=f"{sf_prefix}_DEPLOYER",
            load_dates_table="RAW_EVENTS_LOAD_DATES",
        ),
        dbt=DbtConfig(
            profile="podcast_analytics",
            target=env,
            project_dir="transform",
            target_path=f"target/{env}",
        ),
        mwaa=MwaaConfig(
            environment_name=f"{prefix}-airflow",
            dag_id="podcast_analytics",
            connections_secret_prefix="airflow/connections",  # noqa: S106 - a name, not a secret
            variables_secret_prefix="airflow/variables",  # noqa: S106 - a name, not a secret
            snowflake_loader_conn_id="snowflake_loader",
            snowflake_transformer_conn_id="snowflake_transformer",
            dbt_executable="/usr/local/airflow/dbt_venv/bin/dbt",
            **c["mwaa"],
        ),
        access=AccessConfig(
            snowflake_access_role_name=role,
            snowflake_access_role_arn=f"arn:aws:iam::{account}:role/{role}",
            ci_deploy_role_name=f"{prefix}-github-deploy",
            ci_plan_role_name=f"{prefix}-github-plan",
            github_repository=c["ci"]["github_repository"],
        ),
        local=LocalConfig(
            notification_queue=f"{prefix}-snowpipe-notifications",
            **c["local"],
        ),
    )


# --------------------------------------------------------------------------- validation

_S3_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
_AWS_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_IAM_NAME = re.compile(r"[\w+=,.@-]{1,64}")
_SNOWFLAKE_IDENTIFIER = re.compile(r"[A-Z_][A-Z0-9_$]{0,254}")
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")
_MWAA_NAME = re.compile(r"[A-Za-z][0-9A-Za-z_-]{0,79}")
_IAM_USER_ARN = re.compile(r"arn:aws:iam::\d{12}:user/\S+")
_SQS_ARN = re.compile(r"arn:aws:sqs:[a-z0-9-]+:\d{12}:\S+")


def _check_values(s: Settings) -> list[str]:
    env = s.environment
    problems: list[str] = []

    def check(ok: bool, path: str, message: str) -> None:
        if not ok:
            problems.append(f"{env}.{path}: {message}")

    check(
        bool(re.fullmatch(r"\d{12}", s.aws.account)),
        "aws.account",
        f"{s.aws.account!r} is not a 12-digit AWS account id",
    )
    check(
        bool(_REGION.fullmatch(s.aws.region)),
        "aws.region",
        f"{s.aws.region!r} is not an AWS region name like eu-west-1",
    )
    check(
        24 <= s.kinesis.retention_hours <= 8760,
        "kinesis.retention_hours",
        f"{s.kinesis.retention_hours} is outside Kinesis' 24..8760 hours",
    )
    check(
        1 <= s.firehose.buffer_mib <= 128,
        "firehose.buffer_mib",
        f"{s.firehose.buffer_mib} is outside Firehose's 1..128 MiB",
    )
    check(
        0 <= s.firehose.buffer_interval_s <= 900,
        "firehose.buffer_interval_s",
        f"{s.firehose.buffer_interval_s} is outside Firehose's 0..900 seconds",
    )

    st = s.storage
    check(
        0 < st.raw_to_infrequent_access_days < st.raw_to_glacier_ir_days,
        "storage.raw_to_glacier_ir_days",
        "raw data must move to infrequent access (>0 days) before Glacier IR",
    )
    check(
        st.raw_to_infrequent_access_days >= 30,
        "storage.raw_to_infrequent_access_days",
        "S3 allows STANDARD_IA transitions only after 30 days or more",
    )
    for name in ("dead_letter_expiry_days", "artefacts_expiry_days", "access_logs_expiry_days"):
        check(getattr(st, name) > 0, f"storage.{name}", "must be a positive number of days")
    for purpose, name in dataclasses.asdict(st.buckets).items():
        check(
            _valid_bucket_name(name),
            f"storage.buckets.{purpose}",
            f"derived bucket name {name!r} breaks S3 naming rules (3-63 chars, a-z 0-9 -)",
        )

    ev = s.events
    check(ev.future_tolerance_s >= 0, "events.future_tolerance_s", "must be >= 0")
    check(
        1 <= ev.session_gap_minutes <= 24 * 60,
        "events.session_gap_minutes",
        "must be between 1 and 1440 minutes",
    )
    check(
        0 <= ev.late_arrival_lookback_days <= 90,
        "events.late_arrival_lookback_days",
        "must be between 0 and 90 days",
    )
    check(0 < ev.completion_threshold <= 1, "events.completion_threshold", "must be in (0, 1]")

    sf = s.snowflake
    wh = sf.warehouse
    check(
        wh.size in WAREHOUSE_SIZES,
        "snowflake.warehouse.size",
        f"{wh.size!r} is not one of {', '.join(WAREHOUSE_SIZES)}",
    )
    check(
        wh.auto_suspend_s >= 60,
        "snowflake.warehouse.auto_suspend_s",
        f"{wh.auto_suspend_s} s is below Snowflake's 60 s billing minimum",
    )
    check(
        1 <= wh.min_clusters <= wh.max_clusters <= 10,
        "snowflake.warehouse.max_clusters",
        f"need 1 <= min_clusters ({wh.min_clusters}) <= max_clusters ({wh.max_clusters}) <= 10",
    )
    check(
        wh.scaling_policy in SCALING_POLICIES,
        "snowflake.warehouse.scaling_policy",
        f"{wh.scaling_policy!r} is not one of {', '.join(SCALING_POLICIES)}",
    )
    rm = sf.resource_monitor
    check(rm.credit_quota > 0, "snowflake.resource_monitor.credit_quota", "must be positive")
    notify_ok = all(isinstance(p, int) and p > 0 for p in rm.notify_at_percent) and list(
        rm.notify_at_percent
    ) == sorted(set(rm.notify_at_percent))
    check(
        notify_ok,
        "snowflake.resource_monitor.notify_at_percent",
        "must be ascending positive whole percentages",
    )
    check(
        all(p < rm.suspend_at_percent for p in rm.notify_at_percent if isinstance(p, int)),
        "snowflake.resource_monitor.suspend_at_percent",
        "must be above every notify_at_percent value",
    )
    check(
        1 <= sf.task_schedule_minutes <= 11520,
        "snowflake.task_schedule_minutes",
        "must be between 1 and 11520 minutes (Snowflake's task interval limits)",
    )
    for field in ("organization", "account"):
        value = getattr(sf, field)
        check(
            bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,254}", value)),
            f"snowflake.{field}",
            f"{value!r} is not a Snowflake {field} name",
        )
    for path, name in _snowflake_identifiers(sf):
        check(
            bool(_SNOWFLAKE_IDENTIFIER.fullmatch(name)),
            f"snowflake.{path}",
            f"derived identifier {name!r} is not a valid unquoted Snowflake identifier",
        )
    ho = sf.handoff
    check(
        not ho.integration_iam_user_arn
        or bool(_IAM_USER_ARN.fullmatch(ho.integration_iam_user_arn)),
        "snowflake.handoff.integration_iam_user_arn",
        "must be empty or an IAM user ARN (arn:aws:iam::<account>:user/...)",
    )
    check(
        not ho.pipe_notification_channel or bool(_SQS_ARN.fullmatch(ho.pipe_notification_channel)),
        "snowflake.handoff.pipe_notification_channel",
        "must be empty or an SQS queue ARN (arn:aws:sqs:<region>:<account>:...)",
    )

    for path, name in (
        ("kinesis.stream_name", s.kinesis.stream_name),
        ("firehose.delivery_stream_name", s.firehose.delivery_stream_name),
        ("firehose.processor_function_name", s.firehose.processor_function_name),
    ):
        check(bool(_AWS_NAME.fullmatch(name)), path, f"derived name {name!r} is invalid")
    for path, name in (
        ("access.snowflake_access_role_name", s.access.snowflake_access_role_name),
        ("access.ci_deploy_role_name", s.access.ci_deploy_role_name),
        ("access.ci_plan_role_name", s.access.ci_plan_role_name),
    ):
        check(bool(_IAM_NAME.fullmatch(name)), path, f"derived IAM role name {name!r} is invalid")
    check(
        bool(re.fullmatch(r"[\w.-]+/[\w.-]+", s.access.github_repository)),
        "ci.github_repository",
        "must look like owner/name",
    )

    mw = s.mwaa
    check(
        bool(_MWAA_NAME.fullmatch(mw.environment_name)),
        "mwaa.environment_name",
        f"derived name {mw.environment_name!r} is invalid",
    )
    check(
        mw.environment_class in MWAA_CLASSES,
        "mwaa.environment_class",
        f"{mw.environment_class!r} is not one of {', '.join(MWAA_CLASSES)}",
    )
    check(
        bool(re.fullmatch(r"\d+\.\d+\.\d+", mw.airflow_version)),
        "mwaa.airflow_version",
        f"{mw.airflow_version!r} is not a version like 3.3.1",
    )
    check(
        2 <= mw.schedulers <= 5 or (mw.environment_class == "mw1.micro" and mw.schedulers == 1),
        "mwaa.schedulers",
        "MWAA runs 2..5 schedulers (1 on mw1.micro)",
    )
    check(
        1 <= mw.min_workers <= mw.max_workers <= 25,
        "mwaa.max_workers",
        f"need 1 <= min_workers ({mw.min_workers}) <= max_workers ({mw.max_workers}) <= 25",
    )
    check(bool(mw.schedule.strip()), "mwaa.schedule", "must not be empty")
    check(
        1 <= mw.nat_gateways <= 2,
        "mwaa.nat_gateways",
        f"{mw.nat_gateways} is not 1 or 2 (MWAA uses two private subnets)",
    )
    check(0 <= mw.task_retries <= 10, "mwaa.task_retries", "must be between 0 and 10")
    check(
        0 <= mw.retry_delay_s <= mw.max_retry_delay_s,
        "mwaa.max_retry_delay_s",
        f"need 0 <= retry_delay_s ({mw.retry_delay_s}) <= max_retry_delay_s "
        f"({mw.max_retry_delay_s})",
    )
    check(
        1 <= mw.task_timeout_minutes <= 24 * 60,
        "mwaa.task_timeout_minutes",
        "must be between 1 and 1440 minutes",
    )
    try:
        date.fromisoformat(mw.start_date)
    except ValueError:
        problems.append(f"{env}.mwaa.start_date: {mw.start_date!r} is not a date (YYYY-MM-DD)")

    lo = s.local
    check(
        _is_loopback(lo.host),
        "local.host",
        f"{lo.host!r} is not a loopback address; the local emulator must stay on this machine",
    )
    check(0 <= lo.moto_port <= 65535, "local.moto_port", f"{lo.moto_port} is not a TCP port")
    check(
        lo.duckdb_file.endswith(".duckdb") and "/" not in lo.duckdb_file,
        "local.duckdb_file",
        "must be a file name ending in .duckdb",
    )
    return problems


def _snowflake_identifiers(sf: SnowflakeConfig) -> list[tuple[str, str]]:
    names = [
        (field.name, getattr(sf, field.name))
        for field in dataclasses.fields(sf)
        if field.name not in ("organization", "account", "task_schedule_minutes")
        and isinstance(getattr(sf, field.name), str)
    ]
    names += [
        ("warehouse.name", sf.warehouse.name),
        ("resource_monitor.name", sf.resource_monitor.name),
    ]
    names += [(f"roles.{k}", v) for k, v in dataclasses.asdict(sf.roles).items()]
    names += [(f"service_users.{k}", v) for k, v in dataclasses.asdict(sf.service_users).items()]
    return names


def _valid_bucket_name(name: str) -> bool:
    if not _S3_BUCKET.fullmatch(name):
        return False
    if name.startswith(("xn--", "sthree-")) or name.endswith(("-s3alias", "--ol-s3")):
        return False
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return True
    return False


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
