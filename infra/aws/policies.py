"""Per-environment lifecycle policy: what a stack deletion keeps, how long logs live."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_logs as logs

from podcast_analytics.config import Settings, StorageConfig


def removal_policy(storage: StorageConfig) -> cdk.RemovalPolicy:
    """Prod keeps data (and keys) when a stack is deleted; dev may throw them away."""
    return cdk.RemovalPolicy.RETAIN if storage.retain_on_delete else cdk.RemovalPolicy.DESTROY


# CloudWatch Logs accepts only these retention periods (days).
_RETENTION_PERIODS: tuple[tuple[int, logs.RetentionDays], ...] = (
    (7, logs.RetentionDays.ONE_WEEK),
    (14, logs.RetentionDays.TWO_WEEKS),
    (30, logs.RetentionDays.ONE_MONTH),
    (60, logs.RetentionDays.TWO_MONTHS),
    (90, logs.RetentionDays.THREE_MONTHS),
    (180, logs.RetentionDays.SIX_MONTHS),
    (365, logs.RetentionDays.ONE_YEAR),
)


def log_retention(settings: Settings) -> logs.RetentionDays:
    """Operational logs live at least as long as the dead letters they help explain."""
    days = settings.storage.dead_letter_expiry_days
    for period, retention in _RETENTION_PERIODS:
        if period >= days:
            return retention
    return logs.RetentionDays.TWO_YEARS
