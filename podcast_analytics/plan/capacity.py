"""The arithmetic of the capacity and cost plan: pure functions of numbers, tested by hand.

Units: bytes, seconds, days; GB = 10**9 bytes (how AWS and Snowflake bill), MiB = 2**20.
Every function here takes the figures it needs as arguments (see prices.py for their
sources), so a test can check each formula with round numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SECONDS_PER_DAY = 86_400
GB = 1_000_000_000
DAYS_PER_MONTH = 30  # a billing month, for GB-month and per-month figures


@dataclass(frozen=True, slots=True)
class Traffic:
    """What the producers send, as the plan sees it."""

    events_per_day: int
    mean_record_bytes: float  # as delivered to S3: the JSON line plus its newline
    peak_to_mean: float  # busiest hour's rate over the day's mean rate

    @property
    def bytes_per_day(self) -> float:
        return self.events_per_day * self.mean_record_bytes

    @property
    def mean_bytes_per_s(self) -> float:
        return self.bytes_per_day / SECONDS_PER_DAY

    @property
    def peak_bytes_per_s(self) -> float:
        return self.mean_bytes_per_s * self.peak_to_mean

    @property
    def peak_records_per_s(self) -> float:
        return self.events_per_day / SECONDS_PER_DAY * self.peak_to_mean


def billed_bytes(sizes: list[int], unit: int) -> float:
    """Mean bytes billed per record when each record is rounded up to `unit` bytes."""
    if not sizes:
        raise ValueError("no record sizes to measure")
    return sum(math.ceil(size / unit) * unit for size in sizes) / len(sizes)


@dataclass(frozen=True, slots=True)
class Headroom:
    capacity_bytes_per_s: float
    capacity_records_per_s: float
    peak_bytes_per_s: float
    peak_records_per_s: float

    @property
    def factor(self) -> float:
        """How many times the peak fits in the capacity (below 1: throttled)."""
        return min(
            self.capacity_bytes_per_s / self.peak_bytes_per_s,
            self.capacity_records_per_s / self.peak_records_per_s,
        )


def kinesis_headroom(
    traffic: Traffic, write_bytes_per_s: float, records_per_mib: float
) -> Headroom:
    """Peak write against a capacity given in bytes/s; records/s scale with it per shard."""
    shards = write_bytes_per_s / (1024 * 1024)
    return Headroom(
        write_bytes_per_s,
        shards * records_per_mib,
        traffic.peak_bytes_per_s,
        traffic.peak_records_per_s,
    )


def kinesis_cost_per_day(
    events_per_day: int,
    billed_record_bytes: float,
    *,
    stream_hour_usd: float,
    ingest_usd_per_gb: float,
    retrieval_usd_per_gb: float,
    retention_hours: int,
    extended_retention_usd_per_gb_month: float,
) -> dict[str, float]:
    """One on-demand stream, read once (by Firehose); retention beyond 24 h is extra."""
    billed_gb = events_per_day * billed_record_bytes / GB
    # Beyond 24 h, each day's data is held (retention - 24) h more: that many GB-days.
    extra_days = max(0, min(retention_hours, 168) - 24) / 24
    return {
        "stream_hours": 24 * stream_hour_usd,
        "data_in": billed_gb * ingest_usd_per_gb,
        "data_out": billed_gb * retrieval_usd_per_gb,
        "extended_retention": billed_gb * extra_days / DAYS_PER_MONTH
        * extended_retention_usd_per_gb_month,
    }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Objects:
    """What Firehose writes to S3 in a day under its buffering hints."""

    flushed_by: str  # "size" or "interval"
    uncompressed_bytes: float  # per object
    compressed_bytes: float  # per object
    per_day: float


def firehose_objects(
    bytes_per_day: float, buffer_bytes: int, interval_s: int, compression_ratio: float
) -> Objects:
    """Firehose flushes whichever comes first: `buffer_bytes` of data or `interval_s`.

    At a steady mean rate: if the buffer fills before the interval ends, objects hold the
    buffer size; otherwise they hold what arrived in one interval. (One delivery stream at
    the mean rate: peaks make objects bigger, never smaller than this.)
    """
    if bytes_per_day <= 0:
        raise ValueError("no traffic")
    rate = bytes_per_day / SECONDS_PER_DAY
    if buffer_bytes / rate <= interval_s:
        flushed_by, size = "size", float(buffer_bytes)
    else:
        flushed_by, size = "interval", rate * interval_s
    return Objects(flushed_by, size, size * compression_ratio, bytes_per_day / size)


def snowpipe_fit(compressed_bytes: float, low: float, high: float) -> str:
    if compressed_bytes < low:
        return f"below the recommended range ({compressed_bytes / low:.1%} of the low end)"
    if compressed_bytes > high:
        return "above the recommended range"
    return "within the recommended range"


def warehouse_run_seconds(
    rows_per_run: float, *, fixed_s: float, measured_rows: int, measured_s: float
) -> float:
    """Scale a measured incremental run: a fixed cost (the no-op run) plus a part that grows
    with the new rows, at the rate measured locally."""
    if measured_rows <= 0:
        raise ValueError("the measured run had no new rows")
    variable = max(0.0, measured_s - fixed_s)
    return fixed_s + variable * rows_per_run / measured_rows


def warehouse_billed_hours_per_day(
    runs_per_day: int, run_s: float, *, auto_suspend_s: int, min_billed_s: int
) -> float:
    """Each run resumes the warehouse, which then idles `auto_suspend_s` before suspending
    (billed), at least `min_billed_s` per resume; runs closer than that keep it up all day."""
    per_run = max(min_billed_s, run_s + auto_suspend_s)
    interval = SECONDS_PER_DAY / runs_per_day
    if per_run >= interval:
        return 24.0
    return runs_per_day * per_run / 3600


@dataclass(frozen=True, slots=True)
class StorageSplit:
    standard_gb: float
    infrequent_gb: float
    glacier_ir_gb: float

    def monthly_usd(self, standard: float, infrequent: float, glacier_ir: float) -> float:
        return (
            self.standard_gb * standard
            + self.infrequent_gb * infrequent
            + self.glacier_ir_gb * glacier_ir
        )


def raw_storage_after(
    days: int, gb_per_day: float, *, to_infrequent_days: int, to_glacier_ir_days: int
) -> StorageSplit:
    """Raw objects are never expired: Standard, then Standard-IA, then Glacier IR by age."""
    return StorageSplit(
        gb_per_day * min(days, to_infrequent_days),
        gb_per_day * max(0, min(days, to_glacier_ir_days) - to_infrequent_days),
        gb_per_day * max(0, days - to_glacier_ir_days),
    )


def runs_per_day(schedule: str) -> int:
    """Runs a day of an Airflow schedule: presets and the simple minute-hour cron forms."""
    presets = {"@hourly": 24, "@daily": 1, "@midnight": 1}
    if schedule in presets:
        return presets[schedule]
    fields = schedule.split()
    if len(fields) == 5 and fields[2:] == ["*", "*", "*"]:
        minute, hour = fields[0], fields[1]
        hours = 24 if hour == "*" else _count(hour, 24)
        minutes = _count(minute, 60)
        if hours and minutes:
            return hours * minutes
    raise ValueError(f"cannot count the runs a day of schedule {schedule!r}")


def _count(field: str, span: int) -> int:
    if field.startswith("*/") and field[2:].isdigit() and int(field[2:]) > 0:
        return math.ceil(span / int(field[2:]))
    values = field.split(",")
    if all(value.isdigit() and int(value) < span for value in values):
        return len(set(values))
    return 0
