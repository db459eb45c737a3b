"""How the project runs dbt: which executable, and with which environment.

dbt lives in the project's virtualenv, beside this interpreter, and never in Airflow's
(`PODCAST_DBT_EXECUTABLE` points elsewhere when needed). Both the local pipeline's
`dbt build` and `make manifest`'s `dbt parse` start dbt through here; `run_with_progress`
draws dbt's "n of N" lines as a progress bar.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from podcast_analytics.config import Settings
from podcast_analytics.config.facts import REPO_ROOT
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.progress import Progress

DBT_EXECUTABLE_VARIABLE = "PODCAST_DBT_EXECUTABLE"


def dbt_executable(explicit: str | None = None) -> str:
    candidate = (
        explicit
        or os.environ.get(DBT_EXECUTABLE_VARIABLE)
        or str(Path(sys.executable).parent / "dbt")
    )
    if not Path(candidate).is_file():
        raise PipelineError(
            f"dbt not found at {candidate}: run `make setup`, or set {DBT_EXECUTABLE_VARIABLE}"
        )
    return candidate


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
    with subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        command,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            match = _DBT_NODE_DONE.search(line)
            if match:
                if progress is None:
                    progress = Progress("dbt build", int(match.group(2)))
                progress.advance()
        returncode = process.wait()
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
        cwd=REPO_ROOT / settings.dbt.project_dir,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        lines = (result.stdout + result.stderr).strip().splitlines() or ["no output"]
        raise PipelineError(f"dbt parse --target {settings.dbt.target} failed: {lines[-1]}")
    return REPO_ROOT / settings.dbt.manifest_path
