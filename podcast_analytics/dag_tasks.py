"""What the Airflow DAG's tasks do, as plain Python (no Airflow import).

`orchestration/dags/podcast_analytics_dag.py` stays a thin wiring file that calls these
functions, so it parses fast and this logic is testable without a scheduler. `side_for`
picks the side once: `LocalSide` runs podcast_analytics.local's stages against the stand-ins
(moto + DuckDB), `CloudSide` runs podcast_analytics.cloud's against Snowflake and S3. Heavy
modules (duckdb, boto3, the Snowflake connector) are imported inside the methods, never at
DAG parse time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from podcast_analytics.config import ENVIRONMENTS, Settings
from podcast_analytics.config.facts import RUNS_PREFIX

# dbt's executable, project and manifest: one rule, in dbt_runner (light: no dbt import);
# re-exported for the DAG file and run_local.py.
from podcast_analytics.pipeline.dbt_runner import (
    DBT_EXECUTABLE_VARIABLE as DBT_EXECUTABLE_VARIABLE,
)
from podcast_analytics.pipeline.dbt_runner import LOCAL_DBT_EXECUTABLE as LOCAL_DBT_EXECUTABLE
from podcast_analytics.pipeline.dbt_runner import MANIFEST_VARIABLE as MANIFEST_VARIABLE
from podcast_analytics.pipeline.dbt_runner import PROJECT_DIR_VARIABLE as PROJECT_DIR_VARIABLE
from podcast_analytics.pipeline.dbt_runner import dbt_project_dir as dbt_project_dir
from podcast_analytics.pipeline.dbt_runner import local_dbt_executable
from podcast_analytics.pipeline.dbt_runner import manifest_path as manifest_path

# CDK sets the Airflow configuration option `podcast.environment` on the MWAA environment;
# Airflow exposes configuration options to tasks and DAG parsing as AIRFLOW__SECTION__KEY.
ENVIRONMENT_VARIABLE = "AIRFLOW__PODCAST__ENVIRONMENT"
# Tests and local runs shorten retry waits without touching the shared config.
RETRY_DELAY_OVERRIDE = "AIRFLOW__PODCAST__RETRY_DELAY_S"
# Local mode: set by whoever started the stand-ins (`make pipeline-airflow`, test fixture).
OUT_DIR_VARIABLE = "PODCAST_OUT_DIR"
ENDPOINT_VARIABLE = "PODCAST_AWS_ENDPOINT_URL"
# Local mode: a catalog file to replay instead of the generated feeds (CATALOG=).
CATALOG_FILE_VARIABLE = "PODCAST_CATALOG_FILE"

Connect = Callable[[str], Any]  # connection id -> DB-API connection


class OrchestrationError(RuntimeError):
    """A misconfigured run: the message says what to set."""


def environment_from(environ: Mapping[str, str] = os.environ) -> str:
    env = environ.get(ENVIRONMENT_VARIABLE, "")
    if env not in ENVIRONMENTS:
        raise OrchestrationError(
            f"{ENVIRONMENT_VARIABLE}={env!r}: set it to one of {', '.join(ENVIRONMENTS)} "
            "(MWAA: the podcast.environment configuration option, set by the CDK app)"
        )
    return env


def retry_delay(settings: Settings, environ: Mapping[str, str] = os.environ) -> timedelta:
    override = environ.get(RETRY_DELAY_OVERRIDE)
    seconds = float(override) if override else settings.mwaa.retry_delay_s
    return timedelta(seconds=seconds)


def dbt_executable(settings: Settings, environ: Mapping[str, str] = os.environ) -> str:
    """dbt lives in its own virtualenv: the repository's .venv locally, the startup-script
    venv on MWAA workers. Never Airflow's environment."""
    if settings.environment == "local":
        return local_dbt_executable(environ)
    return settings.mwaa.dbt_executable


def local_context(settings: Settings, environ: Mapping[str, str] = os.environ) -> Any:
    missing = [name for name in (OUT_DIR_VARIABLE, ENDPOINT_VARIABLE) if not environ.get(name)]
    if missing:
        raise OrchestrationError(
            f"local mode needs {', '.join(missing)}: start the stand-ins first "
            "(`make pipeline-airflow` does)"
        )
    from podcast_analytics.local import LocalContext

    return LocalContext(
        settings=settings,
        out_dir=Path(environ[OUT_DIR_VARIABLE]),
        endpoint_url=environ[ENDPOINT_VARIABLE],
    )


def _pipe_wait_s(settings: Settings) -> float:
    # Leave a fifth of the task timeout for the COPY_HISTORY check and a clean error.
    return settings.mwaa.task_timeout_minutes * 60 * 0.8


# The DAG picks a side once (`side_for`); both sides have the same stages. Heavy imports
# stay inside the methods, so parsing the DAG imports neither side's dependencies.


@dataclass(frozen=True)
class LocalSide:
    """`local`: the stages of podcast_analytics.local against the running stand-ins."""

    settings: Settings

    def read_catalog(
        self, *, feed_list: Any = None, environ: Mapping[str, str] = os.environ
    ) -> dict[str, Any]:
        """The generated shows' feeds under OUT (the Variable is the cloud's), or the
        CATALOG file to replay; neither is there: nothing to read, said in the result."""
        from podcast_analytics import local
        from podcast_analytics.local.catalog import FEED_LIST_FILE, FEEDS_DIR

        ctx = local_context(self.settings, environ)
        replay = environ.get(CATALOG_FILE_VARIABLE)
        if replay:
            return local.read_catalog(ctx, catalog_path=Path(replay))
        listed = ctx.out_dir / FEEDS_DIR / FEED_LIST_FILE
        if not listed.is_file():
            return {"skipped": f"no feed list at {listed} and no {CATALOG_FILE_VARIABLE}"}
        return local.read_catalog(ctx, feed_list=listed)

    def load(self, *, since: datetime) -> dict[str, Any]:
        from podcast_analytics import local

        return local.load(local_context(self.settings))

    def transform(self) -> dict[str, Any]:
        from podcast_analytics import local

        ctx = local_context(self.settings)
        return local.transform(ctx, dbt_executable=dbt_executable(self.settings))

    def export(self, *, run_id: str) -> dict[str, Any]:
        from podcast_analytics import local

        return local.export(local_context(self.settings))

    def artefacts(self, *, run_id: str) -> dict[str, Any]:
        from podcast_analytics import local
        from podcast_analytics.cloud.artefacts import run_key

        return local.upload_artefacts(local_context(self.settings), run_key(run_id))


@dataclass(frozen=True)
class CloudSide:
    """`dev`/`prod`: podcast_analytics.cloud against Snowflake and S3.

    The transform is cosmos' task group or, with `dbt.runner: dbt_cloud`, the provider's
    DbtCloudRunJobOperator; both are wired in the DAG file, not here.
    """

    settings: Settings
    connect: Connect

    def read_catalog(
        self, *, feed_list: Any = None, environ: Mapping[str, str] = os.environ
    ) -> dict[str, Any]:
        """Fetch the feeds the Variable lists, put one snapshot under the catalog prefix.
        `feed_list` is the Variable's value (the DAG file reads it: Airflow is its import);
        unset, there is nothing to read, which the result says (load still runs)."""
        if feed_list is None:
            return {
                "skipped": f"the Airflow Variable {self.settings.mwaa.catalog_feeds_variable} "
                "is not set: no feeds to read"
            }
        import boto3

        from podcast_analytics.catalog.feed_list import parse_feed_list
        from podcast_analytics.cloud.catalog import read_catalog

        listed = parse_feed_list(
            feed_list, where=f"Variable {self.settings.mwaa.catalog_feeds_variable}"
        )
        s3 = boto3.client("s3", region_name=self.settings.aws.region)
        return read_catalog(s3, self.settings, listed)

    def load(self, *, since: datetime) -> dict[str, Any]:
        from podcast_analytics.cloud.load import RawSource, check_loads

        conn_id = self.settings.mwaa.snowflake_loader_conn_id
        wait_s = _pipe_wait_s(self.settings)
        with closing(self.connect(conn_id)) as connection:
            # The events' pipe gets most of the wait; the catalog's one small snapshot the
            # rest (read_catalog wrote it just before this task).
            events = check_loads(
                connection, RawSource.events(self.settings), since=since, timeout_s=wait_s * 0.75
            )
            catalog = check_loads(
                connection, RawSource.catalog(self.settings), since=since, timeout_s=wait_s * 0.25
            )
        return {**events, "catalog": catalog}

    def export(self, *, run_id: str) -> dict[str, Any]:
        from podcast_analytics.cloud.artefacts import run_key
        from podcast_analytics.cloud.export import unload_marts

        with closing(self.connect(self.settings.mwaa.snowflake_transformer_conn_id)) as connection:
            return unload_marts(connection, self.settings, run_key=run_key(run_id))

    def artefacts(self, *, run_id: str) -> dict[str, Any]:
        import boto3

        from podcast_analytics.cloud.artefacts import upload_run_manifest

        s3 = boto3.client("s3", region_name=self.settings.aws.region)
        return upload_run_manifest(s3, self.settings, manifest_path(), run_id=run_id)

    def dbt_cloud_artefacts(
        self, *, run_id: str, dbt_cloud_run_id: int, hook: Any
    ) -> dict[str, Any]:
        """The artefacts stage when dbt Cloud ran the transform: copy that run's files.

        `hook` is the provider's DbtCloudHook on `dbt.cloud.conn_id` (made by the DAG file,
        which owns every Airflow import).
        """
        import boto3

        from podcast_analytics.cloud.artefacts import run_prefix
        from podcast_analytics.cloud.dbt_cloud import copy_run_artefacts

        cloud = self.settings.dbt.cloud
        return copy_run_artefacts(
            hook,
            boto3.client("s3", region_name=self.settings.aws.region),
            self.settings.storage.buckets.artefacts,
            run_id=dbt_cloud_run_id,
            account_id=cloud.account_id,
            prefix=run_prefix(run_id),
        )


def side_for(settings: Settings, *, connect: Connect) -> LocalSide | CloudSide:
    """The side this environment runs on, chosen once for the whole DAG."""
    if settings.environment == "local":
        return LocalSide(settings)
    return CloudSide(settings, connect)


# Where to look when a task fails, by the stage it belongs to.
_WHERE_TO_LOOK: dict[str, str] = {
    "read_catalog": (
        "the feeds listed in the Airflow Variable {catalog_variable} (the task log names each "
        "feed it could not read) and s3://{raw_bucket}/{catalog_prefix}"
    ),
    "load": (
        "Snowpipe: SELECT SYSTEM$PIPE_STATUS('{pipe}') and COPY_HISTORY on {raw_table} (the "
        "catalog's: {catalog_pipe}, {catalog_table}); "
        "dead letters under s3://{raw_bucket}/{errors_prefix}"
    ),
    "transform": "{dbt_cloud}dbt run results and logs under s3://{artefacts_bucket}/"
    + RUNS_PREFIX
    + "{run_key}/",
    "export": "COPY INTO @{exports_stage} in Snowflake's QUERY_HISTORY; s3://{exports_bucket}/",
    "artefacts": "the artefacts bucket s3://{artefacts_bucket}/ and the worker's IAM role",
}
_LOCAL_WHERE_TO_LOOK: dict[str, str] = {
    "read_catalog": "{out_dir}/catalog_feeds/ and {out_dir}/catalog_ledger.json",
    "load": "the DuckDB file {out_dir}/{duckdb_file} and the moto server log",
    "transform": "{out_dir}/dbt/target/run_results.json and {out_dir}/dbt/logs/dbt.log",
    "export": "{out_dir}/exports",
    "artefacts": "the moto server's artefacts bucket {artefacts_bucket}",
}


def stage_of(task_id: str) -> str:
    """`transform.stg_events.build` -> transform; cosmos tasks live in the transform group."""
    head = task_id.split(".", 1)[0]
    return head if head in _WHERE_TO_LOOK else "transform"


def failure_message(
    settings: Settings,
    *,
    dag_id: str,
    task_id: str,
    run_id: str,
    try_number: int,
    error: BaseException | str | None,
    log_url: str | None,
    environ: Mapping[str, str] = os.environ,
) -> str:
    """One paragraph for the on-call: what failed, why (first line), where to look."""
    from podcast_analytics.cloud.artefacts import run_key
    from podcast_analytics.cloud.export import exports_stage_name
    from podcast_analytics.cloud.load import RawSource

    stage = stage_of(task_id)
    table = _LOCAL_WHERE_TO_LOOK if settings.environment == "local" else _WHERE_TO_LOOK
    events, catalog = RawSource.events(settings), RawSource.catalog(settings)
    hint = table[stage].format(
        pipe=events.pipe,
        raw_table=events.table,
        catalog_pipe=catalog.pipe,
        catalog_table=catalog.table,
        raw_bucket=settings.storage.buckets.raw,
        errors_prefix=settings.storage.prefixes.errors,
        catalog_prefix=settings.storage.prefixes.catalog,
        catalog_variable=settings.mwaa.catalog_feeds_variable,
        artefacts_bucket=settings.storage.buckets.artefacts,
        exports_bucket=settings.storage.buckets.exports,
        exports_stage=exports_stage_name(settings),
        run_key=run_key(run_id),
        out_dir=environ.get(OUT_DIR_VARIABLE) or settings.local.out_dir,
        duckdb_file=settings.local.duckdb_file,
        dbt_cloud=(
            f"the dbt Cloud run (job {settings.dbt.cloud.job_id}: the task's Monitor Job Run "
            "link) and, copied by the artefacts task, its "
            if settings.dbt.runner == "dbt_cloud"
            else ""
        ),
    )
    reason = str(error).strip().splitlines()[0] if error else "no exception recorded"
    log = f"Task log: {log_url}. " if log_url else ""
    return (
        f"[{settings.environment}] {dag_id}.{task_id} failed (run {run_id}, try {try_number}): "
        f"{reason}. {log}Look at: {hint}."
    )


# SNS subjects: at most 100 characters, no line breaks.
_SUBJECT_LIMIT = 100


def publish_failure(
    settings: Settings, *, subject: str, message: str, environ: Mapping[str, str] = os.environ
) -> str:
    """Publish a failure report to the environment's alarm topic; returns the message id.

    The topic is the one every CloudWatch alarm notifies (`settings.alerting.topic_arn`), so
    the on-call hears about a failed task where they hear about everything else. Cloud: the
    task's own credentials (the MWAA execution role may publish there); local: the emulator.
    """
    if settings.environment == "local":
        endpoint = environ.get(ENDPOINT_VARIABLE)
        if not endpoint:
            raise OrchestrationError(
                f"local mode needs {ENDPOINT_VARIABLE} to publish to the alarm topic: start "
                "the stand-ins first (`make pipeline-airflow` does)"
            )
        from podcast_analytics.local.emulator.moto_server import aws_client

        sns = aws_client("sns", endpoint, settings.aws.region)
    else:
        import boto3

        sns = boto3.client("sns", region_name=settings.aws.region)
    response = sns.publish(
        TopicArn=settings.alerting.topic_arn,
        Subject=" ".join(subject.split())[:_SUBJECT_LIMIT],
        Message=message,
    )
    return str(response["MessageId"])
