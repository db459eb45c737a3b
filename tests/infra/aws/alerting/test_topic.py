"""Alarms reach someone: one KMS-encrypted topic per environment, notified by every alarm."""

from __future__ import annotations

from typing import Any

from tests.infra.aws.conftest import ALARM_EMAIL, ALARM_WEBHOOK
from tests.infra.aws.policies import as_list, role_statements
from tests.infra.aws.synth import SynthesizedApp

STACK = "Alerting"


def topic(app: SynthesizedApp) -> dict[str, Any]:
    (found,) = app.resources(STACK, "AWS::SNS::Topic").values()
    return found["Properties"]


def test_the_topic_has_the_configured_name_and_its_own_rotating_key(app: SynthesizedApp) -> None:
    props = topic(app)
    assert props["TopicName"] == app.settings.alerting.topic_name
    assert app.settings.alerting.topic_arn.endswith(f":{props['TopicName']}")
    key_id = props["KmsMasterKeyId"]["Fn::GetAtt"][0]
    key = app.resources(STACK, "AWS::KMS::Key")[key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    # CloudWatch can publish to an encrypted topic only if the key lets it.
    (cloudwatch,) = (
        s for s in key["KeyPolicy"]["Statement"] if s.get("Sid") == "CloudWatchAlarmsPublish"
    )
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert set(as_list(cloudwatch["Action"])) == {"kms:Decrypt", "kms:GenerateDataKey*"}


def test_the_topic_policy_admits_this_accounts_alarms_and_tls_only(app: SynthesizedApp) -> None:
    (policy,) = app.resources(STACK, "AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (alarms,) = (s for s in statements if s["Effect"] == "Allow")
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert alarms["Condition"]["StringEquals"] == {"aws:SourceAccount": app.settings.aws.account}
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    )


def test_no_subscriber_unless_the_config_names_one(app: SynthesizedApp) -> None:
    assert app.settings.alerting.email_subscriptions == ()
    assert app.resources(STACK, "AWS::SNS::Subscription") == {}


def test_subscriptions_come_from_the_config(configured: SynthesizedApp) -> None:
    subscriptions = {
        (s["Properties"]["Protocol"], s["Properties"]["Endpoint"])
        for s in configured.resources(STACK, "AWS::SNS::Subscription").values()
    }
    assert subscriptions == {("email", ALARM_EMAIL), ("https", ALARM_WEBHOOK)}


def test_every_alarm_of_every_stack_notifies_the_topic(app: SynthesizedApp) -> None:
    arn = app.settings.alerting.topic_arn
    alarms = {
        (stack_id, logical_id): alarm["Properties"]
        for stack_id in app.templates
        for logical_id, alarm in app.resources(stack_id, "AWS::CloudWatch::Alarm").items()
    }
    assert alarms, "no alarms at all"
    for where, props in alarms.items():
        assert props.get("AlarmActions") == [arn], where
        assert props.get("OKActions") == [arn], where


def test_mwaa_may_publish_failure_reports_to_the_topic(app: SynthesizedApp) -> None:
    roles = app.resources("Orchestration", "AWS::IAM::Role")
    (role_id,) = (
        logical_id
        for logical_id, role in roles.items()
        if "MWAA execution role" in role["Properties"].get("Description", "")
    )
    statements = {s.get("Sid"): s for s in role_statements(app.template("Orchestration"), role_id)}
    assert statements["PublishFailureReports"]["Resource"] == app.settings.alerting.topic_arn
    assert set(as_list(statements["EncryptFailureReports"]["Action"])) == {
        "kms:GenerateDataKey",
        "kms:Decrypt",
    }
