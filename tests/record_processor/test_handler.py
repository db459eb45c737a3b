"""The Firehose record processor: the pure core and the Lambda's base64 envelope."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from podcast_analytics.record_processor.handler import MAX_RECORD_BYTES, handler, process_record

EVENT = {"event_id": "e-1", "event_type": "play", "position_s": 12.50, "extra": {"k": [1, 2]}}


def test_a_json_object_passes_through_byte_for_byte_with_one_newline() -> None:
    raw = b'{"event_id": "e-1", "position_s": 12.50, "z": 1, "a": 2}'
    processed = process_record(raw)
    assert processed.result == "Ok"
    assert processed.reason is None
    # No re-serialisation: number formatting and key order survive.
    assert processed.data == raw + b"\n"


def test_trailing_and_embedded_newlines_become_exactly_one_line() -> None:
    processed = process_record(b'{\n  "event_id": "e-1",\n  "n": 1\n}\n\n')
    assert processed.result == "Ok"
    assert processed.data.count(b"\n") == 1
    assert processed.data.endswith(b"\n")
    assert json.loads(processed.data) == {"event_id": "e-1", "n": 1}


def test_a_record_that_breaks_the_contract_still_passes() -> None:
    # Contract rules are dbt's job (quarantine with a reason), not the processor's.
    processed = process_record(b'{"event_type": "teleport"}')
    assert processed.result == "Ok"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"{not json", "not_json"),
        (b'{"a": 1} trailing', "not_json"),
        (b"[1, 2, 3]", "not_an_object"),
        (b'"a string"', "not_an_object"),
        (b"42", "not_an_object"),
        (b"null", "not_an_object"),
        (b'{"name": "caf\xe9"}', "invalid_utf8"),
        (b"\xff\xfe{}", "invalid_utf8"),
        (b'{"position_s": NaN}', "not_json"),
        (b'{"position_s": -Infinity}', "not_json"),
        (b'{"event_id": "a", "event_id": "b"}', "duplicate_key"),
        (b'{"client": {"app": "x", "app": "y"}}', "duplicate_key"),
    ],
)
def test_anything_but_one_json_object_fails_with_its_reason(data: bytes, reason: str) -> None:
    processed = process_record(data)
    assert processed.result == "ProcessingFailed"
    assert processed.reason == reason
    # Firehose writes the *original* record to the error prefix.
    assert processed.data == data


def test_oversize_records_fail_even_when_they_are_valid_json() -> None:
    padding = "x" * (MAX_RECORD_BYTES - 20)
    too_big = json.dumps({"event_id": "e-1", "pad": padding}).encode()
    assert len(too_big) > MAX_RECORD_BYTES
    assert process_record(too_big).reason == "oversize"
    just_fits = json.dumps({"pad": "x" * (MAX_RECORD_BYTES - 20)}).encode()[:MAX_RECORD_BYTES]
    assert len(just_fits) <= MAX_RECORD_BYTES


def _firehose_event(*payloads: bytes) -> dict[str, object]:
    return {
        "invocationId": "inv-1",
        "records": [
            {
                "recordId": f"r-{i}",
                "approximateArrivalTimestamp": 1_764_000_000_000,
                "data": base64.b64encode(payload).decode("ascii"),
            }
            for i, payload in enumerate(payloads)
        ],
    }


def test_the_lambda_round_trips_base64_and_keeps_record_ids_and_order(
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = json.dumps(EVENT).encode()
    payloads = (good, b"not json", b"[1]", b"\xc3\x28", b"")
    with caplog.at_level(logging.INFO):
        response = handler(_firehose_event(*payloads), context=None)
    records = response["records"]
    assert [r["recordId"] for r in records] == [f"r-{i}" for i in range(len(payloads))]
    assert [r["result"] for r in records] == ["Ok"] + ["ProcessingFailed"] * 4
    decoded = [base64.b64decode(r["data"]) for r in records]
    assert decoded[0] == good + b"\n"
    assert json.loads(decoded[0]) == EVENT
    assert decoded[1:] == list(payloads[1:])  # failed records go back unchanged
    # One log line per failed record, carrying the reason (the dead-letter alarm counts them).
    reasons = [
        json.loads(r.getMessage())["reason"] for r in caplog.records if '"reason"' in r.getMessage()
    ]
    assert reasons == ["not_json", "not_an_object", "invalid_utf8", "empty"]


def test_the_lambda_accepts_an_empty_batch() -> None:
    assert handler({"records": []}, context=None) == {"records": []}
