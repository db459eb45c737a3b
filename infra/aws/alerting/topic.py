"""The environment's alarm topic: every CloudWatch alarm and every DAG failure lands here.

KMS-encrypted with its own key. CloudWatch alarms can publish to an encrypted topic only if
the key policy lets `cloudwatch.amazonaws.com` use the key ("Enable compatibility between
event sources from AWS services and encrypted topics",
https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services);
other publishers (the MWAA execution role, Snowflake's notification role) get
`kms:GenerateDataKey*` / `kms:Decrypt` through their own IAM policies. Subscriptions come
from the config (`alerting.email_subscriptions`, `alerting.https_subscriptions`); an email
subscription stays pending until its recipient confirms it.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from podcast_analytics.config import AlertingConfig


class AlarmTopic(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alerting: AlertingConfig,
        removal_policy: cdk.RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the alarm topic {alerting.topic_name}",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
            )
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=alerting.topic_name,
            display_name=alerting.topic_name,
            master_key=self.key,
            enforce_ssl=True,
        )
        # The topic policy replaces SNS's default one, so CloudWatch's alarms in this account
        # and region are let in explicitly (IAM roles of the account publish through their own
        # policies).
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsOfThisAccount",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": stack.account},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{stack.partition}:cloudwatch:{stack.region}:"
                        f"{stack.account}:alarm:*"
                    },
                },
            )
        )
        for address in alerting.email_subscriptions:
            self.topic.add_subscription(subscriptions.EmailSubscription(address))
        for url in alerting.https_subscriptions:
            self.topic.add_subscription(
                subscriptions.UrlSubscription(url, protocol=sns.SubscriptionProtocol.HTTPS)
            )
