"""The plain task functions the DAG calls: configuration and failure messages."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import pytest

from podcast_analytics import dag_tasks as tasks
from podcast_analytics.config import load_settings


def test_environment_comes_from_the_airflow_configuration_option():
    assert tasks.environment_from({"AIRFLOW__PODCAST__ENVIRONMENT": "prod"}) == "prod"
    with pytest.raises(tasks.OrchestrationError, match=r"podcast\.environment"):
        tasks.environment_from({})


def test_retry_delay_defaults_to_the_config_and_can_be_shortened():
    settings = load_settings("dev")
    assert tasks.retry_delay(settings, {}) == timedelta(seconds=settings.mwaa.retry_delay_s)
    assert tasks.retry_delay(settings, {"AIRFLOW__PODCAST__RETRY_DELAY_S": "0"}) == timedelta(0)


def test_dbt_runs_from_its_own_environment():
    assert tasks.dbt_executable(load_settings("prod"), {}) == (
        load_settings("prod").mwaa.dbt_executable
    )
    local = load_settings("local")
    assert tasks.dbt_executable(local, {}) == str(tasks.LOCAL_DBT_EXECUTABLE)
    assert tasks.dbt_executable(local, {"PODCAST_DBT_EXECUTABLE": "/x/dbt"}) == "/x/dbt"


def test_the_dag_and_the_local_pipeline_find_dbt_by_one_rule():
    # Airflow's interpreter is orchestration/.venv's: dbt is still the repository's .venv's.
    from podcast_analytics.pipeline import dbt_runner

    local = load_settings("local")
    for environ in ({}, {"PODCAST_DBT_EXECUTABLE": "/x/dbt"}):
        assert tasks.dbt_executable(local, environ) == dbt_runner.local_dbt_executable(environ)
    default = dbt_runner.local_dbt_executable({})
    assert default == str(tasks.LOCAL_DBT_EXECUTABLE) == dbt_runner.dbt_executable(None, {})
    assert Path(default).parent != Path(sys.executable).parent  # not Airflow's own bin/
    assert tasks.dbt_project_dir({}) == dbt_runner.dbt_project_dir({})
    assert tasks.dbt_project_dir({}).name == local.dbt.project_dir
    assert tasks.manifest_path({"PODCAST_DBT_MANIFEST": "/m.json"}) == Path("/m.json")


def test_local_mode_without_stand_ins_says_what_to_start():
    with pytest.raises(tasks.OrchestrationError, match="PODCAST_AWS_ENDPOINT_URL"):
        tasks.local_context(load_settings("local"), {"PODCAST_OUT_DIR": "/tmp/out"})


@pytest.mark.parametrize(
    ("task_id", "where"),
    [
        ("load", "SYSTEM$PIPE_STATUS('PODCAST_ANALYTICS_DEV_RAW.EVENTS.RAW_EVENTS_PIPE')"),
        ("read_catalog", "the Airflow Variable catalog_feeds (the task log names each feed"),
        ("transform.fct_plays_model_build", "s3://podcast-analytics-dev-artefacts-"),
        ("export", "COPY INTO @PODCAST_ANALYTICS_DEV_ANALYTICS.MARTS.EXPORTS_STAGE"),
    ],
)
def test_failure_message_says_what_failed_and_where_to_look(task_id, where):
    settings = load_settings("dev")
    message = tasks.failure_message(
        settings,
        dag_id="podcast_analytics",
        task_id=task_id,
        run_id="scheduled__2026-11-25T10:00:00+00:00",
        try_number=3,
        error=RuntimeError("pipe is PAUSED\nstack..."),
        log_url="https://mwaa.example/log",
    )
    assert message.startswith(
        f"[dev] podcast_analytics.{task_id} failed "
        "(run scheduled__2026-11-25T10:00:00+00:00, try 3): pipe is PAUSED. "
        "Task log: https://mwaa.example/log."
    )
    assert where in message
    if task_id.startswith("transform"):
        assert "/runs/scheduled__2026-11-25T10_00_00_00_00/" in message
