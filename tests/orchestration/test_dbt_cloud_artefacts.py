"""A dbt Cloud run's artefacts reach the artefacts bucket under the keys every transform uses.

Through the provider's real DbtCloudHook (TLS, token auth, its URL building) against the
local dbt Cloud stand-in, and boto3 against moto's S3 server.
"""

from __future__ import annotations

import json

import boto3
import pytest
import requests

from podcast_analytics.cloud.artefacts import DBT_ARTEFACTS, run_prefix
from podcast_analytics.cloud.dbt_cloud import copy_run_artefacts
from tests.orchestration.conftest import environment
from tests.orchestration.dbt_cloud_standin import ERROR, SUCCESS, RunPlan, dbt_cloud_standin

ACCOUNT_ID, JOB_ID, TOKEN = 4242, 777, "test-token-not-a-secret"
BUCKET = "standin-artefacts"
CONN_ID = "dbt_cloud_standin"
MANIFEST = json.dumps({"metadata": {"dbt_schema_version": "manifest/v12"}, "nodes": {}}).encode()
RESULTS_OK = json.dumps({"results": [{"unique_id": "model.p.m", "status": "success"}]}).encode()
RESULTS_FAILED = json.dumps({"results": [{"unique_id": "model.p.m", "status": "error"}]}).encode()
LONG_LOG = "".join(f"line {n}\n" for n in range(1, 1201))  # longer than the 1,000-line cut


@pytest.fixture()
def s3():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    # moto keeps its state per process, not per server: start each test from nothing.
    requests.post(f"http://{host}:{port}/moto-api/reset", timeout=10).raise_for_status()
    try:
        client = boto3.client(
            "s3",
            region_name="us-east-1",
            endpoint_url=f"http://{host}:{port}",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.create_bucket(Bucket=BUCKET)
        yield client
    finally:
        server.stop()


def hook_for(standin):
    from airflow.providers.dbt.cloud.hooks.dbt import DbtCloudHook

    connection = {
        "conn_type": "dbt_cloud",
        "host": standin.host,
        "login": str(ACCOUNT_ID),
        "password": TOKEN,
    }
    return environment(
        {
            f"AIRFLOW_CONN_{CONN_ID.upper()}": json.dumps(connection),
            "REQUESTS_CA_BUNDLE": str(standin.ca_bundle),
        }
    ), DbtCloudHook(CONN_ID)


def objects(s3) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


def trigger_and_finish(hook) -> int:
    run_id = hook.trigger_job_run(job_id=JOB_ID, cause="test", account_id=ACCOUNT_ID).json()[
        "data"
    ]["id"]
    while hook.get_job_run_status(run_id=run_id, account_id=ACCOUNT_ID) < SUCCESS:
        pass
    return run_id


def test_a_successful_run_lands_under_the_same_keys_as_local_and_cosmos(tmp_path, s3):
    plan = RunPlan(
        final_status=SUCCESS,
        artefacts={
            "manifest.json": MANIFEST,
            "run_results.json": RESULTS_OK,
            "catalog.json": b"{}",  # listed by the run, not one of the audited files
        },
        steps=[("Invoke dbt with `dbt build`", LONG_LOG)],
    )
    with dbt_cloud_standin(
        tmp_path, token=TOKEN, account_id=ACCOUNT_ID, job_id=JOB_ID, plans=[plan]
    ) as standin:
        env, hook = hook_for(standin)
        with env:
            run_id = trigger_and_finish(hook)
            prefix = run_prefix("scheduled__2026-12-01T21:00:00+00:00")
            result = copy_run_artefacts(
                hook, s3, BUCKET, run_id=run_id, account_id=ACCOUNT_ID, prefix=prefix
            )
    stored = objects(s3)
    # The file names the local and cosmos paths use (DBT_ARTEFACTS), under runs/<run>/.
    expected = {f"{prefix}{path.rsplit('/', 1)[1]}" for path in DBT_ARTEFACTS}
    assert set(stored) == expected == set(result["keys"])
    assert stored[f"{prefix}manifest.json"] == MANIFEST
    assert stored[f"{prefix}run_results.json"] == RESULTS_OK
    log = stored[f"{prefix}dbt.log"].decode()
    # The whole debug log, not the API's default last 1,000 lines.
    assert "line 1\n" in log and "line 1200" in log
    assert log.startswith("=== step 1: Invoke dbt with `dbt build` (Success) ===")
    assert result["missing"] == []
    assert result["dbt_cloud_status"] == "Success"


def test_a_failed_run_keeps_what_it_produced_and_says_what_it_lacks(tmp_path, s3):
    plan = RunPlan(
        final_status=ERROR,
        artefacts={"run_results.json": RESULTS_FAILED},  # no manifest: dbt stopped early
        steps=[("Clone git repository", "cloned\n"), ("Invoke dbt with `dbt build`", "boom\n")],
        status_message="Database Error in model m",
    )
    with dbt_cloud_standin(
        tmp_path, token=TOKEN, account_id=ACCOUNT_ID, job_id=JOB_ID, plans=[plan]
    ) as standin:
        env, hook = hook_for(standin)
        with env:
            run_id = trigger_and_finish(hook)
            result = copy_run_artefacts(
                hook, s3, BUCKET, run_id=run_id, account_id=ACCOUNT_ID, prefix="runs/r1/"
            )
    stored = objects(s3)
    assert set(stored) == {"runs/r1/run_results.json", "runs/r1/dbt.log"}
    assert stored["runs/r1/run_results.json"] == RESULTS_FAILED
    log = stored["runs/r1/dbt.log"].decode()
    assert log.index("step 1: Clone git repository") < log.index("step 2: Invoke dbt")
    assert result["missing"] == ["manifest.json"]
    assert result["dbt_cloud_status"] == "Error"


def test_a_run_with_no_artefacts_at_all_copies_only_the_log(tmp_path, s3):
    plan = RunPlan(final_status=ERROR, artefacts={}, steps=[("Clone git repository", "denied\n")])
    with dbt_cloud_standin(
        tmp_path, token=TOKEN, account_id=ACCOUNT_ID, job_id=JOB_ID, plans=[plan]
    ) as standin:
        env, hook = hook_for(standin)
        with env:
            run_id = trigger_and_finish(hook)
            result = copy_run_artefacts(
                hook, s3, BUCKET, run_id=run_id, account_id=ACCOUNT_ID, prefix="runs/r2/"
            )
    assert set(objects(s3)) == {"runs/r2/dbt.log"}
    assert result["missing"] == ["manifest.json", "run_results.json"]


def test_the_stand_in_rejects_a_wrong_token(tmp_path):
    from airflow.providers.dbt.cloud.hooks.dbt import DbtCloudHook

    with dbt_cloud_standin(
        tmp_path, token=TOKEN, account_id=ACCOUNT_ID, job_id=JOB_ID, plans=[RunPlan()]
    ) as standin:
        connection = {"conn_type": "dbt_cloud", "host": standin.host, "password": "wrong"}
        with (
            environment(
                {
                    f"AIRFLOW_CONN_{CONN_ID.upper()}": json.dumps(connection),
                    "REQUESTS_CA_BUNDLE": str(standin.ca_bundle),
                }
            ),
            pytest.raises(Exception, match="401"),
        ):
            DbtCloudHook(CONN_ID).trigger_job_run(
                job_id=JOB_ID, cause="test", account_id=ACCOUNT_ID
            )
