"""CI access: GitHub OIDC, a deploy role for this repository's main branch / version tags."""

from __future__ import annotations

from infra.ci_access.github_deploy import DEPLOYING_REFS, GITHUB_OIDC_URL
from tests.infra.policies import as_list, role_statements
from tests.infra.synth import SynthesizedApp

STACK = "CiAccess"


def test_github_oidc_provider_for_sts(app: SynthesizedApp) -> None:
    (provider,) = app.resources(STACK, "AWS::IAM::OIDCProvider").values()
    assert provider["Properties"]["Url"] == GITHUB_OIDC_URL
    assert provider["Properties"]["ClientIdList"] == ["sts.amazonaws.com"]


def test_deploy_role_trusts_only_this_repository_and_its_deploying_refs(
    app: SynthesizedApp,
) -> None:
    (role,) = app.resources(STACK, "AWS::IAM::Role").values()
    assert role["Properties"]["RoleName"] == app.settings.access.ci_deploy_role_name
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    repository = app.settings.access.github_repository
    subjects = as_list(
        statement["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"]
    )
    assert subjects == [
        f"repo:{repository}:ref:{ref}" for ref in DEPLOYING_REFS[app.settings.environment]
    ]
    assert statement["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"
    }


def test_dev_deploys_from_main_and_prod_from_version_tags(
    synthesized: dict[str, SynthesizedApp],
) -> None:
    def subjects(env: str) -> str:
        (role,) = synthesized[env].resources(STACK, "AWS::IAM::Role").values()
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        return str(statement["Condition"]["StringLike"])

    assert "refs/heads/main" in subjects("dev") and "refs/tags" not in subjects("dev")
    assert "refs/tags/v*" in subjects("prod") and "refs/heads" not in subjects("prod")


def test_deploy_role_can_only_assume_the_cdk_bootstrap_roles(app: SynthesizedApp) -> None:
    (role_id,) = app.resources(STACK, "AWS::IAM::Role")
    (statement,) = role_statements(app.template(STACK), role_id)
    assert statement["Action"] == "sts:AssumeRole"
    account, region = app.settings.aws.account, app.settings.aws.region
    assert sorted(as_list(statement["Resource"])) == sorted(
        f"arn:aws:iam::{account}:role/cdk-hnb659fds-{purpose}-role-{account}-{region}"
        for purpose in ("deploy", "file-publishing", "lookup")
    )
