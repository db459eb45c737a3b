"""The reference validator and the JSON Schema are two statements of one contract."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from jsonschema import Draft202012Validator

from podcast_analytics.config import load_settings
from podcast_analytics.contract import SCHEMA_PATH, invalid_reason, parse_event_ts

RECEIVED = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
EARLIEST = load_settings("local").events.earliest_event_instant
SCHEMA = Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))

VALID = {
    "event_id": "e-1",
    "event_type": "seek",
    "event_ts": "2026-11-24T11:58:00.5+01:00",
    "user_id": "u-1",
    "podcast_id": "p-1",
    "episode_id": "ep-1",
    "position_s": 120,
    "seek_from_s": 30.5,
    "episode_duration_s": 1800,
    "client": {"platform": "ios"},
    "country": "GB",
    "unexpected_new_field": {"kept": True},
}

CASES = [
    ({}, None, "missing_field:event_id"),
    ({"event_id": None}, None, "missing_field:event_id"),
    ({"event_id": 7}, None, "bad_type:event_id"),
    ({"event_id": ""}, None, "bad_value:event_id"),
    ({"event_id": "x" * 129}, None, "bad_value:event_id"),
    ({"user_id": ""}, None, "bad_value:user_id"),
    ({"event_type": "rewind"}, None, "unknown_event_type"),
    ({"event_ts": "2026-11-24 11:58:00"}, None, "bad_timestamp"),
    ({"event_ts": "2026-11-24T11:58:00"}, None, "bad_timestamp"),
    ({"event_ts": "2026-02-30T11:58:00Z"}, "calendar", "bad_timestamp"),
    ({"event_ts": "2026-11-24T12:10:00Z"}, "needs arrival time", "future_timestamp"),
    ({"episode_id": None}, None, "missing_field:episode_id"),
    ({"position_s": None}, None, "missing_field:position_s"),
    ({"position_s": "12"}, None, "bad_type:position_s"),
    ({"position_s": True}, None, "bad_type:position_s"),
    ({"position_s": -1}, None, "negative_position"),
    ({"seek_from_s": None}, None, "missing_field:seek_from_s"),
    ({"seek_from_s": -0.5}, None, "negative_position"),
    ({"episode_duration_s": 0}, None, "bad_value:episode_duration_s"),
    ({"client": "ios"}, None, "bad_type:client"),
    ({"client": {"platform": "tv"}}, None, "bad_value:client.platform"),
    ({"client": {"platform": ["ios"]}}, None, "bad_value:client.platform"),
    ({"country": "gb"}, None, "bad_value:country"),
    ({"event_ts": "0001-01-01T00:00:00Z"}, "needs the config", "too_early_timestamp"),
    ({"event_ts": "1999-12-31T23:59:59.999999Z"}, "needs the config", "too_early_timestamp"),
    # 1e400 parses to infinity; a 400-digit integer is no finite double either.
    ({"position_s": float("inf")}, None, "bad_value:position_s"),
    ({"position_s": float("-inf")}, None, "bad_value:position_s"),
    ({"position_s": 10**400}, None, "bad_value:position_s"),
    ({"seek_from_s": float("inf")}, None, "bad_value:seek_from_s"),
    ({"episode_duration_s": float("inf")}, None, "bad_value:episode_duration_s"),
    ({"client": {"app": 7}}, None, "bad_type:client.app"),
    ({"client": {"app_version": 1.2}}, None, "bad_type:client.app_version"),
]


def test_a_complete_event_is_valid_both_ways() -> None:
    assert (
        invalid_reason(
            VALID, received_at=RECEIVED, future_tolerance_s=300, earliest_event_ts=EARLIEST
        )
        is None
    )
    assert SCHEMA.is_valid(VALID)


@pytest.mark.parametrize(("change", "schema_blind_spot", "reason"), CASES)
def test_each_broken_rule_has_its_reason_and_the_schema_agrees(
    change: dict, schema_blind_spot: str | None, reason: str
) -> None:
    event = {**VALID, **change}
    if change == {}:
        event = {}
    assert (
        invalid_reason(
            event, received_at=RECEIVED, future_tolerance_s=300, earliest_event_ts=EARLIEST
        )
        == reason
    )
    if schema_blind_spot is None:
        assert not SCHEMA.is_valid(event)


def test_non_playback_events_need_no_episode_or_position() -> None:
    event = {k: VALID[k] for k in ("event_id", "event_ts", "user_id", "podcast_id")}
    for event_type in ("subscribe", "unsubscribe"):
        record = {**event, "event_type": event_type}
        assert (
            invalid_reason(
                record, received_at=RECEIVED, future_tolerance_s=0, earliest_event_ts=EARLIEST
            )
            is None
        )
        assert SCHEMA.is_valid(record)
    download = {**event, "event_type": "download"}
    assert invalid_reason(
        download, received_at=RECEIVED, future_tolerance_s=0, earliest_event_ts=EARLIEST
    ) == ("missing_field:episode_id")


def test_timestamps_are_normalised_to_utc() -> None:
    parsed = parse_event_ts("2026-11-24T18:03:12.345+05:30")
    assert parsed == datetime(2026, 11, 24, 12, 33, 12, 345000, tzinfo=UTC)
    assert parse_event_ts("2026-11-24T18:03:12.123456789Z").microsecond == 123456


def test_non_objects_are_not_events() -> None:
    for value in ([1], "text", 3, None):
        assert invalid_reason(
            value, received_at=RECEIVED, future_tolerance_s=0, earliest_event_ts=EARLIEST
        ) == ("not_an_object")
