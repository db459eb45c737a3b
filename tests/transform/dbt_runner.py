"""Run the dbt project from tests: one subprocess per command, isolated target/log dirs."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from podcast_analytics.config.dbt_profiles import DUCKDB_PATH_ENV

REPO = Path(__file__).resolve().parents[2]
TRANSFORM = REPO / "transform"
DBT = Path(sys.executable).with_name("dbt")


@dataclass(frozen=True, slots=True)
class DbtRun:
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def failures(self) -> str:
        """The lines that say what failed, and the summary (the full log is long)."""
        marks = ("FAIL", "ERROR", "Error", "error", "Got ", "compiled code")
        lines = [line for line in self.output.splitlines() if any(m in line for m in marks)]
        return "\n".join(lines[-60:]) + "\n" + self.output[-1500:]


@dataclass(frozen=True, slots=True)
class DbtProject:
    """The project pointed at one warehouse: a DuckDB file, or env for another target."""

    work_dir: Path
    target: str = "local"
    database: Path | None = None
    env: tuple[tuple[str, str], ...] = ()

    def run(self, *args: str) -> DbtRun:
        env = {
            **os.environ,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_VERSION_CHECK": "false",
            **dict(self.env),
        }
        if self.database is not None:
            env[DUCKDB_PATH_ENV] = str(self.database)
        command = [
            str(DBT),
            *args,
            "--project-dir",
            str(TRANSFORM),
            "--profiles-dir",
            str(TRANSFORM),
            "--target",
            self.target,
            "--target-path",
            str(self.work_dir / "target"),
            "--log-path",
            str(self.work_dir / "logs"),
        ]
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, check=False, timeout=600
        )
        return DbtRun(done.returncode, done.stdout + done.stderr)

    def build(self, *args: str) -> DbtRun:
        result = self.run("build", *args)
        assert result.ok, result.failures()
        return result
