"""dbt reads the same names as everyone else: the committed profiles and vars are exactly
what the config renders, and they say what the config says."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from podcast_analytics.config import ENVIRONMENTS, load_settings
from podcast_analytics.config.dbt_profiles import (
    CI_TARGET,
    SMOKE_TARGET,
    project_file_with_vars,
    render_profiles,
)

TRANSFORM = Path(__file__).resolve().parents[2] / "transform"


def _profiles() -> dict:
    return yaml.safe_load((TRANSFORM / "profiles.yml").read_text())["podcast_analytics"]


def _shared_vars() -> dict:
    return yaml.safe_load((TRANSFORM / "dbt_project.yml").read_text())["vars"]["shared_config"]


def test_committed_files_are_what_the_config_renders() -> None:
    assert (TRANSFORM / "profiles.yml").read_text() == render_profiles()
    project = (TRANSFORM / "dbt_project.yml").read_text()
    assert project == project_file_with_vars(project)


def test_every_environment_has_its_target_plus_ci_and_smoke() -> None:
    outputs = _profiles()["outputs"]
    assert set(outputs) == {*ENVIRONMENTS, CI_TARGET, SMOKE_TARGET}
    assert set(_shared_vars()) == set(outputs)
    assert _profiles()["target"] == "local"


def test_snowflake_targets_match_the_config() -> None:
    outputs = _profiles()["outputs"]
    for env in ("dev", "prod"):
        sf = load_settings(env).snowflake
        out = outputs[env]
        assert out["type"] == "snowflake"
        assert out["account"] == f"{sf.organization}-{sf.account}"
        assert (out["user"], out["role"]) == (sf.service_users.transformer, sf.roles.transformer)
        assert (out["warehouse"], out["database"]) == (sf.warehouse.name, sf.analytics_database)
        names = _shared_vars()[env]
        assert (names["raw_database"], names["raw_schema"], names["raw_table"]) == (
            sf.raw_database,
            sf.raw_schema,
            sf.raw_table,
        )
        assert names["marts_schema"] == sf.marts_schema


def test_no_secret_is_stored_in_the_profiles() -> None:
    for name, out in _profiles()["outputs"].items():
        if out["type"] != "snowflake" or name == SMOKE_TARGET:
            continue
        assert "password" not in out
        assert out["private_key_path"].startswith("{{ env_var(")


def test_local_target_reads_the_duckdb_file_the_config_names() -> None:
    local = load_settings("local")
    out = _profiles()["outputs"]["local"]
    assert out["type"] == "duckdb"
    assert f"/{local.local.duckdb_file}'" in out["path"]
    assert _shared_vars()["local"]["raw_table"] == local.snowflake.raw_table.lower()


def test_dbt_and_pulumi_read_different_passphrase_variables() -> None:
    """One variable per key (issue 12.12): the Pulumi provider reads
    SNOWFLAKE_PRIVATE_KEY_PASSPHRASE for the deployer's key, so dbt's (the transformer's)
    passphrase must come from another one."""
    provider_variable = "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"
    for env in ("dev", "prod"):
        out = _profiles()["outputs"][env]
        (variable,) = re.findall(r"env_var\('([A-Z_]+)'", out["private_key_passphrase"])
        assert variable != provider_variable
        assert variable == "SNOWFLAKE_TRANSFORMER_PRIVATE_KEY_PASSPHRASE"
