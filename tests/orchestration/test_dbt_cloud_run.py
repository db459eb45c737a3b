"""The transform as a dbt Cloud job (`dbt.runner: dbt_cloud`): the real DAG file, parsed as dev
with that choice, and run for real (`dag.test()`) against the local dbt Cloud stand-in and
moto's S3. load and export are marked successful (they talk to Snowflake); transform
(DbtCloudRunJobOperator) and artefacts run for real.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import boto3
import pytest
import requests

from podcast_analytics import config as config_package
from podcast_analytics import dag_tasks as tasks
from podcast_analytics.cloud.artefacts import run_prefix
from podcast_analytics.config import Settings, load_settings
from tests.orchestration.conftest import environment, parse_dags
from tests.orchestration.dbt_cloud_standin import ERROR, SUCCESS, RunPlan, dbt_cloud_standin

ACCOUNT_ID, JOB_ID, TOKEN = 4242, 777, "stand-in-token-not-a-secret"
MANIFEST = json.dumps({"metadata": {"dbt_schema_version": "manifest/v12"}}).encode()
RESULTS_FAILED = json.dumps({"results": [{"unique_id": "model.p.fct_plays", "status": "error"}]})


def dbt_cloud_settings(env: str = "dev") -> Settings:
    return load_settings(
        env,
        overrides={
            "dbt": {
                "runner": "dbt_cloud",
                "cloud": {"account_id": ACCOUNT_ID, "job_id": JOB_ID, "check_interval_s": 1},
            }
        },
    )


@contextmanager
def dag_with(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """The DAG file exactly as MWAA parses it, reading this config instead of the YAML's."""
    monkeypatch.setattr(config_package, "load_settings", lambda environment: settings)
    bag = parse_dags({tasks.ENVIRONMENT_VARIABLE: settings.environment})
    assert bag.import_errors == {}, bag.import_errors
    yield bag.dags[settings.mwaa.dag_id]


def test_the_default_runner_is_cosmos_everywhere():
    assert {load_settings(env).dbt.runner for env in ("local", "dev", "prod")} == {"cosmos"}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_dbt_cloud_replaces_the_cosmos_group_with_one_job_task(env, monkeypatch):
    settings = dbt_cloud_settings(env)
    with dag_with(settings, monkeypatch) as dag:
        from airflow.providers.dbt.cloud.operators.dbt import DbtCloudRunJobOperator

        assert {t.task_id for t in dag.tasks} == {
            "read_catalog",
            "load",
            "transform",
            "export",
            "artefacts",
        }
        transform = dag.get_task("transform")
        assert isinstance(transform, DbtCloudRunJobOperator)
        cloud = settings.dbt.cloud
        assert (transform.dbt_cloud_conn_id, transform.account_id, transform.job_id) == (
            cloud.conn_id,
            cloud.account_id,
            cloud.job_id,
        )
        assert transform.wait_for_termination is True
        assert transform.deferrable is False
        assert transform.check_interval == cloud.check_interval_s
        # A retry reattaches to a run still going, else resumes a failed one ("rerun").
        assert transform.reuse_existing_run is True
        assert transform.retry_from_failure is True
        assert transform.timeout == settings.mwaa.task_timeout_minutes * 60
        assert dag.get_task("load").downstream_task_ids == {"transform"}
        assert transform.downstream_task_ids == {"export", "artefacts"}
        artefacts = dag.get_task("artefacts")
        # Copied whether dbt succeeded or failed: a failed run's results are the audit trail.
        assert artefacts.trigger_rule == "all_done"
        assert artefacts.upstream_task_ids == {"transform"}
        assert dag.get_task("export").downstream_task_ids == set()
        for task in dag.tasks:
            assert task.retries == settings.mwaa.task_retries, task.task_id
            assert task.execution_timeout == timedelta(minutes=settings.mwaa.task_timeout_minutes)
            assert task.on_failure_callback, task.task_id


@pytest.fixture()
def artefacts_bucket():
    """moto's S3 server; boto3 in the task reaches it through AWS_ENDPOINT_URL."""
    from moto.server import ThreadedMotoServer

    settings = dbt_cloud_settings()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
    aws = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": settings.aws.region,
    }
    try:
        with environment(aws):
            s3 = boto3.client("s3", region_name=settings.aws.region)
            bucket = settings.storage.buckets.artefacts
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration=_location(settings))
            yield s3, bucket
    finally:
        server.stop()


def _location(settings: Settings) -> dict[str, str]:
    return {"LocationConstraint": settings.aws.region}


def run_dag(tmp_path, monkeypatch, plans: list[RunPlan]):
    settings = dbt_cloud_settings()
    with dbt_cloud_standin(
        tmp_path, token=TOKEN, account_id=ACCOUNT_ID, job_id=JOB_ID, plans=plans
    ) as standin:
        connection = {"conn_type": "dbt_cloud", "host": standin.host, "password": TOKEN}
        secrets = {
            f"AIRFLOW_CONN_{settings.dbt.cloud.conn_id.upper()}": json.dumps(connection),
            "REQUESTS_CA_BUNDLE": str(standin.ca_bundle),
        }
        with environment(secrets), dag_with(settings, monkeypatch) as dag:
            dag_run = dag.test(mark_success_pattern="read_catalog|load|export")
    return settings, standin, dag_run


def stored(s3, bucket: str) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


def test_a_successful_job_run_then_its_artefacts_in_the_bucket(
    tmp_path, monkeypatch, airflow_db, artefacts_bucket
):
    s3, bucket = artefacts_bucket
    plan = RunPlan(
        final_status=SUCCESS,
        artefacts={"manifest.json": MANIFEST, "run_results.json": b'{"results": []}'},
        steps=[("Invoke dbt with `dbt build`", "Completed successfully\n")],
        transient_errors=1,  # one 503 while polling fails the first try
    )
    _, standin, dag_run = run_dag(tmp_path, monkeypatch, [plan])
    states = {ti.task_id: ti.state for ti in dag_run.get_task_instances()}
    assert states == dict.fromkeys(
        ("read_catalog", "load", "transform", "export", "artefacts"), "success"
    )
    assert dag_run.state == "success"
    # The retry reattached to the run still going: one dbt Cloud run, not two.
    (run,) = standin.runs.values()
    assert run.endpoint == "run"
    assert run.errors_sent == 1
    transform = next(ti for ti in dag_run.get_task_instances() if ti.task_id == "transform")
    assert transform.try_number == 2
    assert dag_run.run_id in run.cause  # the dbt Cloud run says which Airflow run asked
    prefix = run_prefix(dag_run.run_id)
    objects = stored(s3, bucket)
    assert set(objects) == {
        f"{prefix}manifest.json",
        f"{prefix}run_results.json",
        f"{prefix}dbt.log",
    }
    assert objects[f"{prefix}manifest.json"] == MANIFEST


def test_a_failed_job_run_fails_the_task_and_still_keeps_its_artefacts(
    tmp_path, monkeypatch, airflow_db, artefacts_bucket, caplog
):
    s3, bucket = artefacts_bucket
    failed = RunPlan(
        final_status=ERROR,
        artefacts={"run_results.json": RESULTS_FAILED.encode()},
        steps=[("Invoke dbt with `dbt build`", "Database Error in model fct_plays\n")],
        status_message="Database Error in model fct_plays",
    )
    with caplog.at_level(logging.ERROR):
        settings, standin, dag_run = run_dag(tmp_path, monkeypatch, [failed])
    tis = {ti.task_id: ti for ti in dag_run.get_task_instances()}
    assert dag_run.state == "failed"
    assert tis["transform"].state == "failed"
    assert tis["transform"].try_number == settings.mwaa.task_retries + 1
    assert tis["export"].state == "upstream_failed"
    assert tis["artefacts"].state == "success"
    # The first try triggers the job, every retry resumes it from the failed node.
    endpoints = [run.endpoint for run in sorted(standin.runs.values(), key=lambda r: r.id)]
    assert endpoints == ["run"] + ["rerun"] * settings.mwaa.task_retries
    last_run = max(standin.runs)
    prefix = run_prefix(dag_run.run_id)
    objects = stored(s3, bucket)
    assert set(objects) == {f"{prefix}run_results.json", f"{prefix}dbt.log"}
    assert json.loads(objects[f"{prefix}run_results.json"])["results"][0]["status"] == "error"
    assert "Database Error in model fct_plays" in objects[f"{prefix}dbt.log"].decode()
    reports = [
        r.getMessage()
        for r in caplog.records
        if f"{settings.mwaa.dag_id}.transform failed" in r.getMessage()
    ]
    assert reports, "the failure callback did not report"
    assert f"Job run {last_run} reached terminal status ERROR" in reports[-1]
    assert f"s3://{bucket}/{prefix}" in reports[-1]
    assert "dbt Cloud" in reports[-1]


def test_no_dbt_cloud_run_means_nothing_to_copy(
    tmp_path, monkeypatch, airflow_db, artefacts_bucket
):
    s3, bucket = artefacts_bucket
    settings = dbt_cloud_settings()
    # The token the stand-in expects is not the connection's: the trigger itself is refused.
    with dbt_cloud_standin(
        tmp_path, token="another-token", account_id=ACCOUNT_ID, job_id=JOB_ID, plans=[RunPlan()]
    ) as standin:
        connection = {"conn_type": "dbt_cloud", "host": standin.host, "password": TOKEN}
        secrets = {
            f"AIRFLOW_CONN_{settings.dbt.cloud.conn_id.upper()}": json.dumps(connection),
            "REQUESTS_CA_BUNDLE": str(standin.ca_bundle),
        }
        with environment(secrets), dag_with(settings, monkeypatch) as dag:
            dag_run = dag.test(mark_success_pattern="read_catalog|load|export")
    states = {ti.task_id: ti.state for ti in dag_run.get_task_instances()}
    assert states["transform"] == "failed"
    assert states["artefacts"] == "skipped"
    assert dag_run.state == "failed"
    assert standin.runs == {}
    assert stored(s3, bucket) == {}
