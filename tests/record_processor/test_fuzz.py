"""Fuzzing the Lambda record processor: whatever bytes arrive, it answers, never raises.

Bounded (`max_examples`) and derandomized so `make test` stays fast and repeatable; the
strategies reach what the hand-written cases cannot: any bytes, deep and wide JSON,
numbers at and beyond the double range, unpaired surrogates, embedded newlines.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podcast_analytics.record_processor.handler import MAX_JSON_DEPTH, process_record

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
REASONS = {
    "empty",
    "oversize",
    "invalid_utf8",
    "not_json",
    "not_an_object",
    "duplicate_key",
    "too_deep",
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)


def _check(processed, data: bytes) -> None:
    assert processed.result in ("Ok", "ProcessingFailed")
    if processed.result == "Ok":
        assert processed.reason is None
        assert processed.data.endswith(b"\n") and processed.data.count(b"\n") == 1
        assert isinstance(json.loads(processed.data), dict)
    else:
        assert processed.reason in REASONS
        assert processed.data == data  # Firehose keeps the original bytes


@FUZZ
@given(st.binary(max_size=2_000))
def test_any_bytes_get_an_answer(data: bytes) -> None:
    _check(process_record(data), data)


@settings(FUZZ, max_examples=100)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=4))
def test_any_json_object_is_delivered_as_one_line(value: dict) -> None:
    data = json.dumps(value, indent=1).encode()  # newlines inside: still one line out
    processed = process_record(data)
    _check(processed, data)
    assert processed.result == "Ok"
    assert json.loads(processed.data) == value


@FUZZ
@given(st.integers(min_value=1, max_value=20_000), st.sampled_from(["[", '{"a":']))
def test_nesting_beyond_the_limit_is_dead_lettered_not_raised(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    inner = "1" if opener != "[" else ""
    data = ('{"x":' + opener * depth + inner + closer * depth + "}").encode()
    processed = process_record(data)
    _check(processed, data)
    expected = "Ok" if depth + 1 <= MAX_JSON_DEPTH else "ProcessingFailed"
    assert processed.result == expected
    if expected != "Ok":
        assert processed.reason == "too_deep"
