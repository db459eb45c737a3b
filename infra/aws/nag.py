"""Narrow acknowledgements, one finding at a time, each with a reason: cdk-nag's (in the
construct tree) and checkov's (in the template metadata of the resource concerned)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk.aws_s3 import IBucket
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule: str, reason: str, *findings: str) -> None:
    """Acknowledge `rule` (e.g. AwsSolutions-IAM5) on `scope`, for the given findings only.

    With no findings the whole rule is acknowledged on that one resource, for rules that
    report one finding per resource.
    """
    ids = [f"{rule}[{finding}]" for finding in findings] or [rule]
    cdk.Validations.of(scope).acknowledge(
        *(cdk.Acknowledgment(id=finding_id, reason=reason) for finding_id in ids)
    )


def bucket_objects(bucket: IBucket, key_pattern: str = "*") -> str:
    """The IAM5 finding for object ARNs of a bucket imported by name (a plain string)."""
    arn = cdk.Stack.of(bucket).resolve(bucket.arn_for_objects(key_pattern))
    if not isinstance(arn, str):
        raise TypeError(f"{bucket.node.path}: import the bucket by name to get a literal ARN")
    return f"Resource::{arn}"


def checkov_skip(scope: IConstruct, check_id: str, reason: str) -> None:
    """Acknowledge checkov's `check_id` on one CloudFormation resource, with its reason.

    checkov reads a resource's `Metadata.checkov.skip` list of `{id, comment}`
    (https://www.checkov.io/2.Basics/Suppressing%20and%20Skipping%20Policies.html,
    CloudFormation section); the comment shows in its report as the suppression reason.
    """
    resource = scope if isinstance(scope, cdk.CfnResource) else scope.node.default_child
    if not isinstance(resource, cdk.CfnResource):
        raise TypeError(f"{scope.node.path}: no CloudFormation resource to acknowledge on")
    skips = [
        skip
        for skip in (resource.get_metadata("checkov") or {}).get("skip", [])
        if skip["id"] != check_id
    ]
    resource.add_metadata("checkov", {"skip": [*skips, {"id": check_id, "comment": reason}]})


# Lambda functions aws-cdk-lib builds for its own custom resources: construct id at stack
# level (one singleton per stack each) -> (what it does, whether it has environment variables).
CDK_HANDLERS: dict[str, tuple[str, bool]] = {
    "Custom::VpcRestrictDefaultSGCustomResourceProvider": (
        "empties the default security group (restrictDefaultSecurityGroup)",
        False,
    ),
    "Custom::CDKBucketDeployment": ("copies the DAG bucket's contents (BucketDeployment)", True),
    "AWS679f53fac002430cb0da5b7982bd2287": (
        "reads deployed object versions (AwsCustomResource)",
        False,
    ),
    "BucketNotificationsHandler050a0587b7544547bf325f094a3db834": (
        "writes the raw bucket's event notifications (Custom::S3BucketNotifications)",
        False,
    ),
}


def acknowledge_cdk_handlers(stack: cdk.Stack) -> None:
    """checkov's Lambda checks on the custom-resource handlers aws-cdk-lib builds in `stack`."""
    for child in stack.node.children:
        known = next(
            (value for prefix, value in CDK_HANDLERS.items() if child.node.id.startswith(prefix)),
            None,
        )
        if known is None:
            continue
        purpose, has_environment = known
        (function,) = (
            node
            for node in child.node.find_all()
            if isinstance(node, cdk.CfnResource)
            and node.cfn_resource_type == "AWS::Lambda::Function"
        )
        handler = f"aws-cdk-lib's handler that {purpose}"
        checkov_skip(
            function,
            "CKV_AWS_115",
            f"{handler}: CloudFormation invokes it a few times per deploy; a reserved "
            "concurrency would only take from the account's pool.",
        )
        checkov_skip(
            function,
            "CKV_AWS_116",
            f"{handler}: CloudFormation waits for its answer and fails the stack operation on "
            "an error, so a dead-letter queue would catch nothing.",
        )
        checkov_skip(
            function,
            "CKV_AWS_117",
            f"{handler}: it calls AWS APIs only; a VPC would add ENIs and NAT and isolate nothing.",
        )
        if has_environment:
            checkov_skip(
                function,
                "CKV_AWS_173",
                f"{handler}: its environment variables hold no secret (Lambda encrypts them "
                "at rest with an AWS managed key).",
            )
