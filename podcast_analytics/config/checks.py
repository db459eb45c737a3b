"""Value checks of a derived `Settings`: every limit a service documents, one line each."""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from datetime import date

from podcast_analytics.config.facts import MWAA_AIRFLOW_PYTHON
from podcast_analytics.config.model import TRANSFORM_RUNNERS, Settings, SnowflakeConfig
from podcast_analytics.contract import parse_event_ts

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

_S3_BUCKET = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
_AWS_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_IAM_NAME = re.compile(r"[\w+=,.@-]{1,64}")
_SNOWFLAKE_IDENTIFIER = re.compile(r"[A-Z_][A-Z0-9_$]{0,254}")
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")
_MWAA_NAME = re.compile(r"[A-Za-z][0-9A-Za-z_-]{0,79}")
_IAM_USER_ARN = re.compile(r"arn:aws:iam::\d{12}:user/\S+")
_SQS_ARN = re.compile(r"arn:aws:sqs:(?P<region>[a-z0-9-]+):\d{12}:\S+")
# Airflow connection ids: letters, digits, _ . - (also the last part of the secret's name).
_AIRFLOW_CONN_ID = re.compile(r"[\w.-]{1,250}")
GITHUB_OIDC_ISSUER = "token.actions.githubusercontent.com"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def check_values(s: Settings) -> list[str]:
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

    check(
        0 <= s.firehose.processor_reserved_concurrency <= 1000,
        "firehose.processor_reserved_concurrency",
        f"{s.firehose.processor_reserved_concurrency} is outside 0 (none)..1000",
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
    for name in (
        "dead_letter_expiry_days",
        "artefacts_expiry_days",
        "access_logs_expiry_days",
        "noncurrent_version_expiry_days",
    ):
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
        parse_event_ts(ev.earliest_event_ts) is not None,
        "events.earliest_event_ts",
        "must be an RFC 3339 timestamp with an offset, like 2000-01-01T00:00:00Z",
    )
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
    check(
        1 <= ev.max_session_hours <= 7 * 24 and ev.max_session_hours * 60 >= ev.session_gap_minutes,
        "events.max_session_hours",
        "must be between 1 and 168 hours, and no shorter than session_gap_minutes",
    )
    check(ev.max_playback_speed >= 1, "events.max_playback_speed", "must be >= 1")
    check(
        1 <= s.reporting.min_cell_listeners <= 1000,
        "reporting.min_cell_listeners",
        "must be between 1 and 1000 listeners",
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
    queue = _SQS_ARN.fullmatch(ho.pipe_notification_channel)
    check(
        not ho.pipe_notification_channel or bool(queue),
        "snowflake.handoff.pipe_notification_channel",
        "must be empty or an SQS queue ARN (arn:aws:sqs:<region>:<account>:...)",
    )
    # The pipe's queue lives in the Snowflake account's region, and S3 notifies only a queue
    # in the bucket's own region (https://github.com/awsdocs/amazon-s3-user-guide/blob/master/
    # doc_source/setup-event-notification-destination.md): a cross-region account needs the
    # SNS route instead (docs/deploy.md, "Cross-region accounts").
    check(
        queue is None or queue["region"] == s.aws.region,
        "snowflake.handoff.pipe_notification_channel",
        f"the pipe's queue is in {queue['region'] if queue else '?'} but the raw bucket in "
        f"{s.aws.region} (aws.region); S3 cannot notify a queue in another region: use the "
        "SNS route of docs/deploy.md#cross-region-accounts",
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
        ("alerting.snowflake_publisher_role_name", s.alerting.snowflake_publisher_role_name),
    ):
        check(bool(_IAM_NAME.fullmatch(name)), path, f"derived IAM role name {name!r} is invalid")
    check(
        bool(re.fullmatch(r"[\w.-]+/[\w.-]+", s.access.github_repository)),
        "ci.github_repository",
        "must look like owner/name",
    )
    oidc_arn = f"arn:aws:iam::{s.aws.account}:oidc-provider/{GITHUB_OIDC_ISSUER}"
    check(
        s.access.github_oidc_provider_arn in ("", oidc_arn),
        "ci.github_oidc_provider_arn",
        f"must be empty (create the provider) or this account's GitHub provider {oidc_arn}",
    )
    for address in s.alerting.email_subscriptions:
        check(
            bool(_EMAIL.fullmatch(address)),
            "alerting.email_subscriptions",
            f"{address!r} is not an email address",
        )
    for url in s.alerting.https_subscriptions:
        check(
            url.startswith("https://") and len(url) > len("https://"),
            "alerting.https_subscriptions",
            f"{url!r} is not an https:// URL",
        )
    check(
        bool(_AWS_NAME.fullmatch(s.alerting.topic_name)) and len(s.alerting.topic_name) <= 256,
        "alerting.topic_name",
        f"derived SNS topic name {s.alerting.topic_name!r} is invalid",
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
        mw.airflow_version in MWAA_AIRFLOW_PYTHON,
        "mwaa.airflow_version",
        f"{mw.airflow_version!r} is not an Airflow version this project runs on MWAA "
        f"(supported: {', '.join(MWAA_AIRFLOW_PYTHON)}; see config/facts.py)",
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

    problems.extend(_transform_runner_problems(s))

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
    check(lo.min_free_disk_mb >= 0, "local.min_free_disk_mb", "must be >= 0")
    return problems


def _transform_runner_problems(s: Settings) -> list[str]:
    """dbt.runner and, when the transform is a dbt Cloud job, the job's inputs."""
    env, dbt, cloud = s.environment, s.dbt, s.dbt.cloud
    if dbt.runner not in TRANSFORM_RUNNERS:
        return [f"{env}.dbt.runner: {dbt.runner!r} is not one of {', '.join(TRANSFORM_RUNNERS)}"]
    if dbt.runner != "dbt_cloud":
        return []  # the dbt Cloud inputs may stay at their placeholders
    if env == "local":
        return [
            f"{env}.dbt.runner: 'dbt_cloud' is for dev/prod; local builds DuckDB with one "
            "`dbt build` (use cosmos)"
        ]
    problems = []
    for name in ("account_id", "job_id"):
        value = getattr(cloud, name)
        if value <= 0:
            what = name.removesuffix("_id")
            problems.append(
                f"{env}.dbt.cloud.{name}: {value} must be the dbt Cloud {what} id "
                "(a positive number from the job's URL) when dbt.runner is dbt_cloud"
            )
    if not _AIRFLOW_CONN_ID.fullmatch(cloud.conn_id):
        problems.append(
            f"{env}.dbt.cloud.conn_id: {cloud.conn_id!r} is not an Airflow connection id "
            "(letters, digits, _ . -)"
        )
    if not 1 <= cloud.check_interval_s <= 600:
        problems.append(
            f"{env}.dbt.cloud.check_interval_s: {cloud.check_interval_s} is outside 1..600 seconds"
        )
    return problems


def _snowflake_identifiers(sf: SnowflakeConfig) -> list[tuple[str, str]]:
    names = [
        (field.name, getattr(sf, field.name))
        for field in dataclasses.fields(sf)
        if field.name not in ("organization", "account")
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
