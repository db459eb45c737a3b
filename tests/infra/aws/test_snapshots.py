"""Every stack's template, for every deploy environment, against its reviewed snapshot.

A snapshot changes only when the infrastructure does (no path metadata, no timestamps).
Asset object keys are content hashes of the Lambda code, the DAG folder, the dbt project and
the package shipped to MWAA: they are masked here, so editing a dbt model or the DAG does not
rewrite the CloudFormation snapshots; `test_asset_hashes.py` proves the hashes themselves are
stable. Update with `pytest tests/infra --snapshot-update` and review the diff like code.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from tests.infra.aws.synth import DEPLOY_ENVIRONMENTS, STACK_IDS, SynthesizedApp

ASSET_KEY = re.compile(r"\b[0-9a-f]{64}(?=\.zip\b)")


def mask_asset_hashes(template: dict[str, Any]) -> dict[str, Any]:
    return json.loads(ASSET_KEY.sub("<asset-hash>", json.dumps(template)))


def test_masking_hides_only_asset_hashes() -> None:
    template = {"Key": "ab" * 32 + ".zip", "Other": "ab" * 32, "Name": "raw_events/"}
    assert mask_asset_hashes(template) == {
        "Key": "<asset-hash>.zip",
        "Other": "ab" * 32,
        "Name": "raw_events/",
    }


@pytest.fixture
def json_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize("stack_id", STACK_IDS)
@pytest.mark.parametrize("environment", DEPLOY_ENVIRONMENTS)
def test_template_matches_snapshot(
    synthesized: dict[str, SynthesizedApp],
    environment: str,
    stack_id: str,
    json_snapshot: SnapshotAssertion,
) -> None:
    assert mask_asset_hashes(synthesized[environment].template(stack_id)) == json_snapshot
