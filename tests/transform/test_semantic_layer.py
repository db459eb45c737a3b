"""The semantic layer answers what the marts say.

Metric queries (MetricFlow's SQL for the metrics in transform/models/3.marts/semantic/)
equal the marts' stored numbers, exactly, at day, ISO-week and month grain; per podcast,
per episode, per app, platform and country, and for the network. Count-distinct metrics
(unique, engaged, weekly and monthly listeners) are among them, so a metric that summed
daily uniques would fail here. `make metrics` answers on a warehouse from the command line.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from podcast_analytics.pipeline.semantic_layer import SEMANTIC_MANIFEST, SemanticLayer
from tests.transform.dbt_runner import REPO

pytestmark = pytest.mark.slow

PLAY_KPIS = (
    "plays",
    "streams",
    "unique_listeners",
    "engaged_listeners",
    "minutes_listened",
    "completed_plays",
    "completion_rate",
    "avg_consumption",
)
PERIOD_KPIS = ("plays", "streams", "unique_listeners", "engaged_listeners", "minutes_listened")
BREAKDOWN_KPIS = ("plays", "unique_listeners", "minutes_listened")


@pytest.fixture
def layer(built_warehouse) -> Iterator[SemanticLayer]:
    # One connection per test, closed after it: `make metrics` below opens the file for
    # writing (dbt-duckdb), which DuckDB refuses while another process has it open.
    manifest = built_warehouse.project.work_dir / "target" / SEMANTIC_MANIFEST
    with duckdb.connect(str(built_warehouse.database), read_only=True) as con:
        yield SemanticLayer(manifest, con)


def _key(value: Any) -> Any:
    # MetricFlow answers time grains as timestamps; the marts store dates.
    return value.date() if isinstance(value, datetime) else value


def _answer(layer: SemanticLayer, metrics: Sequence[str], group_by: Sequence[str]) -> dict:
    n = len(group_by)
    return {tuple(_key(v) for v in row[:n]): row[n:] for row in layer.query(metrics, group_by).rows}


def _mart(layer: SemanticLayer, sql: str, keys: int) -> dict:
    return {tuple(row[:keys]): row[keys:] for row in layer._con.execute(sql).fetchall()}


def _assert_metrics_equal_mart(
    layer: SemanticLayer,
    metrics: Sequence[str],
    group_by: Sequence[str],
    mart: str,
    mart_keys: Sequence[str],
    columns: Sequence[str] | None = None,
) -> None:
    columns = columns or metrics
    expected = _mart(
        layer, f"SELECT {', '.join([*mart_keys, *columns])} FROM marts.{mart}", len(mart_keys)
    )
    got = _answer(layer, metrics, group_by)
    assert len(expected) > 0
    assert set(got) == set(expected), f"{mart}: different rows"
    wrong = {k: (got[k], expected[k]) for k in expected if got[k] != expected[k]}
    assert not wrong, f"{mart}: {len(wrong)} rows differ, e.g. {next(iter(wrong.items()))}"


def test_daily_podcast_and_episode_metrics_equal_the_daily_kpi_marts(layer) -> None:
    _assert_metrics_equal_mart(
        layer, PLAY_KPIS, ["metric_time__day", "podcast"],
        "fct_daily_podcast_kpis", ["event_date", "podcast_id"],
    )  # fmt: skip
    _assert_metrics_equal_mart(
        layer, PLAY_KPIS, ["metric_time__day", "episode"],
        "fct_daily_episode_kpis", ["event_date", "episode_id"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("grain", "mart_prefix", "start"),
    [("day", "daily", "event_date"), ("week", "weekly", "week_start"),
     ("month", "monthly", "month_start")],
)  # fmt: skip
def test_period_listeners_equal_the_period_marts_per_podcast_and_network(
    layer, grain: str, mart_prefix: str, start: str
) -> None:
    time = f"metric_time__{grain}"
    if grain != "day":
        _assert_metrics_equal_mart(
            layer, PERIOD_KPIS, [time, "podcast"],
            f"fct_{mart_prefix}_podcast_listeners", [start, "podcast_id"],
        )  # fmt: skip
    _assert_metrics_equal_mart(
        layer, PERIOD_KPIS, [time], f"fct_{mart_prefix}_network_listeners", [start]
    )


@pytest.mark.parametrize(
    ("metric", "grain"), [("weekly_listeners", "week"), ("monthly_listeners", "month")]
)
def test_weekly_and_monthly_listener_metrics_are_the_period_marts_uniques(
    layer, metric: str, grain: str
) -> None:
    prefix = f"{grain}ly"
    _assert_metrics_equal_mart(
        layer, [metric], [f"metric_time__{grain}", "podcast"],
        f"fct_{prefix}_podcast_listeners", [f"{grain}_start", "podcast_id"], ["unique_listeners"],
    )  # fmt: skip
    _assert_metrics_equal_mart(
        layer, [metric], [f"metric_time__{grain}"],
        f"fct_{prefix}_network_listeners", [f"{grain}_start"], ["unique_listeners"],
    )  # fmt: skip
    # Not a sum of days: somebody listened on two days of some period.
    per_period = _answer(layer, ["unique_listeners"], [f"metric_time__{grain}"])
    per_day = _answer(layer, ["unique_listeners"], ["metric_time__day"])
    assert sum(v[0] for v in per_period.values()) < sum(v[0] for v in per_day.values())


@pytest.mark.parametrize(
    ("dimension", "mart"),
    [("client_app", "fct_daily_client_app_listening"),
     ("client_platform", "fct_daily_platform_listening"),
     ("country", "fct_daily_country_listening")],
)  # fmt: skip
def test_breakdowns_equal_the_breakdown_marts(layer, dimension: str, mart: str) -> None:
    _assert_metrics_equal_mart(
        layer, BREAKDOWN_KPIS, ["metric_time__day", "podcast", f"play__{dimension}"],
        mart, ["event_date", "podcast_id", dimension],
    )  # fmt: skip


def test_followers_and_downloads_equal_their_marts(layer) -> None:
    _assert_metrics_equal_mart(
        layer, ["followers", "follows", "unfollows"], ["metric_time__day", "podcast"],
        "fct_daily_podcast_followers", ["event_date", "podcast_id"],
    )  # fmt: skip
    _assert_metrics_equal_mart(
        layer, ["downloads"], ["metric_time__day", "episode"],
        "fct_daily_episode_downloads", ["event_date", "episode_id"],
    )  # fmt: skip
    # Followers are a stock: a week's value is its last day's, not the sum of its days.
    last_day = _mart(
        layer,
        "SELECT date_trunc('week', event_date)::date, podcast_id, "
        "arg_max(followers, event_date) FROM marts.fct_daily_podcast_followers GROUP BY ALL",
        2,
    )
    assert _answer(layer, ["followers"], ["metric_time__week", "podcast"]) == last_day


def test_ad_reach_metrics_equal_the_daily_ad_reach_mart(layer) -> None:
    _assert_metrics_equal_mart(
        layer, ["ad_opportunities", "ad_starts", "ad_midpoints", "ad_completions"],
        ["metric_time__day", "podcast", "podcast_ad_day__kind"],
        "fct_daily_podcast_ad_reach", ["event_date", "podcast_id", "kind"],
        columns=["plays", "plays_reaching_start", "plays_reaching_50", "plays_completing_break"],
    )  # fmt: skip
    _assert_metrics_equal_mart(
        layer, ["ad_start_rate", "ad_completion_rate"],
        ["metric_time__day", "podcast", "podcast_ad_day__kind"],
        "fct_daily_podcast_ad_reach", ["event_date", "podcast_id", "kind"],
        columns=["start_rate", "completion_rate"],
    )  # fmt: skip


def test_an_unknown_metric_is_one_clear_error(layer) -> None:
    with pytest.raises(ValueError, match="metric query failed"):
        layer.query(["no_such_metric"])


def test_make_metrics_answers_on_a_warehouse(built_warehouse, tmp_path: Path) -> None:
    csv = tmp_path / "answer.csv"
    done = subprocess.run(
        [
            "make",
            "metrics",
            f"OUT={built_warehouse.database.parent}",
            f"Q=--metrics monthly_listeners,plays --group-by metric_time__month --csv {csv}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    header, *rows = csv.read_text().splitlines()
    assert header.split(",") == ["metric_time__month", "monthly_listeners", "plays"]
    with duckdb.connect(str(built_warehouse.database), read_only=True) as con:
        expected = con.execute(
            "SELECT month_start, unique_listeners, plays FROM marts.fct_monthly_network_listeners"
        ).fetchall()
    got = {
        date.fromisoformat(month[:10]): (int(listeners), int(plays))
        for month, listeners, plays in (row.split(",") for row in rows)
    }
    assert got == {month: (listeners, plays) for month, listeners, plays in expected}
