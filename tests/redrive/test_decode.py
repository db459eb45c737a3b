"""Decoding Firehose error objects and re-validating their records (no AWS needed)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json

from podcast_analytics import redrive


def error_line(data: bytes, code: str = "Lambda.ProcessingFailed", message: str = "") -> bytes:
    item = {
        "attemptsMade": 1,
        "arrivalTimestamp": 1764000000000,
        "errorCode": code,
        "errorMessage": message,
        "rawData": base64.b64encode(data).decode("ascii"),
    }
    return json.dumps(item).encode() + b"\n"


def test_plain_and_gzip_objects_decode_to_the_same_records() -> None:
    body = error_line(b'{"event_id":"e1"}') + error_line(b"not json")
    plain = redrive.decode_error_object(body)
    zipped = redrive.decode_error_object(gzip.compress(body))
    assert (
        [r.data for r in plain] == [r.data for r in zipped] == [b'{"event_id":"e1"}', b"not json"]
    )
    assert plain[0].error_code == "Lambda.ProcessingFailed"


def test_lines_that_do_not_decode_are_kept_with_a_reason() -> None:
    body = b"{broken\n" + b'{"no_raw_data": 1}\n' + b'{"rawData": "***"}\n'
    records = redrive.decode_error_object(body)
    assert [r.data for r in records] == [None, None, None]
    assert [r.error_message for r in records] == [
        "undecodable_line:not_json",
        "undecodable_line:no_rawData",
        "undecodable_line:bad_base64",
    ]
    assert [redrive.judge(r).resend for r in records] == [False, False, False]
    assert records[0].line == b"{broken"  # kept verbatim for a rewritten object


def test_judge_uses_the_lambdas_own_validation() -> None:
    # A JSON object the Lambda failed only because it could not be invoked: now it passes.
    ok = redrive.decode_error_object(error_line(b'{"event_id":"e1"}', "Lambda.InvokeAccessDenied"))
    assert redrive.judge(ok[0]) == redrive.Verdict(ok[0], resend=True, reason=None)
    for data, reason in [
        (b"[1, 2]", "still_invalid:not_an_object"),
        (b"\xff\xfe", "still_invalid:invalid_utf8"),
        (b"nope", "still_invalid:not_json"),
    ]:
        record = redrive.decode_error_object(error_line(data))[0]
        assert redrive.judge(record).reason == reason


def test_partition_key_keeps_one_listener_on_one_shard() -> None:
    assert redrive.partition_key(b'{"user_id":"u-7","event_id":"e1"}') == "u-7"
    assert redrive.partition_key(b'{"user_id":"","event_id":"e1"}') == "e1"
    data = b'{"user_id": 5}'
    assert redrive.partition_key(data) == hashlib.sha256(data).hexdigest()
