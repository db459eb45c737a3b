"""`make config` / `python -m podcast_analytics config`: JSON out, one line on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from podcast_analytics.config import ENVIRONMENTS


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "podcast_analytics", *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_config_prints_valid_json(env: str) -> None:
    result = _run("config", "--env", env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["environment"] == env


def test_unknown_environment_is_one_line_and_non_zero() -> None:
    result = _run("config", "--env", "nope")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "config error: unknown environment 'nope': choose one of local, dev, prod"
    ]


def test_profiles_check_passes_on_the_committed_files() -> None:
    result = _run("profiles", "--check")
    assert result.returncode == 0, result.stderr


def test_manifest_parses_the_environments_target_where_the_cdk_app_looks() -> None:
    from podcast_analytics.config import load_settings

    settings = load_settings("prod")
    result = _run("manifest", "--env", "prod")
    assert result.returncode == 0, result.stderr
    root = Path(__file__).resolve().parents[2]
    manifest = root / settings.dbt.manifest_path
    nodes = json.loads(manifest.read_text())["nodes"]
    staging = next(n for n in nodes.values() if n["name"] == "stg_user_events")
    assert (staging["database"], staging["schema"]) == (
        settings.snowflake.analytics_database,
        settings.snowflake.staging_schema,
    )
