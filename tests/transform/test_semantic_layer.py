"""The semantic layer answers what the marts say: metric queries (MetricFlow's SQL, from the
metrics in transform/models/3.marts/semantic/) equal the marts' stored numbers at day, week
and month grain, per podcast and per episode, count-distinct metrics included; and
`make metrics` answers on a warehouse from the command line.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from podcast_analytics.pipeline.semantic_layer import SEMANTIC_MANIFEST, SemanticLayer
from tests.transform.dbt_runner import REPO

pytestmark = pytest.mark.slow


@pytest.fixture
def layer(built_warehouse) -> Iterator[SemanticLayer]:
    # One connection per test, closed after it: `make metrics` below opens the file for
    # writing (dbt-duckdb), which DuckDB refuses while another process has it open.
    manifest = built_warehouse.project.work_dir / "target" / SEMANTIC_MANIFEST
    with duckdb.connect(str(built_warehouse.database), read_only=True) as con:
        yield SemanticLayer(manifest, con)


def _mart(layer: SemanticLayer, sql: str) -> list[tuple]:
    return layer._con.execute(sql).fetchall()


def _day(value) -> object:
    return value.date() if hasattr(value, "date") else value


def test_daily_podcast_metrics_equal_the_daily_podcast_mart(layer: SemanticLayer) -> None:
    answer = layer.query(
        ["plays", "completed_plays", "unique_listeners", "minutes_listened", "completion_rate"],
        ["metric_time__day", "podcast"],
    )
    metrics = {
        (_day(day), podcast): (plays, completed, listeners, minutes, rate)
        for day, podcast, plays, completed, listeners, minutes, rate in answer.rows
    }
    mart = {
        (day, podcast): (plays, completed, listeners, minutes, rate)
        for day, podcast, plays, completed, listeners, minutes, rate in _mart(
            layer,
            "SELECT event_date, podcast_id, plays, completed_plays, unique_listeners, "
            "minutes_listened, completion_rate FROM marts.fct_daily_podcast_kpis",
        )
    }
    assert len(metrics) == len(mart) > 20
    assert set(metrics) == set(mart)
    for key, (plays, completed, listeners, minutes, rate) in mart.items():
        got = metrics[key]
        assert got[:3] == (plays, completed, listeners), key
        assert float(got[3]) == pytest.approx(float(minutes), rel=1e-9), key
        assert float(got[4]) == pytest.approx(float(rate), rel=1e-9), key


def test_daily_episode_listeners_equal_the_daily_episode_mart(layer: SemanticLayer) -> None:
    answer = layer.query(["plays", "unique_listeners"], ["metric_time__day", "episode"])
    mart = _mart(
        layer,
        "SELECT event_date, episode_id, plays, unique_listeners FROM marts.fct_daily_episode_kpis",
    )
    assert {(_day(d), e): (p, u) for d, e, p, u in answer.rows} == {
        (d, e): (p, u) for d, e, p, u in mart
    }


@pytest.mark.parametrize(
    ("metric", "grain"), [("weekly_listeners", "week"), ("monthly_listeners", "month")]
)
def test_weekly_and_monthly_listeners_are_distinct_counts_not_sums(
    layer: SemanticLayer, metric: str, grain: str
) -> None:
    # The cumulative metric (grain-to-date) and the plain count-distinct metric asked at the
    # period's grain are two MetricFlow plans for one definition: they must agree, per
    # podcast and for the network, and they must differ from summing daily uniques
    # wherever a listener came back within the period.
    for group_by in ([f"metric_time__{grain}"], [f"metric_time__{grain}", "podcast"]):
        cumulative = layer.query([metric], group_by).rows
        distinct = layer.query(["unique_listeners"], group_by).rows
        assert cumulative == distinct and len(cumulative) >= 1
    expected = {
        (_day(period), podcast): listeners
        for period, podcast, listeners in _mart(
            layer,
            f"SELECT date_trunc('{grain}', event_date), podcast_id, count(DISTINCT user_id) "
            "FROM marts.fct_episode_plays GROUP BY ALL",
        )
    }
    got = layer.query([metric], [f"metric_time__{grain}", "podcast"]).rows
    assert {(_day(p), pod): n for p, pod, n in got} == expected
    summed_daily = sum(
        r[2] for r in layer.query(["unique_listeners"], ["metric_time__day", "podcast"]).rows
    )
    assert sum(expected.values()) < summed_daily


def test_ratio_metrics_divide_the_sums_not_average_the_days(layer: SemanticLayer) -> None:
    ((plays, completed, rate),) = layer.query(["plays", "completed_plays", "completion_rate"]).rows
    assert Decimal(str(rate)).quantize(Decimal("1e-12")) == (
        Decimal(completed) / Decimal(plays)
    ).quantize(Decimal("1e-12"))


def test_an_unknown_metric_is_one_clear_error(layer: SemanticLayer) -> None:
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
            "SELECT count(DISTINCT user_id), count(*) FROM marts.fct_episode_plays "
            "GROUP BY date_trunc('month', event_date) ORDER BY 1, 2"
        ).fetchall()
    got = sorted((int(r.split(",")[1]), int(r.split(",")[2])) for r in rows)
    assert got == sorted(expected)
