"""Local transform: `dbt build --target local` on DuckDB (cloud: cosmos tasks in the DAG)."""

from __future__ import annotations

import time
from typing import Any

from podcast_analytics.local.context import DBT_DIR, LocalContext
from podcast_analytics.pipeline import dbt_runner
from podcast_analytics.pipeline.errors import PipelineError


def transform(ctx: LocalContext, *, dbt_executable: str | None = None) -> dict[str, Any]:
    """`dbt build --target local` against <out_dir>/<duckdb_file>; artefacts in <out_dir>/dbt."""
    executable = dbt_runner.dbt_executable(dbt_executable)
    project = dbt_runner.dbt_project_dir()
    models = project / "models"
    if not models.is_dir() or not any(models.rglob("*.sql")):
        raise PipelineError(
            f"the dbt project in {project}/ has no models yet: nothing to transform"
        )
    # Absolute: dbt runs in the project directory, where a relative OUT would mean another place.
    dbt_dir = (ctx.out_dir / DBT_DIR).resolve()
    target_path, log_path = dbt_dir / "target", dbt_dir / "logs"
    command = [
        executable,
        "build",
        "--target",
        ctx.settings.environment,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path),
    ]
    env = dbt_runner.dbt_environment(PODCAST_DUCKDB_PATH=str(ctx.duckdb_path.resolve()))
    started = time.perf_counter()
    returncode, output = dbt_runner.run_with_progress(command, env=env, cwd=project)
    seconds = round(time.perf_counter() - started, 3)
    statuses = dbt_runner.run_result_statuses(target_path / "run_results.json")
    if returncode != 0:
        failing = [name for name, status in statuses.items() if status in ("error", "fail")]
        detail = (
            f"{len(failing)} failing: {', '.join(failing[:5])}"
            if failing
            else dbt_runner.last_line(output)
        )
        raise PipelineError(f"dbt build failed ({detail}); log: {log_path / 'dbt.log'}")
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return {"seconds": seconds, "nodes": len(statuses), "statuses": counts}
