"""dbt knows who reads the marts, and the marts keep their shape.

The `report` exposure lists exactly the metrics and marts report.py declares (and report.py
refuses to read anything undeclared); `mart_exports` and `shared_exports` together list every
model the export step copies out; every mart enforces a contract with a type per column.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from podcast_analytics.config import load_settings
from podcast_analytics.pipeline.report import REPORT_MARTS, REPORT_METRICS

pytestmark = pytest.mark.slow

TIME_SPINE = "metricflow_time_spine"


@pytest.fixture(scope="module")
def manifest(built_warehouse) -> dict[str, Any]:
    return json.loads((built_warehouse.project.work_dir / "target" / "manifest.json").read_text())


def _exposure(manifest: dict[str, Any], name: str) -> tuple[set[str], set[str]]:
    nodes = manifest["exposures"][f"exposure.podcast_analytics.{name}"]["depends_on"]["nodes"]
    models = {n.rsplit(".", 1)[1] for n in nodes if n.startswith("model.")}
    metrics = {n.rsplit(".", 1)[1] for n in nodes if n.startswith("metric.")}
    return models, metrics


def _marts(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    schema = load_settings("local").snowflake.marts_schema.lower()
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"].lower() == schema
    }


def test_the_report_exposure_is_what_the_report_reads(manifest) -> None:
    assert _exposure(manifest, "report") == (set(REPORT_MARTS), set(REPORT_METRICS))


def test_the_export_exposures_cover_every_exported_mart(manifest) -> None:
    exported = set(_marts(manifest)) - {TIME_SPINE}
    internal, _ = _exposure(manifest, "mart_exports")
    shared, _ = _exposure(manifest, "shared_exports")
    assert shared == {name for name in exported if name.startswith("shared_")} and shared
    assert internal == exported - shared


def test_every_mart_enforces_a_contract_with_a_type_per_column(manifest) -> None:
    marts = _marts(manifest)
    assert len(marts) > 20
    for name, node in marts.items():
        assert node["config"]["contract"]["enforced"] is True, name
        assert node["columns"], name
        untyped = [c for c, column in node["columns"].items() if not column.get("data_type")]
        assert not untyped, f"{name}: no data_type for {untyped}"
