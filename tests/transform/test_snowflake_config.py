"""What the Snowflake targets would build, read from `dbt parse` (no connection needed):
the shared config's names, clustering and MERGE for the event fact."""

from __future__ import annotations

import json

import pytest

from podcast_analytics.config import load_settings
from tests.transform.dbt_runner import DbtProject

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prod_manifest(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("dbt_parse_prod")
    # the key path is only rendered into the profile, never opened by `parse`
    project = DbtProject(
        work_dir=work, target="prod", env=(("SNOWFLAKE_PRIVATE_KEY_PATH", "/dev/null"),)
    )
    result = project.run("parse")
    assert result.ok, result.failures()
    return json.loads((work / "target" / "manifest.json").read_text())


def _model(manifest: dict, name: str) -> dict:
    return manifest["nodes"][f"model.podcast_analytics.{name}"]


def test_source_and_schemas_come_from_the_config(prod_manifest) -> None:
    sf = load_settings("prod").snowflake
    source = prod_manifest["sources"]["source.podcast_analytics.events.raw_events"]
    assert (source["database"], source["schema"], source["identifier"]) == (
        sf.raw_database,
        sf.raw_schema,
        sf.raw_table,
    )
    schemas = {
        "stg_user_events": sf.staging_schema,
        "int_user_events_sessionized": sf.intermediate_schema,
        "fct_daily_podcast_kpis": sf.marts_schema,
    }
    for model, schema in schemas.items():
        node = _model(prod_manifest, model)
        assert (node["database"], node["schema"]) == (sf.analytics_database, schema)


def test_event_fact_is_clustered_and_merged_on_snowflake(prod_manifest) -> None:
    config = _model(prod_manifest, "fct_listening_events")["config"]
    assert config["cluster_by"] == ["event_date", "event_type"]
    assert (config["incremental_strategy"], config["unique_key"]) == ("merge", "event_id")
    # sessions and plays are replaced per rebuilt session: MERGE could not delete a session
    # that a late event merged into another, so a pre-hook deletes them and the run appends
    for model in ("fct_listening_sessions", "fct_episode_plays"):
        replaced = _model(prod_manifest, model)["config"]
        assert replaced["incremental_strategy"] == "append"
        assert any("delete_rebuilt_sessions" in hook["sql"] for hook in replaced["pre-hook"])
