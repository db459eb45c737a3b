"""Every log group we create expires, and follows the environment's retention policy."""

from __future__ import annotations

import dataclasses

import pytest

from infra.aws.policies import log_retention
from podcast_analytics.config import load_settings
from tests.infra.aws.synth import STACK_IDS, SynthesizedApp


@pytest.mark.parametrize("stack_id", STACK_IDS)
def test_log_groups_expire_and_follow_the_environment(app: SynthesizedApp, stack_id: str) -> None:
    expected_policy = "Retain" if app.settings.storage.retain_on_delete else "Delete"
    for logical_id, group in app.resources(stack_id, "AWS::Logs::LogGroup").items():
        days = group["Properties"]["RetentionInDays"]
        assert days >= app.settings.storage.dead_letter_expiry_days, logical_id
        assert group["DeletionPolicy"] == expected_policy, logical_id


@pytest.mark.parametrize(
    ("dead_letter_days", "expected"),
    [
        (1, "ONE_WEEK"),
        (30, "ONE_MONTH"),
        (90, "THREE_MONTHS"),
        (91, "SIX_MONTHS"),
        (900, "TWO_YEARS"),
    ],
)
def test_retention_is_the_shortest_period_covering_the_dead_letter_window(
    dead_letter_days: int, expected: str
) -> None:
    base = load_settings("dev")
    settings = dataclasses.replace(
        base, storage=dataclasses.replace(base.storage, dead_letter_expiry_days=dead_letter_days)
    )
    assert log_retention(settings).name == expected
