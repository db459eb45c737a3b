"""cdk-nag (AwsSolutions) gates synthesis; every acknowledgement is narrow and explained.

The session fixture synthesizes dev and prod with the checks on, and synthesis raises on
any unacknowledged finding, so reaching these tests means both apps are nag-clean.
"""

from __future__ import annotations

import re

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from infra.aws.assembly import add_security_checks
from tests.infra.aws.synth import SynthesizedApp

# Rules whose findings are listed one per action/resource: those must be acknowledged per
# finding, never as a whole.
GRANULAR_RULES = ("AwsSolutions-IAM4", "AwsSolutions-IAM5")
ACK_ID = re.compile(r"^(Annotation::)?(?P<rule>AwsSolutions-[A-Z]+\d+)(\[(?P<finding>.+)\])?$")


def acknowledgements(app: SynthesizedApp) -> list[tuple[str, str, str]]:
    """(construct path, acknowledged id, reason) for every cdk-nag acknowledgement."""
    found = []
    for stack in app.stacks.all():
        for construct in stack.node.find_all():
            for entry in construct.node.metadata:
                if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                    found.extend(
                        (construct.node.path, k, v)
                        for k, v in entry.data.items()
                        # aws-cdk-lib acknowledges some of its own template checks.
                        if "AwsSolutions-" in k
                    )
    return found


def test_synthesis_fails_on_an_unacknowledged_finding(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("nag-negative")))
    stack = cdk.Stack(app, "Careless")
    s3.Bucket(stack, "PlainBucket")  # no TLS enforcement, no access logs
    add_security_checks(app)
    with pytest.raises(RuntimeError, match=r"AwsSolutions-S10"):
        app.synth()


def test_acknowledgements_are_narrow_and_explained(app: SynthesizedApp) -> None:
    found = acknowledgements(app)
    assert found, "expected the documented acknowledgements"
    for path, ack_id, reason in found:
        match = ACK_ID.match(ack_id)
        assert match, (path, ack_id)
        if match["rule"] in GRANULAR_RULES:
            assert match["finding"], f"{path}: {ack_id} acknowledges a whole wildcard rule"
            assert match["finding"] != "Action::*", (path, ack_id)
        assert len(reason.split()) >= 6, f"{path}: {ack_id} needs a real reason"
        # Never on a whole stack: a construct inside it.
        assert "/" in path, f"{ack_id} acknowledged on the stack {path}"


def test_a_star_resource_is_acknowledged_only_for_actions_without_resource_scoping(
    app: SynthesizedApp,
) -> None:
    stars = [(p, a) for p, a, _ in acknowledgements(app) if a.endswith("[Resource::*]")]
    # Only the MWAA execution policy (GetAccountPublicAccessBlock, DescribeLogGroups,
    # PutMetricData); tests/infra/aws/test_least_privilege.py checks the actions themselves.
    assert [p for p, _ in stars] == ["Orchestration/Airflow/ExecutionPolicy"]
