"""requirements.txt and startup.sh reach MWAA on every deploy that changes them: the
environment names the S3 object version the deploy uploaded, read back after the upload."""

from __future__ import annotations

import json

import pytest

from infra.aws.mwaa.dag_bucket import (
    REQUIREMENTS_FILE,
    REQUIREMENTS_KEY,
    STARTUP_SCRIPT_FILE,
    STARTUP_SCRIPT_KEY,
    content_etag,
)
from tests.infra.aws.synth import SynthesizedApp

STACK = "Orchestration"


@pytest.mark.parametrize(
    ("property_name", "key", "source"),
    [
        ("RequirementsS3ObjectVersion", REQUIREMENTS_KEY, REQUIREMENTS_FILE),
        ("StartupScriptS3ObjectVersion", STARTUP_SCRIPT_KEY, STARTUP_SCRIPT_FILE),
    ],
)
def test_mwaa_gets_the_version_of_the_file_this_deploy_uploaded(
    app: SynthesizedApp, property_name: str, key: str, source
) -> None:
    (environment,) = app.resources(STACK, "AWS::MWAA::Environment").values()
    lookup_id, attribute = environment["Properties"][property_name]["Fn::GetAtt"]
    assert attribute == "VersionId"
    lookup = app.template(STACK)["Resources"][lookup_id]
    for event in ("Create", "Update"):
        call = json.loads(lookup["Properties"][event])
        assert (call["service"], call["action"]) == ("S3", "headObject")
        assert call["parameters"]["Bucket"] == app.settings.storage.buckets.dags
        assert call["parameters"]["Key"] == key
        # The MD5 of what we ship: the lookup changes exactly when the file does, and a
        # version with other content fails the deploy instead of being pinned.
        assert call["parameters"]["IfMatch"] == content_etag(source.read_text(encoding="utf-8"))
    # Read only after the deployment that uploads the file.
    uploads = {
        logical_id
        for logical_id, deployment in app.resources(STACK, "Custom::CDKBucketDeployment").items()
        if "DestinationBucketKeyPrefix" not in deployment["Properties"]
    }
    assert uploads and uploads <= set(lookup["DependsOn"])


def test_the_etag_is_the_quoted_md5_of_the_content() -> None:
    assert content_etag("") == '"d41d8cd98f00b204e9800998ecf8427e"'
