"""Local artefacts: dbt's manifest, run results and log -> the artefacts bucket
(cloud: cloud/artefacts.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from podcast_analytics.config.facts import DBT_ARTEFACTS, RUNS_PREFIX
from podcast_analytics.local.context import DBT_DIR, LocalContext
from podcast_analytics.pipeline.errors import PipelineError


def upload_artefacts(ctx: LocalContext, run_id: str) -> dict[str, Any]:
    """dbt's manifest.json, run_results.json and logs -> artefacts bucket, runs/<run_id>/."""
    base = ctx.out_dir / DBT_DIR
    files = {Path(relative).name: base / relative for relative in DBT_ARTEFACTS}
    missing = [name for name, path in files.items() if not path.exists()]
    if missing:
        raise PipelineError(f"no dbt artefacts to upload ({', '.join(missing)} missing)")
    s3 = ctx.client("s3")
    bucket = ctx.settings.storage.buckets.artefacts
    keys = []
    for name, path in files.items():
        key = f"{RUNS_PREFIX}{run_id}/{name}"
        s3.upload_file(str(path), bucket, key)
        keys.append(key)
    return {"bucket": bucket, "keys": keys}
