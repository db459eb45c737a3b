"""The S3 event notification that tells Snowpipe (auto-ingest) about new raw objects."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3


def add_snowpipe_notification(raw_bucket: s3.Bucket, *, queue_arn: str, prefix: str) -> None:
    """Send `ObjectCreated` events under `prefix` to the pipe's SQS queue, if it is known yet.

    The queue belongs to Snowflake (the pipe's `notification_channel`, known after the first
    `pulumi up`), so its policy already admits S3 and there is nothing to grant here. Native
    `NotificationConfiguration` is used rather than the L2 `add_event_notification`, which
    would deploy a custom-resource Lambda just to call `PutBucketNotificationConfiguration`.
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
    cfn_bucket = raw_bucket.node.default_child
    if not isinstance(cfn_bucket, s3.CfnBucket):
        raise TypeError(f"expected the raw bucket's CfnBucket, got {cfn_bucket!r}")
    cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
        queue_configurations=[
            s3.CfnBucket.QueueConfigurationProperty(
                event="s3:ObjectCreated:*",
                queue=queue_arn,
                filter=s3.CfnBucket.NotificationFilterProperty(
                    s3_key=s3.CfnBucket.S3KeyFilterProperty(
                        rules=[s3.CfnBucket.FilterRuleProperty(name="prefix", value=prefix)]
                    )
                ),
            )
        ]
    )
