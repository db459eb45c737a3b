"""No identity policy in any stack grants a data-plane action on every resource (`*`)."""

from __future__ import annotations

import re

import pytest

from tests.infra.aws.policies import as_list, statements
from tests.infra.aws.synth import STACK_IDS, SynthesizedApp

# Actions that touch data (objects, records, keys, secrets, messages).
DATA_PLANE = re.compile(
    r"^(s3:(\w*Object\w*\*?|ListBucket\w*|List\*|Abort\w*\*?|\*)|kms:(Decrypt|Encrypt|ReEncrypt\w*|"
    r"GenerateDataKey\w*|\*)\*?|kinesis:.*|firehose:.*|secretsmanager:GetSecretValue|"
    r"sqs:(SendMessage|ReceiveMessage|DeleteMessage|\*)|lambda:InvokeFunction|\*)$"
)
# Identity-based actions AWS offers no resource-level permission for (service docs).
NO_RESOURCE_LEVEL = {
    "s3:GetAccountPublicAccessBlock",
    "logs:DescribeLogGroups",
    "cloudwatch:PutMetricData",
}


def test_pattern_recognises_data_plane_actions() -> None:
    assert DATA_PLANE.match("s3:GetObject*")
    assert DATA_PLANE.match("kms:GenerateDataKey*")
    assert DATA_PLANE.match("kinesis:PutRecords")
    assert DATA_PLANE.match("s3:ListBucket")
    assert DATA_PLANE.match("s3:DeleteObject*")
    assert not DATA_PLANE.match("s3:GetAccountPublicAccessBlock")
    assert not DATA_PLANE.match("logs:DescribeLogGroups")


@pytest.mark.parametrize("stack_id", STACK_IDS)
def test_no_data_plane_action_on_star(app: SynthesizedApp, stack_id: str) -> None:
    policies = {
        **app.resources(stack_id, "AWS::IAM::Policy"),
        **app.resources(stack_id, "AWS::IAM::Role"),
    }
    for logical_id, resource in policies.items():
        for statement in statements(resource):
            if statement["Effect"] != "Allow" or "*" not in as_list(statement.get("Resource")):
                continue
            actions = set(as_list(statement["Action"]))
            assert not {a for a in actions if DATA_PLANE.match(a)}, (logical_id, statement)
            assert actions <= NO_RESOURCE_LEVEL, (logical_id, statement)
