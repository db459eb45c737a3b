"""Create, on the local emulator, the AWS resources the CDK stacks create in the cloud.

Names come from the shared config; the shapes follow the stacks: an on-demand stream, the
raw / exports / artefacts buckets, the alarm topic, and the raw bucket's object-created
notifications, filtered on the raw events and the catalog prefixes, to the one queue that
stands in for Snowpipe's channel (both pipes listen on it, as in Snowflake).
"""

from __future__ import annotations

import json
from typing import Any

from podcast_analytics.config import Settings


def create_local_resources(settings: Settings, client: Any) -> None:
    """`client(service)` returns a boto3 client for the emulator."""
    kinesis, s3, sqs = client("kinesis"), client("s3"), client("sqs")
    # The alarm topic (the Alerting stack's): failed DAG tasks publish their reports to it.
    client("sns").create_topic(Name=settings.alerting.topic_name)
    stream = settings.kinesis.stream_name
    kinesis.create_stream(StreamName=stream, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    kinesis.get_waiter("stream_exists").wait(
        StreamName=stream, WaiterConfig={"Delay": 0.1, "MaxAttempts": 50}
    )
    buckets = settings.storage.buckets
    for bucket in (buckets.raw, buckets.exports, buckets.artefacts):
        if settings.aws.region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(
                Bucket=bucket,
                CreateBucketConfiguration={"LocationConstraint": settings.aws.region},
            )
    queue_url = sqs.create_queue(QueueName=settings.local.notification_queue)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sqs.set_queue_attributes(
        QueueUrl=queue_url,
        Attributes={"Policy": json.dumps(_queue_policy(queue_arn, buckets.raw))},
    )
    s3.put_bucket_notification_configuration(
        Bucket=buckets.raw,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": f"{name}-to-loader",
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}},
                }
                for name, prefix in (
                    ("raw-events", settings.storage.prefixes.raw_events),
                    ("catalog", settings.storage.prefixes.catalog),
                )
            ]
        },
    )


def _queue_policy(queue_arn: str, bucket: str) -> dict[str, Any]:
    # What AWS requires for S3 to publish to the queue (moto does not enforce it).
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
            }
        ],
    }
