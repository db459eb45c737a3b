"""The role Snowflake's storage integration assumes: trust, and nothing beyond its two stages."""

from __future__ import annotations

from typing import Any

from tests.infra.aws.policies import as_list, role_statements
from tests.infra.aws.synth import SNOWFLAKE_EXTERNAL_ID, SNOWFLAKE_USER_ARN, SynthesizedApp


def access_role(app: SynthesizedApp) -> tuple[str, dict[str, Any]]:
    (found,) = app.resources("SnowflakeAccess", "AWS::IAM::Role").items()
    return found


def test_role_has_the_name_the_storage_integration_is_created_with(app: SynthesizedApp) -> None:
    _, role = access_role(app)
    assert role["Properties"]["RoleName"] == app.settings.access.snowflake_access_role_name
    assert app.settings.access.snowflake_access_role_arn.endswith(
        f":role/{role['Properties']['RoleName']}"
    )


def test_after_the_handoff_only_snowflakes_user_with_the_external_id_is_trusted(
    handed_off: SynthesizedApp,
) -> None:
    _, role = access_role(handed_off)
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Principal"] == {"AWS": SNOWFLAKE_USER_ARN}
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": SNOWFLAKE_EXTERNAL_ID}}


def test_before_the_handoff_the_role_trusts_nobody_and_synth_says_so(
    app: SynthesizedApp,
) -> None:
    """No account root, no external id committed to the repository: one Deny for everyone."""
    assert app.settings.snowflake.handoff.integration_iam_user_arn == ""
    _, role = access_role(app)
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == {"AWS": "*"}
    assert statement["Action"] == "sts:AssumeRole"
    assert "Condition" not in statement
    warnings = [
        m.data
        for m in app.stacks.snowflake_access.access.node.metadata
        if m.type == "aws:cdk:warning"
    ]
    assert any("integration_external_id" in str(w) for w in warnings)


def test_reads_only_the_raw_prefixes_and_writes_only_exports(app: SynthesizedApp) -> None:
    role_id, _ = access_role(app)
    buckets = app.settings.storage.buckets
    prefixes = app.settings.storage.prefixes
    by_action: dict[str, set[str]] = {}
    for statement in role_statements(app.template("SnowflakeAccess"), role_id):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            by_action.setdefault(action, set()).update(
                r if isinstance(r, str) else "<key>" for r in as_list(statement["Resource"])
            )
    # the events pipe's prefix and the catalog pipe's, nothing else of raw (not errors/)
    assert by_action["s3:GetObject"] == {
        f"arn:aws:s3:::{buckets.raw}/{prefixes.raw_events}*",
        f"arn:aws:s3:::{buckets.raw}/{prefixes.catalog}*",
    }
    assert by_action["s3:PutObject"] == {f"arn:aws:s3:::{buckets.exports}/*"}
    assert by_action["s3:ListBucket"] == {
        f"arn:aws:s3:::{buckets.raw}",
        f"arn:aws:s3:::{buckets.exports}",
    }
    # No deletes, no other bucket, no writes to raw.
    assert not any("Delete" in action for action in by_action)
    assert set(by_action) == {
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:ListBucket",
        "s3:GetBucketLocation",
        "s3:PutObject",
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
    }


def test_listing_raw_is_limited_to_the_two_pipes_prefixes(app: SynthesizedApp) -> None:
    role_id, _ = access_role(app)
    raw_arn = f"arn:aws:s3:::{app.settings.storage.buckets.raw}"
    (listing,) = (
        s
        for s in role_statements(app.template("SnowflakeAccess"), role_id)
        if "s3:ListBucket" in as_list(s["Action"]) and raw_arn in as_list(s["Resource"])
    )
    prefixes = app.settings.storage.prefixes
    assert listing["Condition"] == {
        "StringLike": {"s3:prefix": [f"{prefixes.raw_events}*", f"{prefixes.catalog}*"]}
    }


def test_kms_rights_are_decrypt_on_raw_and_encrypt_on_outputs(app: SynthesizedApp) -> None:
    role_id, _ = access_role(app)
    storage = app.template("Storage")["Resources"]
    grants = {}
    for statement in role_statements(app.template("SnowflakeAccess"), role_id):
        actions = [a for a in as_list(statement["Action"]) if a.startswith("kms:")]
        if actions:
            output = statement["Resource"]["Fn::GetStackOutput"]["OutputName"]
            (key_id,) = (
                k for k in storage if k in output and storage[k]["Type"] == "AWS::KMS::Key"
            )
            grants[key_id] = set(actions)
    raw_key = next(k for k in grants if "RawDataKey" in k)
    outputs_key = next(k for k in grants if "OutputsKey" in k)
    assert grants[raw_key] == {"kms:Decrypt"}
    assert grants[outputs_key] == {"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"}
