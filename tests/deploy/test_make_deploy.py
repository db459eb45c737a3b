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
        f"pulumi stack select --create {env}",
        f"pulumi stack output --json --show-secrets -s {env}",
        f"npx cdk deploy --all -c env={env} --require-approval never",
        f"pulumi up --yes -s {env}",
        f"pulumi stack output --json --show-secrets -s {env}",
        f"npx cdk deploy --all -c env={env} --require-approval never",
        f"(cd transform && dbt build --target {settings.dbt.target})",
    ]
    # Values known only after `pulumi up` are shown as placeholders, under their context keys.
    for key in ("integration_iam_user_arn", "integration_external_id", "pipe_notification_channel"):
        assert f"-c {key}=<{key} from 'read new hand-off'>" in commands[5]
    assert settings.aws.account in out and settings.storage.buckets.raw in out


def test_dry_run_of_local_is_one_line_and_non_zero() -> None:
    result = _make("deploy", "ENV=local", "DRY_RUN=1")
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        "deploy error: environment 'local' is not deployed to the cloud: "
        "use dev or prod (`local` runs with `make pipeline`)"
    )
