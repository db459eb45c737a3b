"""The producer loses nothing: partial failures are retried, the unsendable is spilled."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from podcast_analytics.producer import (
    MAX_BYTES_PER_CALL,
    MAX_BYTES_PER_RECORD,
    MAX_RECORDS_PER_CALL,
    KinesisProducer,
    OutgoingRecord,
    RetryPolicy,
    read_spill_file,
)


class FlakyKinesis:
    """A Kinesis client that rejects chosen records per call, as PutRecords does under
    throttling (FailedRecordCount > 0, an ErrorCode on the failed entries)."""

    def __init__(self, reject: Any, fail_calls: int = 0) -> None:
        self.reject = reject  # (data, attempt) -> error code or None
        self.fail_calls = fail_calls  # whole calls to fail with a throttling error first
        self.accepted: list[bytes] = []
        self.calls: list[list[dict[str, Any]]] = []
        self.attempts: dict[bytes, int] = {}

    def put_records(self, *, StreamName: str, Records: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Records)
        if self.fail_calls:
            self.fail_calls -= 1
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException"}}, "PutRecords"
            )
        entries = []
        for record in Records:
            attempt = self.attempts.get(record["Data"], 0)
            self.attempts[record["Data"]] = attempt + 1
            code = self.reject(record["Data"], attempt)
            if code:
                entries.append({"ErrorCode": code, "ErrorMessage": "rejected"})
            else:
                self.accepted.append(record["Data"])
                entries.append({"SequenceNumber": "1", "ShardId": "shardId-0"})
        failed = sum("ErrorCode" in e for e in entries)
        return {"FailedRecordCount": failed, "Records": entries}


def _records(n: int, size: int = 20) -> list[OutgoingRecord]:
    return [OutgoingRecord(f"{i:0{size}d}".encode(), f"user-{i % 7}") for i in range(n)]


def _producer(client: Any, tmp_path: Path, attempts: int = 4) -> KinesisProducer:
    return KinesisProducer(
        client,
        "stream",
        tmp_path / "spill.ndjson",
        retry=RetryPolicy(max_attempts=attempts, base_delay_s=0.001, max_delay_s=0.01),
        sleep=lambda _s: None,
    )


def test_partially_failed_batches_are_retried_until_every_record_is_in(tmp_path: Path) -> None:
    # A third of the records are throttled on their first two attempts.
    client = FlakyKinesis(
        lambda data, attempt: (
            "ProvisionedThroughputExceededException" if int(data) % 3 == 0 and attempt < 2 else None
        )
    )
    records = _records(1_234)
    with _producer(client, tmp_path) as producer:
        stats = producer.send(iter(records))
    assert sorted(client.accepted) == sorted(r.data for r in records)
    assert stats.sent == 1_234 and stats.spilled == 0
    assert stats.retried_records > 0
    assert not (tmp_path / "spill.ndjson").exists()


def test_records_that_keep_failing_are_spilled_with_their_reason(tmp_path: Path) -> None:
    client = FlakyKinesis(lambda data, _attempt: "InternalFailure" if int(data) % 10 == 0 else None)
    records = _records(200)
    with _producer(client, tmp_path, attempts=3) as producer:
        stats = producer.send(records)
    spilled = read_spill_file(tmp_path / "spill.ndjson")
    spilled_data = {base64.b64decode(s["data_base64"]) for s in spilled}
    assert stats.sent + stats.spilled == 200
    assert spilled_data == {r.data for r in records if int(r.data) % 10 == 0}
    assert {s["reason"] for s in spilled} == {"attempts_exhausted:InternalFailure"}
    assert client.attempts[records[0].data] == 3  # bounded attempts
    assert set(client.accepted) | spilled_data == {r.data for r in records}


def test_whole_call_throttling_is_retried(tmp_path: Path) -> None:
    client = FlakyKinesis(lambda _d, _a: None, fail_calls=2)
    with _producer(client, tmp_path) as producer:
        stats = producer.send(_records(10))
    assert stats.sent == 10 and stats.calls == 3


def test_oversize_records_are_spilled_not_sent(tmp_path: Path) -> None:
    client = FlakyKinesis(lambda _d, _a: None)
    big = OutgoingRecord(b"x" * MAX_BYTES_PER_RECORD, "user-1")  # + key: over 1 MiB
    small = OutgoingRecord(b"{}", "user-1")
    with _producer(client, tmp_path) as producer:
        stats = producer.send([big, small])
    assert client.accepted == [b"{}"]
    assert [s["reason"] for s in read_spill_file(tmp_path / "spill.ndjson")] == ["oversize"]
    assert stats.spilled_by_reason == {"oversize": 1}


@pytest.mark.parametrize(
    ("count", "size"), [(1_201, 10), (40, 400_000)], ids=["record-limit", "byte-limit"]
)
def test_batches_respect_the_put_records_limits(tmp_path: Path, count: int, size: int) -> None:
    client = FlakyKinesis(lambda _d, _a: None)
    with _producer(client, tmp_path) as producer:
        producer.send(_records(count, size))
    assert len(client.accepted) == count
    for call in client.calls:
        assert len(call) <= MAX_RECORDS_PER_CALL
        assert sum(len(r["Data"]) + len(r["PartitionKey"]) for r in call) <= MAX_BYTES_PER_CALL
    assert len(client.calls) > 1


def test_spill_file_lines_are_json_with_the_partition_key(tmp_path: Path) -> None:
    client = FlakyKinesis(lambda _d, _a: "InternalFailure")
    with _producer(client, tmp_path, attempts=1) as producer:
        producer.send([OutgoingRecord(b"payload", "listener-9")])
    line = json.loads((tmp_path / "spill.ndjson").read_text())
    assert line["partition_key"] == "listener-9"
    assert base64.b64decode(line["data_base64"]) == b"payload"
