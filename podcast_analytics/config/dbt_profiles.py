"""dbt's view of the shared config: `transform/profiles.yml` and the `shared_config` vars.

dbt cannot import Python, so the config is rendered into the two places dbt reads: the
profiles file (connections per target) and the `vars:` block that closes
`transform/dbt_project.yml` (object names per target, read by sources and the schema
macro). `make profiles` rewrites both; a test fails when either has drifted.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from podcast_analytics.config import ENVIRONMENTS, Settings, load_settings
from podcast_analytics.contract import MAX_SECONDS

GENERATED_MARKER = (
    "# --- generated from podcast_analytics/config by `make profiles`: do not edit below ---"
)
DUCKDB_PATH_ENV = "PODCAST_DUCKDB_PATH"
# dbt's Snowflake key (the transformer service user's): a file, and its passphrase if the
# key is encrypted. The passphrase has its own variable: SNOWFLAKE_PRIVATE_KEY_PASSPHRASE is
# the Pulumi provider's, i.e. the deployer key's (infra/snowflake/providers.py), and one
# variable cannot carry two keys' passphrases in a job that runs both.
TRANSFORMER_KEY_PATH_ENV = "SNOWFLAKE_PRIVATE_KEY_PATH"
TRANSFORMER_KEY_PASSPHRASE_ENV = "SNOWFLAKE_TRANSFORMER_PRIVATE_KEY_PASSPHRASE"  # noqa: S105 - a name
FAKESNOW_PORT_ENV = "PODCAST_FAKESNOW_PORT"
# Targets beyond the three environments: `ci` builds on DuckDB in CI, `snowflake_smoke` runs
# the real dbt-snowflake adapter against fakesnow on loopback so Snowflake SQL executes
# somewhere before it reaches Snowflake.
CI_TARGET = "ci"
SMOKE_TARGET = "snowflake_smoke"


def _duckdb_output(settings: Settings, default_dir: str) -> dict[str, Any]:
    default_path = f"{default_dir}/{settings.local.duckdb_file}"
    return {
        "type": "duckdb",
        # The runner points this at OUT; run by hand from transform/, the default applies.
        "path": f"{{{{ env_var('{DUCKDB_PATH_ENV}', '{default_path}') }}}}",
        "schema": settings.snowflake.staging_schema.lower(),
        "threads": 2,
    }


def _snowflake_output(settings: Settings) -> dict[str, Any]:
    sf = settings.snowflake
    return {
        "type": "snowflake",
        "account": f"{sf.organization}-{sf.account}",
        "user": sf.service_users.transformer,
        "role": sf.roles.transformer,
        "warehouse": sf.warehouse.name,
        "database": sf.analytics_database,
        "schema": sf.staging_schema,
        # Key-pair auth; the key only ever comes from the environment (CI secret / MWAA).
        "private_key_path": f"{{{{ env_var('{TRANSFORMER_KEY_PATH_ENV}') }}}}",
        "private_key_passphrase": f"{{{{ env_var('{TRANSFORMER_KEY_PASSPHRASE_ENV}', '') }}}}",
        "threads": 8,
        "client_session_keep_alive": False,
        "query_tag": f"dbt-{settings.resource_prefix}",
    }


def _smoke_output(settings: Settings) -> dict[str, Any]:
    sf = settings.snowflake
    return {
        "type": "snowflake",
        "account": "fakesnow",
        "user": "fake",
        "password": "snow",  # fakesnow accepts anything; no real credential exists for it
        "host": settings.local.host,
        "port": f"{{{{ env_var('{FAKESNOW_PORT_ENV}', '0') | as_number }}}}",
        "protocol": "http",
        "role": sf.roles.transformer,
        "warehouse": sf.warehouse.name,
        "database": sf.analytics_database,
        "schema": sf.staging_schema,
        "threads": 1,
    }


def _names(settings: Settings, *, duckdb: bool) -> dict[str, Any]:
    sf = settings.snowflake

    def case(name: str) -> str:
        return name.lower() if duckdb else name

    return {
        # DuckDB keeps raw and analytics in one file, so its raw "database" is the file's.
        "raw_database": settings.local.duckdb_file.removesuffix(".duckdb")
        if duckdb
        else sf.raw_database,
        "raw_schema": case(sf.raw_schema),
        "raw_table": case(sf.raw_table),
        "catalog_table": case(sf.catalog_table),
        "staging_schema": case(sf.staging_schema),
        "intermediate_schema": case(sf.intermediate_schema),
        "marts_schema": case(sf.marts_schema),
        # Every events setting, by its own name: a new one reaches dbt with no edit here.
        **dataclasses.asdict(settings.events),
        # The small-cell threshold, for the shared_* marts (macros/project/small_cell.sql).
        **dataclasses.asdict(settings.reporting),
        # The contract's cap on a position or duration in seconds (contract/validate.py),
        # for the SQL statement of the same rule (`is_finite`, macros/cross_db/json.sql).
        "max_seconds": MAX_SECONDS,
    }


def _all_settings() -> dict[str, Settings]:
    return {env: load_settings(env) for env in ENVIRONMENTS}


def render_profiles(by_env: dict[str, Settings] | None = None) -> str:
    by_env = by_env or _all_settings()
    local, dev = by_env["local"], by_env["dev"]
    outputs = {
        "local": _duckdb_output(local, f"../{local.local.out_dir}"),
        CI_TARGET: _duckdb_output(local, f"../{local.local.out_dir}/ci"),
        SMOKE_TARGET: _smoke_output(dev),
        "dev": _snowflake_output(dev),
        "prod": _snowflake_output(by_env["prod"]),
    }
    body = yaml.safe_dump(
        {local.dbt.profile: {"target": local.dbt.target, "outputs": outputs}},
        sort_keys=False,
        width=120,
    )
    return (
        "# Generated from podcast_analytics/config by `make profiles`; do not edit by hand.\n"
        "# Secrets are read from the environment at run time, never stored here.\n" + body
    )


def render_project_vars(by_env: dict[str, Settings] | None = None) -> str:
    by_env = by_env or _all_settings()
    shared = {
        "local": _names(by_env["local"], duckdb=True),
        CI_TARGET: _names(by_env["local"], duckdb=True),
        SMOKE_TARGET: _names(by_env["dev"], duckdb=False),
        "dev": _names(by_env["dev"], duckdb=False),
        "prod": _names(by_env["prod"], duckdb=False),
    }
    return (
        GENERATED_MARKER
        + "\n"
        + yaml.safe_dump({"vars": {"shared_config": shared}}, sort_keys=False, width=120)
    )


def project_file_with_vars(current: str, by_env: dict[str, Settings] | None = None) -> str:
    """dbt_project.yml with everything after the marker replaced by the rendered vars."""
    head = current.split(GENERATED_MARKER, 1)[0].rstrip("\n")
    return f"{head}\n\n{render_project_vars(by_env)}"


def write_dbt_config(transform_dir: Path) -> list[Path]:
    by_env = _all_settings()
    profiles = transform_dir / "profiles.yml"
    project = transform_dir / "dbt_project.yml"
    profiles.write_text(render_profiles(by_env), encoding="utf-8")
    project.write_text(
        project_file_with_vars(project.read_text(encoding="utf-8"), by_env), encoding="utf-8"
    )
    return [profiles, project]


def stale_dbt_config(transform_dir: Path) -> list[Path]:
    """profiles.yml / dbt_project.yml files that differ from what the config renders."""
    profiles = transform_dir / "profiles.yml"
    project = transform_dir / "dbt_project.yml"
    return [
        path
        for path, expected in (
            (profiles, render_profiles()),
            (project, project_file_with_vars(project.read_text(encoding="utf-8"))),
        )
        if not path.exists() or path.read_text(encoding="utf-8") != expected
    ]
