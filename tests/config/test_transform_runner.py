"""Where dev/prod run the transform: cosmos (the default) or a dbt Cloud job, per environment."""

from __future__ import annotations

import pytest

from podcast_analytics.config import ENVIRONMENTS, TRANSFORM_RUNNERS, ConfigError, load_settings

DBT_CLOUD = {"runner": "dbt_cloud", "cloud": {"account_id": 4242, "job_id": 777}}


def problems(env: str, dbt: dict) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_settings(env, overrides={"dbt": dbt})
    assert all("\n" not in problem for problem in err.value.problems)
    return err.value.problems


def test_every_environment_defaults_to_cosmos() -> None:
    assert TRANSFORM_RUNNERS == ("cosmos", "dbt_cloud")
    assert {load_settings(env).dbt.runner for env in ENVIRONMENTS} == {"cosmos"}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_a_cloud_environment_can_run_the_transform_as_a_dbt_cloud_job(env: str) -> None:
    settings = load_settings(env, overrides={"dbt": DBT_CLOUD})
    cloud = settings.dbt.cloud
    assert settings.dbt.runner == "dbt_cloud"
    assert (cloud.account_id, cloud.job_id) == (4242, 777)
    # The token lives in this Airflow connection (Secrets Manager), never in the config.
    assert cloud.conn_id == "dbt_cloud"
    assert cloud.check_interval_s > 0
    # The other environment keeps its own choice.
    other = load_settings("prod" if env == "dev" else "dev")
    assert other.dbt.runner == "cosmos"


def test_an_unknown_runner_names_the_choices() -> None:
    (problem,) = problems("dev", {"runner": "airbyte"})
    assert problem == "dev.dbt.runner: 'airbyte' is not one of cosmos, dbt_cloud"


def test_local_always_builds_duckdb_with_dbt_itself() -> None:
    (problem,) = problems("local", DBT_CLOUD)
    assert problem.startswith("local.dbt.runner: 'dbt_cloud' is for dev/prod")


@pytest.mark.parametrize(
    ("cloud", "expected"),
    [
        ({"account_id": 0}, "dev.dbt.cloud.account_id: 0 must be the dbt Cloud account id"),
        ({"job_id": -1}, "dev.dbt.cloud.job_id: -1 must be the dbt Cloud job id"),
        ({"conn_id": "dbt cloud!"}, "dev.dbt.cloud.conn_id: 'dbt cloud!' is not an Airflow"),
        ({"check_interval_s": 0}, "dev.dbt.cloud.check_interval_s: 0 is outside 1..600"),
        ({"job_id": "777"}, "dev.dbt.cloud.job_id: expected int, got '777'"),
    ],
)
def test_bad_dbt_cloud_inputs_are_one_line_each(cloud: dict, expected: str) -> None:
    found = problems("dev", {"runner": "dbt_cloud", "cloud": {**DBT_CLOUD["cloud"], **cloud}})
    assert any(expected in problem for problem in found), found


def test_dbt_cloud_ids_are_only_required_when_dbt_cloud_runs() -> None:
    # The shipped defaults (ids 0) are fine as long as cosmos runs the transform.
    assert load_settings("dev").dbt.cloud.account_id == 0
