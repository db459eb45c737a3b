"""A failed task reaches the on-call: its report is published to the environment's alarm topic.

The same topic the CloudWatch alarms notify (settings.alerting.topic_arn). Run for real: the
DAG fails against moto's server, which has the topic (as the Alerting stack creates it in
AWS) with an SQS queue subscribed, and the report is read back from that queue.
"""

from __future__ import annotations

from podcast_analytics import dag_tasks as tasks
from podcast_analytics.config import load_settings
from podcast_analytics.local.context import local_aws
from tests.orchestration.conftest import environment, parse_dags


def test_a_failed_task_publishes_its_report_to_the_alarm_topic(airflow_db, tmp_path):
    settings = load_settings("local")
    with local_aws(settings, tmp_path / "out") as ctx:
        sqs, sns = ctx.client("sqs"), ctx.client("sns")
        queue_url = sqs.create_queue(QueueName="on-call-probe")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(
            TopicArn=settings.alerting.topic_arn,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
        )
        # The emulator is up but PODCAST_OUT_DIR is unset: the first task (read_catalog)
        # fails after its retries, and nothing downstream runs.
        with environment({tasks.OUT_DIR_VARIABLE: "", tasks.ENDPOINT_VARIABLE: ctx.endpoint_url}):
            dag = parse_dags({tasks.ENVIRONMENT_VARIABLE: "local"}).dags[settings.mwaa.dag_id]
            dag_run = dag.test()
        received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
    assert dag_run.state == "failed"
    reports = [message["Body"] for message in received.get("Messages", [])]
    # One report per failed task, after its last try (retries notify nobody).
    assert len(reports) == 1, reports
    assert reports[0].startswith(f"[local] {settings.mwaa.dag_id}.read_catalog failed (run ")
    assert "local mode needs PODCAST_OUT_DIR" in reports[0]


def test_publishing_locally_without_the_emulator_fails_with_one_clear_line():
    """The DAG's callback logs this and keeps the task's own error (test_failure_run.py)."""
    settings = load_settings("local")
    with environment({tasks.ENDPOINT_VARIABLE: ""}):
        try:
            tasks.publish_failure(settings, subject="probe", message="probe")
        except tasks.OrchestrationError as error:
            assert str(error).startswith(f"local mode needs {tasks.ENDPOINT_VARIABLE}")
        else:
            raise AssertionError("publishing locally without the emulator must fail clearly")
