"""GitHub Actions OIDC federation and the role CI assumes to run `cdk deploy`.

The role can do exactly one thing: assume the CDK bootstrap roles of this account and
region (deploy, file publishing, lookup), which are what `cdk deploy` uses. What a deploy
may change is therefore governed by the bootstrap's CloudFormation execution policy, not by
a broad policy on a role that GitHub can reach.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from podcast_analytics.config.settings import AccessConfig

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
GITHUB_OIDC_ISSUER = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
CDK_BOOTSTRAP_ROLES = ("deploy", "file-publishing", "lookup")
# Which refs may deploy where: merges to main deploy dev; version tags deploy prod.
DEPLOYING_REFS = {
    "dev": ("refs/heads/main",),
    "prod": ("refs/tags/v*",),
}


class GithubDeployAccess(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, environment: str, access: AccessConfig
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        # One provider per account and issuer URL: dev and prod live in separate accounts.
        self.provider = iam.OidcProviderNative(
            self, "GithubOidc", url=GITHUB_OIDC_URL, client_ids=[STS_AUDIENCE]
        )
        refs = DEPLOYING_REFS.get(environment, ("refs/heads/main",))
        subjects = [f"repo:{access.github_repository}:ref:{ref}" for ref in refs]
        self.role = iam.Role(
            self,
            "DeployRole",
            role_name=access.ci_deploy_role_name,
            description=f"GitHub Actions deploys of {access.github_repository} ({', '.join(refs)})",
            max_session_duration=cdk.Duration.hours(1),
            assumed_by=iam.WebIdentityPrincipal(
                self.provider.oidc_provider_arn,
                conditions={
                    "StringEquals": {f"{GITHUB_OIDC_ISSUER}:aud": STS_AUDIENCE},
                    "StringLike": {f"{GITHUB_OIDC_ISSUER}:sub": subjects},
                },
            ),
        )
        qualifier = cdk.DefaultStackSynthesizer.DEFAULT_QUALIFIER
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="AssumeCdkBootstrapRoles",
                actions=["sts:AssumeRole"],
                resources=[
                    stack.format_arn(
                        service="iam",
                        region="",
                        resource="role",
                        resource_name=f"cdk-{qualifier}-{purpose}-role-{stack.account}-{stack.region}",
                    )
                    for purpose in CDK_BOOTSTRAP_ROLES
                ],
            )
        )
