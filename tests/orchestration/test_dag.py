"""The DAG as the scheduler sees it: parses cleanly, fast, with the expected shape and policy."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pytest
from airflow.configuration import conf

from podcast_analytics.config import load_settings
from tests.orchestration.conftest import DAG_FILE, environment, parse_dags

ENVIRONMENTS = ("local", "dev", "prod")
HEAVY_MODULES = ("duckdb", "boto3", "snowflake.connector", "dbt")


@pytest.fixture(scope="module")
def dagbags(dbt_manifest):
    """One parse per environment, each as MWAA (or make pipeline-airflow) would do it."""
    return {
        env: parse_dags(
            {"AIRFLOW__PODCAST__ENVIRONMENT": env, "PODCAST_DBT_MANIFEST": str(dbt_manifest)}
        )
        for env in ENVIRONMENTS
    }


@pytest.fixture(scope="module")
def manifest_nodes(dbt_manifest) -> dict[str, dict]:
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    return {
        node_id: node
        for node_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }


def the_dag(dagbags, env):
    bag = dagbags[env]
    assert bag.import_errors == {}, bag.import_errors
    settings = load_settings(env)
    assert list(bag.dags) == [settings.mwaa.dag_id]
    return bag.dags[settings.mwaa.dag_id]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_schedule_and_identity_come_from_the_config(dagbags, env):
    dag, mwaa = the_dag(dagbags, env), load_settings(env).mwaa
    assert dag.dag_id == mwaa.dag_id
    from airflow.sdk import DAG

    expected = DAG("probe", schedule=mwaa.schedule, start_date=dag.start_date).timetable
    assert dag.timetable == expected
    assert dag.start_date == datetime.fromisoformat(mwaa.start_date).replace(tzinfo=UTC)
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert env in dag.tags


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_task_retries_with_backoff_times_out_and_reports_failure(dagbags, env):
    dag, mwaa = the_dag(dagbags, env), load_settings(env).mwaa
    for task in dag.tasks:
        assert task.retries == mwaa.task_retries, task.task_id
        assert task.retry_exponential_backoff > 1, task.task_id
        assert task.max_retry_delay == timedelta(seconds=mwaa.max_retry_delay_s), task.task_id
        assert task.execution_timeout == timedelta(minutes=mwaa.task_timeout_minutes)
        assert task.on_failure_callback, task.task_id
        # conftest sets AIRFLOW__PODCAST__RETRY_DELAY_S=0: tests never sleep on a retry.
        assert task.retry_delay == timedelta(0), task.task_id


def test_local_runs_the_five_stages_in_order(dagbags):
    dag = the_dag(dagbags, "local")
    chain = ["read_catalog", "load", "transform", "export", "artefacts"]
    assert {t.task_id for t in dag.tasks} == set(chain)
    for upstream, downstream in itertools.pairwise(chain):
        assert dag.get_task(upstream).downstream_task_ids == {downstream}
    assert dag.get_task("read_catalog").upstream_task_ids == set()


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_cloud_shows_one_task_per_dbt_node_between_load_and_export(dagbags, env, manifest_nodes):
    dag, settings = the_dag(dagbags, env), load_settings(env)
    assert manifest_nodes, "the dbt project has no models yet"
    dbt_tasks = {t.task_id: t for t in dag.tasks if t.task_id.startswith("transform.")}
    # cosmos names a node's task transform.<node>_<resource type>_build (TestBehavior.BUILD).
    task_of = {
        node_id: dbt_tasks[f"transform.{node['name']}_{node['resource_type']}_build"]
        for node_id, node in manifest_nodes.items()
    }
    assert len(dbt_tasks) == len(manifest_nodes)
    # dbt's own graph, mirrored: each node's task waits for the tasks of the nodes it uses.
    for node_id, node in manifest_nodes.items():
        for parent in node["depends_on"]["nodes"]:
            if parent in task_of:
                assert task_of[parent].task_id in task_of[node_id].upstream_task_ids
    roots = {t.task_id for t in dbt_tasks.values() if not t.upstream_task_ids - {"load"}}
    leaves = {t.task_id for t in dbt_tasks.values() if not t.downstream_task_ids - {"export"}}
    assert dag.get_task("load").downstream_task_ids == roots
    # The catalog snapshot is written before load waits for the pipes to drain.
    assert dag.get_task("load").upstream_task_ids == {"read_catalog"}
    assert dag.get_task("read_catalog").upstream_task_ids == set()
    assert dag.get_task("export").upstream_task_ids == leaves
    assert dag.get_task("export").downstream_task_ids == {"artefacts"}
    for node_id, task in task_of.items():
        if manifest_nodes[node_id]["config"]["materialized"] == "ephemeral":
            # dbt inlines an ephemeral model into its consumers as a CTE: there is nothing
            # to run, so cosmos keeps its place in the graph with an empty task.
            assert type(task).__name__ == "EmptyOperator", task.task_id
            continue
        # dbt runs from its own virtualenv on the workers, never Airflow's environment.
        assert task.dbt_executable_path == settings.mwaa.dbt_executable
        assert task.profile_config.target_name == settings.dbt.target
        assert task.profile_config.profile_mapping.conn_id == (
            settings.mwaa.snowflake_transformer_conn_id
        )


def test_an_unset_environment_is_a_readable_import_error():
    bag = parse_dags({"AIRFLOW__PODCAST__ENVIRONMENT": "staging"})
    (error,) = bag.import_errors.values()
    assert "AIRFLOW__PODCAST__ENVIRONMENT='staging': set it to one of local, dev, prod" in error


PARSE_PROBE = textwrap.dedent(
    """
    import json, os, sys
    from airflow.dag_processing.dagbag import DagBag
    results = {}
    for env in sys.argv[2:]:
        os.environ["AIRFLOW__PODCAST__ENVIRONMENT"] = env
        bag = DagBag(dag_folder=sys.argv[1])
        (stat,) = bag.dagbag_stats
        heavy = [m for m in HEAVY if m in sys.modules]
        results[env] = {"seconds": stat.duration.total_seconds(), "errors": list(bag.import_errors),
                        "tasks": stat.task_num, "heavy": heavy}
    print(json.dumps(results))
    """
).replace("HEAVY", repr(HEAVY_MODULES))


def test_the_dag_file_parses_within_the_import_timeout_without_heavy_imports(dbt_manifest):
    # A fresh interpreter with Airflow imported, as in the DAG processor: the file's own
    # imports (config, cosmos) are paid here, the way each parse pays them on MWAA.
    with environment({"PODCAST_DBT_MANIFEST": str(dbt_manifest)}):
        done = subprocess.run(
            [sys.executable, "-c", PARSE_PROBE, str(DAG_FILE), "local", "dev"],
            check=True,
            capture_output=True,
            text=True,
        )
    results = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"DAG file parse time: {results}")
    for env, result in results.items():
        assert result["errors"] == [], env
        assert result["heavy"] == [], f"{env}: parsing imported {result['heavy']}"
        # Speed is a benchmark's business (this machine is shared and noisy); the hard limit
        # is Airflow's [core] dagbag_import_timeout (30 s by default, airflow/config_templates/
        # config.yml), past which the DAG processor kills the parse and the DAG disappears.
        limit = conf.getfloat("core", "dagbag_import_timeout")
        assert result["seconds"] < limit, f"{env}: parse took {result['seconds']:.3f} s"
