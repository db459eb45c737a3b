"""CI access: GitHub OIDC, a deploy role for this repository's GitHub environment, and in
dev a read-only plan role for pull requests."""

from __future__ import annotations

from typing import Any

from infra.aws.ci_access.github_deploy import GITHUB_OIDC_URL
from tests.infra.aws.policies import as_list, role_statements
from tests.infra.aws.synth import SynthesizedApp

STACK = "CiAccess"
SUB = "token.actions.githubusercontent.com:sub"


def _roles(app: SynthesizedApp) -> dict[str, tuple[str, dict[str, Any]]]:
    """role name -> (logical id, properties)"""
    return {
        r["Properties"]["RoleName"]: (logical_id, r["Properties"])
        for logical_id, r in app.resources(STACK, "AWS::IAM::Role").items()
    }


def _trust(props: dict[str, Any]) -> dict[str, Any]:
    (statement,) = props["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    return statement["Condition"]


def _bootstrap_role(app: SynthesizedApp, purpose: str) -> str:
    account, region = app.settings.aws.account, app.settings.aws.region
    return f"arn:aws:iam::{account}:role/cdk-hnb659fds-{purpose}-role-{account}-{region}"


def test_github_oidc_provider_for_sts(app: SynthesizedApp) -> None:
    (provider,) = app.resources(STACK, "AWS::IAM::OIDCProvider").values()
    assert provider["Properties"]["Url"] == GITHUB_OIDC_URL
    assert provider["Properties"]["ClientIdList"] == ["sts.amazonaws.com"]


def test_deploy_role_trusts_only_this_repositorys_github_environment(
    app: SynthesizedApp,
) -> None:
    access, env = app.settings.access, app.settings.environment
    _, props = _roles(app)[access.ci_deploy_role_name]
    assert _trust(props) == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            SUB: f"repo:{access.github_repository}:environment:{env}",
        }
    }


def test_deploy_role_assumes_bootstrap_roles_and_writes_only_its_artefacts(
    app: SynthesizedApp,
) -> None:
    logical_id, _ = _roles(app)[app.settings.access.ci_deploy_role_name]
    statements = {s["Sid"]: s for s in role_statements(app.template(STACK), logical_id)}
    assert set(statements) == {
        "AssumeCdkBootstrapRoles",
        "WriteDeployArtefacts",
        "EncryptDeployArtefacts",
    }
    assert sorted(as_list(statements["AssumeCdkBootstrapRoles"]["Resource"])) == sorted(
        _bootstrap_role(app, p) for p in ("deploy", "file-publishing", "lookup")
    )
    write = statements["WriteDeployArtefacts"]
    assert write["Action"] == "s3:PutObject"
    bucket, prefix = app.settings.storage.buckets.artefacts, app.settings.storage.prefixes
    assert f"{bucket}/{prefix.deploy_artefacts}*" in str(write["Resource"])
    assert prefix.deploy_artefacts == f"dbt/{app.settings.environment}/deploy/"
    assert "*" not in str(statements["EncryptDeployArtefacts"]["Resource"])


def test_only_dev_has_a_plan_role_and_it_can_only_look(
    synthesized: dict[str, SynthesizedApp],
) -> None:
    dev, prod = synthesized["dev"], synthesized["prod"]
    assert prod.settings.access.ci_plan_role_name not in _roles(prod)
    logical_id, props = _roles(dev)[dev.settings.access.ci_plan_role_name]
    repository = dev.settings.access.github_repository
    assert _trust(props)["StringEquals"][SUB] == f"repo:{repository}:pull_request"
    (statement,) = role_statements(dev.template(STACK), logical_id)
    assert statement["Action"] == "sts:AssumeRole"
    assert as_list(statement["Resource"]) == [_bootstrap_role(dev, "lookup")]
