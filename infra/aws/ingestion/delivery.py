"""Kinesis -> Firehose (with the record-validation Lambda) -> raw bucket, plus its alarms.

The Lambda is built from `podcast_analytics/record_processor/` (stdlib only): the same
`process_record` the local pipeline imports, so a laptop run exercises the code Firehose runs.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

import podcast_analytics.record_processor
from infra.aws.nag import acknowledge, bucket_objects
from infra.aws.policies import removal_policy
from podcast_analytics.config import FirehoseConfig, KinesisConfig, StorageConfig

RECORD_PROCESSOR_DIR = Path(podcast_analytics.record_processor.__file__).parent
# Python bytecode differs run to run; keeping it out keeps the asset hash (and snapshots) stable.
NOT_DEPLOYED = ["__pycache__", "*.pyc"]
PROCESSOR_RUNTIME = lambda_.Runtime.PYTHON_3_14
# Firehose invokes the processor with up to 3 MiB of records; JSON parsing of that is quick.
PROCESSOR_TIMEOUT = cdk.Duration.minutes(1)
PROCESSOR_MEMORY_MIB = 256


class EventIngestion(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        kinesis_config: KinesisConfig,
        firehose_config: FirehoseConfig,
        storage: StorageConfig,
        raw_bucket: s3.IBucket,
        raw_key: kms.IKey,
        log_retention: logs.RetentionDays,
    ) -> None:
        super().__init__(scope, construct_id)
        # Keys and logs go (or stay) with the environment's data.
        policy = removal_policy(storage)
        stream_key = kms.Key(
            self,
            "StreamKey",
            description="Encrypts listening events in the Kinesis stream",
            enable_key_rotation=True,
            removal_policy=policy,
        )
        self.stream = kinesis.Stream(
            self,
            "Events",
            stream_name=kinesis_config.stream_name,
            stream_mode=kinesis.StreamMode.ON_DEMAND,
            retention_period=cdk.Duration.hours(kinesis_config.retention_hours),
            encryption=kinesis.StreamEncryption.KMS,
            encryption_key=stream_key,
        )

        self.processor = self._record_processor(firehose_config, log_retention, policy)
        delivery_logs = logs.LogGroup(
            self, "DeliveryLogs", retention=log_retention, removal_policy=policy
        )

        self.delivery_stream = firehose.DeliveryStream(
            self,
            "RawDelivery",
            delivery_stream_name=firehose_config.delivery_stream_name,
            source=firehose.KinesisStreamSource(self.stream),
            destination=firehose.S3Bucket(
                raw_bucket,
                data_output_prefix=storage.prefixes.firehose_raw_events,
                error_output_prefix=storage.prefixes.firehose_errors,
                compression=firehose.Compression.GZIP,
                buffering_interval=cdk.Duration.seconds(firehose_config.buffer_interval_s),
                buffering_size=cdk.Size.mebibytes(firehose_config.buffer_mib),
                encryption_key=raw_key,
                processors=[firehose.LambdaFunctionProcessor(self.processor)],
                logging_config=firehose.EnableLogging(delivery_logs),
            ),
        )
        acknowledge(
            self.delivery_stream,
            "AwsSolutions-KDF1",
            "The source is a KMS-encrypted Kinesis stream; Firehose rejects delivery-stream "
            "SSE with a Kinesis source, and S3 output is encrypted with the raw bucket's key.",
        )
        acknowledge(
            self.delivery_stream,
            "AwsSolutions-IAM5",
            "The Firehose L2 grants its S3 role read/write on the raw bucket (versioned, so "
            "nothing it could delete is lost), the key's GenerateDataKey*/ReEncrypt* for that "
            "bucket, and invoke on the processor's versions.",
            "Action::s3:Abort*",
            "Action::s3:DeleteObject*",
            "Action::s3:GetBucket*",
            "Action::s3:GetObject*",
            "Action::s3:List*",
            "Action::kms:GenerateDataKey*",
            "Action::kms:ReEncrypt*",
            bucket_objects(raw_bucket),
            f"Resource::<{_logical_id(self.processor)}.Arn>:*",
        )
        acknowledge(
            self.stream,
            "AwsSolutions-KDS3",
            "A customer-managed key with rotation instead of aws/kinesis: its key policy is "
            "ours to narrow, and it is deleted or retained with the environment's data.",
        )
        self._alarms(firehose_config)

    def _record_processor(
        self,
        firehose_config: FirehoseConfig,
        log_retention: logs.RetentionDays,
        logs_policy: cdk.RemovalPolicy,
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            self,
            "ProcessorLogs",
            log_group_name=f"/aws/lambda/{firehose_config.processor_function_name}",
            retention=log_retention,
            removal_policy=logs_policy,
        )
        # An explicit role instead of the AWSLambdaBasicExecutionRole managed policy: the
        # function may write to its own log group and nothing else.
        role = iam.Role(
            self,
            "ProcessorRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Firehose record processor: writes its own logs only",
        )
        log_group.grant_write(role)
        function = lambda_.Function(
            self,
            "RecordProcessor",
            function_name=firehose_config.processor_function_name,
            description="Passes JSON objects through as NDJSON lines; fails anything else",
            runtime=PROCESSOR_RUNTIME,
            architecture=lambda_.Architecture.ARM_64,
            handler="handler.handler",
            code=lambda_.Code.from_asset(str(RECORD_PROCESSOR_DIR), exclude=NOT_DEPLOYED),
            timeout=PROCESSOR_TIMEOUT,
            memory_size=PROCESSOR_MEMORY_MIB,
            role=role,
            log_group=log_group,
        )
        self.failed_records = logs.MetricFilter(
            self,
            "FailedRecords",
            log_group=log_group,
            # The handler logs one `{"recordId": ..., "reason": ...}` line per failed record.
            filter_pattern=logs.FilterPattern.all_terms("recordId", "reason"),
            metric_namespace="PodcastAnalytics/Ingestion",
            metric_name="ProcessingFailedRecords",
            metric_value="1",
            default_value=0,
        )
        return function

    def _alarms(self, firehose_config: FirehoseConfig) -> None:
        stream_name = firehose_config.delivery_stream_name
        window = cdk.Duration.minutes(5)

        def firehose_metric(name: str, statistic: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/Firehose",
                metric_name=name,
                dimensions_map={"DeliveryStreamName": stream_name},
                statistic=statistic,
                period=window,
            )

        cloudwatch.Alarm(
            self,
            "DeliveryToS3Failing",
            alarm_description=f"{stream_name}: deliveries to the raw bucket are failing",
            metric=firehose_metric("DeliveryToS3.Success", "Minimum"),
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            threshold=1,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        cloudwatch.Alarm(
            self,
            "ProcessorInvocationsFailing",
            alarm_description=f"{stream_name}: the record-processor Lambda invocation fails",
            metric=firehose_metric("ExecuteProcessing.Success", "Minimum"),
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            threshold=1,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        # Data older than three buffer intervals means Firehose is falling behind.
        freshness_s = max(3 * firehose_config.buffer_interval_s, 300)
        cloudwatch.Alarm(
            self,
            "DeliveryFallingBehind",
            alarm_description=f"{stream_name}: oldest undelivered record > {freshness_s} s",
            metric=firehose_metric("DeliveryToS3.DataFreshness", "Maximum"),
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            threshold=freshness_s,
            evaluation_periods=3,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        cloudwatch.Alarm(
            self,
            "RecordsDeadLettered",
            alarm_description=f"{stream_name}: records failed validation and went to the "
            "error prefix (dead letters)",
            metric=self.failed_records.metric(statistic="Sum", period=window),
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            threshold=1,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )


def _logical_id(construct: Construct) -> str:
    child = construct.node.default_child
    if not isinstance(child, cdk.CfnElement):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource")
    return cdk.Stack.of(child).get_logical_id(child)
