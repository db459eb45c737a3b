"""How the project runs dbt: which executable, which project and manifest, which environment.

One rule for every caller (the local pipeline's `dbt build`, `make manifest`'s `dbt parse`,
`make bench-transform`, and the Airflow DAG's tasks through `podcast_analytics.dag_tasks`):
dbt lives in the repository's .venv, never in Airflow's (orchestration/.venv), and the dbt
project is `transform/` beside the package; `PODCAST_DBT_EXECUTABLE`,
`PODCAST_DBT_PROJECT_DIR` and `PODCAST_DBT_MANIFEST` point elsewhere when needed (tests, a
DAG folder laid out differently). On MWAA the DAG's dbt is the config's
`mwaa.dbt_executable` instead (`dag_tasks.dbt_executable`). `run_with_progress` draws dbt's
"n of N" lines as a progress bar. Light: importing this module imports no dbt.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

from podcast_analytics.config import Settings
from podcast_analytics.config.facts import DBT_MANIFEST, REPO_ROOT, TRANSFORM_DIR
from podcast_analytics.pipeline import children
from podcast_analytics.pipeline.crash_points import crash_point
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.progress import Progress

DBT_EXECUTABLE_VARIABLE = "PODCAST_DBT_EXECUTABLE"
PROJECT_DIR_VARIABLE = "PODCAST_DBT_PROJECT_DIR"
MANIFEST_VARIABLE = "PODCAST_DBT_MANIFEST"
# Where `make setup` installs dbt, whichever interpreter (the project's or Airflow's) asks.
LOCAL_DBT_EXECUTABLE = REPO_ROOT / ".venv" / "bin" / "dbt"


def local_dbt_executable(environ: Mapping[str, str] = os.environ) -> str:
    """The dbt a local run starts: `PODCAST_DBT_EXECUTABLE`, else the repository's .venv."""
    return environ.get(DBT_EXECUTABLE_VARIABLE) or str(LOCAL_DBT_EXECUTABLE)


def dbt_executable(explicit: str | None = None, environ: Mapping[str, str] = os.environ) -> str:
    """`explicit`, else `local_dbt_executable`; a missing file is one readable error."""
    candidate = explicit or local_dbt_executable(environ)
    if not Path(candidate).is_file():
        raise PipelineError(
            f"dbt not found at {candidate}: run `make setup`, or set {DBT_EXECUTABLE_VARIABLE}"
        )
    return candidate


def dbt_project_dir(environ: Mapping[str, str] = os.environ) -> Path:
    override = environ.get(PROJECT_DIR_VARIABLE)
    return Path(override) if override else TRANSFORM_DIR


def manifest_path(environ: Mapping[str, str] = os.environ) -> Path:
    """The parsed manifest the DAG renders its dbt tasks from: where the CDK app ships
    `make manifest`'s output in MWAA's DAG folder (`dbt parse` writes it)."""
    override = environ.get(MANIFEST_VARIABLE)
    return Path(override) if override else dbt_project_dir(environ) / DBT_MANIFEST


def dbt_environment(**overrides: str) -> dict[str, str]:
    """This process's environment for a dbt subprocess, plus `overrides`."""
    return {
        **os.environ,
        # No usage pings from local or CI runs (they would only time out offline).
        "DBT_SEND_ANONYMOUS_USAGE_STATS": os.environ.get("DBT_SEND_ANONYMOUS_USAGE_STATS", "false"),
        **overrides,
    }


_DBT_NODE_DONE = re.compile(r"\b(\d+) of (\d+) (?!START)[A-Z]")


def run_with_progress(command: list[str], *, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run dbt, drawing its "n of N" lines as a progress bar; return (exit code, output)."""
    lines: list[str] = []
    progress: Progress | None = None
    with children.popen(
        command,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line)
                match = _DBT_NODE_DONE.search(line)
                if match:
                    if progress is None:
                        progress = Progress("dbt build", int(match.group(2)))
                    progress.advance()
                    crash_point("dbt-running")
        finally:
            if process.poll() is None:  # interrupted while dbt runs: stop it with us
                process.kill()
            returncode = process.wait()
            children.forget(process)
    if progress is not None:
        progress.close()
    return returncode, "".join(lines[-50:])


def run_result_statuses(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    results = json.loads(path.read_text(encoding="utf-8")).get("results", [])
    return {r["unique_id"]: str(r["status"]) for r in results}


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def parse_manifest(settings: Settings) -> Path:
    """`dbt parse` for the environment's target, writing its manifest where the CDK app
    looks (`settings.dbt.manifest_path`); needs no connection and no credentials."""
    # Parsing renders the profile but never opens the key file.
    environ = dbt_environment(
        SNOWFLAKE_PRIVATE_KEY_PATH=os.environ.get("SNOWFLAKE_PRIVATE_KEY_PATH", os.devnull)
    )
    command = [
        dbt_executable(),
        "parse",
        "--quiet",
        "--target",
        settings.dbt.target,
        "--target-path",
        settings.dbt.target_path,
        "--profiles-dir",
        ".",
    ]
    result = subprocess.run(  # noqa: S603 - our own dbt with fixed arguments
        command,
        cwd=dbt_project_dir(),
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        lines = (result.stdout + result.stderr).strip().splitlines() or ["no output"]
        raise PipelineError(f"dbt parse --target {settings.dbt.target} failed: {lines[-1]}")
    return REPO_ROOT / settings.dbt.manifest_path
