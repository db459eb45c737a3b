"""Airflow tests: run in Airflow's own environment (`make test` does).

    orchestration/.venv/bin/python -m pytest tests/orchestration

Airflow reads its configuration when first imported, so the environment is set here, at
conftest import, before any test module imports Airflow: a throwaway AIRFLOW_HOME (SQLite
metadata DB), no example DAGs, retries that do not wait.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

# Neither imports Airflow: safe before the environment below is set.
from podcast_analytics.pipeline.dbt_runner import local_dbt_executable
from tests.dbt_manifest import parse_project

REPO = Path(__file__).resolve().parents[2]
DAGS_FOLDER = REPO / "orchestration" / "dags"
DAG_FILE = DAGS_FOLDER / "podcast_analytics_dag.py"
AIRFLOW_BIN = Path(sys.executable).parent / "airflow"
DBT_EXECUTABLE = local_dbt_executable()  # the repository's .venv's dbt, never Airflow's

AIRFLOW_HOME = tempfile.mkdtemp(prefix="podcast-airflow-home-")
atexit.register(shutil.rmtree, AIRFLOW_HOME, ignore_errors=True)
os.environ.update(
    {
        "AIRFLOW_HOME": AIRFLOW_HOME,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__PODCAST__ENVIRONMENT": "local",
        # Tests must never sleep between retries.
        "AIRFLOW__PODCAST__RETRY_DELAY_S": "0",
        "PODCAST_DBT_EXECUTABLE": DBT_EXECUTABLE,
    }
)

try:
    import airflow  # noqa: F401
except ImportError:  # pragma: no cover - a wrong interpreter, not a test outcome
    raise SystemExit(
        "tests/orchestration need Airflow: run them with "
        "orchestration/.venv/bin/python -m pytest tests/orchestration (make test does)"
    ) from None


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def parse_dags(env_values: Mapping[str, str]):
    from airflow.dag_processing.dagbag import DagBag

    with environment(env_values):
        return DagBag(dag_folder=str(DAG_FILE))


@pytest.fixture(scope="session")
def dbt_manifest(tmp_path_factory) -> Path:
    """The real dbt project, parsed by dbt from its own environment (as a deploy would)."""
    return parse_project(tmp_path_factory.mktemp("dbt"))


@pytest.fixture(scope="session")
def airflow_db() -> str:
    """`airflow db migrate` once per session, into the throwaway AIRFLOW_HOME."""
    subprocess.run([str(AIRFLOW_BIN), "db", "migrate"], check=True, capture_output=True)
    return AIRFLOW_HOME
