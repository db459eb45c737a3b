"""dbt artefacts (manifest, run results, logs) to the artefacts bucket, keyed by run.

The artefacts bucket keeps them for `storage.artefacts_expiry_days` (CDK lifecycle rule),
which is the audit window: for any run you can see what dbt built and how it went.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from podcast_analytics.config import Settings, load_settings
from podcast_analytics.config.facts import DBT_ARTEFACTS, DBT_MANIFEST, RUNS_PREFIX


def run_key(run_id: str) -> str:
    """An Airflow run id as a safe S3 key segment ('scheduled__2026-11-25T10:00:00+00:00')."""
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", run_id).strip("_") or "run"


def run_prefix(run_id: str) -> str:
    return f"{RUNS_PREFIX}{run_key(run_id)}/"


def upload_dbt_artefacts(s3: Any, bucket: str, project_dir: Path, *, prefix: str) -> dict[str, Any]:
    """Upload whichever of DBT_ARTEFACTS exist under project_dir to s3://bucket/prefix."""
    uploaded: list[str] = []
    for relative in DBT_ARTEFACTS:
        path = project_dir / relative
        if path.is_file():
            key = f"{prefix}{Path(relative).name}"
            s3.upload_file(str(path), bucket, key)
            uploaded.append(key)
    return {"bucket": bucket, "keys": uploaded}


def cosmos_callback(project_dir: str, *, environment: str, context: Any, **_: Any) -> None:
    """Called by each cosmos dbt task after dbt ran in its temporary project copy.

    Keeps that model's run results and log under runs/<run>/models/<task_id>/, because the
    temporary copy is deleted when the task ends.
    """
    import boto3  # deferred: only a worker running a dbt task pays for the import

    settings = load_settings(environment)
    task_id = context["ti"].task_id
    upload_dbt_artefacts(
        boto3.client("s3", region_name=settings.aws.region),
        settings.storage.buckets.artefacts,
        Path(project_dir),
        prefix=f"{run_prefix(context['run_id'])}models/{task_id}/",
    )


def upload_run_manifest(
    s3: Any, settings: Settings, manifest: Path, *, run_id: str
) -> dict[str, Any]:
    """The artefacts task in the cloud: the manifest the DAG's dbt tasks were built from."""
    if not manifest.is_file():
        raise FileNotFoundError(f"dbt manifest {manifest} is missing: run `dbt parse` first")
    key = f"{run_prefix(run_id)}{Path(DBT_MANIFEST).name}"
    s3.upload_file(str(manifest), settings.storage.buckets.artefacts, key)
    return {"bucket": settings.storage.buckets.artefacts, "keys": [key]}
