"""What happens to stateful resources when their stack is deleted, per environment."""

from __future__ import annotations

import aws_cdk as cdk

from podcast_analytics.config.settings import StorageConfig


def removal_policy(storage: StorageConfig) -> cdk.RemovalPolicy:
    """Prod keeps data (and keys) when a stack is deleted; dev may throw them away."""
    return cdk.RemovalPolicy.RETAIN if storage.retain_on_delete else cdk.RemovalPolicy.DESTROY
