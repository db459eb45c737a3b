"""dbt artefacts to the artefacts bucket (moto's in-process S3)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from podcast_analytics.cloud import artefacts


@pytest.fixture
def s3(s3_with_bucket, dev_settings):
    return s3_with_bucket(dev_settings.storage.buckets.artefacts)


def keys(s3, bucket: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def dbt_project(root: Path, *files: str) -> Path:
    for relative in files:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("{}", encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("run_id", "key"),
    [
        ("scheduled__2026-11-25T10:00:00+00:00", "scheduled__2026-11-25T10_00_00_00_00"),
        ("manual__2026-11-25", "manual__2026-11-25"),
        ("///", "run"),
    ],
)
def test_run_ids_become_safe_key_segments(run_id, key):
    assert artefacts.run_key(run_id) == key


def test_cosmos_callback_keeps_each_models_results(s3, dev_settings, tmp_path):
    project = dbt_project(tmp_path, "target/run_results.json", "logs/dbt.log")
    context = {"ti": SimpleNamespace(task_id="transform.fct_plays_build"), "run_id": "manual__1"}
    artefacts.cosmos_callback(str(project), environment="dev", context=context)
    assert keys(s3, dev_settings.storage.buckets.artefacts) == [
        "runs/manual__1/models/transform.fct_plays_build/dbt.log",
        "runs/manual__1/models/transform.fct_plays_build/run_results.json",
    ]


def test_run_manifest_is_uploaded_per_run(s3, dev_settings, tmp_path):
    project = dbt_project(tmp_path, "target/manifest.json")
    result = artefacts.upload_run_manifest(
        s3, dev_settings, project / "target/manifest.json", run_id="scheduled__2026-11-25T10:00"
    )
    assert result["keys"] == ["runs/scheduled__2026-11-25T10_00/manifest.json"]
    assert keys(s3, dev_settings.storage.buckets.artefacts) == result["keys"]


def test_missing_manifest_says_how_to_make_it(s3, dev_settings, tmp_path):
    with pytest.raises(FileNotFoundError, match="run `dbt parse` first"):
        artefacts.upload_run_manifest(s3, dev_settings, tmp_path / "nope.json", run_id="r")
