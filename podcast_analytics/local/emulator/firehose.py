"""Local Firehose stand-in: Kinesis stream -> record processor -> buffered GZIP NDJSON in S3.

What Firehose does in AWS, done here because moto's Firehose cannot read a Kinesis source
or evaluate `!{timestamp:...}` prefixes:
- read the stream shard by shard (GetShardIterator / GetRecords), remembering where each
  shard was left so the next delivery continues from there;
- run every record through `process_record`, the code the Lambda runs;
- buffer `Ok` records and write one GZIP NDJSON object per `buffer_mib` under
  `raw_events/<arrival yyyymmdd>/`, and failed records, in Firehose's error-record shape
  plus our reason, under `errors/processing-failed/<arrival yyyymmdd>/`.

The clock is injected: Firehose names folders after the *arrival* time, and the local run
simulates arrival days, so `deliver(now=...)` is told what time it is. A delivery ends with
a flush: by the time the next simulated delivery runs, the buffer interval has passed.
Objects are byte-for-byte reproducible (gzip mtime 0, names from a run token and a counter),
so the same input twice produces the same keys and ETags, and the loader skips them.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from podcast_analytics.config import Settings
from podcast_analytics.record_processor.handler import process_record

PROCESSING_FAILED = "processing-failed"
# The S3 object metadata key that carries the simulated delivery time to the loader.
DELIVERED_AT_METADATA = "delivered-at"
_GET_RECORDS_LIMIT = 10_000


@dataclass(slots=True)
class DeliveryStats:
    read: int = 0
    delivered: int = 0
    dead_lettered: int = 0
    dead_lettered_by_reason: dict[str, int] = field(default_factory=dict)
    objects: list[str] = field(default_factory=list)
    error_objects: list[str] = field(default_factory=list)

    def add(self, other: DeliveryStats) -> None:
        self.read += other.read
        self.delivered += other.delivered
        self.dead_lettered += other.dead_lettered
        for reason, count in other.dead_lettered_by_reason.items():
            self.dead_lettered_by_reason[reason] = (
                self.dead_lettered_by_reason.get(reason, 0) + count
            )
        self.objects.extend(other.objects)
        self.error_objects.extend(other.error_objects)

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "delivered": self.delivered,
            "dead_lettered": self.dead_lettered,
            "dead_lettered_by_reason": dict(sorted(self.dead_lettered_by_reason.items())),
            "objects": len(self.objects),
            "error_objects": len(self.error_objects),
        }


class LocalFirehose:
    """One delivery stream from `settings.kinesis.stream_name` to the raw bucket."""

    def __init__(self, settings: Settings, kinesis: Any, s3: Any, *, run_token: str) -> None:
        self._settings = settings
        self._kinesis = kinesis
        self._s3 = s3
        self._run_token = run_token  # makes object names unique per input, stable per rerun
        self._buffer_bytes = settings.firehose.buffer_mib * 1024 * 1024
        self._object_counter = 0
        # Like a consumer created now: it reads what is put from here on, not what earlier
        # runs in the same emulator left in the stream. shard id -> next iterator.
        stream = settings.kinesis.stream_name
        self._iterators: dict[str, str] = {
            shard["ShardId"]: kinesis.get_shard_iterator(
                StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
            )["ShardIterator"]
            for shard in kinesis.list_shards(StreamName=stream)["Shards"]
        }

    def deliver(self, *, now: datetime) -> DeliveryStats:
        """Drain every shard up to its tip, processing and writing what was read."""
        stats = DeliveryStats()
        ok_lines: list[bytes] = []
        ok_size = 0
        failed: list[dict[str, Any]] = []
        arrival_ms = int(now.timestamp() * 1000)
        for record in self._read_new_records():
            stats.read += 1
            processed = process_record(record)
            if processed.result == "Ok":
                ok_lines.append(processed.data)
                ok_size += len(processed.data)
                if ok_size >= self._buffer_bytes:
                    self._write_raw(ok_lines, now, stats)
                    ok_lines, ok_size = [], 0
                continue
            reason = processed.reason or "unknown"
            stats.dead_lettered += 1
            stats.dead_lettered_by_reason[reason] = stats.dead_lettered_by_reason.get(reason, 0) + 1
            failed.append(
                {
                    "attemptsMade": 1,
                    "arrivalTimestamp": arrival_ms,
                    "errorCode": "Lambda.ProcessingFailed",
                    "errorMessage": reason,
                    "attemptEndingTimestamp": arrival_ms,
                    "rawData": base64.b64encode(record).decode("ascii"),
                    "lambdaArn": self._processor_arn(),
                }
            )
        if ok_lines:
            self._write_raw(ok_lines, now, stats)
        if failed:
            lines = [json.dumps(item, separators=(",", ":")).encode() + b"\n" for item in failed]
            key = self._key(self._settings.storage.prefixes.errors_for(PROCESSING_FAILED, now), now)
            self._put(key, lines, now)
            stats.error_objects.append(key)
        return stats

    def _read_new_records(self) -> Iterator[bytes]:
        for shard_id in sorted(self._iterators):
            iterator = self._iterators[shard_id]
            while True:
                response = self._kinesis.get_records(
                    ShardIterator=iterator, Limit=_GET_RECORDS_LIMIT
                )
                records = response["Records"]
                for record in records:
                    yield record["Data"]
                iterator = response.get("NextShardIterator") or iterator
                caught_up = response.get("MillisBehindLatest", 0) == 0
                if not records or (caught_up and len(records) < _GET_RECORDS_LIMIT):
                    break  # at the tip of this shard
            self._iterators[shard_id] = iterator

    def _write_raw(self, lines: list[bytes], now: datetime, stats: DeliveryStats) -> None:
        key = self._key(self._settings.storage.prefixes.raw_events_for(now), now)
        self._put(key, lines, now)
        stats.delivered += len(lines)
        stats.objects.append(key)

    def _key(self, prefix: str, now: datetime) -> str:
        # Firehose's own naming: <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<random>; the
        # "random" part is deterministic here so reruns of the same input are recognisable.
        self._object_counter += 1
        name = self._settings.firehose.delivery_stream_name
        suffix = f"{self._run_token}-{self._object_counter:05d}"
        return f"{prefix}{name}-1-{now:%Y-%m-%d-%H-%M-%S}-{suffix}.gz"

    def _put(self, key: str, lines: list[bytes], now: datetime) -> None:
        body = gzip.compress(b"".join(lines), compresslevel=6, mtime=0)
        self._s3.put_object(
            Bucket=self._settings.storage.buckets.raw,
            Key=key,
            Body=body,
            ContentType="application/x-ndjson",
            Metadata={DELIVERED_AT_METADATA: now.astimezone(UTC).isoformat()},
        )

    def _processor_arn(self) -> str:
        aws = self._settings.aws
        name = self._settings.firehose.processor_function_name
        return f"arn:aws:lambda:{aws.region}:{aws.account}:function:{name}"
