from __future__ import annotations

import os

import pytest

from podcast_analytics.config import load_settings
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


@pytest.fixture(scope="session")
def handed_off(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedApp:
    """dev after the first `pulumi up`: Snowflake's hand-off values in the config."""
    settings = load_settings(
        "dev",
        overrides={
            "snowflake": {
                "handoff": {
                    "integration_iam_user_arn": SNOWFLAKE_USER_ARN,
                    "integration_external_id": SNOWFLAKE_EXTERNAL_ID,
                    "pipe_notification_channel": SNOWPIPE_QUEUE_ARN,
                }
            }
        },
    )
    return synthesize(
        "dev",
        tmp_path_factory.mktemp("cdk-handed-off"),
        settings=settings,
    )
