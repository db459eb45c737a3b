"""Ingestion stack: Kinesis stream, Firehose to the raw prefix, processor Lambda, alarms."""

from __future__ import annotations

from typing import Any

from infra.aws.ingestion.delivery import PROCESSOR_RUNTIME, RECORD_PROCESSOR_DIR
from tests.infra.aws.synth import SynthesizedApp


def only(app: SynthesizedApp, resource_type: str) -> dict[str, Any]:
    (resource,) = app.resources("Ingestion", resource_type).values()
    return resource["Properties"]


def test_stream_is_on_demand_encrypted_and_keeps_records_as_configured(
    app: SynthesizedApp,
) -> None:
    stream = only(app, "AWS::Kinesis::Stream")
    assert stream["Name"] == app.settings.kinesis.stream_name
    assert stream["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert stream["RetentionPeriodHours"] == app.settings.kinesis.retention_hours
    assert stream["StreamEncryption"]["EncryptionType"] == "KMS"
    key_id = stream["StreamEncryption"]["KeyId"]["Fn::GetAtt"][0]
    key = app.template("Ingestion")["Resources"][key_id]
    assert key["Properties"]["EnableKeyRotation"] is True


def test_prod_keeps_stream_records_longer_than_dev(synthesized: dict[str, SynthesizedApp]) -> None:
    hours = {
        env: only(app, "AWS::Kinesis::Stream")["RetentionPeriodHours"]
        for env, app in synthesized.items()
    }
    assert hours["prod"] > hours["dev"]


def test_firehose_reads_the_stream_and_writes_gzip_ndjson_to_the_configured_prefixes(
    app: SynthesizedApp,
) -> None:
    firehose = only(app, "AWS::KinesisFirehose::DeliveryStream")
    assert firehose["DeliveryStreamName"] == app.settings.firehose.delivery_stream_name
    assert firehose["DeliveryStreamType"] == "KinesisStreamAsSource"
    (stream_id,) = app.resources("Ingestion", "AWS::Kinesis::Stream")
    source = firehose["KinesisStreamSourceConfiguration"]["KinesisStreamARN"]
    assert source == {"Fn::GetAtt": [stream_id, "Arn"]}
    s3 = firehose["ExtendedS3DestinationConfiguration"]
    prefixes = app.settings.storage.prefixes
    assert s3["BucketARN"].endswith(f":::{app.settings.storage.buckets.raw}")
    assert s3["Prefix"] == prefixes.firehose_raw_events == "raw_events/!{timestamp:yyyyMMdd}/"
    assert s3["ErrorOutputPrefix"] == prefixes.firehose_errors
    assert s3["ErrorOutputPrefix"].startswith("errors/!{firehose:error-output-type}/")
    assert s3["CompressionFormat"] == "GZIP"
    assert s3["BufferingHints"] == {
        "IntervalInSeconds": app.settings.firehose.buffer_interval_s,
        "SizeInMBs": app.settings.firehose.buffer_mib,
    }
    assert "KMSEncryptionConfig" in s3["EncryptionConfiguration"]


def test_firehose_runs_the_record_processor_lambda(app: SynthesizedApp) -> None:
    firehose = only(app, "AWS::KinesisFirehose::DeliveryStream")
    processing = firehose["ExtendedS3DestinationConfiguration"]["ProcessingConfiguration"]
    assert processing["Enabled"] is True
    (processor,) = processing["Processors"]
    assert processor["Type"] == "Lambda"
    lambda_arn = {p["ParameterName"]: p["ParameterValue"] for p in processor["Parameters"]}
    (function_id,) = app.resources("Ingestion", "AWS::Lambda::Function")
    assert lambda_arn["LambdaArn"] == {"Fn::GetAtt": [function_id, "Arn"]}

    function = only(app, "AWS::Lambda::Function")
    assert function["FunctionName"] == app.settings.firehose.processor_function_name
    assert function["Handler"] == "handler.handler"
    assert function["Runtime"] == PROCESSOR_RUNTIME.name
    assert (RECORD_PROCESSOR_DIR / "handler.py").is_file()


def test_processor_role_may_only_write_its_own_logs(app: SynthesizedApp) -> None:
    (function,) = app.resources("Ingestion", "AWS::Lambda::Function").values()
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    role = app.template("Ingestion")["Resources"][role_id]["Properties"]
    assert "ManagedPolicyArns" not in role
    (policy,) = (
        r
        for r in app.resources("Ingestion", "AWS::IAM::Policy").values()
        if {"Ref": role_id} in r["Properties"]["Roles"]
    )
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert set(statement["Action"]) == {"logs:CreateLogStream", "logs:PutLogEvents"}
    (log_group_id,) = (
        k
        for k, r in app.resources("Ingestion", "AWS::Logs::LogGroup").items()
        if r["Properties"].get("LogGroupName", "").startswith("/aws/lambda/")
    )
    assert statement["Resource"] == {"Fn::GetAtt": [log_group_id, "Arn"]}


def test_alarms_cover_delivery_failures_and_dead_lettered_records(app: SynthesizedApp) -> None:
    alarms = app.resources("Ingestion", "AWS::CloudWatch::Alarm").values()
    watched = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms}
    assert {
        ("AWS/Firehose", "DeliveryToS3.Success"),
        ("AWS/Firehose", "ExecuteProcessing.Success"),
        ("AWS/Firehose", "DeliveryToS3.DataFreshness"),
        ("PodcastAnalytics/Ingestion", "ProcessingFailedRecords"),
    } <= watched
    for alarm in alarms:
        dims = alarm["Properties"].get("Dimensions", [])
        if alarm["Properties"]["Namespace"] == "AWS/Firehose":
            assert dims == [
                {"Name": "DeliveryStreamName", "Value": app.settings.firehose.delivery_stream_name}
            ]
    metric_filter = only(app, "AWS::Logs::MetricFilter")
    # The handler logs recordId and reason once per failed record; the filter counts those.
    assert metric_filter["FilterPattern"] == '"recordId" "reason"'
    assert metric_filter["MetricTransformations"][0]["MetricValue"] == "1"
