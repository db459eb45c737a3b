"""Local only: generate (or replay) events -> producer -> Kinesis -> Firehose stand-in -> S3.

In the cloud the podcast apps do this; locally it feeds the same path on moto's server.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

from podcast_analytics.local.context import LocalContext
from podcast_analytics.local.emulator.firehose import LocalFirehose
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.ledger import record_batch
from podcast_analytics.pipeline.progress import Progress
from podcast_analytics.pipeline.sources import (
    SourceRecord,
    check_input,
    generated_batch_id,
    generated_records,
    replay_records,
)
from podcast_analytics.producer import KinesisProducer, OutgoingRecord


def ingest(
    ctx: LocalContext,
    *,
    events: int | None,
    days: int,
    seed: int,
    input_path: Path | None = None,
    start: date | None = None,
) -> dict[str, Any]:
    """Generate (or replay) -> producer -> Kinesis -> Firehose stand-in -> S3.

    Records are delivered one simulated arrival day at a time: that day's records are
    produced, then the Firehose stand-in drains the stream with its clock at the day's last
    arrival, so objects land in that day's folder as in AWS.
    """
    if input_path is not None:
        batch_id = check_input(input_path)
        arrival = datetime.now(UTC).replace(microsecond=0)
        records: Iterator[SourceRecord] = replay_records(input_path, arrival)
        source = {"input": str(input_path)}
    else:
        if events is not None and events <= 0:
            raise PipelineError(f"EVENTS must be a positive whole number, got {events}")
        if days <= 0:
            raise PipelineError(f"DAYS must be a positive whole number, got {days}")
        batch_id = generated_batch_id(events, days, seed, start)
        records = generated_records(events, days, seed, start)
        source = {"generator": {"events": events, "days": days, "seed": seed, "start": str(start)}}

    settings = ctx.settings
    kinesis, s3 = ctx.client("kinesis"), ctx.client("s3")
    firehose = LocalFirehose(settings, kinesis, s3, run_token=batch_id[:8])
    spill_path = ctx.out_dir / "spill" / f"{batch_id}.ndjson"
    spill_path.unlink(missing_ok=True)  # a rerun of this batch replaces its spill file

    produced = 0
    produce_s = deliver_s = 0.0
    totals = None
    progress = Progress("ingest", events)
    with KinesisProducer(kinesis, settings.kinesis.stream_name, spill_path, seed=seed) as producer:
        for _day, day_records in groupby(records, key=lambda r: r.arrival.date()):
            feed = _DayFeed(day_records, progress)
            started = time.perf_counter()
            producer.send(feed)
            produce_s += time.perf_counter() - started
            produced += feed.count
            started = time.perf_counter()
            delivered = firehose.deliver(now=feed.latest_arrival)
            deliver_s += time.perf_counter() - started
            if totals is None:
                totals = delivered
            else:
                totals.add(delivered)
        progress.close()
        spilled = producer.stats

    delivery = totals.to_dict() if totals else {}
    entry = {
        **source,
        "produced": produced,
        "spilled": spilled.spilled,
        "spilled_by_reason": spilled.to_dict()["spilled_by_reason"],
        "dead_lettered": delivery.get("dead_lettered", 0),
        "dead_lettered_by_reason": delivery.get("dead_lettered_by_reason", {}),
        "delivered": delivery.get("delivered", 0),
    }
    read = delivery.get("read", 0)
    # Every record is sent or spilled; everything sent is read back and delivered or failed.
    if (
        produced != spilled.sent + spilled.spilled
        or spilled.sent != read
        or read != (entry["delivered"] + entry["dead_lettered"])
    ):
        raise PipelineError(
            f"ingest does not add up: produced {produced}, sent {spilled.sent}, spilled "
            f"{spilled.spilled}, read back {read}, delivered {entry['delivered']}, "
            f"dead-lettered {entry['dead_lettered']}"
        )
    record_batch(ctx.out_dir, batch_id, entry)
    return {
        "batch_id": batch_id,
        **entry,
        "objects": delivery.get("objects", 0),
        "error_objects": delivery.get("error_objects", 0),
        "producer_calls": spilled.calls,
        "retried_records": spilled.retried_records,
        "produce_seconds": round(produce_s, 3),
        "deliver_seconds": round(deliver_s, 3),
    }


class _DayFeed:
    """One arrival day's records as producer input, noting how many and the last arrival."""

    def __init__(self, records: Iterator[SourceRecord], progress: Progress) -> None:
        self._records = records
        self._progress = progress
        self.count = 0
        self.latest_arrival = datetime.min.replace(tzinfo=UTC)

    def __iter__(self) -> Iterator[OutgoingRecord]:
        for record in self._records:
            self.count += 1
            self._progress.advance()
            self.latest_arrival = max(self.latest_arrival, record.arrival)
            yield OutgoingRecord(record.data, record.partition_key)
