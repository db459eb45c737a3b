from __future__ import annotations

import os
from pathlib import Path

import pytest

from podcast_analytics.config import load_settings
from tests.dbt_manifest import parse_project
from tests.infra.aws.synth import (
    DEPLOY_ENVIRONMENTS,
    SNOWFLAKE_EXTERNAL_ID,
    SNOWFLAKE_USER_ARN,
    SNOWPIPE_QUEUE_ARN,
    SynthesizedApp,
    synthesize,
)

# jsii prints an end-of-life banner on Node 20 on every start; this silences it.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SynthesizedApp]:
    """Each deploy environment's app, synthesized once per session with cdk-nag on.

    Synthesis raises if cdk-nag reports an unacknowledged finding, so every test that uses
    this fixture also proves the app is nag-clean.
    """
    return {
        env: synthesize(env, tmp_path_factory.mktemp(f"cdk-{env}")) for env in DEPLOY_ENVIRONMENTS
    }


@pytest.fixture(params=DEPLOY_ENVIRONMENTS)
def app(request: pytest.FixtureRequest, synthesized: dict[str, SynthesizedApp]) -> SynthesizedApp:
    return synthesized[request.param]


# Inputs a user may set (tests only): an existing GitHub OIDC provider and alarm subscribers.
EXISTING_OIDC_PROVIDER = (
    "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
)
ALARM_EMAIL = "on-call@example.org"
ALARM_WEBHOOK = "https://hooks.example.org/alarms"


@pytest.fixture(scope="session")
def parsed_dbt_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dbt project parsed by dbt (as `make manifest` does), for what MWAA receives."""
    return parse_project(tmp_path_factory.mktemp("dbt"))


@pytest.fixture(scope="session")
def configured(
    tmp_path_factory: pytest.TempPathFactory, parsed_dbt_manifest: Path
) -> SynthesizedApp:
    """dev as a user would configure it after the first `pulumi up`: Snowflake's hand-off
    values, an existing OIDC provider, alarm subscribers, and the parsed dbt manifest
    shipped to MWAA (what `make synth` / `make deploy` build). One synthesis for all of them:
    each test looks at its own part, and none of the parts changes another's resources."""
    settings = load_settings(
        "dev",
        overrides={
            "snowflake": {
                "handoff": {
                    "integration_iam_user_arn": SNOWFLAKE_USER_ARN,
                    "integration_external_id": SNOWFLAKE_EXTERNAL_ID,
                    "pipe_notification_channel": SNOWPIPE_QUEUE_ARN,
                }
            },
            "ci": {"github_oidc_provider_arn": EXISTING_OIDC_PROVIDER},
            "alerting": {
                "email_subscriptions": [ALARM_EMAIL],
                "https_subscriptions": [ALARM_WEBHOOK],
            },
        },
    )
    return synthesize(
        "dev",
        tmp_path_factory.mktemp("cdk-configured"),
        settings=settings,
        dbt_manifest=parsed_dbt_manifest,
    )


@pytest.fixture(scope="session")
def handed_off(configured: SynthesizedApp) -> SynthesizedApp:
    """dev after the first `pulumi up`: Snowflake's hand-off values in the config."""
    return configured
