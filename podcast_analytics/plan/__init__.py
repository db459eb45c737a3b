"""`make plan ENV=prod [EVENTS_PER_DAY=n]`: capacity and cost of one environment, from its config.

Three kinds of input, kept apart so the output says which is which:
- the environment's config (region, Firehose buffering, retention, lifecycle, warehouse,
  schedule): `podcast_analytics.config`;
- measurements made here and now: record sizes, compression and the daily peak from the
  project generator's traffic; dbt run times from `make bench-transform`
  (OUT/bench-transform.json, or the recorded run below when there is none);
- prices and limits with their sources: prices.py.
The arithmetic is capacity.py.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from podcast_analytics.config import Settings
from podcast_analytics.generator import GeneratorSettings, generate
from podcast_analytics.plan import capacity
from podcast_analytics.plan import prices as p

# About a million daily listeners at ~100 events each (the scale issue 14 plans for).
DEFAULT_EVENTS_PER_DAY = 100_000_000
SAMPLE = GeneratorSettings(seed=7, days=7, events=70_000, start=date(2026, 11, 2))


@dataclass(frozen=True, slots=True)
class RunTimes:
    """A measured local dbt run: what the warehouse minutes are scaled from."""

    rows_new: int
    incremental_s: float
    noop_s: float
    source: str


# Used when OUT/bench-transform.json is absent, so `make plan` works on a fresh clone:
# `make bench-transform DAYS=30` (30 days of ~30k events, then one more day), measured on
# 2026-12-01 on a shared 2-core machine (load average 2-9) with issue 14's redesigned models.
RECORDED_RUN = RunTimes(
    rows_new=31_312,
    incremental_s=26.8,
    noop_s=18.8,
    source="the recorded bench-transform run (30 days + 1 day of ~30k events: 26.8 s, "
    "no-op 18.8 s)",
)


@dataclass(frozen=True, slots=True)
class Sample:
    record_sizes: list[int]
    compression_ratio: float
    peak_to_mean: float


def measure_sample(settings: GeneratorSettings = SAMPLE) -> Sample:
    """Record sizes as delivered (JSON line + newline), gzip ratio, and the hourly peak."""
    lines: list[bytes] = []
    per_hour: Counter[int] = Counter()
    for record in generate(settings):
        lines.append(record.data + b"\n")
        per_hour[record.arrival_ms // 3_600_000] += 1
    if not lines:
        raise ValueError("the generator produced no records")
    body = b"".join(lines)
    hours = settings.days * 24
    return Sample(
        [len(line) for line in lines],
        len(gzip.compress(body, compresslevel=6)) / len(body),
        max(per_hour.values()) / (len(lines) / hours),
    )


def read_run_times(path: Path) -> RunTimes:
    if not path.exists():
        return RECORDED_RUN
    data = json.loads(path.read_text(encoding="utf-8"))
    try:
        return RunTimes(
            int(data["rows_new"]),
            float(data["incremental_one_day_s"]),
            float(data["noop_s"]),
            f"{path} ({data.get('measured_at', 'undated')})",
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path} is not a bench-transform result ({exc})") from None


def build_plan(
    settings: Settings, events_per_day: int, sample: Sample, run_times: RunTimes
) -> dict[str, Any]:
    """Every figure of the plan, as a JSON-ready dict (render() prints it)."""
    if events_per_day < 1:
        raise ValueError(f"EVENTS_PER_DAY={events_per_day} must be a positive number")
    region = settings.aws.region
    mean_bytes = sum(sample.record_sizes) / len(sample.record_sizes)
    traffic = capacity.Traffic(events_per_day, mean_bytes, sample.peak_to_mean)

    kinesis_max = (
        p.KINESIS_MAX_WRITE_LARGE_REGIONS
        if region in p.KINESIS_LARGE_REGIONS
        else p.KINESIS_MAX_WRITE_OTHER_REGIONS
    )
    new_stream = capacity.kinesis_headroom(
        traffic, p.KINESIS_NEW_STREAM_WRITE.value, p.KINESIS_SHARD_RECORDS.value
    )
    at_max = capacity.kinesis_headroom(traffic, kinesis_max.value, p.KINESIS_SHARD_RECORDS.value)
    kinesis_billed = capacity.billed_bytes(
        sample.record_sizes, int(p.KINESIS_BILLING_UNIT_BYTES.value)
    )
    kinesis_usd = capacity.kinesis_cost_per_day(
        events_per_day,
        kinesis_billed,
        stream_hour_usd=p.KINESIS_STREAM_HOUR.value,
        ingest_usd_per_gb=p.KINESIS_INGEST_GB.value,
        retrieval_usd_per_gb=p.KINESIS_RETRIEVAL_GB.value,
        retention_hours=settings.kinesis.retention_hours,
        extended_retention_usd_per_gb_month=p.KINESIS_EXTENDED_RETENTION_GB_MONTH.value,
    )

    firehose_billed = capacity.billed_bytes(
        sample.record_sizes, int(p.FIREHOSE_BILLING_UNIT_BYTES.value)
    )
    firehose_usd = events_per_day * firehose_billed / capacity.GB * p.FIREHOSE_INGEST_GB.value
    objects = capacity.firehose_objects(
        traffic.bytes_per_day,
        settings.firehose.buffer_mib * 1024 * 1024,
        settings.firehose.buffer_interval_s,
        sample.compression_ratio,
    )
    largest = capacity.firehose_objects(
        traffic.bytes_per_day,
        int(p.FIREHOSE_MAX_BUFFER_BYTES.value),
        int(p.FIREHOSE_MAX_INTERVAL_S.value),
        sample.compression_ratio,
    )
    low, high = p.SNOWPIPE_RECOMMENDED_MIN.value, p.SNOWPIPE_RECOMMENDED_MAX.value

    snowpipe_credits = traffic.bytes_per_day / capacity.GB * p.SNOWPIPE_CREDITS_PER_GB.value
    runs = capacity.runs_per_day(settings.mwaa.schedule)
    run_s = capacity.warehouse_run_seconds(
        events_per_day / runs,
        fixed_s=run_times.noop_s,
        measured_rows=run_times.rows_new,
        measured_s=run_times.incremental_s,
    )
    warehouse = settings.snowflake.warehouse
    billed_hours = capacity.warehouse_billed_hours_per_day(
        runs,
        run_s,
        auto_suspend_s=warehouse.auto_suspend_s,
        min_billed_s=int(p.WAREHOUSE_MIN_BILLED_S.value),
    )
    warehouse_credits = billed_hours * p.WAREHOUSE_CREDITS_PER_HOUR[warehouse.size]

    compressed_gb_day = traffic.bytes_per_day * sample.compression_ratio / capacity.GB
    s3_put_usd = objects.per_day / 1000 * p.S3_PUT_PER_1000.value
    storage = {}
    for days in (30, 365):
        split = capacity.raw_storage_after(
            days,
            compressed_gb_day,
            to_infrequent_days=settings.storage.raw_to_infrequent_access_days,
            to_glacier_ir_days=settings.storage.raw_to_glacier_ir_days,
        )
        storage[f"after_{days}_days"] = {
            "standard_gb": split.standard_gb,
            "infrequent_access_gb": split.infrequent_gb,
            "glacier_ir_gb": split.glacier_ir_gb,
            "usd_per_month": split.monthly_usd(
                p.S3_STANDARD_GB_MONTH.value, p.S3_IA_GB_MONTH.value, p.S3_GLACIER_IR_GB_MONTH.value
            ),
        }
    # Storage grows without end (raw is never expired): a day's cost is taken at month 12.
    s3_storage_usd_day = storage["after_365_days"]["usd_per_month"] / capacity.DAYS_PER_MONTH

    snowflake_usd = (snowpipe_credits + warehouse_credits) * p.CREDIT_PRICE.value
    per_day = {
        "kinesis": sum(kinesis_usd.values()),
        "firehose": firehose_usd,
        "s3_requests": s3_put_usd,
        "s3_storage_month_12": s3_storage_usd_day,
        "snowpipe": snowpipe_credits * p.CREDIT_PRICE.value,
        "warehouse": warehouse_credits * p.CREDIT_PRICE.value,
    }
    total = sum(per_day.values())
    return {
        "environment": settings.environment,
        "region": region,
        "events_per_day": events_per_day,
        "traffic": {
            "mean_record_bytes": mean_bytes,
            "gzip_ratio": sample.compression_ratio,
            "peak_to_mean_hourly": sample.peak_to_mean,
            "gb_per_day_uncompressed": traffic.bytes_per_day / capacity.GB,
            "peak_mib_per_s": traffic.peak_bytes_per_s / 2**20,
            "peak_records_per_s": traffic.peak_records_per_s,
        },
        "kinesis": {
            "headroom_new_stream": new_stream.factor,
            "headroom_at_region_maximum": at_max.factor,
            "billed_record_bytes": kinesis_billed,
            "usd_per_day": kinesis_usd,
        },
        "firehose": {
            "buffer_mib": settings.firehose.buffer_mib,
            "buffer_interval_s": settings.firehose.buffer_interval_s,
            "flushed_by": objects.flushed_by,
            "objects_per_day": objects.per_day,
            "object_mb_compressed": objects.compressed_bytes / 1e6,
            "snowpipe_fit": capacity.snowpipe_fit(objects.compressed_bytes, low, high),
            "largest_object_mb_compressed": largest.compressed_bytes / 1e6,
            "largest_object_fit": capacity.snowpipe_fit(largest.compressed_bytes, low, high),
            "billed_record_bytes": firehose_billed,
            "usd_per_day": firehose_usd,
        },
        "snowflake": {
            "snowpipe_credits_per_day": snowpipe_credits,
            "runs_per_day": runs,
            "run_seconds_scaled": run_s,
            "warehouse_size": warehouse.size,
            "warehouse_billed_minutes_per_day": billed_hours * 60,
            "warehouse_credits_per_day": warehouse_credits,
            "usd_per_day": snowflake_usd,
            "run_times_from": run_times.source,
            "run_outlasts_interval": run_s > capacity.SECONDS_PER_DAY / runs,
        },
        "s3": {
            "compressed_gb_per_day": compressed_gb_day,
            "put_requests_per_day": objects.per_day,
            **storage,
        },
        "usd_per_day": per_day,
        "usd_per_day_total": total,
        "usd_per_million_events": total / (events_per_day / 1e6),
    }


def render(plan: dict[str, Any]) -> str:
    t, k, f, s, s3 = (
        plan["traffic"],
        plan["kinesis"],
        plan["firehose"],
        plan["snowflake"],
        plan["s3"],
    )
    lines = [
        f"Capacity and cost plan: {plan['environment']} ({plan['region']}), "
        f"{plan['events_per_day']:,} events a day",
        "",
        "Traffic (measured on the project generator's stream)",
        f"  {t['mean_record_bytes']:.0f} B per record, gzip to {t['gzip_ratio']:.1%}, "
        f"busiest hour {t['peak_to_mean_hourly']:.2f}x the mean",
        f"  {t['gb_per_day_uncompressed']:.1f} GB/day; peak {t['peak_mib_per_s']:.2f} MiB/s, "
        f"{t['peak_records_per_s']:,.0f} records/s",
        "Kinesis Data Streams (on-demand)",
        f"  headroom: {k['headroom_new_stream']:.2f}x the peak on a new stream, "
        f"{k['headroom_at_region_maximum']:,.0f}x at the region's maximum"
        + (
            "  (below 1: a new stream throttles until it has scaled)"
            if k["headroom_new_stream"] < 1
            else ""
        ),
        "  USD/day: " + ", ".join(f"{name} {usd:,.2f}" for name, usd in k["usd_per_day"].items()),
        "Firehose -> S3",
        f"  buffer {f['buffer_mib']} MiB / {f['buffer_interval_s']} s: flushed by "
        f"{f['flushed_by']}, {f['objects_per_day']:,.0f} objects/day of "
        f"{f['object_mb_compressed']:.2f} MB compressed: {f['snowpipe_fit']}",
        f"  largest Firehose allows (128 MiB / 900 s): {f['largest_object_mb_compressed']:.2f} MB"
        f" compressed: {f['largest_object_fit']}",
        f"  USD/day: {f['usd_per_day']:,.2f}",
        "Snowflake",
        f"  Snowpipe: {s['snowpipe_credits_per_day']:.2f} credits/day",
        f"  dbt: {s['runs_per_day']} runs/day of ~{s['run_seconds_scaled']:.0f} s on "
        f"{s['warehouse_size']}: {s['warehouse_billed_minutes_per_day']:,.0f} billed "
        f"warehouse-minutes/day, {s['warehouse_credits_per_day']:.2f} credits/day",
        f"  run time scaled from {s['run_times_from']}",
        *(
            [
                "  a run outlasts the interval between runs: runs overlap and the warehouse "
                "never suspends; size up or split the work"
            ]
            if s["run_outlasts_interval"]
            else []
        ),
        f"  USD/day: {s['usd_per_day']:,.2f}",
        "S3 raw bucket (never expired; Standard -> Standard-IA -> Glacier IR)",
        f"  {s3['compressed_gb_per_day']:.2f} GB/day compressed, "
        f"{s3['put_requests_per_day']:,.0f} PUTs/day",
    ]
    for key in ("after_30_days", "after_365_days"):
        split = s3[key]
        lines.append(
            f"  {key.replace('_', ' ')}: {split['standard_gb']:,.0f} GB Standard, "
            f"{split['infrequent_access_gb']:,.0f} GB IA, {split['glacier_ir_gb']:,.0f} GB "
            f"Glacier IR: {split['usd_per_month']:,.2f} USD/month"
        )
    lines += [
        "Total",
        f"  {plan['usd_per_day_total']:,.2f} USD/day, "
        f"{plan['usd_per_million_events']:.4f} USD per million events",
        "  not included: Lambda record processor, MWAA, NAT gateways, KMS requests, CloudWatch",
        "",
        f"Prices and limits assumed (read {p.READ_ON}; 'verify' = not in the copy read):",
    ]
    for figure in p.ALL_FIGURES:
        mark = "" if figure.confirmed else " [verify]"
        note = f" ({figure.note})" if figure.note else ""
        lines.append(f"  {figure.name}: {_value(figure)}{note}{mark}\n    {figure.source}")
    return "\n".join(lines)


def _value(figure: p.Figure) -> str:
    if figure.unit.startswith("bytes") and figure.value >= 1024 * 1024:
        return f"{figure.value / 2**20:,.0f} MiB{figure.unit.removeprefix('bytes')}"
    return f"{figure.value:,g} {figure.unit}"


def run_plan(settings: Settings, events_per_day: int, out_dir: Path) -> dict[str, Any]:
    plan = build_plan(
        settings,
        events_per_day,
        measure_sample(),
        read_run_times(out_dir / "bench-transform.json"),
    )
    print(render(plan))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "plan.json").write_text(json.dumps(plan, indent=2) + "\n", encoding="utf-8")
    return plan
