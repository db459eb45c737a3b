"""MWAA parses exactly what the DAG bucket receives: one DAG, no import errors.

The `dags/` tree is rebuilt from the synthesized assembly (every BucketDeployment into the
DAG bucket, as CDK staged it), then Airflow's DagBag parses it in Airflow's own environment
with only the packages MWAA installs importable (tests/orchestration/mwaa_dagbag.py). MWAA
parses every `.py` there that mentions "airflow" and "dag"; the runtime package shipped
beside the DAG has such modules, and some import packages MWAA does not have.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from infra.aws.mwaa.dag_bucket import DAGS_PREFIX, REQUIREMENTS_FILE
from tests.infra.aws.dag_bucket_tree import deployed_objects, materialize
from tests.infra.aws.synth import ROOT, SynthesizedApp

AIRFLOW_PYTHON = ROOT / "orchestration" / ".venv" / "bin" / "python"
DAGBAG_SCRIPT = ROOT / "tests" / "orchestration" / "mwaa_dagbag.py"
DAG_FILE = "podcast_analytics_dag.py"


@pytest.fixture(scope="module")
def mwaa_parse(configured: SynthesizedApp, tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not AIRFLOW_PYTHON.is_file():
        pytest.fail(f"{AIRFLOW_PYTHON} is missing: run `make setup` (Airflow's own venv)")
    settings = configured.settings
    objects = deployed_objects(
        configured.outdir, configured.template("Orchestration"), settings.storage.buckets.dags
    )
    dags = materialize(objects, tmp_path_factory.mktemp("bucket") / "dags", DAGS_PREFIX)
    out = dags.parent / "dagbag.json"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AIRFLOW", "PODCAST_"))
    } | {
        # MWAA puts its DAG folder on sys.path: the shipped package is the one imported.
        "PYTHONPATH": str(dags),
        "AIRFLOW__PODCAST__ENVIRONMENT": settings.environment,
    }
    subprocess.run(
        [str(AIRFLOW_PYTHON), str(DAGBAG_SCRIPT), str(dags), str(REQUIREMENTS_FILE), str(out)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return dags, json.loads(out.read_text(encoding="utf-8"))


def test_the_bucket_ships_the_ignore_file_the_dag_and_the_runtime_package(mwaa_parse) -> None:
    dags, _ = mwaa_parse
    assert (dags / ".airflowignore").is_file()
    assert (dags / DAG_FILE).is_file()
    assert (dags / "podcast_analytics" / "dag_tasks.py").is_file()
    assert (dags / "transform" / "target" / "manifest.json").is_file()


def test_mwaa_parses_only_the_dag_file_and_finds_one_dag_without_import_errors(
    mwaa_parse, configured: SynthesizedApp
) -> None:
    dags, result = mwaa_parse
    assert result["import_errors"] == {}
    assert result["parsed_files"] == [DAG_FILE]
    assert result["dag_ids"] == [configured.settings.mwaa.dag_id]
    # The shipped copy, not this checkout's, and with local-only packages out of reach.
    assert Path(result["package_file"]).is_relative_to(dags)
    assert {"duckdb", "moto"} <= set(result["blocked"])
