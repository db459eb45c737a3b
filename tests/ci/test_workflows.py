"""The GitHub Actions workflows: actionlint-clean, pinned, least privilege, gated deploys."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent
ACTIONLINT = BIN / "actionlint"
SHELLCHECK = BIN / "shellcheck"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
OIDC_ACTION = "aws-actions/configure-aws-credentials"


def _actionlint(*paths: Path, cwd: Path = ROOT) -> list[dict[str, Any]]:
    # shellcheck is passed explicitly: actionlint refuses one that resolves inside the
    # working directory (.venv/bin), and without it `run:` scripts would go unchecked.
    result = subprocess.run(
        [
            str(ACTIONLINT),
            "-shellcheck",
            str(SHELLCHECK),
            "-format",
            "{{json .}}",
            *map(str, paths),
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode in (0, 1), result.stderr  # 1 = findings; anything else = broken
    return json.loads(result.stdout or "[]")


def _load(path: Path) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _steps(workflow: dict[Any, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [
        (name, job, step) for name, job in workflow["jobs"].items() for step in job.get("steps", [])
    ]


def test_there_are_workflows() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"ci.yml", "plan.yml", "deploy.yml", "deploy-environment.yml"} <= names


def test_actionlint_finds_nothing_in_any_workflow() -> None:
    findings = _actionlint(*WORKFLOWS)
    assert findings == [], "\n".join(
        f"{f['filepath']}:{f['line']}:{f['column']}: {f['message']}" for f in findings
    )


def test_actionlint_and_shellcheck_do_report_a_broken_workflow(tmp_path: Path) -> None:
    # Guards the test above: a linter that silently checks nothing would also "pass".
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    broken = workflows / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: echo $UNQUOTED ${{ github.event.pull_request.title }}\n"
        "      - run: echo ${{ steps.nope.outputs.x }}\n"
    )
    kinds = {finding["kind"] for finding in _actionlint(broken, cwd=tmp_path)}
    assert {"shellcheck", "expression"} <= kinds


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path: Path) -> None:
    lines = [line.strip() for line in path.read_text().splitlines()]
    uses = [line.split("uses:", 1)[1].strip() for line in lines if "uses:" in line]
    external = [ref for ref in uses if not ref.startswith("./")]
    assert all(PINNED.match(ref) for ref in external), external


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_top_level_permissions_are_read_only(path: Path) -> None:
    assert _load(path)["permissions"] == {"contents": "read"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_id_token_is_granted_only_where_oidc_is_used(path: Path) -> None:
    workflow = _load(path)
    for name, job in workflow["jobs"].items():
        grants_oidc = (job.get("permissions") or {}).get("id-token") == "write"
        if "uses" in job:  # a called workflow: it may only get what its own jobs need
            called = _load(ROOT / job["uses"])
            needs_oidc = any(
                step.get("uses", "").startswith(OIDC_ACTION) for _, _, step in _steps(called)
            )
        else:
            needs_oidc = any(step.get("uses", "").startswith(OIDC_ACTION) for step in job["steps"])
        assert grants_oidc == needs_oidc, f"{path.name}: job {name}"


def test_deploys_are_serialised_per_environment_and_never_cancelled() -> None:
    job = _load(ROOT / ".github/workflows/deploy-environment.yml")["jobs"]["deploy"]
    assert job["concurrency"] == {
        "group": "deploy-${{ inputs.environment }}",
        "cancel-in-progress": False,
    }
    # The GitHub environment carries the protection rules (required reviewers for prod).
    assert job["environment"] == "${{ inputs.environment }}"


def test_main_deploys_dev_and_version_tags_deploy_prod_after_the_checks() -> None:
    workflow = _load(ROOT / ".github/workflows/deploy.yml")
    trigger = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert trigger["push"] == {"branches": ["main"], "tags": ["v*"]}
    jobs = workflow["jobs"]
    assert jobs["checks"]["uses"] == "./.github/workflows/ci.yml"
    assert jobs["dev"]["with"] == {"environment": "dev"}
    assert jobs["dev"]["if"] == "github.ref == 'refs/heads/main'"
    assert jobs["prod"]["with"] == {"environment": "prod"}
    assert jobs["prod"]["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert jobs["dev"]["needs"] == jobs["prod"]["needs"] == "checks"


def test_the_deploy_job_runs_make_deploy_and_uploads_dbt_artefacts() -> None:
    steps = _load(ROOT / ".github/workflows/deploy-environment.yml")["jobs"]["deploy"]["steps"]
    runs = [step.get("run", "") for step in steps]
    deploy_at = next(i for i, run in enumerate(runs) if 'make deploy ENV="$DEPLOY_ENV"' in run)
    upload_at = next(i for i, run in enumerate(runs) if "aws s3 cp" in run)
    assert deploy_at < upload_at
    assert steps[upload_at]["if"].startswith("always()")


def test_the_pull_request_plan_is_skipped_without_credentials() -> None:
    jobs = _load(ROOT / ".github/workflows/plan.yml")["jobs"]
    assert jobs["preview-dev"]["if"] == "needs.gate.outputs.enabled == 'true'"
    assert any("make preview" in step.get("run", "") for step in jobs["preview-dev"]["steps"])


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_secrets_reach_only_the_steps_that_use_them(path: Path) -> None:
    # A secret in workflow- or job-level env is visible to every step, including the
    # package installers; step-level env keeps it to the one command that needs it.
    workflow = _load(path)
    scopes = [("workflow", workflow.get("env") or {})]
    scopes += [(f"job {name}", job.get("env") or {}) for name, job in workflow["jobs"].items()]
    for scope, env in scopes:
        leaked = [key for key, value in env.items() if "secrets." in str(value)]
        assert leaked == [], f"{path.name} {scope}: {leaked}"


def _secrets_named(node: Any) -> set[str]:
    return set(re.findall(r"secrets\.([A-Z0-9_]+)", json.dumps(node)))


def test_pull_request_previews_hold_nothing_that_can_change_anything() -> None:
    """Issue 12.14: unreviewed code gets the previewer's key and a read-only Pulumi token."""
    workflow = _load(ROOT / ".github/workflows/plan.yml")
    secrets = _secrets_named(workflow)
    assert secrets, "the preview reads no secret at all: is this still the preview?"
    assert not {name for name in secrets if "DEPLOYER" in name or "TRANSFORMER" in name}
    assert "PULUMI_ACCESS_TOKEN" not in secrets  # the write-capable token
    assert {"SNOWFLAKE_PREVIEW_PRIVATE_KEY", "PULUMI_PREVIEW_ACCESS_TOKEN"} <= secrets
    # No job of a pull request's workflow may enter an environment, whose secrets it would get.
    assert all("environment" not in job for job in workflow["jobs"].values())


def test_the_deployers_key_is_read_only_inside_an_environment() -> None:
    for path in WORKFLOWS:
        for name, job in _load(path)["jobs"].items():
            if "DEPLOYER" in " ".join(_secrets_named(job)):
                assert job.get("environment"), f"{path.name}: job {name}"


def test_stack_files_hold_no_secret() -> None:
    """What a preview may decrypt must not be a key: the stacks carry no secure values."""
    for stack in ROOT.glob("Pulumi.*.yaml"):
        assert "secure:" not in stack.read_text(encoding="utf-8"), stack.name
