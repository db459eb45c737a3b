"""Kinesis producer: the client a podcast app backend would use to send listening events.

It is the same code locally (against moto's server) and in AWS. Guarantees:
- batches stay within the PutRecords limits (500 records, 5 MiB per call, 1 MiB per record
  counting data and partition key);
- records a call rejects (`FailedRecordCount` > 0) are retried, alone, with exponential
  backoff and full jitter, a bounded number of times; a call that fails as a whole
  (throttling, a 5xx) is retried the same way;
- a record that cannot be sent (too large, attempts exhausted) is appended to a spill file
  with its reason, never dropped. Every record handed to `send` ends as sent or spilled.
"""

from __future__ import annotations

import base64
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from botocore.exceptions import BotoCoreError, ClientError

from podcast_analytics.config.facts import KINESIS_PARTITION_KEY_MAX_CHARS

MAX_RECORDS_PER_CALL = 500
MAX_BYTES_PER_CALL = 5 * 1024 * 1024
MAX_BYTES_PER_RECORD = 1024 * 1024  # data + partition key


@dataclass(frozen=True, slots=True)
class OutgoingRecord:
    data: bytes
    partition_key: str

    @property
    def size(self) -> int:
        return len(self.data) + len(self.partition_key.encode("utf-8"))


@dataclass(slots=True)
class ProducerStats:
    sent: int = 0
    spilled: int = 0
    calls: int = 0
    retried_records: int = 0
    spilled_by_reason: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "spilled": self.spilled,
            "calls": self.calls,
            "retried_records": self.retried_records,
            "spilled_by_reason": dict(sorted(self.spilled_by_reason.items())),
        }


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay_s: float = 0.05
    max_delay_s: float = 2.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Full jitter (AWS architecture blog): uniform in [0, min(cap, base * 2^attempt)]."""
        return rng.uniform(0, min(self.max_delay_s, self.base_delay_s * 2**attempt))


class KinesisProducer:
    """Send records to one stream; spill what cannot be sent to `spill_path` (NDJSON)."""

    def __init__(
        self,
        client: Any,
        stream_name: str,
        spill_path: Path,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        seed: int = 0,
    ) -> None:
        self._client = client
        self._stream_name = stream_name
        self._spill_path = spill_path
        self._spill_file: BinaryIO | None = None
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = random.Random(seed)  # noqa: S311 - jitter only; seeded so tests are repeatable
        self.stats = ProducerStats()

    def __enter__(self) -> KinesisProducer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._spill_file is not None:
            self._spill_file.close()
            self._spill_file = None

    def send(self, records: Iterable[OutgoingRecord]) -> ProducerStats:
        """Send every record (streamed: at most one batch is held in memory)."""
        batch: list[OutgoingRecord] = []
        batch_bytes = 0
        for record in records:
            problem = _unsendable_reason(record)
            if problem:
                self._spill(record, problem)
                continue
            if len(batch) == MAX_RECORDS_PER_CALL or batch_bytes + record.size > MAX_BYTES_PER_CALL:
                self._put_batch(batch)
                batch, batch_bytes = [], 0
            batch.append(record)
            batch_bytes += record.size
        if batch:
            self._put_batch(batch)
        if self._spill_file is not None:
            self._spill_file.flush()
        return self.stats

    def _put_batch(self, batch: list[OutgoingRecord]) -> None:
        pending = batch
        last_error = "unknown"
        for attempt in range(self._retry.max_attempts):
            if attempt:
                self.stats.retried_records += len(pending)
                self._sleep(self._retry.delay(attempt, self._rng))
            self.stats.calls += 1
            try:
                response = self._client.put_records(
                    StreamName=self._stream_name,
                    Records=[{"Data": r.data, "PartitionKey": r.partition_key} for r in pending],
                )
            except ClientError as exc:
                last_error = exc.response.get("Error", {}).get("Code", "ClientError")
                if not _retryable(exc):
                    break
                continue
            except BotoCoreError as exc:  # connection reset, timeout: retry the whole call
                last_error = type(exc).__name__
                continue
            failed: list[OutgoingRecord] = []
            # The response lists one entry per request record, in request order.
            for record, entry in zip(pending, response["Records"], strict=True):
                if "ErrorCode" in entry:
                    failed.append(record)
                    last_error = entry["ErrorCode"]
            self.stats.sent += len(pending) - len(failed)
            pending = failed
            if not pending:
                return
        for record in pending:
            self._spill(record, f"attempts_exhausted:{last_error}")

    def _spill(self, record: OutgoingRecord, reason: str) -> None:
        if self._spill_file is None:
            self._spill_path.parent.mkdir(parents=True, exist_ok=True)
            self._spill_file = self._spill_path.open("ab")
        line = {
            "reason": reason,
            "partition_key": record.partition_key,
            "data_base64": base64.b64encode(record.data).decode("ascii"),
        }
        self._spill_file.write(json.dumps(line).encode("utf-8") + b"\n")
        self.stats.spilled += 1
        self.stats.spilled_by_reason[reason] = self.stats.spilled_by_reason.get(reason, 0) + 1


def _unsendable_reason(record: OutgoingRecord) -> str | None:
    if not record.partition_key or len(record.partition_key) > KINESIS_PARTITION_KEY_MAX_CHARS:
        return "bad_partition_key"
    if record.size > MAX_BYTES_PER_RECORD:
        return "oversize"
    return None


_RETRYABLE_CODES = frozenset(
    (
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "LimitExceededException",
        "InternalFailure",
        "ServiceUnavailable",
        "KMSThrottlingException",
    )
)


def _retryable(exc: ClientError) -> bool:
    code = exc.response.get("Error", {}).get("Code", "")
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return code in _RETRYABLE_CODES or status >= 500


def read_spill_file(path: Path) -> list[dict[str, Any]]:
    """The spilled records with their reasons (for re-sending or inspection)."""
    if not path.exists():
        return []
    with path.open("rb") as handle:
        return [json.loads(line) for line in handle if line.strip()]
