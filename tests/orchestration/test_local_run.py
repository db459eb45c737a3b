"""One full run of the real DAG, in process (`dag.test()`), against the local stand-ins.

The stand-ins (moto's server, DuckDB) are started by the caller as in `make pipeline-airflow`;
the DAG then loads, builds the dbt project, exports the marts and uploads the artefacts.
"""

from __future__ import annotations

import time

import duckdb
import pytest

from podcast_analytics import dag_tasks as tasks
from podcast_analytics.config import load_settings
from tests.orchestration.conftest import environment, parse_dags

EVENTS, DAYS, SEED = 3000, 2, 11


@pytest.fixture(scope="module")
def local_run(tmp_path_factory, airflow_db):
    from podcast_analytics import local

    settings = load_settings("local")
    out_dir = tmp_path_factory.mktemp("out")
    with local.local_aws(settings, out_dir) as ctx:
        local.ingest(ctx, events=EVENTS, days=DAYS, seed=SEED)
        # The shows' feeds, as their hosts would publish them (make pipeline-airflow too).
        local.publish_generated_feeds(out_dir, events=EVENTS, days=DAYS, seed=SEED, start=None)
        with environment(
            {tasks.OUT_DIR_VARIABLE: str(out_dir), tasks.ENDPOINT_VARIABLE: ctx.endpoint_url}
        ):
            bag = parse_dags({tasks.ENVIRONMENT_VARIABLE: "local"})
            assert bag.import_errors == {}
            dag = bag.dags[settings.mwaa.dag_id]
            started = time.perf_counter()
            dag_run = dag.test()
            seconds = time.perf_counter() - started
        print(f"local DAG run (dag.test) took {seconds:.1f} s")
        artefact_keys = sorted(
            obj["Key"]
            for obj in ctx.client("s3")
            .list_objects_v2(Bucket=settings.storage.buckets.artefacts)
            .get("Contents", [])
        )
        yield {
            "dag_run": dag_run,
            "ctx": ctx,
            "seconds": seconds,
            "artefact_keys": artefact_keys,
            "task_states": {ti.task_id: ti.state for ti in dag_run.get_task_instances()},
        }


def test_the_dag_run_succeeds_task_by_task(local_run):
    assert local_run["task_states"] == dict.fromkeys(
        ("read_catalog", "load", "transform", "export", "artefacts"), "success"
    )
    assert local_run["dag_run"].state == "success"


def test_the_catalog_task_loads_the_generated_feeds(local_run):
    settings = load_settings("local")
    database = local_run["ctx"].out_dir / settings.local.duckdb_file
    with duckdb.connect(str(database), read_only=True) as con:
        files, rows = con.execute(
            "SELECT count(DISTINCT source_file), count(*) FROM events.raw_catalog"
        ).fetchone()
    assert files == 1 and rows > 0


def test_marts_are_built_from_the_loaded_events(local_run):
    ctx = local_run["ctx"]
    schema = ctx.settings.snowflake
    with duckdb.connect(str(ctx.duckdb_path), read_only=True) as con:
        raw_rows = con.execute(
            f"SELECT count(*) FROM {schema.raw_schema.lower()}.{schema.raw_table.lower()}"
        ).fetchone()[0]
        marts = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
                [schema.marts_schema.lower()],
            ).fetchall()
        ]
        mart_rows = {
            name: con.execute(
                f'SELECT count(*) FROM {schema.marts_schema.lower()}."{name}"'
            ).fetchone()[0]
            for name in marts
        }
    assert raw_rows > 0
    assert marts, "dbt built no marts"
    assert sum(mart_rows.values()) > 0, mart_rows


def test_every_mart_is_exported_as_parquet(local_run):
    ctx = local_run["ctx"]
    with duckdb.connect(str(ctx.duckdb_path), read_only=True) as con:
        marts = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
                [ctx.settings.snowflake.marts_schema.lower()],
            ).fetchall()
        }
        exported = {path.stem for path in (ctx.out_dir / "exports").glob("*.parquet")}
        assert exported == marts
        schema = ctx.settings.snowflake.marts_schema.lower()
        for name in marts:
            path = ctx.out_dir / "exports" / f"{name}.parquet"
            in_file = con.execute(f"SELECT count(*) FROM '{path}'").fetchone()[0]
            assert in_file == con.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0]


def test_dbt_artefacts_are_kept_under_the_run(local_run):
    run_key = tasks_run_key(local_run["dag_run"].run_id)
    assert {
        f"runs/{run_key}/manifest.json",
        f"runs/{run_key}/run_results.json",
        f"runs/{run_key}/dbt.log",
    } <= set(local_run["artefact_keys"])


def tasks_run_key(run_id: str) -> str:
    from podcast_analytics.cloud.artefacts import run_key

    return run_key(run_id)
