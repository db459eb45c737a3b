"""Every stack's template, for every deploy environment, against its reviewed snapshot.

A snapshot changes only when the infrastructure does (no path metadata, no timestamps).
Asset object keys are content hashes of the Lambda code, the DAG folder, the dbt project and
the package shipped to MWAA: they are masked here, so editing a dbt model or the DAG does not
rewrite the CloudFormation snapshots; `test_asset_hashes.py` proves the hashes themselves are
stable. So is the MD5 of requirements.txt and startup.sh that the MWAA object-version lookups
match on (`IfMatch`): a dependency bump changes it, not the infrastructure; it is checked
well-formed here and equal to the shipped file's MD5 in mwaa/test_object_versions.py.
Update with `pytest tests/infra --snapshot-update` and review the diff like code.
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


# The quoted MD5 after `IfMatch` inside an AwsCustomResource call, itself a JSON string.
CONTENT_MD5 = re.compile(r'(?<=IfMatch)((?:\\*"|:|\s)+)[0-9a-f]{32}(?=\\*")')


def mask_asset_hashes(template: dict[str, Any]) -> dict[str, Any]:
    text = ASSET_KEY.sub("<asset-hash>", json.dumps(template))
    return json.loads(CONTENT_MD5.sub(r"\1<content-md5>", text))


def if_match_values(template: dict[str, Any]) -> list[str]:
    """The `IfMatch` of every AwsCustomResource call in the template."""
    return [
        json.loads(call)["parameters"]["IfMatch"]
        for resource in template["Resources"].values()
        if resource["Type"] == "Custom::AWS"
        for event in ("Create", "Update")
        if (call := resource["Properties"].get(event))
        and "IfMatch" in json.loads(call).get("parameters", {})
    ]


def test_masking_hides_only_asset_hashes_and_content_md5s() -> None:
    call = json.dumps({"parameters": {"Key": "requirements.txt", "IfMatch": f'"{"cd" * 16}"'}})
    template = {
        "Key": "ab" * 32 + ".zip",
        "Other": "ab" * 32,
        "Name": "raw_events/",
        "Md5": "cd" * 16,
        "Resources": {"Lookup": {"Type": "Custom::AWS", "Properties": {"Create": call}}},
    }
    masked = mask_asset_hashes(template)
    assert masked == {
        "Key": "<asset-hash>.zip",
        "Other": "ab" * 32,
        "Name": "raw_events/",
        "Md5": "cd" * 16,
        "Resources": {
            "Lookup": {
                "Type": "Custom::AWS",
                "Properties": {"Create": call.replace("cd" * 16, "<content-md5>")},
            }
        },
    }
    assert if_match_values(masked) == ['"<content-md5>"']


@pytest.mark.parametrize("environment", DEPLOY_ENVIRONMENTS)
def test_the_masked_md5s_are_there_and_well_formed(
    synthesized: dict[str, SynthesizedApp], environment: str
) -> None:
    # requirements.txt and startup.sh, each read on create and on update.
    values = if_match_values(synthesized[environment].template("Orchestration"))
    assert len(values) == 4 and all(re.fullmatch(r'"[0-9a-f]{32}"', v) for v in values), values
    assert (
        if_match_values(mask_asset_hashes(synthesized[environment].template("Orchestration")))
        == ['"<content-md5>"'] * 4
    )


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
