"""The plan's arithmetic, checked with round numbers worked out by hand."""

from __future__ import annotations

import pytest

from podcast_analytics.plan import capacity


def test_traffic_rates_follow_the_daily_volume() -> None:
    traffic = capacity.Traffic(events_per_day=86_400, mean_record_bytes=500, peak_to_mean=3)
    assert traffic.bytes_per_day == 43_200_000
    assert traffic.mean_bytes_per_s == 500
    assert traffic.peak_bytes_per_s == 1500
    assert traffic.peak_records_per_s == 3


def test_records_are_billed_rounded_up_to_the_unit() -> None:
    # 1 KB units: 100 B -> 1024, 1024 -> 1024, 1025 -> 2048
    assert capacity.billed_bytes([100, 1024, 1025], 1024) == pytest.approx(4096 / 3)
    with pytest.raises(ValueError):
        capacity.billed_bytes([], 1024)


def test_headroom_is_the_tighter_of_bytes_and_records() -> None:
    traffic = capacity.Traffic(events_per_day=86_400_000, mean_record_bytes=100, peak_to_mean=2)
    # peak: 2,000 records/s and 200,000 B/s; 4 MiB/s = 4 shards = 4,000 records/s
    headroom = capacity.kinesis_headroom(traffic, 4 * 1024 * 1024, 1000)
    assert headroom.capacity_records_per_s == 4000
    assert headroom.factor == pytest.approx(2.0)  # records bind before bytes (20.97x)


def test_kinesis_cost_counts_retention_beyond_a_day() -> None:
    usd = capacity.kinesis_cost_per_day(
        1_000_000,
        1000,  # 1 GB a day billed
        stream_hour_usd=0.04,
        ingest_usd_per_gb=0.08,
        retrieval_usd_per_gb=0.04,
        retention_hours=168,
        extended_retention_usd_per_gb_month=0.10,
    )
    assert usd["stream_hours"] == pytest.approx(0.96)
    assert usd["data_in"] == pytest.approx(0.08)
    assert usd["data_out"] == pytest.approx(0.04)
    # 1 GB held 6 days more = 6 GB-days = 0.2 GB-month
    assert usd["extended_retention"] == pytest.approx(0.02)
    day = capacity.kinesis_cost_per_day(
        1_000_000, 1000, stream_hour_usd=0.04, ingest_usd_per_gb=0.08,
        retrieval_usd_per_gb=0.04, retention_hours=24, extended_retention_usd_per_gb_month=0.1,
    )  # fmt: skip
    assert day["extended_retention"] == 0


def test_firehose_flushes_by_size_when_the_buffer_fills_first() -> None:
    # 86.4 GB/day = 1 MB/s: a 64 MB buffer fills in 64 s, before a 300 s interval
    objects = capacity.firehose_objects(86.4e9, 64_000_000, 300, 0.1)
    assert objects.flushed_by == "size"
    assert objects.uncompressed_bytes == 64_000_000
    assert objects.compressed_bytes == pytest.approx(6_400_000)
    assert objects.per_day == pytest.approx(1350)


def test_firehose_flushes_by_interval_when_traffic_is_light() -> None:
    # 8.64 GB/day = 100 kB/s: 300 s hold 30 MB, less than the 64 MB buffer
    objects = capacity.firehose_objects(8.64e9, 64_000_000, 300, 0.1)
    assert objects.flushed_by == "interval"
    assert objects.uncompressed_bytes == pytest.approx(30_000_000)
    assert objects.per_day == pytest.approx(288)


def test_snowpipe_fit_names_the_range() -> None:
    assert capacity.snowpipe_fit(50e6, 100e6, 250e6).startswith("below")
    assert capacity.snowpipe_fit(150e6, 100e6, 250e6) == "within the recommended range"
    assert capacity.snowpipe_fit(300e6, 100e6, 250e6) == "above the recommended range"


def test_run_time_is_a_fixed_part_plus_a_part_scaled_by_rows() -> None:
    seconds = capacity.warehouse_run_seconds(
        20_000, fixed_s=10, measured_rows=10_000, measured_s=30
    )
    assert seconds == 50  # 10 fixed + 20 variable x 2
    with pytest.raises(ValueError):
        capacity.warehouse_run_seconds(1, fixed_s=1, measured_rows=0, measured_s=1)


def test_warehouse_hours_include_the_idle_tail_and_the_minimum() -> None:
    # 24 runs of 30 s + 60 s auto-suspend = 90 s each = 0.6 h
    assert capacity.warehouse_billed_hours_per_day(
        24, 30, auto_suspend_s=60, min_billed_s=60
    ) == pytest.approx(0.6)
    # a 5 s run with no idle tail is still billed the 60 s minimum
    assert capacity.warehouse_billed_hours_per_day(
        24, 5, auto_suspend_s=0, min_billed_s=60
    ) == pytest.approx(0.4)
    # runs longer than the hour between them keep it running
    assert (
        capacity.warehouse_billed_hours_per_day(24, 3500, auto_suspend_s=300, min_billed_s=60) == 24
    )


def test_raw_storage_moves_through_the_classes_by_age() -> None:
    split = capacity.raw_storage_after(365, 2.0, to_infrequent_days=30, to_glacier_ir_days=90)
    assert (split.standard_gb, split.infrequent_gb, split.glacier_ir_gb) == (60, 120, 550)
    young = capacity.raw_storage_after(10, 2.0, to_infrequent_days=30, to_glacier_ir_days=90)
    assert (young.standard_gb, young.infrequent_gb, young.glacier_ir_gb) == (20, 0, 0)
    assert split.monthly_usd(0.1, 0.01, 0.001) == pytest.approx(6 + 1.2 + 0.55)


@pytest.mark.parametrize(
    ("schedule", "runs"),
    [("@hourly", 24), ("@daily", 1), ("0 * * * *", 24), ("*/15 * * * *", 96),
     ("0,30 * * * *", 48), ("0 */6 * * *", 4), ("15 3 * * *", 1)],
)  # fmt: skip
def test_runs_per_day_of_a_schedule(schedule: str, runs: int) -> None:
    assert capacity.runs_per_day(schedule) == runs


@pytest.mark.parametrize("schedule", ["@weekly", "0 0 * * 1", "nonsense", "*/0 * * * *"])
def test_schedules_it_cannot_count_are_an_error(schedule: str) -> None:
    with pytest.raises(ValueError, match="cannot count"):
        capacity.runs_per_day(schedule)
