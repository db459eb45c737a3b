"""`make plan`: the whole plan from the config, its sources printed, bad input one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from podcast_analytics.config import load_settings
from podcast_analytics.plan import RunTimes, Sample, build_plan, measure_sample, render
from podcast_analytics.plan import prices as p


@pytest.fixture(scope="module")
def sample() -> Sample:
    return measure_sample()


def test_the_sample_is_measured_from_the_generator(sample: Sample) -> None:
    mean = sum(sample.record_sizes) / len(sample.record_sizes)
    assert 150 < mean < 1000  # a JSON listening event, not a placeholder
    assert 0 < sample.compression_ratio < 0.5  # NDJSON compresses well
    assert sample.peak_to_mean > 1  # listening has a daily peak


def test_plan_scales_with_traffic_and_follows_the_config(sample: Sample) -> None:
    prod = load_settings("prod")
    runs = RunTimes(rows_new=10_000, incremental_s=12.0, noop_s=4.0, source="test")
    small = build_plan(prod, 1_000_000, sample, runs)
    large = build_plan(prod, 10_000_000, sample, runs)
    assert large["firehose"]["usd_per_day"] == pytest.approx(10 * small["firehose"]["usd_per_day"])
    assert large["traffic"]["peak_records_per_s"] == pytest.approx(
        10 * small["traffic"]["peak_records_per_s"]
    )
    assert small["snowflake"]["runs_per_day"] == 24  # prod's "0 * * * *"
    # 1M/24 rows a run: 4 s fixed + 8 s x 4.17 = 37.3 s
    assert small["snowflake"]["run_seconds_scaled"] == pytest.approx(4 + 8 * 1e6 / 24 / 10_000)
    assert small["firehose"]["buffer_mib"] == prod.firehose.buffer_mib
    assert small["usd_per_million_events"] > large["usd_per_million_events"]  # fixed costs


def test_every_figure_names_a_source_and_the_report_lists_them(sample: Sample) -> None:
    plan = build_plan(load_settings("prod"), 5_000_000, sample, RunTimes(1000, 10.0, 5.0, "test"))
    text = render(plan)
    for figure in p.ALL_FIGURES:
        assert figure.source.startswith("https://")
        assert figure.name in text and figure.source in text
    assert p.READ_ON in text
    assert len(p.ALL_FIGURES) >= 20


def test_make_plan_prints_the_plan_and_writes_json(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "podcast_analytics", "plan", "--env", "prod",
         "--events-per-day", "2000000", "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2,000,000 events a day" in done.stdout
    assert json.loads((tmp_path / "plan.json").read_text())["events_per_day"] == 2_000_000


@pytest.mark.parametrize("value", ["lots", "0", "-5"])
def test_a_bad_events_per_day_is_one_line(tmp_path, value: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "podcast_analytics", "plan", "--env", "prod",
         "--events-per-day", value, "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "EVENTS_PER_DAY" in done.stderr
    assert "Traceback" not in done.stderr
