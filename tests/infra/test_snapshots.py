"""Every stack's template, for every deploy environment, against its reviewed snapshot.

A snapshot changes only when the infrastructure does (no path metadata, no timestamps,
asset hashes without bytecode). Update with `pytest tests/infra --snapshot-update` and
review the diff like code.
"""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from tests.infra.synth import DEPLOY_ENVIRONMENTS, STACK_IDS, SynthesizedApp


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
    assert synthesized[environment].template(stack_id) == json_snapshot
