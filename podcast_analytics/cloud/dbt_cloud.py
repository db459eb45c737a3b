"""A dbt Cloud job run's artefacts to the artefacts bucket, under the keys every transform uses.

With `dbt.runner: dbt_cloud` the transform is a dbt Cloud job (the DAG triggers it with the
provider's `DbtCloudRunJobOperator`), so dbt's files live in dbt Cloud, not on a worker.
This copies them to `runs/<run>/` exactly as the local and cosmos paths name theirs
(`DBT_ARTEFACTS`), whether the run succeeded or failed: a failed run's `run_results.json` and
log are what the audit needs most.

dbt Cloud Administrative API v2 (dbt Labs' spec, openapi-v2.yaml in
github.com/dbt-labs/dbt-cloud-openapi-spec; https://docs.getdbt.com/dbt-cloud/api-v2):
- List Run Artifacts `GET /api/v2/accounts/{account_id}/runs/{run_id}/artifacts/` ->
  `{"data": [paths]}`; Retrieve Run Artifact `.../artifacts/{path}`: paths are rooted at the
  run's `target/`, taken from the run's last step unless `step` is given.
- Retrieve Run `GET /api/v2/accounts/{account_id}/runs/{id}/` with `include_related` =
  `run_steps` (each step's `logs`, `debug_logs`) and `debug_logs` (without it the debug logs
  are truncated to their last 1,000 lines).

No Airflow import here: the caller passes the provider's `DbtCloudHook` (or anything with
its three methods) and a boto3 S3 client, so this is testable against a local stand-in.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath
from typing import Any, Protocol

from podcast_analytics.config.facts import DBT_ARTEFACTS

log = logging.getLogger(__name__)

# dbt Cloud serves the files dbt writes under target/; the log comes from the run's steps.
TARGET_ARTEFACTS: tuple[str, ...] = tuple(
    PurePosixPath(path).name for path in DBT_ARTEFACTS if path.startswith("target/")
)
LOG_ARTEFACT: str = next(
    PurePosixPath(path).name for path in DBT_ARTEFACTS if path.startswith("logs/")
)
RUN_INCLUDES: tuple[str, ...] = ("run_steps", "debug_logs")


class Response(Protocol):
    content: bytes

    def json(self) -> Any: ...


class DbtCloudRuns(Protocol):
    """The slice of `airflow.providers.dbt.cloud.hooks.dbt.DbtCloudHook` used here."""

    def list_job_run_artifacts(self, run_id: int, account_id: int | None = None) -> Response: ...

    def get_job_run_artifact(
        self, run_id: int, path: str, account_id: int | None = None
    ) -> Response: ...

    def get_job_run(
        self, run_id: int, account_id: int | None = None, include_related: list[str] | None = None
    ) -> Response: ...


def _not_found(error: Exception) -> bool:
    # HttpHook.check_response raises AirflowException(f"{status_code}:{reason}").
    return str(error).startswith("404:")


def listed_artefacts(hook: DbtCloudRuns, *, run_id: int, account_id: int) -> set[str]:
    """Paths the run produced; none (404) when it stopped before dbt wrote anything."""
    try:
        return set(hook.list_job_run_artifacts(run_id=run_id, account_id=account_id).json()["data"])
    except Exception as error:  # the hook raises AirflowException; only a 404 means "none"
        if _not_found(error):
            return set()
        raise


def step_log(run: dict[str, Any]) -> str:
    """Every step's full debug log, in step order, each under a header naming the step."""
    parts = []
    for step in sorted(run.get("run_steps") or [], key=lambda s: s.get("index", 0)):
        body = step.get("debug_logs") or step.get("logs") or ""
        status = step.get("status_humanized") or step.get("status")
        parts.append(f"=== step {step.get('index')}: {step.get('name')} ({status}) ===\n{body}")
    return "\n".join(parts)


def copy_run_artefacts(
    hook: DbtCloudRuns,
    s3: Any,
    bucket: str,
    *,
    run_id: int,
    account_id: int,
    prefix: str,
) -> dict[str, Any]:
    """Copy whichever of manifest.json, run_results.json and the log the run has.

    Returns what was copied, what the run did not have, and the run's final status, so the
    task log (and its XCom) says what the audit trail holds for this run.
    """
    listed = listed_artefacts(hook, run_id=run_id, account_id=account_id)
    keys: list[str] = []
    missing: list[str] = []
    for name in TARGET_ARTEFACTS:
        if name not in listed:
            missing.append(name)
            continue
        body = hook.get_job_run_artifact(run_id=run_id, path=name, account_id=account_id).content
        s3.put_object(Bucket=bucket, Key=f"{prefix}{name}", Body=body)
        keys.append(f"{prefix}{name}")
    run = hook.get_job_run(
        run_id=run_id, account_id=account_id, include_related=list(RUN_INCLUDES)
    ).json()["data"]
    text = step_log(run)
    if text:
        s3.put_object(Bucket=bucket, Key=f"{prefix}{LOG_ARTEFACT}", Body=text.encode("utf-8"))
        keys.append(f"{prefix}{LOG_ARTEFACT}")
    else:
        missing.append(LOG_ARTEFACT)
    result = {
        "bucket": bucket,
        "keys": keys,
        "missing": missing,
        "dbt_cloud_run_id": run_id,
        "dbt_cloud_status": run.get("status_humanized") or run.get("status"),
        "dbt_cloud_run_url": run.get("href"),
    }
    log.info(
        "dbt Cloud run %s (%s): copied %s to s3://%s/%s%s",
        run_id,
        result["dbt_cloud_status"],
        ", ".join(k.removeprefix(prefix) for k in keys) or "nothing",
        bucket,
        prefix,
        f"; the run has no {', '.join(missing)}" if missing else "",
    )
    return result
