"""The pipeline's S3 buckets and the KMS keys that encrypt them (the stateful core).

Every bucket is TLS-only, blocks public access, enforces bucket-owner object ownership and
sends server access logs to the access-log bucket. Data buckets use customer-managed keys
with rotation; the access-log bucket uses SSE-S3 because S3 server access logging cannot
write to a KMS-encrypted target, and the DAG bucket uses SSE-S3 because it holds code that
MWAA's service reads, not data.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.aws.policies import removal_policy
from podcast_analytics.config import StorageConfig

# Housekeeping only (not a cross-tool value): parts of uploads that never completed.
INCOMPLETE_UPLOAD_DAYS = 7
_INCOMPLETE_UPLOAD_WINDOW = cdk.Duration.days(INCOMPLETE_UPLOAD_DAYS)
_ABORT_INCOMPLETE_UPLOADS = s3.LifecycleRule(
    id="abort-incomplete-uploads",
    abort_incomplete_multipart_upload_after=_INCOMPLETE_UPLOAD_WINDOW,
)


class PipelineBuckets(Construct):
    """Raw (with its dead-letter prefix), exports, artefacts, DAG and access-log buckets."""

    def __init__(self, scope: Construct, construct_id: str, *, storage: StorageConfig) -> None:
        super().__init__(scope, construct_id)
        policy = self._removal_policy = removal_policy(storage)
        names = storage.buckets
        prefixes = storage.prefixes

        # Raw events (Kinesis stream too) and everything derived from them have separate
        # keys, so a role that may decrypt raw data cannot read the exports and vice versa.
        self.raw_key = self._key("RawDataKey", "raw listening events (S3 raw bucket)", policy)
        self.outputs_key = self._key(
            "OutputsKey", "pipeline outputs (exports and dbt artefacts buckets)", policy
        )

        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            bucket_name=names.access_logs,
            encryption=s3.BucketEncryption.S3_MANAGED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    expiration=cdk.Duration.days(storage.access_logs_expiry_days),
                    abort_incomplete_multipart_upload_after=_INCOMPLETE_UPLOAD_WINDOW,
                )
            ],
            **_secure_bucket_defaults(policy),
        )
        cdk.Validations.of(self.access_logs).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-S1",
                reason="This is the access-log target; logging it to itself would loop.",
            )
        )

        self.raw = self._logged_bucket(
            "Raw",
            names.raw,
            key=self.raw_key,
            # Versioning keeps an object Firehose wrote even if someone overwrites it.
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="tier-raw-events",
                    prefix=prefixes.raw_events,
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                            transition_after=cdk.Duration.days(
                                storage.raw_to_infrequent_access_days
                            ),
                        ),
                        s3.Transition(
                            storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                            transition_after=cdk.Duration.days(storage.raw_to_glacier_ir_days),
                        ),
                    ],
                ),
                # The dead-letter location: what Firehose could not process, kept long
                # enough to inspect and re-drive.
                s3.LifecycleRule(
                    id="expire-dead-letters",
                    prefix=prefixes.errors,
                    expiration=cdk.Duration.days(storage.dead_letter_expiry_days),
                    noncurrent_version_expiration=cdk.Duration.days(
                        storage.dead_letter_expiry_days
                    ),
                ),
                _ABORT_INCOMPLETE_UPLOADS,
            ],
        )
        self.exports = self._logged_bucket(
            "Exports",
            names.exports,
            key=self.outputs_key,
            lifecycle_rules=[_ABORT_INCOMPLETE_UPLOADS],
        )
        self.artefacts = self._logged_bucket(
            "Artefacts",
            names.artefacts,
            key=self.outputs_key,
            lifecycle_rules=[
                # dbt manifests, run results and logs are an audit trail with a fixed window.
                s3.LifecycleRule(
                    id="expire-artefacts",
                    expiration=cdk.Duration.days(storage.artefacts_expiry_days),
                    abort_incomplete_multipart_upload_after=_INCOMPLETE_UPLOAD_WINDOW,
                )
            ],
        )
        self.dags = self._logged_bucket(
            "Dags",
            names.dags,
            key=None,
            # MWAA requires a versioned source bucket.
            versioned=True,
            lifecycle_rules=[_ABORT_INCOMPLETE_UPLOADS],
        )

    def _logged_bucket(
        self,
        construct_id: str,
        name: str,
        *,
        key: kms.IKey | None,
        lifecycle_rules: list[s3.LifecycleRule],
        versioned: bool = False,
    ) -> s3.Bucket:
        """A bucket with the house defaults, logging to the access-log bucket; `key` None
        means SSE-S3 (for code MWAA reads, not data)."""
        encryption: dict[str, object] = (
            {
                "encryption": s3.BucketEncryption.KMS,
                "encryption_key": key,
                "bucket_key_enabled": True,
            }
            if key is not None
            else {"encryption": s3.BucketEncryption.S3_MANAGED}
        )
        return s3.Bucket(
            self,
            construct_id,
            bucket_name=name,
            versioned=versioned,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=f"{name}/",
            lifecycle_rules=lifecycle_rules,
            **encryption,
            **_secure_bucket_defaults(self._removal_policy),
        )

    def _key(self, construct_id: str, purpose: str, policy: cdk.RemovalPolicy) -> kms.Key:
        return kms.Key(
            self,
            construct_id,
            description=f"Encrypts {purpose}",
            enable_key_rotation=True,
            removal_policy=policy,
        )


def _secure_bucket_defaults(policy: cdk.RemovalPolicy) -> dict[str, object]:
    return {
        "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
        "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        "enforce_ssl": True,
        "minimum_tls_version": 1.2,
        "removal_policy": policy,
    }
