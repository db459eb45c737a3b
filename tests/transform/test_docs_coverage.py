"""Every model and every column the build creates is described in the YAML beside it."""

from __future__ import annotations

import duckdb
import pytest
import yaml

from tests.transform.dbt_runner import TRANSFORM

pytestmark = pytest.mark.slow


def _documented() -> dict[str, dict[str, str]]:
    models: dict[str, dict[str, str]] = {}
    paths = [*(TRANSFORM / "models").rglob("*.yml"), *(TRANSFORM / "snapshots").rglob("*.yml")]
    for path in paths:
        described = yaml.safe_load(path.read_text())
        for model in described.get("models", []) + described.get("snapshots", []):
            assert model.get("description", "").strip(), f"{model['name']} has no description"
            models[model["name"]] = {
                c["name"]: (c.get("description") or "").strip() for c in model.get("columns", [])
            }
    return models


def test_every_built_column_is_described(built_warehouse) -> None:
    documented = _documented()
    with duckdb.connect(str(built_warehouse.database), read_only=True) as con:
        built = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema in ('staging', 'intermediate', 'marts')"
        ).fetchall()
    models = {table for table, _ in built}
    assert models <= set(documented), sorted(models - set(documented))
    undescribed = sorted(
        f"{table}.{column}" for table, column in built if not documented[table].get(column)
    )
    assert not undescribed, undescribed


def test_every_mart_links_the_methodology_and_the_docs_overview_is_it() -> None:
    marts = [
        model
        for path in (TRANSFORM / "models" / "3.marts").glob("_*marts__models.yml")
        for model in yaml.safe_load(path.read_text())["models"]
    ]
    assert {"fct_episode_plays", "fct_ad_break_reach"} <= {m["name"] for m in marts}
    unlinked = [m["name"] for m in marts if "docs/methodology.md" not in m["description"]]
    assert not unlinked, unlinked
    methodology = (TRANSFORM / "docs" / "methodology.md").read_text()
    # the dbt docs site shows the project's `__overview__` block instead of dbt's welcome
    assert methodology.startswith("{% docs __overview__ %}")
    for rule in range(1, 13):
        assert f"\n{rule}. **" in methodology, rule
