"""The IAM role Snowflake's storage integration assumes to read raw events and write exports.

One storage integration serves two stages (see the Pulumi program): the raw stage Snowpipe
reads (`s3://<raw bucket>/raw_events/`), the catalog stage its catalog pipe reads
(`s3://<raw bucket>/catalog/`) and the exports stage the DAG unloads marts to
(`s3://<exports bucket>/`). The role may therefore read and list those two raw prefixes
only, and write objects to the exports bucket; nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.aws.nag import acknowledge, bucket_objects
from podcast_analytics.config import AccessConfig, SnowflakeHandoff

# Before the hand-off (Snowflake has not generated its IAM user and external id yet) the role
# trusts nobody: one explicit Deny, which no Allow can override (IAM policy evaluation logic,
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
# `{"AWS": "*"}`, not `"*"`: IAM rejects a bare "*" principal in a trust policy (aws-cdk #5746).
# The storage integration needs only the role's ARN (from the config) to be created.
TRUST_NOBODY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "NobodyUntilTheSnowflakeHandOff",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
        }
    ],
}


class SnowflakeAccessRole(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        access: AccessConfig,
        handoff: SnowflakeHandoff,
        raw_bucket: s3.IBucket,
        raw_key: kms.IKey,
        raw_prefixes: Sequence[str],
        exports_bucket: s3.IBucket,
        exports_key: kms.IKey,
    ) -> None:
        super().__init__(scope, construct_id)
        self.role = iam.Role(
            self,
            "Role",
            # A fixed name, because the storage integration is created with its ARN
            # (settings.access.snowflake_access_role_arn) before this role may exist.
            role_name=access.snowflake_access_role_name,
            description="Assumed by the Snowflake storage integration (Snowpipe, unloads)",
            assumed_by=self._trust(handoff),
            max_session_duration=cdk.Duration.hours(1),
        )
        if not _handed_off(handoff):
            cfn_role = self.role.node.default_child
            if not isinstance(cfn_role, iam.CfnRole):
                raise TypeError(f"expected the role's CfnRole, got {cfn_role!r}")
            cfn_role.assume_role_policy_document = TRUST_NOBODY

        raw_objects = [raw_bucket.arn_for_objects(f"{prefix}*") for prefix in raw_prefixes]
        statements = [
            iam.PolicyStatement(
                sid="ReadRawEvents",
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=raw_objects,
            ),
            iam.PolicyStatement(
                sid="ListRawEventsPrefix",
                actions=["s3:ListBucket"],
                resources=[raw_bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{p}*" for p in raw_prefixes]}},
            ),
            iam.PolicyStatement(
                sid="LocateBuckets",
                actions=["s3:GetBucketLocation"],
                resources=[raw_bucket.bucket_arn, exports_bucket.bucket_arn],
            ),
            iam.PolicyStatement(
                sid="DecryptRawEvents",
                actions=["kms:Decrypt"],
                resources=[raw_key.key_arn],
            ),
            iam.PolicyStatement(
                sid="ListExports",
                actions=["s3:ListBucket"],
                resources=[exports_bucket.bucket_arn],
            ),
            # COPY INTO @exports_stage writes new files. No DeleteObject: unloads must not
            # use OVERWRITE/PURGE, so an export can never erase an earlier one.
            iam.PolicyStatement(
                sid="WriteExports",
                actions=["s3:PutObject"],
                resources=[exports_bucket.arn_for_objects("*")],
            ),
            # Decrypt as well as GenerateDataKey: S3 needs both for multipart uploads.
            iam.PolicyStatement(
                sid="EncryptExports",
                actions=["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"],
                resources=[exports_key.key_arn],
            ),
        ]
        policy = iam.Policy(self, "Policy", statements=statements)
        policy.attach_to_role(self.role)
        acknowledge(
            policy,
            "AwsSolutions-IAM5",
            "Object ARNs under the raw-events and catalog prefixes (read by the two pipes) and "
            "in the exports bucket (unloads write generated file names); no other bucket or "
            "prefix.",
            *(bucket_objects(raw_bucket, f"{prefix}*") for prefix in raw_prefixes),
            bucket_objects(exports_bucket),
        )

    def _trust(self, handoff: SnowflakeHandoff) -> iam.IPrincipal:
        if _handed_off(handoff):
            return iam.ArnPrincipal(handoff.integration_iam_user_arn).with_conditions(
                {"StringEquals": {"sts:ExternalId": handoff.integration_external_id}}
            )
        cdk.Annotations.of(self).add_warning_v2(
            "podcast:SnowflakeTrustPending",
            "Snowflake access role trusts nobody yet (deny-all trust policy): "
            "snowflake.handoff.integration_iam_user_arn / integration_external_id are empty. "
            "Run `pulumi up`, record the storage integration's values in the config and "
            "deploy again (infra/README.md, first deploy).",
        )
        # Replaced by TRUST_NOBODY on the CloudFormation resource; never rendered.
        return iam.AccountRootPrincipal()


def _handed_off(handoff: SnowflakeHandoff) -> bool:
    return bool(handoff.integration_iam_user_arn and handoff.integration_external_id)
