"""The S3 event notifications that tell Snowpipe (auto-ingest) about new raw objects."""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3_notifications
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.aws.nag import acknowledge


def add_snowpipe_notification(
    scope: Construct,
    *,
    raw_bucket: s3.Bucket,
    raw_bucket_name: str,
    queue_arn: str,
    prefixes: Sequence[str],
) -> None:
    """Send `ObjectCreated` events under each of `prefixes` to the pipes' SQS queue, if it
    is known yet. The events pipe and the catalog pipe share that queue (an account's
    auto-ingest pipes have one notification channel; each loads what its stage's path
    covers: https://docs.snowflake.com/en/user-guide/data-load-snowpipe-auto-s3), so one
    queue configuration per prefix; the prefixes do not overlap, as S3 requires of two
    configurations for the same event type.

    The queue belongs to Snowflake (the pipe's `notification_channel`, known after the first
    `pulumi up`), so its policy already admits S3 and there is nothing to grant here.

    The notification must not replace notifications someone else adds to the bucket. A
    `NotificationConfiguration` on the bucket resource is owned whole by CloudFormation, and
    CDK's `Custom::S3BucketNotifications` replaces the whole configuration of a bucket the
    stack owns (`Managed: true`) but merges with the existing ("external") notifications of
    an *imported* bucket (`Managed: false`; aws-cdk-lib's notifications-resource-handler,
    aws-cdk PRs #15158 and #29939, issue #30607). So the bucket is referred to by name here.
    """
    if not queue_arn:
        cdk.Annotations.of(raw_bucket).add_warning_v2(
            "podcast:SnowpipeNotificationPending",
            "No Snowpipe notification on the raw bucket: snowflake.handoff."
            "pipe_notification_channel is empty (run `pulumi up`, record the pipe's "
            "notification channel, or pass -c pipe_notification_channel=arn:aws:sqs:...). "
            "Until then Snowpipe does not auto-ingest.",
        )
        return
    by_name = s3.Bucket.from_bucket_name(scope, "RawBucketForSnowpipe", raw_bucket_name)
    queue = sqs.Queue.from_queue_arn(scope, "SnowpipeQueue", queue_arn)
    for prefix in prefixes:
        by_name.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3_notifications.SqsDestination(queue),
            s3.NotificationKeyFilter(prefix=prefix),
        )
    # The custom resource writes to the bucket: the bucket (and its policy) come first.
    by_name.node.find_child("Notifications").node.add_dependency(raw_bucket)
    handler = cdk.Stack.of(scope).node.find_child(NOTIFICATIONS_HANDLER)
    acknowledge(
        handler.node.find_child("Role"),
        "AwsSolutions-IAM4",
        "aws-cdk-lib's S3 notifications handler logs through AWSLambdaBasicExecutionRole; "
        "its only other grant is Get/PutBucketNotification on the raw bucket.",
        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    )


# The construct id aws-cdk-lib gives its (per-stack singleton) notifications handler.
NOTIFICATIONS_HANDLER = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"
