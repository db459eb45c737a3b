"""Kinesis -> Firehose (with the record-validation Lambda) -> raw bucket, plus its alarms.

The Lambda is built from `podcast_analytics/record_processor/` (stdlib only): the same
`process_record` the local pipeline imports, so a laptop run exercises the code Firehose runs.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kinesisfirehose as firehose
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

import podcast_analytics.record_processor
from infra.aws.log_encryption import EncryptedLogs
from infra.aws.nag import acknowledge, bucket_objects, checkov_skip
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
        logs: EncryptedLogs,
        alarm_topic: sns.ITopic,
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
            # Stateless stack, fixed name: in dev it must go with the stack so a re-create
            # can take the name again; prod keeps it (and its buffered records).
            removal_policy=policy,
        )

        self.processor = self._record_processor(firehose_config, logs)
        delivery_logs = logs.log_group(self, "DeliveryLogs")

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
        self._alarms(firehose_config, alarm_topic)

    def _record_processor(
        self,
        firehose_config: FirehoseConfig,
        encrypted_logs: EncryptedLogs,
    ) -> lambda_.Function:
        log_group = encrypted_logs.log_group(
            self,
            "ProcessorLogs",
            log_group_name=f"/aws/lambda/{firehose_config.processor_function_name}",
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
            reserved_concurrent_executions=(firehose_config.processor_reserved_concurrency or None),
        )
        _acknowledge_processor_checks(function, firehose_config)
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

    def _alarms(self, firehose_config: FirehoseConfig, alarm_topic: sns.ITopic) -> None:
        """Each alarm notifies the environment's alarm topic when it fires and when it clears."""
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

        alarms = []
        alarms.append(
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
        )
        alarms.append(
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
        )
        # Data older than three buffer intervals means Firehose is falling behind.
        freshness_s = max(3 * firehose_config.buffer_interval_s, 300)
        alarms.append(
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
        )
        alarms.append(
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
        )
        for alarm in alarms:
            alarm.add_alarm_action(cloudwatch_actions.SnsAction(alarm_topic))
            alarm.add_ok_action(cloudwatch_actions.SnsAction(alarm_topic))


def _acknowledge_processor_checks(function: lambda_.Function, firehose: FirehoseConfig) -> None:
    checkov_skip(
        function,
        "CKV_AWS_116",
        "Firehose invokes the processor synchronously and sends records that fail to the "
        "error prefix (dead letters); a Lambda DLQ only applies to asynchronous invocations.",
    )
    checkov_skip(
        function,
        "CKV_AWS_117",
        "The processor only transforms the records Firehose hands it and calls no VPC "
        "resource; a VPC would add ENIs and NAT without isolating anything.",
    )
    if not firehose.processor_reserved_concurrency:
        checkov_skip(
            function,
            "CKV_AWS_115",
            "No reservation in this environment (firehose.processor_reserved_concurrency 0): "
            "Lambda keeps 100 of the account's concurrency unreserved and new accounts can "
            "start at a quota of 10, so any reservation would fail a first deploy there.",
        )


def _logical_id(construct: Construct) -> str:
    child = construct.node.default_child
    if not isinstance(child, cdk.CfnElement):
        raise TypeError(f"{construct.node.path} has no CloudFormation resource")
    return cdk.Stack.of(child).get_logical_id(child)
