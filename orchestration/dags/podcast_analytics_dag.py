"""Podcast analytics: read_catalog -> load -> transform (dbt) -> export -> artefacts.

Thin wiring only: every name, the schedule and the task policy come from the shared config
(`podcast_analytics.config.load_settings(<podcast.environment>)`), and every task calls a
plain function in `podcast_analytics.dag_tasks`. Nothing heavy (duckdb, boto3, the
Snowflake connector) is imported while the scheduler parses this file.

- read_catalog: the episode catalog's feeds (RSS + the CMS export of ad breaks) read into
  one snapshot under the raw bucket's catalog prefix, before load so the catalog pipe's
  file is among those load waits for; dev/prod read the feeds the Airflow Variable
  `mwaa.catalog_feeds_variable` lists, local the generated shows' feeds under OUT.
- load: dev/prod wait until Snowpipe has drained and fail on COPY_HISTORY errors;
  local runs the local loader into DuckDB.
- transform: dev/prod render one Airflow task per dbt node (astronomer-cosmos, from the
  parsed manifest, `dbt build` per node in dbt's own virtualenv), or with
  `dbt.runner: dbt_cloud` trigger the dbt Cloud job and wait for it; local runs one
  `dbt build --target local` (see orchestration/README.md for why).
- export: marts unloaded as Parquet to the exports location.
- artefacts: dbt manifest, run results and logs to the artefacts bucket, keyed by run
  (with dbt Cloud: copied from the job's run, also when it failed).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import DAG, TriggerRule, task
from airflow.sdk.exceptions import AirflowSkipException

from podcast_analytics import dag_tasks as tasks
from podcast_analytics.config import load_settings

SETTINGS = load_settings(tasks.environment_from())
MWAA = SETTINGS.mwaa
log = logging.getLogger(__name__)


def _snowflake(conn_id: str) -> Any:
    """A DB-API connection from an Airflow connection (Secrets Manager on MWAA)."""
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

    return SnowflakeHook(snowflake_conn_id=conn_id).get_conn()


# Local stand-ins or Snowflake + S3: chosen once here, not in every task.
SIDE = tasks.side_for(SETTINGS, connect=_snowflake)


def _on_failure(context: Any) -> None:
    """Say what failed in the task log, and tell the on-call through the alarm topic."""
    ti = context["ti"]
    report = tasks.failure_message(
        SETTINGS,
        dag_id=ti.dag_id,
        task_id=ti.task_id,
        run_id=context["run_id"],
        try_number=ti.try_number,
        error=context.get("exception"),
        log_url=getattr(ti, "log_url", None),
    )
    log.error(report)
    try:
        tasks.publish_failure(
            SETTINGS,
            subject=f"[{SETTINGS.environment}] {ti.dag_id}.{ti.task_id} failed",
            message=report,
        )
    except Exception:  # a notification problem must not hide the task's own error
        log.exception("could not publish the failure to %s", SETTINGS.alerting.topic_arn)


DEFAULT_ARGS: dict[str, Any] = {
    "owner": "data-platform",
    "retries": MWAA.task_retries,
    "retry_delay": tasks.retry_delay(SETTINGS),
    "retry_exponential_backoff": 2.0,  # delay doubles each try, capped below
    "max_retry_delay": timedelta(seconds=MWAA.max_retry_delay_s),
    "execution_timeout": timedelta(minutes=MWAA.task_timeout_minutes),
    "on_failure_callback": _on_failure,
}


def _dbt_task_group() -> Any:
    """One Airflow task per dbt node, rendered from the parsed manifest (no dbt at parse)."""
    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, LoadMode, TestBehavior
    from cosmos.profiles import SnowflakePrivateKeyPemProfileMapping

    from podcast_analytics.cloud.artefacts import cosmos_callback

    manifest = tasks.manifest_path()
    if not manifest.is_file():
        raise FileNotFoundError(
            f"dbt manifest {manifest} is missing: run `dbt parse` in transform/ before deploying"
        )
    project = ProjectConfig(
        dbt_project_path=tasks.dbt_project_dir(), manifest_path=manifest, install_dbt_deps=False
    )
    # cosmos wraps the path in ObjectStoragePath, whose first use imports every provider's
    # filesystem (boto3 included) at parse time; the manifest is a local file, so a plain
    # Path (a type cosmos accepts) keeps parsing light.
    project.manifest_path = manifest
    sf = SETTINGS.snowflake
    return DbtTaskGroup(
        group_id="transform",
        project_config=project,
        profile_config=ProfileConfig(
            profile_name=SETTINGS.dbt.profile,
            target_name=SETTINGS.dbt.target,
            profile_mapping=SnowflakePrivateKeyPemProfileMapping(
                conn_id=MWAA.snowflake_transformer_conn_id,
                profile_args={
                    "database": sf.analytics_database,
                    "schema": sf.staging_schema,
                    "warehouse": sf.warehouse.name,
                    "role": sf.roles.transformer,
                },
            ),
        ),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.LOCAL,
            dbt_executable_path=tasks.dbt_executable(SETTINGS),
        ),
        # BUILD: each node's tests run in the same task, so a failing test stops its
        # dependants exactly as `dbt build` would.
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.BUILD
        ),
        operator_args={
            "callback": cosmos_callback,
            "callback_args": {"environment": SETTINGS.environment},
        },
        default_args=DEFAULT_ARGS,
    )


def _dbt_cloud_job() -> Any:
    """The transform as a dbt Cloud job: trigger it, then wait on the worker for its end.

    The provider's operator pushes the run id to XCom (`job_run_id`) before it waits, so the
    artefacts task finds the run even when it failed. Not deferrable: the wait polls from the
    worker every `dbt.cloud.check_interval_s` (the path the tests run); execution_timeout
    kills the task and the operator's on_kill cancels the dbt Cloud run.
    """
    from airflow.providers.dbt.cloud.operators.dbt import DbtCloudRunJobOperator

    cloud = SETTINGS.dbt.cloud
    return DbtCloudRunJobOperator(
        task_id="transform",
        dbt_cloud_conn_id=cloud.conn_id,
        account_id=cloud.account_id,
        job_id=cloud.job_id,
        # Templated: the dbt Cloud run names the Airflow run that asked for it.
        trigger_reason=f"{SETTINGS.project} {SETTINGS.environment}: Airflow run {{{{ run_id }}}}",
        wait_for_termination=True,
        deferrable=False,
        check_interval=cloud.check_interval_s,
        timeout=MWAA.task_timeout_minutes * 60,
        # A retry first reattaches to this job's run if it is still going (the try may have
        # failed on a transient API error while polling: an HTTP 5xx is not retried by the
        # hook), so there is never a second run beside it; otherwise it resumes the failed
        # run from its failing node (dbt Cloud's rerun endpoint), as cosmos retries one node.
        # The job has no schedule of its own (docs/deploy.md), so a running run is ours.
        reuse_existing_run=True,
        retry_from_failure=True,
    )


def _dbt_cloud_hook() -> Any:
    from airflow.providers.dbt.cloud.hooks.dbt import DbtCloudHook

    return DbtCloudHook(SETTINGS.dbt.cloud.conn_id)


DBT_CLOUD = SETTINGS.environment != "local" and SETTINGS.dbt.runner == "dbt_cloud"


with DAG(
    dag_id=MWAA.dag_id,
    description=(
        f"{SETTINGS.project} ({SETTINGS.environment}): read the catalog, load, dbt build, "
        "export, artefacts"
    ),
    schedule=MWAA.schedule,
    start_date=datetime.fromisoformat(MWAA.start_date).replace(tzinfo=UTC),
    catchup=False,
    max_active_runs=1,  # dbt incrementals and the exports prefix assume one run at a time
    default_args=DEFAULT_ARGS,
    tags=[SETTINGS.project, SETTINGS.environment],
    doc_md=__doc__,
) as dag:

    @task(task_id="read_catalog")
    def read_catalog() -> dict[str, Any]:
        from airflow.sdk import Variable

        # JSON from Secrets Manager (<variables prefix>/<name>); absent: nothing to read.
        feeds = Variable.get(MWAA.catalog_feeds_variable, default=None)
        result = SIDE.read_catalog(feed_list=feeds)
        for url, why in result.get("failed_feeds", {}).items():
            log.warning("catalog: %s not read: %s", url, why)
        if "skipped" in result:
            log.warning("catalog: %s", result["skipped"])
        return result

    @task(task_id="load")
    def load(data_interval_start: datetime | None = None) -> dict[str, Any]:
        since = data_interval_start or datetime.now(UTC) - timedelta(
            days=SETTINGS.events.late_arrival_lookback_days
        )
        return SIDE.load(since=since)

    @task(task_id="transform")
    def transform() -> dict[str, Any]:
        if not isinstance(SIDE, tasks.LocalSide):  # wired only on the local side, below
            raise TypeError("the single transform task runs on the local side only")
        return SIDE.transform()

    @task(task_id="export")
    def export(run_id: str | None = None) -> dict[str, Any]:
        return SIDE.export(run_id=str(run_id))

    @task(task_id="artefacts")
    def artefacts(run_id: str | None = None) -> dict[str, Any]:
        return SIDE.artefacts(run_id=str(run_id))

    # Copied whether dbt Cloud's run succeeded or failed (all_done): a failed run's results
    # and log are what the audit needs. The DAG run still fails with transform (export, a
    # leaf, is upstream_failed).
    @task(task_id="artefacts", trigger_rule=TriggerRule.ALL_DONE)
    def dbt_cloud_artefacts(run_id: str | None = None, ti: Any = None) -> dict[str, Any]:
        dbt_cloud_run_id = ti.xcom_pull(task_ids="transform", key="job_run_id")
        if dbt_cloud_run_id is None or not isinstance(SIDE, tasks.CloudSide):
            raise AirflowSkipException(
                "no dbt Cloud run was started (see the transform task): nothing to copy"
            )
        return SIDE.dbt_cloud_artefacts(
            run_id=str(run_id), dbt_cloud_run_id=int(dbt_cloud_run_id), hook=_dbt_cloud_hook()
        )

    if DBT_CLOUD:
        dbt = _dbt_cloud_job()
        read_catalog() >> load() >> dbt >> export()
        dbt >> dbt_cloud_artefacts()
    else:
        # Locally dbt runs as one task; in the cloud cosmos renders one task per dbt node.
        dbt = transform() if isinstance(SIDE, tasks.LocalSide) else _dbt_task_group()
        read_catalog() >> load() >> dbt >> export() >> artefacts()
