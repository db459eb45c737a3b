"""`make pipeline-airflow`: the real DAG, run by `airflow dags test`, on the local stand-ins.

Starts moto's server and creates the resources (`local_aws`), sends events through the
producer, Kinesis and the Firehose stand-in (`ingest`), then lets Airflow run the DAG -
load, dbt build, export, artefacts - exactly as the scheduler would, and prints the
reconciliation. Runs in Airflow's environment (orchestration/.venv); dbt runs from the
repository's .venv as a subprocess, so the two are never installed together.

    make pipeline-airflow [EVENTS=n] [DAYS=n] [SEED=n] [START=date] [INPUT=file] [OUT=dir]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from podcast_analytics import cli, local
from podcast_analytics import dag_tasks as tasks
from podcast_analytics.local import out_dir as out_checks
from podcast_analytics.pipeline.dbt_runner import local_dbt_executable
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.reconciliation import reconcile

REPO = Path(__file__).resolve().parent.parent
AIRFLOW = Path(sys.executable).parent / "airflow"


def airflow_environment(out_dir: Path) -> dict[str, str]:
    """Airflow's configuration for a local run: its own home under OUT, no examples."""
    return {
        "AIRFLOW_HOME": str(out_dir / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "orchestration" / "dags"),
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        tasks.ENVIRONMENT_VARIABLE: "local",
        tasks.DBT_EXECUTABLE_VARIABLE: local_dbt_executable(),
    }


def _parser() -> argparse.ArgumentParser:
    # The same arguments and defaults as `make pipeline` (EVENTS, DAYS, SEED, START, INPUT,
    # CATALOG, OUT), so both runs of the same variables process the same events.
    parser = argparse.ArgumentParser(prog="make pipeline-airflow", description=__doc__)
    cli._add_run_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        run = cli._pipeline_args(_parser().parse_args(argv))
    except cli.UsageError as exc:
        print(f"make pipeline-airflow: {exc}", file=sys.stderr)
        return 2
    out_dir = Path(run["out_dir"]).resolve()
    # One run per OUT, as `make pipeline` and `make bench` hold it: a second one is refused.
    try:
        with out_checks.exclusive(out_dir):
            return _run(run, out_dir)
    except PipelineError as exc:
        print(f"make pipeline-airflow: {exc}", file=sys.stderr)
        return 2


def _run(run: dict[str, Any], out_dir: Path) -> int:
    settings = run["settings"]
    os.environ.update(airflow_environment(out_dir))
    (out_dir / "airflow").mkdir(parents=True, exist_ok=True)
    migrate = subprocess.run(  # noqa: S603 - fixed argv
        [str(AIRFLOW), "db", "migrate"], capture_output=True, text=True, check=False
    )
    if migrate.returncode != 0:
        print(f"make pipeline-airflow: airflow db migrate failed: {migrate.stderr.strip()[-300:]}")
        return 1

    with local.local_aws(settings, out_dir) as ctx:
        ingested = local.ingest(
            ctx,
            events=run["events"],
            days=run["days"],
            seed=run["seed"],
            input_path=run["input_path"],
            start=run["start"],
        )
        print(f"ingest: {json.dumps(ingested, default=str)}")
        # The catalog's sources: CATALOG= to replay, or the generated shows' feeds (which
        # the DAG's read_catalog task reads, as it reads the real ones in the cloud).
        if run["catalog_path"] is not None:
            os.environ[tasks.CATALOG_FILE_VARIABLE] = str(Path(run["catalog_path"]).resolve())
        elif run["input_path"] is None:
            local.publish_generated_feeds(
                out_dir,
                events=run["events"],
                days=run["days"],
                seed=run["seed"],
                start=run["start"],
            )
        os.environ[tasks.OUT_DIR_VARIABLE] = str(out_dir)
        os.environ[tasks.ENDPOINT_VARIABLE] = ctx.endpoint_url
        started = time.perf_counter()
        run = subprocess.run(  # noqa: S603 - fixed argv; the DAG's output streams through
            [str(AIRFLOW), "dags", "test", settings.mwaa.dag_id], check=False
        )
        seconds = time.perf_counter() - started
        if run.returncode != 0:
            print(
                f"make pipeline-airflow: the DAG run failed after {seconds:.1f} s; "
                f"the failing task's log is above (AIRFLOW_HOME={out_dir / 'airflow'})",
                file=sys.stderr,
            )
            return 1
        print(f"airflow dags test {settings.mwaa.dag_id}: success in {seconds:.1f} s")
        print(json.dumps(reconcile(ctx), indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
