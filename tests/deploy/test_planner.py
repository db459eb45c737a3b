"""The deploy planner: order and arguments per environment, hand-off, stop on failure."""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from podcast_analytics import deploy
from podcast_analytics.config import load_settings

HANDOFF = {
    "integration_iam_user_arn": "arn:aws:iam::999999999999:user/abc-s-snowflake",
    "integration_external_id": "MYORG_SFCRole=2_abcdefg=",
    "pipe_notification_channel": "arn:aws:sqs:eu-west-1:999999999999:sf-snowpipe-XYZ",
}


@pytest.mark.parametrize("env", deploy.DEPLOYABLE_ENVIRONMENTS)
def test_deploy_plan_runs_cdk_pulumi_cdk_dbt_in_order(env: str) -> None:
    settings = load_settings(env)
    plan = deploy.deploy_plan(settings)
    cdk = ("npx", "cdk", "deploy", "--all", "-c", f"env={env}", "--require-approval", "never")
    outputs = ("pulumi", "stack", "output", "--json", "--show-secrets", "-s", env)
    manifest = ("python", "-m", "podcast_analytics", "manifest", "--env", env)
    dbt_build = ("dbt", "build", "--target", settings.dbt.target)
    assert [(s.argv, s.cwd) for s in plan.steps] == [
        (manifest, "."),
        (("pulumi", "stack", "select", "--create", env), "."),
        (outputs, "."),
        (cdk, "."),
        (("pulumi", "up", "--yes", "-s", env), "."),
        (outputs, "."),
        (cdk, "."),
        ((*dbt_build, "--target-path", settings.dbt.target_path), settings.dbt.project_dir),
    ]
    # The first CDK pass reads the hand-off the stack already has, the second the new one.
    first, second = plan.steps[3].handoff, plan.steps[6].handoff
    assert first is not None and first.source == plan.steps[2].name and first.may_be_empty
    assert second is not None and second.source == plan.steps[5].name
    assert not second.may_be_empty
    assert [s.captures for s in plan.steps] == [
        False,
        False,
        True,
        False,
        False,
        True,
        False,
        False,
    ]


def test_preview_plan_changes_nothing() -> None:
    plan = deploy.preview_plan(load_settings("dev"))
    assert [s.argv[:3] for s in plan.steps] == [
        ("python", "-m", "podcast_analytics"),
        ("pulumi", "preview", "--diff"),
        ("pulumi", "stack", "output"),
        ("npx", "cdk", "diff"),
    ]
    forbidden = {"up", "deploy", "--yes", "build"}
    assert not any(forbidden & set(step.argv) for step in plan.steps)


def test_hand_off_keys_are_the_three_the_cdk_app_and_pulumi_share() -> None:
    assert deploy.HANDOFF_OUTPUT_TO_CONTEXT == {
        "integration_iam_user_arn": "integration_iam_user_arn",
        "integration_external_id": "integration_external_id",
        "pipe_notification_channel": "pipe_notification_channel",
    }


def test_local_is_refused_in_one_line() -> None:
    with pytest.raises(deploy.DeployError, match="'local' is not deployed"):
        deploy.check_environment("local")


class FakeTools:
    """Stands in for npx/pulumi/dbt: records every call, answers stack outputs."""

    def __init__(self, outputs: list[dict[str, str]], fail_on: str | None = None) -> None:
        self.outputs = list(outputs)
        self.fail_on = fail_on
        self.calls: list[tuple[list[str], Path]] = []

    def __call__(
        self, argv: Sequence[str], cwd: Path, *, capture: bool
    ) -> subprocess.CompletedProcess[str]:
        self.calls.append((list(argv), cwd))
        if self.fail_on and self.fail_on in " ".join(argv):
            return subprocess.CompletedProcess(argv, 3, "", "")
        stdout = json.dumps(self.outputs.pop(0)) if capture else None
        return subprocess.CompletedProcess(argv, 0, stdout, "")


def _context(argv: list[str]) -> dict[str, str]:
    pairs = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-c"]
    return dict(pair.split("=", 1) for pair in pairs)


def test_first_deploy_hands_pulumi_outputs_to_the_second_cdk_pass(tmp_path: Path) -> None:
    settings = load_settings("dev")
    tools = FakeTools(outputs=[{}, {**HANDOFF, "warehouse": "WH"}])
    summary = tmp_path / "summary.md"
    deploy.execute(
        deploy.deploy_plan(settings), settings, out=io.StringIO(), run=tools, summary_path=summary
    )
    cdk_calls = [argv for argv, _ in tools.calls if argv[:2] == ["npx", "cdk"]]
    assert _context(cdk_calls[0]) == {"env": "dev"}  # nothing to hand over yet
    assert _context(cdk_calls[1]) == {"env": "dev", **HANDOFF}
    assert tools.calls[0][0] == ["python", "-m", "podcast_analytics", "manifest", "--env", "dev"]
    assert tools.calls[-1] == (
        ["dbt", "build", "--target", "dev", "--target-path", settings.dbt.target_path],
        deploy.REPO_ROOT / settings.dbt.project_dir,
    )
    assert summary.read_text().count("| ok |") == 8


def test_repeat_deploy_keeps_the_current_hand_off_in_the_first_pass() -> None:
    settings = load_settings("prod")
    tools = FakeTools(outputs=[HANDOFF, HANDOFF])
    deploy.execute(deploy.deploy_plan(settings), settings, out=io.StringIO(), run=tools)
    first_cdk = next(argv for argv, _ in tools.calls if argv[:2] == ["npx", "cdk"])
    assert _context(first_cdk) == {"env": "prod", **HANDOFF}


def test_a_failing_step_stops_the_deploy_and_is_named(tmp_path: Path) -> None:
    settings = load_settings("dev")
    tools = FakeTools(outputs=[{}], fail_on="pulumi up")
    summary = tmp_path / "summary.md"
    with pytest.raises(deploy.DeployError) as failure:
        deploy.execute(
            deploy.deploy_plan(settings),
            settings,
            out=io.StringIO(),
            run=tools,
            summary_path=summary,
        )
    assert str(failure.value) == "deploy of dev failed at step 5/8 'pulumi up' (exit code 3)"
    assert [argv[:2] for argv, _ in tools.calls][-1] == ["pulumi", "up"]  # nothing after it
    assert "| failed (exit 3) |" in summary.read_text()
    assert summary.read_text().count("| not run |") == 3


def test_missing_hand_off_after_pulumi_up_stops_before_cdk() -> None:
    settings = load_settings("dev")
    incomplete = {k: v for k, v in HANDOFF.items() if k != "pipe_notification_channel"}
    tools = FakeTools(outputs=[{}, incomplete])
    with pytest.raises(deploy.DeployError, match="no pipe_notification_channel"):
        deploy.execute(deploy.deploy_plan(settings), settings, out=io.StringIO(), run=tools)
    assert sum(argv[:2] == ["npx", "cdk"] for argv, _ in tools.calls) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("integration_iam_user_arn", "not-an-arn", "IAM user ARN"),
        ("pipe_notification_channel", "arn:aws:sns:eu-west-1:1:topic", "SQS queue ARN"),
    ],
)
def test_hand_off_values_obey_the_config_rules(field: str, value: str, message: str) -> None:
    with pytest.raises(deploy.DeployError, match=message):
        deploy.parse_handoff(
            json.dumps({**HANDOFF, field: value}), load_settings("dev"), require=True
        )


def test_stack_output_that_is_not_json_is_one_line() -> None:
    with pytest.raises(deploy.DeployError, match="did not print JSON"):
        deploy.parse_handoff("error: no stack", load_settings("dev"), require=False)


def test_github_outputs_come_from_the_config() -> None:
    settings = load_settings("prod")
    values = deploy.github_outputs(settings)
    assert values["deploy_role_arn"] == (
        f"arn:aws:iam::{settings.aws.account}:role/{settings.access.ci_deploy_role_name}"
    )
    assert values["artefacts_bucket"] == settings.storage.buckets.artefacts
    assert values["aws_region"] == settings.aws.region


def test_the_cdk_app_reads_the_hand_off_the_planner_passes() -> None:
    # The planner's real arguments, fed to the CDK app's own context handling.
    import aws_cdk as cdk

    from app import settings_from_context
    from podcast_analytics.config import HANDOFF_KEYS

    assert set(HANDOFF_KEYS) == set(deploy.HANDOFF_OUTPUT_TO_CONTEXT.values())
    settings = load_settings("dev")
    step = deploy.deploy_plan(settings).steps[6]
    context = _context(step.resolved_argv(HANDOFF))
    app_settings = settings_from_context(cdk.App(context=context))
    assert app_settings.environment == "dev"
    assert (
        app_settings.snowflake.handoff.integration_iam_user_arn
        == HANDOFF["integration_iam_user_arn"]
    )
    assert (
        app_settings.snowflake.handoff.integration_external_id == HANDOFF["integration_external_id"]
    )
    assert (
        app_settings.snowflake.handoff.pipe_notification_channel
        == HANDOFF["pipe_notification_channel"]
    )
