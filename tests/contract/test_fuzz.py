"""Fuzzing the contract validator against the JSON Schema: total on any JSON value, and the
two statements of the contract agree on what is valid."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from podcast_analytics.config import load_settings
from podcast_analytics.contract import EVENT_TYPES, PLATFORMS, SCHEMA_PATH, invalid_reason

RECEIVED = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
EARLIEST = load_settings("local").events.earliest_event_instant
SCHEMA = Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))
FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Rules the schema cannot state: they need the arrival time or the config.
SCHEMA_BLIND_SPOTS = {"future_timestamp", "too_early_timestamp", "bad_timestamp"}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=False)  # JSON has no NaN; 1e400 parses to inf
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
timestamps = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat().replace("+00:00", "Z")),
    st.text(max_size=30),
)
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
    "session_id": "s-1",
    "client": {"app": "a", "app_version": "1.0", "platform": "ios"},
    "country": "GB",
}
field_values = st.one_of(
    json_values,
    st.floats(),  # inf and -inf: what 1e400 parses to
    st.sampled_from(sorted(EVENT_TYPES)),
    timestamps,
    st.fixed_dictionaries(
        {},
        optional={
            k: st.sampled_from(sorted(PLATFORMS)) | json_values
            for k in ("app", "app_version", "platform")
        },
    ),
)
# A valid event with one to three fields changed or removed: every rule gets reached.
events = st.builds(
    lambda changes, removed: {k: v for k, v in {**VALID, **changes}.items() if k not in removed},
    st.dictionaries(st.sampled_from(sorted(VALID)), field_values, min_size=1, max_size=3),
    st.sets(st.sampled_from(sorted(VALID)), max_size=2),
)


def _reason(value: object) -> str | None:
    return invalid_reason(
        value, received_at=RECEIVED, future_tolerance_s=300, earliest_event_ts=EARLIEST
    )


@FUZZ
@given(json_values)
def test_any_json_value_gets_a_verdict(value: object) -> None:
    reason = _reason(value)
    assert reason is None or isinstance(reason, str)


@FUZZ
@given(events)
def test_the_validator_and_the_schema_agree(event: dict) -> None:
    reason = _reason(event)
    if reason is None:
        assert SCHEMA.is_valid(event), event
    elif reason not in SCHEMA_BLIND_SPOTS:
        assert not SCHEMA.is_valid(event), (reason, event)
