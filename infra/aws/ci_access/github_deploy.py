"""GitHub Actions OIDC federation and the roles CI assumes.

The deploy role can do two things: assume the CDK bootstrap roles of this account and region
(deploy, file publishing, lookup), which are what `cdk deploy` uses, and write the deploy's
dbt artefacts under one prefix of the artefacts bucket. What a deploy may change is governed
by the bootstrap's CloudFormation execution policy, not by a broad policy on a role GitHub
can reach. Only jobs running in this environment's GitHub environment (where required
reviewers guard prod) may assume it.

In dev, pull-request previews get a separate plan role that may only assume the read-only
CDK lookup role (`cdk diff`); an unreviewed branch can never deploy.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.aws.nag import acknowledge, bucket_objects
from podcast_analytics.config import AccessConfig

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
GITHUB_OIDC_ISSUER = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
CDK_BOOTSTRAP_ROLES = ("deploy", "file-publishing", "lookup")
# Environments whose pull requests may run a read-only preview (never prod).
PLAN_ENVIRONMENTS = ("dev",)


class GithubDeployAccess(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        access: AccessConfig,
        artefacts_bucket: s3.IBucket,
        artefacts_prefix: str,
        artefacts_key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        # One provider per account and issuer URL: dev and prod live in separate accounts.
        self.provider = iam.OidcProviderNative(
            self, "GithubOidc", url=GITHUB_OIDC_URL, client_ids=[STS_AUDIENCE]
        )
        # A job that declares `environment: <env>` presents this subject; the GitHub
        # environment's protection rules (required reviewers for prod, main/tags only) decide
        # which runs get that far.
        subject = f"repo:{access.github_repository}:environment:{environment}"
        self.role = iam.Role(
            self,
            "DeployRole",
            role_name=access.ci_deploy_role_name,
            description=f"GitHub Actions deploys of {access.github_repository} to {environment}",
            max_session_duration=cdk.Duration.hours(1),
            assumed_by=self._github_principal(subject),
        )
        self.role.add_to_policy(_assume_bootstrap_roles(self, CDK_BOOTSTRAP_ROLES))
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteDeployArtefacts",
                actions=["s3:PutObject"],
                resources=[artefacts_bucket.arn_for_objects(f"{artefacts_prefix}*")],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="EncryptDeployArtefacts",
                actions=["kms:GenerateDataKey", "kms:Encrypt"],
                resources=[artefacts_key.key_arn],
            )
        )
        acknowledge(
            self.role.node.find_child("DefaultPolicy").node.default_child,
            "AwsSolutions-IAM5",
            "Deploy artefacts are keyed by run under one environment prefix; the role may "
            "write objects there and nowhere else.",
            bucket_objects(artefacts_bucket, f"{artefacts_prefix}*"),
        )
        self.plan_role: iam.Role | None = None
        if environment in PLAN_ENVIRONMENTS:
            self.plan_role = iam.Role(
                self,
                "PlanRole",
                role_name=access.ci_plan_role_name,
                description=f"Read-only pull-request previews of {access.github_repository}",
                max_session_duration=cdk.Duration.hours(1),
                assumed_by=self._github_principal(f"repo:{access.github_repository}:pull_request"),
            )
            self.plan_role.add_to_policy(_assume_bootstrap_roles(self, ("lookup",)))

    def _github_principal(self, subject: str) -> iam.IPrincipal:
        return iam.WebIdentityPrincipal(
            self.provider.oidc_provider_arn,
            conditions={
                "StringEquals": {
                    f"{GITHUB_OIDC_ISSUER}:aud": STS_AUDIENCE,
                    f"{GITHUB_OIDC_ISSUER}:sub": subject,
                },
            },
        )


def _assume_bootstrap_roles(scope: Construct, purposes: tuple[str, ...]) -> iam.PolicyStatement:
    stack = cdk.Stack.of(scope)
    qualifier = cdk.DefaultStackSynthesizer.DEFAULT_QUALIFIER
    return iam.PolicyStatement(
        sid="AssumeCdkBootstrapRoles",
        actions=["sts:AssumeRole"],
        resources=[
            stack.format_arn(
                service="iam",
                region="",
                resource="role",
                resource_name=f"cdk-{qualifier}-{purpose}-role-{stack.account}-{stack.region}",
            )
            for purpose in purposes
        ],
    )
