"""A failing run, for real: the task retries (without sleeping), then the failure callback
says what failed and where to look, and nothing downstream runs."""

from __future__ import annotations

import logging

from podcast_analytics import dag_tasks as tasks
from podcast_analytics.config import load_settings
from tests.orchestration.conftest import environment, parse_dags


def test_a_failing_load_retries_then_reports_and_stops_the_run(airflow_db, caplog):
    settings = load_settings("local")
    # No stand-ins: PODCAST_OUT_DIR / PODCAST_AWS_ENDPOINT_URL unset, so load must fail.
    with environment({tasks.OUT_DIR_VARIABLE: "", tasks.ENDPOINT_VARIABLE: ""}):
        dag = parse_dags({tasks.ENVIRONMENT_VARIABLE: "local"}).dags[settings.mwaa.dag_id]
        with caplog.at_level(logging.ERROR):
            dag_run = dag.test()
    states = {ti.task_id: ti for ti in dag_run.get_task_instances()}
    assert dag_run.state == "failed"
    assert states["load"].state == "failed"
    assert states["load"].try_number == settings.mwaa.task_retries + 1
    assert {states[t].state for t in ("transform", "export", "artefacts")} == {"upstream_failed"}
    reports = [
        r.getMessage() for r in caplog.records if "podcast_analytics.load failed" in r.getMessage()
    ]
    assert reports, "the failure callback did not report"
    assert reports[-1].startswith("[local] podcast_analytics.load failed (run ")
    assert "local mode needs PODCAST_OUT_DIR, PODCAST_AWS_ENDPOINT_URL" in reports[-1]
    assert (
        f"Look at: the DuckDB file {settings.local.out_dir}/{settings.local.duckdb_file}"
        in (reports[-1])
    )
