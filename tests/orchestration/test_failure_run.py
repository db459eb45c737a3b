"""A failing run, for real: the task retries (without sleeping), then the failure callback
says what failed and where to look, and nothing downstream runs."""

from __future__ import annotations

import logging

from podcast_analytics import dag_tasks as tasks
from podcast_analytics.config import load_settings
from tests.orchestration.conftest import environment, parse_dags


def test_a_failing_first_task_retries_then_reports_and_stops_the_run(airflow_db, caplog):
    settings = load_settings("local")
    # No stand-ins: PODCAST_OUT_DIR / PODCAST_AWS_ENDPOINT_URL unset, so the first task
    # (read_catalog, which writes to the stand-ins' S3) must fail.
    with environment({tasks.OUT_DIR_VARIABLE: "", tasks.ENDPOINT_VARIABLE: ""}):
        dag = parse_dags({tasks.ENVIRONMENT_VARIABLE: "local"}).dags[settings.mwaa.dag_id]
        with caplog.at_level(logging.ERROR):
            dag_run = dag.test()
    states = {ti.task_id: ti for ti in dag_run.get_task_instances()}
    assert dag_run.state == "failed"
    assert states["read_catalog"].state == "failed"
    assert states["read_catalog"].try_number == settings.mwaa.task_retries + 1
    downstream = ("load", "transform", "export", "artefacts")
    assert {states[t].state for t in downstream} == {"upstream_failed"}
    reports = [
        r.getMessage()
        for r in caplog.records
        if "podcast_analytics.read_catalog failed" in r.getMessage()
    ]
    assert reports, "the failure callback did not report"
    assert reports[-1].startswith("[local] podcast_analytics.read_catalog failed (run ")
    assert "local mode needs PODCAST_OUT_DIR, PODCAST_AWS_ENDPOINT_URL" in reports[-1]
    assert f"Look at: {settings.local.out_dir}/catalog_feeds/" in reports[-1]
