"""MAX_SECONDS, the contract's cap on a position or duration, is defined once
(podcast_analytics/contract/validate.py): the JSON Schemas state it as `maximum` and dbt
reads it as the `max_seconds` var that `make profiles` renders; both are kept in step here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from podcast_analytics.config.dbt_profiles import render_project_vars
from podcast_analytics.contract import CATALOG_SCHEMA_PATH, MAX_SECONDS, SCHEMA_PATH


def maxima(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every `maximum` in a JSON Schema, with the path of the property that has it."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "maximum":
                yield where, value
            else:
                yield from maxima(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from maxima(value, f"{where}/{index}")


@pytest.mark.parametrize("schema", [SCHEMA_PATH, CATALOG_SCHEMA_PATH], ids=lambda p: p.name)
def test_every_maximum_of_the_schema_is_max_seconds(schema: Path) -> None:
    found = dict(maxima(json.loads(schema.read_text(encoding="utf-8"))))
    assert found, f"{schema.name} states no maximum: is the cap gone from the schema?"
    assert {where: value for where, value in found.items() if value != MAX_SECONDS} == {}
    # Every seconds property is capped, and only seconds properties are.
    assert all(where.endswith("_s") for where in found), sorted(found)


def test_dbt_reads_max_seconds_for_every_target() -> None:
    shared = yaml.safe_load(render_project_vars())["vars"]["shared_config"]
    assert {target: names["max_seconds"] for target, names in shared.items()} == dict.fromkeys(
        shared, MAX_SECONDS
    )
