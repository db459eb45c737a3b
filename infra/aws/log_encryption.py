"""CloudWatch Logs groups encrypted with a customer-managed key, one key per stack.

CloudWatch Logs encrypts a group with a KMS key only if the key policy lets the regional
Logs service use it, scoped by the `aws:logs:arn` encryption context
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
The key goes (or stays) with the logs: same removal policy.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import Construct


class EncryptedLogs(Construct):
    """A logs key and a factory for log groups encrypted with it."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        retention: logs.RetentionDays,
        removal_policy: cdk.RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self._retention = retention
        self._removal_policy = removal_policy
        stack = cdk.Stack.of(self)
        self.key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the CloudWatch Logs groups of {stack.stack_name}",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsOfThisAccountAndRegion",
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ],
                resources=["*"],
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:*"
                        )
                    }
                },
            )
        )

    def log_group(
        self, scope: Construct, construct_id: str, *, log_group_name: str | None = None
    ) -> logs.LogGroup:
        return logs.LogGroup(
            scope,
            construct_id,
            log_group_name=log_group_name,
            retention=self._retention,
            removal_policy=self._removal_policy,
            encryption_key=self.key,
        )
