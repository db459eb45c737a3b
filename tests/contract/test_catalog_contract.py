"""The catalog contract's reference validator and JSON Schema state one contract: fixed
cases name each rule's reason, and fuzzing shows both agree and the validator is total."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from podcast_analytics.contract import AD_BREAK_KINDS, CATALOG_SCHEMA_PATH, catalog_invalid_reason

SCHEMA = Draft202012Validator(json.loads(CATALOG_SCHEMA_PATH.read_text()))
# Rules a JSON Schema cannot state: calendar instants, and comparisons between fields.
SCHEMA_BLIND_SPOTS = {
    "bad_timestamp:published_at",
    "bad_timestamp:fetched_at",
    "published_after_fetch",
    "bad_value:ad_breaks.range",
}

VALID = {
    "podcast_id": "pod000",
    "episode_id": "pod000-ep0003",
    "title": "Episode 3",
    "published_at": "2026-11-01T06:00:00Z",
    "duration_s": 1800,
    "ad_breaks": [
        {"start_s": 0, "end_s": 30, "kind": "pre"},
        {"start_s": 900, "end_s": 960.5, "kind": "mid"},
        {"start_s": 1770, "end_s": 1800, "kind": "post"},
    ],
    "feed_url": "https://feeds.example.com/pod000.xml",
    "fetched_at": "2026-11-02T00:00:00.123+01:00",
    "unexpected_new_field": {"kept": True},
}

CASES = [
    ({"podcast_id": None}, "missing_field:podcast_id"),
    ({"podcast_id": 7}, "bad_type:podcast_id"),
    ({"episode_id": ""}, "bad_value:episode_id"),
    ({"title": ""}, "bad_value:title"),
    ({"title": ["t"]}, "bad_type:title"),
    ({"fetched_at": None}, "missing_field:fetched_at"),
    ({"published_at": "Sun, 01 Nov 2026 06:00:00 GMT"}, "bad_timestamp:published_at"),
    ({"published_at": "2026-02-30T06:00:00Z"}, "bad_timestamp:published_at"),
    ({"fetched_at": "2026-11-02T00:00:00"}, "bad_timestamp:fetched_at"),
    ({"published_at": "2026-11-02T00:00:00Z"}, "published_after_fetch"),
    ({"duration_s": None}, "missing_field:duration_s"),
    ({"duration_s": "1800"}, "bad_type:duration_s"),
    ({"duration_s": True}, "bad_type:duration_s"),
    ({"duration_s": 0}, "bad_value:duration_s"),
    ({"duration_s": -5}, "bad_value:duration_s"),
    ({"duration_s": float("inf")}, "bad_value:duration_s"),
    ({"duration_s": 10**400}, "bad_value:duration_s"),
    ({"duration_s": 1e308}, "bad_value:duration_s"),
    ({"ad_breaks": {"start_s": 0}}, "bad_type:ad_breaks"),
    ({"ad_breaks": [[0, 30, "pre"]]}, "bad_type:ad_breaks"),
    ({"ad_breaks": [{"end_s": 30, "kind": "pre"}]}, "missing_field:ad_breaks.start_s"),
    ({"ad_breaks": [{"start_s": 0, "kind": "pre"}]}, "missing_field:ad_breaks.end_s"),
    ({"ad_breaks": [{"start_s": "0", "end_s": 30, "kind": "pre"}]}, "bad_type:ad_breaks.start_s"),
    ({"ad_breaks": [{"start_s": -1, "end_s": 30, "kind": "pre"}]}, "bad_value:ad_breaks.start_s"),
    (
        {"ad_breaks": [{"start_s": 0, "end_s": float("inf"), "kind": "pre"}]},
        "bad_value:ad_breaks.end_s",
    ),
    ({"ad_breaks": [{"start_s": 0, "end_s": 30}]}, "missing_field:ad_breaks.kind"),
    ({"ad_breaks": [{"start_s": 0, "end_s": 30, "kind": "intro"}]}, "bad_value:ad_breaks.kind"),
    ({"ad_breaks": [{"start_s": 30, "end_s": 30, "kind": "mid"}]}, "bad_value:ad_breaks.range"),
    ({"ad_breaks": [{"start_s": 40, "end_s": 30, "kind": "mid"}]}, "bad_value:ad_breaks.range"),
    (
        {"ad_breaks": [{"start_s": 1790, "end_s": 1801, "kind": "post"}]},
        "bad_value:ad_breaks.range",
    ),
    ({"feed_url": 5}, "bad_type:feed_url"),
    ({"feed_url": "file:///tmp/pod000.xml"}, "bad_value:feed_url"),
]


def test_a_complete_record_is_valid_both_ways() -> None:
    assert catalog_invalid_reason(VALID) is None
    assert SCHEMA.is_valid(VALID)


def test_optional_fields_may_be_absent_or_null() -> None:
    record = {k: v for k, v in VALID.items() if k not in ("ad_breaks", "feed_url")}
    assert catalog_invalid_reason(record) is None
    assert catalog_invalid_reason({**record, "ad_breaks": None, "feed_url": None}) is None
    assert catalog_invalid_reason({**record, "ad_breaks": []}) is None
    assert SCHEMA.is_valid(record)


@pytest.mark.parametrize(("change", "reason"), CASES)
def test_each_rule_has_its_reason(change: dict, reason: str) -> None:
    record = {**VALID, **change}
    assert catalog_invalid_reason(record) == reason
    if reason not in SCHEMA_BLIND_SPOTS:
        assert not SCHEMA.is_valid(record)


def test_not_an_object() -> None:
    for value in ([], "x", 3, None, True):
        assert catalog_invalid_reason(value) == "not_an_object"
        assert not SCHEMA.is_valid(value)


def test_the_first_broken_rule_wins() -> None:
    assert catalog_invalid_reason({"title": 3}) == "missing_field:podcast_id"
    both = {**VALID, "duration_s": 0, "feed_url": 5}
    assert catalog_invalid_reason(both) == "bad_value:duration_s"


FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats(allow_nan=False)
    | st.text(max_size=10)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=10,
)
ad_break = st.fixed_dictionaries(
    {},
    optional={
        "start_s": st.floats(allow_nan=False, min_value=-10, max_value=2000) | json_values,
        "end_s": st.floats(allow_nan=False, min_value=-10, max_value=2000) | json_values,
        "kind": st.sampled_from(AD_BREAK_KINDS) | json_values,
    },
)
field_values = st.one_of(
    json_values,
    st.floats(),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.lists(ad_break, max_size=3),
    st.sampled_from(("https://a.example/f.xml", "http://x", "ftp://x", "https://")),
)
records = st.builds(
    lambda changes, removed: {k: v for k, v in {**VALID, **changes}.items() if k not in removed},
    st.dictionaries(st.sampled_from(sorted(VALID)), field_values, min_size=1, max_size=3),
    st.sets(st.sampled_from(sorted(VALID)), max_size=2),
)


@FUZZ
@given(json_values)
def test_any_json_value_gets_a_verdict(value: object) -> None:
    reason = catalog_invalid_reason(value)
    assert reason is None or isinstance(reason, str)


@FUZZ
@given(records)
def test_the_validator_and_the_schema_agree(record: dict) -> None:
    reason = catalog_invalid_reason(record)
    if reason is None:
        assert SCHEMA.is_valid(record), record
    elif reason not in SCHEMA_BLIND_SPOTS:
        assert not SCHEMA.is_valid(record), (reason, record)
