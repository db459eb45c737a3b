"""The dbt project parsed by dbt (as `make manifest` does), for tests of what MWAA receives.

Shared by tests/infra (the project's environment) and tests/orchestration (Airflow's): it
imports only the standard library and `podcast_analytics.pipeline.dbt_runner`, which finds
the repository's dbt from either interpreter and imports no dbt.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from podcast_analytics.pipeline.dbt_runner import dbt_executable, dbt_project_dir


def parse_project(work: Path) -> Path:
    """`dbt parse --target local` with its target and logs under `work`; the manifest."""
    project = dbt_project_dir()
    subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target",
            "local",
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
            "--quiet",
        ],
        check=True,
        cwd=project,
    )
    return work / "target" / "manifest.json"
