"""`make deploy ENV=x DRY_RUN=1` from the command line: a plan, no credentials, exit 0."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from podcast_analytics.config import load_settings

ROOT = Path(__file__).resolve().parents[2]


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    # No cloud credentials and no tools beyond the basics: the dry run must not need them.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "SNOWFLAKE_", "PULUMI_"))
    }
    env["PATH"] = "/usr/bin:/bin"
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_dry_run_prints_the_ordered_plan(env: str) -> None:
    result = _make("deploy", f"ENV={env}", "DRY_RUN=1")
    assert result.returncode == 0, result.stderr
    settings = load_settings(env)
    out = result.stdout
    commands = [line.strip()[2:] for line in out.splitlines() if line.strip().startswith("$ ")]
    assert [c.split(" -c integration")[0] for c in commands] == [
        f"python -m infra.snowflake.bootstrap --env {env} --part role --user '<deploying user>'",
        f"python -m podcast_analytics manifest --env {env}",
        f"pulumi stack select --create {env}",
        f"pulumi stack output --json --show-secrets -s {env}",
        f"npx cdk deploy --all -c env={env} --require-approval never",
        f"pulumi up --yes -s {env}",
        f"python -m infra.snowflake.bootstrap --env {env} --part monitor",
        f"pulumi stack output --json --show-secrets -s {env}",
        f"npx cdk deploy --all -c env={env} --require-approval never",
        f"python -m infra.snowflake.refresh --env {env}",
        f"(cd {settings.dbt.project_dir} && dbt build --target {settings.dbt.target}"
        f" --target-path {settings.dbt.target_path})",
    ]
    # The admin bootstrap is its own step, marked as such, with when to run it (issue 12.1).
    steps = [line for line in out.splitlines() if line.startswith("[")]
    assert steps[0] == "[1/11] admin bootstrap (role) [account admin; not run by make deploy]"
    assert steps[6] == "[7/11] admin bootstrap (monitor) [account admin; not run by make deploy]"
    assert steps[9] == "[10/11] pipe refresh"
    # Values known only after `pulumi up` are shown as placeholders, under their context keys.
    for key in ("integration_iam_user_arn", "integration_external_id", "pipe_notification_channel"):
        assert f"-c {key}=<{key} from 'read new hand-off'>" in commands[8]
    assert settings.aws.account in out and settings.storage.buckets.raw in out


def test_dry_run_of_local_is_one_line_and_non_zero() -> None:
    result = _make("deploy", "ENV=local", "DRY_RUN=1")
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        "deploy error: environment 'local' is not deployed to the cloud: "
        "use dev or prod (`local` runs with `make pipeline`)"
    )


FAKE_TOOL = """#!/bin/sh
# Stands in for {name}: logs its arguments; `pulumi stack output` prints a hand-off once
# `pulumi up` has run; fails when its command line contains $FAIL_ON.
echo "{name} $*" >> "$TOOL_LOG"
case "{name} $*" in
  *"$FAIL_ON"*) exit 7 ;;
esac
if [ "{name}" = pulumi ] && [ "$1" = up ]; then touch "$TOOL_LOG.up"; fi
if [ "{name}" = pulumi ] && [ "$1 $2" = "stack output" ]; then
  if [ -f "$TOOL_LOG.up" ]; then echo '{handoff}'; else echo '{{}}'; fi
fi
exit 0
"""
HANDOFF_JSON = (
    '{"integration_iam_user_arn": "arn:aws:iam::999999999999:user/sf", '
    '"integration_external_id": "ABC_SFCRole=1_x=", '
    '"pipe_notification_channel": "arn:aws:sqs:eu-west-1:999999999999:sf-snowpipe-1"}'
)


def _fake_tools(tmp_path: Path, fail_on: str) -> tuple[dict[str, str], Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("npx", "pulumi"):
        tool = bin_dir / name
        tool.write_text(FAKE_TOOL.format(name=name, handoff=HANDOFF_JSON))
        tool.chmod(0o755)
    log = tmp_path / "calls.log"
    env = {"TOOL_LOG": str(log), "FAIL_ON": fail_on, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    return env, log


def _real_run(tmp_path: Path, fail_on: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    extra, log = _fake_tools(tmp_path, fail_on)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SNOWFLAKE_"))}
    # `-o`: the fake npx stands in for the CDK CLI, so make need not install node_modules.
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", "node_modules/.installed", "deploy", "ENV=dev"],
        cwd=ROOT,
        env={**base, **extra},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return result, log.read_text().splitlines()


def test_a_real_run_stops_at_the_failing_step_with_one_line(tmp_path: Path) -> None:
    result, calls = _real_run(tmp_path, fail_on="pulumi up")
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == (
        "deploy error: deploy of dev failed at step 6/11 'pulumi up' (exit code 7)"
    )
    assert calls == [
        "pulumi stack select --create dev",
        "pulumi stack output --json --show-secrets -s dev",
        "npx cdk deploy --all -c env=dev --require-approval never",
        "pulumi up --yes -s dev",
    ]


def test_a_real_run_hands_pulumi_outputs_to_cdk(tmp_path: Path) -> None:
    # Fail the second CDK pass (only it carries the hand-off) so dbt is never reached.
    result, calls = _real_run(tmp_path, fail_on="pipe_notification_channel=")
    assert "failed at step 9/11 'cdk deploy (with hand-off)'" in result.stderr
    assert calls[-1] == (
        "npx cdk deploy --all -c env=dev --require-approval never"
        " -c integration_iam_user_arn=arn:aws:iam::999999999999:user/sf"
        " -c integration_external_id=ABC_SFCRole=1_x="
        " -c pipe_notification_channel=arn:aws:sqs:eu-west-1:999999999999:sf-snowpipe-1"
    )
