"""Narrow cdk-nag acknowledgements: one rule and one finding at a time, each with a reason."""

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
