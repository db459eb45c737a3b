"""Snowpipe load errors to the environment's alarm topic: an outbound AWS SNS integration.

The pipe names this integration as its ERROR_INTEGRATION, and Snowflake then publishes a
message per file it fails to load to the SNS topic that the CDK side creates for every alarm
of the environment (https://docs.snowflake.com/user-guide/data-load-snowpipe-errors-sns.html,
https://docs.snowflake.com/sql-reference/sql/create-notification-integration-queue-outbound-aws).
Snowflake assumes `alerting.snowflake_publisher_role_arn` to publish; that role's trust needs
this integration's IAM user and external id, exported as stack outputs for the CDK side.
Both ARNs come from the shared config, so neither tool waits for the other to name them.
"""

from __future__ import annotations

import pulumi
import pulumi_snowflake as snowflake

from podcast_analytics.config import Settings


class LoadErrorNotifications(pulumi.ComponentResource):
    """The notification integration the pipe reports load errors through."""

    def __init__(
        self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("podcast-analytics:snowflake:LoadErrorNotifications", name, None, opts)
        self.integration = snowflake.NotificationIntegration(
            "pipe-errors",
            name=settings.snowflake.notification_integration,
            notification_provider="AWS_SNS",
            enabled=True,
            aws_sns_topic_arn=settings.alerting.topic_arn,
            aws_sns_role_arn=settings.alerting.snowflake_publisher_role_arn,
            comment="Snowpipe load errors of the raw-events pipe -> the environment's alarm topic",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.iam_user_arn = self.integration.aws_sns_iam_user_arn
        self.external_id = self.integration.aws_sns_external_id
        self.register_outputs(
            {
                "notification_iam_user_arn": self.iam_user_arn,
                "notification_external_id": self.external_id,
            }
        )
