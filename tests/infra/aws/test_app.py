"""app.py and cdk.json: what `cdk synth -c env=...` runs, offline."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import aws_cdk as cdk
import pytest

from app import settings_from_context
from podcast_analytics.config import ConfigError, load_settings
from tests.infra.aws.synth import DEPLOY_ENVIRONMENTS, ROOT, SynthesizedApp


def run_app(
    context: dict[str, str], tmp_path: os.PathLike[str]
) -> subprocess.CompletedProcess[str]:
    # The CDK CLI hands context to the app this way (CDK_CONTEXT_JSON / CDK_OUTDIR).
    env = os.environ | {
        "CDK_CONTEXT_JSON": json.dumps(context),
        "CDK_OUTDIR": str(tmp_path),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    return subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_unknown_environment_fails_with_one_line_naming_the_valid_ones(tmp_path) -> None:
    result = run_app({"env": "staging"}, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "config error: unknown environment 'staging': choose one of local, dev, prod"
    ]
    assert "Traceback" not in result.stderr


def test_cdk_json_runs_the_project_venv_and_stays_quiet() -> None:
    config = json.loads((ROOT / "cdk.json").read_text())
    assert config["app"] == ".venv/bin/python app.py"
    assert config["notices"] is False
    assert config["versionReporting"] is False


def recommended_flags(tmp_path: Path) -> dict[str, object]:
    """aws-cdk-lib's own list of recommended flags, read from the installed library."""
    bundle = next((Path(cdk.__file__).parent / "_jsii").glob("aws-cdk-lib@*.jsii.tgz"))
    with tarfile.open(bundle) as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("package/cx-api/")]
        archive.extractall(tmp_path, members=members, filter="data")
    features = tmp_path / "package" / "cx-api" / "lib" / "features.js"
    script = f"console.log(JSON.stringify(require({str(features)!r}).CURRENTLY_RECOMMENDED_FLAGS))"
    node = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    return json.loads(node.stdout)


def test_cdk_json_carries_the_recommended_feature_flags(tmp_path: Path) -> None:
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    recommended = recommended_flags(tmp_path)
    assert len(recommended) > 50
    assert {k: v for k, v in context.items() if k in recommended} == recommended


@pytest.mark.parametrize("environment", DEPLOY_ENVIRONMENTS)
def test_availability_zones_are_committed_so_synth_never_calls_aws(environment: str) -> None:
    settings = load_settings(environment)
    context = json.loads((ROOT / "cdk.context.json").read_text())
    key = f"availability-zones:account={settings.aws.account}:region={settings.aws.region}"
    azs = context[key]
    assert len(azs) >= 2
    assert all(az.startswith(settings.aws.region) for az in azs)


def test_stacks_are_named_and_placed_from_config(app: SynthesizedApp) -> None:
    for stack in app.stacks.all():
        assert stack.stack_name.startswith(f"{app.settings.resource_prefix}-")
        assert stack.account == app.settings.aws.account
        assert stack.region == app.settings.aws.region
        assert stack.tags.tag_values() == {
            "project": app.settings.project,
            "environment": app.settings.environment,
        }


def test_stateless_stacks_deploy_after_storage(app: SynthesizedApp) -> None:
    for stack in (app.stacks.ingestion, app.stacks.snowflake_access, app.stacks.orchestration):
        assert app.stacks.storage in stack.dependencies


def test_command_line_handoff_overrides_the_config(tmp_path: Path) -> None:
    handoff = {
        "pipe_notification_channel": "arn:aws:sqs:eu-west-1:999999999999:sf-snowpipe-example",
        "integration_iam_user_arn": "arn:aws:iam::999999999999:user/abc1-s-ohsa1234",
        "integration_external_id": "MYACCOUNT_SFCRole=2_abcdefg=",
    }
    app = cdk.App(context={"env": "prod", **handoff}, outdir=str(tmp_path))
    settings = settings_from_context(app)
    assert settings.environment == "prod"
    assert dataclasses.asdict(settings.snowflake.handoff) == handoff


def test_a_malformed_queue_on_the_command_line_is_a_config_error(tmp_path: Path) -> None:
    app = cdk.App(context={"pipe_notification_channel": "my-queue"}, outdir=str(tmp_path))
    with pytest.raises(ConfigError) as error:
        settings_from_context(app)
    assert error.value.problems == [
        "dev.snowflake.handoff.pipe_notification_channel: must be empty or an SQS queue ARN "
        "(arn:aws:sqs:<region>:<account>:...)"
    ]


def test_default_environment_is_dev(tmp_path: Path) -> None:
    assert settings_from_context(cdk.App(outdir=str(tmp_path))).environment == "dev"
