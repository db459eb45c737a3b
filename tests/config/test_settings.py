"""The shared config: every environment resolves, names are valid and unique, bad values
are rejected with one readable line each."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from podcast_analytics.config import (
    DEFAULT_CONFIG_PATH,
    ENVIRONMENTS,
    ConfigError,
    Settings,
    load_settings,
)


def _strings(value: object, path: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [item for key, sub in value.items() for item in _strings(sub, f"{path}.{key}")]
    return [(path.lstrip("."), value)] if isinstance(value, str) else []


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def settings(request: pytest.FixtureRequest) -> Settings:
    return load_settings(request.param)


def test_every_environment_loads(settings: Settings) -> None:
    assert settings.environment in ENVIRONMENTS
    assert settings.dbt.target == settings.environment


def test_bucket_names_follow_s3_rules_and_are_unique(settings: Settings) -> None:
    names = list(dataclasses.asdict(settings.storage.buckets).values())
    assert len(set(names)) == len(names)
    for name in names:
        assert 3 <= len(name) <= 63, name
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*[a-z0-9]", name), name
        assert settings.environment in name and settings.aws.account in name


def test_snowflake_identifiers_are_valid_and_distinct(settings: Settings) -> None:
    sf = settings.snowflake
    objects = [
        sf.raw_database,
        sf.analytics_database,
        sf.warehouse.name,
        sf.resource_monitor.name,
        sf.storage_integration,
        *dataclasses.asdict(sf.roles).values(),
        *dataclasses.asdict(sf.service_users).values(),
    ]
    assert len(set(objects)) == len(objects)
    for name in [*objects, sf.raw_schema, sf.stage, sf.pipe, sf.raw_table]:
        assert re.fullmatch(r"[A-Z_][A-Z0-9_$]*", name), name
    # Account-level objects carry the environment so dev and prod can share one account.
    for name in objects:
        assert f"_{settings.environment.upper()}" in name, name


def test_names_are_derived_not_shared_between_environments() -> None:
    by_env = {env: load_settings(env) for env in ENVIRONMENTS}
    for field in ("kinesis", "firehose"):
        names = [_strings(dataclasses.asdict(getattr(s, field))) for s in by_env.values()]
        assert len({tuple(n) for n in names}) == len(ENVIRONMENTS)
    assert len({s.snowflake.raw_database for s in by_env.values()}) == len(ENVIRONMENTS)


def test_raw_prefix_layout_matches_firehose_expressions() -> None:
    from datetime import date

    prefixes = load_settings("dev").storage.prefixes
    assert prefixes.raw_events_for(date(2026, 11, 24)) == "raw_events/20261124/"
    assert prefixes.firehose_raw_events.startswith(prefixes.raw_events)
    assert prefixes.firehose_errors.startswith(prefixes.errors)
    assert "!{timestamp:yyyyMMdd}" in prefixes.firehose_raw_events


def test_prod_differs_from_dev_where_the_config_says() -> None:
    dev, prod = load_settings("dev"), load_settings("prod")
    assert prod.storage.retain_on_delete and not dev.storage.retain_on_delete
    assert prod.snowflake.warehouse.max_clusters > dev.snowflake.warehouse.max_clusters == 1
    assert prod.snowflake.warehouse.size == dev.snowflake.warehouse.size == "XSMALL"


def test_unknown_environment_names_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings("staging")
    assert err.value.problems == ["unknown environment 'staging': choose one of local, dev, prod"]


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"aws": {"region": "mars-1"}}, "dev.aws.region: 'mars-1' is not an AWS region"),
        ({"aws": {"account": "12"}}, "dev.aws.account: '12' is not a 12-digit AWS account id"),
        ({"snowflake": {"warehouse": {"size": "HUGE"}}}, "dev.snowflake.warehouse.size: 'HUGE'"),
        ({"snowflake": {"warehouse": {"auto_suspend_s": 5}}}, "auto_suspend_s: 5 s is below"),
        (
            {"snowflake": {"warehouse": {"min_clusters": 3, "max_clusters": 2}}},
            "need 1 <= min_clusters (3) <= max_clusters (2)",
        ),
        ({"firehose": {"buffer_mib": 0}}, "dev.firehose.buffer_mib: 0 is outside"),
        ({"firehose": {"buffer_mib": "big"}}, "dev.firehose.buffer_mib: expected int, got 'big'"),
        ({"storage": {"retain_on_delete": 1}}, "dev.storage.retain_on_delete: expected bool"),
        ({"mwaa": {"environment_class": "mw2.huge"}}, "dev.mwaa.environment_class: 'mw2.huge'"),
        ({"mwaa": {"start_date": "yesterday"}}, "dev.mwaa.start_date: 'yesterday' is not a date"),
        ({"local": {"host": "0.0.0.0"}}, "dev.local.host: '0.0.0.0' is not a loopback address"),
        ({"kinesis": {"shards": 4}}, "dev.kinesis.shards: unknown setting"),
        (
            {"snowflake": {"handoff": {"pipe_notification_channel": "queue"}}},
            "pipe_notification_channel: must be empty or an SQS queue ARN",
        ),
        (
            {"ci": {"github_repository": "not a repo"}},
            "dev.ci.github_repository: must look like owner/name",
        ),
        # Well-formed but not a version MWAA offers (issue 12.3): the regex alone let it in.
        (
            {"mwaa": {"airflow_version": "3.3.0"}},
            "dev.mwaa.airflow_version: '3.3.0' is not an Airflow version this project runs on "
            "MWAA (supported: 3.3.1",
        ),
        # The pipe's queue in another region than the bucket (issue 12.2): S3 cannot notify it.
        (
            {
                "snowflake": {
                    "handoff": {
                        "pipe_notification_channel": "arn:aws:sqs:us-west-2:999999999999:sf-1"
                    }
                }
            },
            "dev.snowflake.handoff.pipe_notification_channel: the pipe's queue is in us-west-2 "
            "but the raw bucket in eu-west-1 (aws.region)",
        ),
        (
            {
                "ci": {
                    "github_oidc_provider_arn": (
                        "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"
                    )
                }
            },
            "dev.ci.github_oidc_provider_arn: must be empty (create the provider) or this "
            "account's GitHub provider arn:aws:iam::111111111111:oidc-provider/",
        ),
        (
            {"alerting": {"email_subscriptions": ["on-call"]}},
            "dev.alerting.email_subscriptions: 'on-call' is not an email address",
        ),
        (
            {"alerting": {"https_subscriptions": ["http://hooks.example.org"]}},
            "dev.alerting.https_subscriptions: 'http://hooks.example.org' is not an https:// URL",
        ),
        (
            {"firehose": {"processor_reserved_concurrency": -1}},
            "dev.firehose.processor_reserved_concurrency: -1 is outside 0 (none)..1000",
        ),
        (
            {"events": {"max_session_hours": 0}},
            "dev.events.max_session_hours: must be between 1 and 168 hours",
        ),
        (
            {"events": {"max_session_hours": 1, "session_gap_minutes": 90}},
            "dev.events.max_session_hours: must be between 1 and 168 hours, and no shorter",
        ),
        (
            {"storage": {"noncurrent_version_expiry_days": 0}},
            "dev.storage.noncurrent_version_expiry_days: must be a positive number of days",
        ),
    ],
)
def test_bad_values_are_rejected_with_one_line_naming_them(override: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings("dev", overrides=override)
    assert any(expected in problem for problem in err.value.problems), err.value.problems
    assert all("\n" not in problem for problem in err.value.problems)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings("dev", overrides={"aws": {"region": "x"}, "firehose": {"buffer_mib": 999}})
    assert len(err.value.problems) == 2


def test_long_project_name_breaks_bucket_rules(tmp_path: Path) -> None:
    data = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text())
    data["project"] = "a-very-long-podcast-network-name"
    path = tmp_path / "environments.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as err:
        load_settings("prod", path=path)
    assert any("breaks S3 naming rules" in p for p in err.value.problems), err.value.problems


def test_broken_yaml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "environments.yaml"
    path.write_text("project: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_settings("dev", path=path)
    assert len(err.value.problems) == 1 and "not valid YAML" in err.value.problems[0]


def test_a_queue_in_the_buckets_region_is_accepted() -> None:
    queue = "arn:aws:sqs:eu-west-1:999999999999:sf-snowpipe-1"
    settings = load_settings(
        "dev", overrides={"snowflake": {"handoff": {"pipe_notification_channel": queue}}}
    )
    assert settings.snowflake.handoff.pipe_notification_channel == queue


def test_mwaa_python_and_constraints_follow_the_airflow_version() -> None:
    from podcast_analytics.config.facts import MWAA_AIRFLOW_PYTHON

    mwaa = load_settings("dev").mwaa
    assert mwaa.python_version == MWAA_AIRFLOW_PYTHON[mwaa.airflow_version]
    assert mwaa.constraints_url.endswith(
        f"/constraints-{mwaa.airflow_version}/constraints-{mwaa.python_version}.txt"
    )


def test_the_alarm_topic_is_named_once_for_every_tool() -> None:
    """CDK creates it, the DAG and Snowflake's notification integration publish to it."""
    settings = load_settings("dev")
    alerting = settings.alerting
    assert alerting.topic_name == f"{settings.resource_prefix}-alarms"
    assert alerting.topic_arn == (
        f"arn:aws:sns:{settings.aws.region}:{settings.aws.account}:{alerting.topic_name}"
    )
    assert alerting.snowflake_publisher_role_arn.endswith(
        f":role/{alerting.snowflake_publisher_role_name}"
    )


def test_the_small_cell_threshold_is_checked_and_reaches_dbt() -> None:
    from podcast_analytics.config.dbt_profiles import render_project_vars

    assert load_settings("local").reporting.min_cell_listeners == 5
    assert "min_cell_listeners: 5" in render_project_vars()
    with pytest.raises(ConfigError, match=r"reporting\.min_cell_listeners"):
        load_settings("local", overrides={"reporting": {"min_cell_listeners": 0}})
