"""`make pipeline` end to end with dbt: the marts equal an independent computation, the
same inputs twice give identical marts and exports, and OUT holds what the README says.

The runner runs twice on the same small input in one OUT directory. The independent
computation is `tests.reference.marts` (plain Python over the raw rows, written from the
models' definitions, not their SQL).
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from podcast_analytics import local
from podcast_analytics.config import load_settings
from podcast_analytics.generator import GeneratorSettings, generate
from podcast_analytics.pipeline.reconciliation import RECONCILIATION_FILE
from podcast_analytics.pipeline.report import REPORT_FILE
from podcast_analytics.pipeline.runner import run_pipeline
from tests.pipeline import chromium
from tests.reference.marts import RawRow, compute_marts, reconcile

SETTINGS = load_settings("local")
EVENTS, DAYS, SEED = 12_000, 10, 5


def _comparable(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    # Exact: stored measures are decimals (methodology rule 9), so no rounding is needed.
    return sorted(rows, key=lambda row: tuple(map(repr, row)))


def _mart_hashes(database: Path) -> dict[str, str]:
    """Each mart's rows in a stable order, hashed: equal hashes are bit-identical marts."""
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            name: hashlib.sha256(
                repr(con.execute(f"SELECT * FROM marts.{name} ORDER BY ALL").fetchall()).encode()
            ).hexdigest()
            for name in local.mart_names(con, SETTINGS)
        }


def _marts(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            name: _comparable(con.execute(f"SELECT * FROM marts.{name}").fetchall())
            for name in local.mart_names(con, SETTINGS)
        }


def _exports(directory: Path) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect() as con:
        return {
            path.name: _comparable(
                con.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
            )
            for path in sorted(directory.glob("*.parquet"))
        }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("make-pipeline")
    database = out / SETTINGS.local.duckdb_file
    first = run_pipeline(SETTINGS, out, events=EVENTS, days=DAYS, seed=SEED, log=io.StringIO())
    marts_first, exports_first = _marts(database), _exports(out / local.EXPORTS_DIR)
    report_first = (out / REPORT_FILE).read_bytes()
    hashes_first = _mart_hashes(database)
    second = run_pipeline(SETTINGS, out, events=EVENTS, days=DAYS, seed=SEED, log=io.StringIO())
    # a second, independent run from nothing: a fresh OUT, the same inputs
    fresh = tmp_path_factory.mktemp("make-pipeline-fresh")
    run_pipeline(SETTINGS, fresh, events=EVENTS, days=DAYS, seed=SEED, log=io.StringIO())
    with duckdb.connect(str(database), read_only=True) as con:
        raw = [
            RawRow(record, file, row, loaded_at)
            for record, file, row, loaded_at in con.execute(
                "SELECT record, source_file, source_row, loaded_at FROM events.raw_events"
            ).fetchall()
        ]
    return {
        "out": out,
        "database": database,
        "first": first,
        "second": second,
        "marts_first": marts_first,
        "marts_second": _marts(database),
        "exports_first": exports_first,
        "exports_second": _exports(out / local.EXPORTS_DIR),
        "report_first": report_first,
        "report_second": (out / REPORT_FILE).read_bytes(),
        "raw": raw,
        "hashes_first": hashes_first,
        "hashes_second": _mart_hashes(database),
        "hashes_fresh": _mart_hashes(fresh / SETTINGS.local.duckdb_file),
    }


def test_out_holds_the_results(runs: dict[str, Any]) -> None:
    out: Path = runs["out"]
    rec = json.loads((out / RECONCILIATION_FILE).read_text())
    assert rec["balanced"] and rec["counted_by"].startswith("dbt models")
    html = (out / REPORT_FILE).read_text()
    assert html.count('class="chart"') >= 8 and "data-unavailable" not in html
    assert set(runs["exports_first"]) == {f"{name}.parquet" for name in runs["marts_first"]}
    assert (out / local.DBT_DIR / "target" / "manifest.json").exists()
    assert runs["first"]["artefacts"]["keys"][0].startswith(f"runs/{runs['first']['run_id']}/")


def test_reconciliation_equals_the_reference(runs: dict[str, Any]) -> None:
    rec = runs["second"]["reconcile"]
    expected = reconcile(runs["raw"], future_tolerance_s=SETTINGS.events.future_tolerance_s)
    generated = sum(1 for _ in generate(GeneratorSettings(events=EVENTS, days=DAYS, seed=SEED)))
    assert rec["produced"] == generated
    assert (rec["loaded"], rec["valid"], rec["quarantined"], rec["duplicates"]) == (
        expected.loaded,
        expected.valid,
        expected.quarantined,
        expected.duplicates,
    )
    assert rec["quarantined_by_reason"] == dict(sorted(expected.by_reason.items()))


def test_marts_equal_an_independent_computation(runs: dict[str, Any]) -> None:
    reference = compute_marts(
        runs["raw"],
        future_tolerance_s=SETTINGS.events.future_tolerance_s,
        session_gap_minutes=SETTINGS.events.session_gap_minutes,
    )
    with duckdb.connect(str(runs["database"]), read_only=True) as con:
        daily = con.execute(
            "SELECT event_date, podcast_id, plays, unique_listeners, minutes_listened "
            "FROM marts.fct_daily_podcast_kpis"
        ).fetchall()
        retention = con.execute(
            "SELECT cohort_week, weeks_since_first_listen, cohort_listeners, active_listeners "
            "FROM marts.fct_listener_retention"
        ).fetchall()
        sessions = con.execute("SELECT count(*) FROM marts.fct_listening_sessions").fetchone()
    assert {(d, p): (n, u) for d, p, n, u, _ in daily} == {
        key: (k.plays, k.unique_listeners) for key, k in reference.daily_podcast_kpis.items()
    }
    for d, p, _, _, minutes in daily:
        assert minutes == reference.daily_podcast_kpis[(d, p)].minutes_listened
    assert {(c, w): (n, a) for c, w, n, a in retention} == reference.listener_retention
    assert sessions == (reference.sessions,)


def test_the_same_inputs_twice_give_identical_marts_and_exports(runs: dict[str, Any]) -> None:
    assert runs["second"]["load"]["objects_loaded"] == 0
    assert runs["marts_second"] == runs["marts_first"]
    assert runs["exports_second"] == runs["exports_first"]
    assert runs["second"]["reconcile"] == runs["first"]["reconcile"]
    assert runs["report_second"] == runs["report_first"]


# Runs in the page once it has loaded: waits (up to 5 s) until every plotly chart has drawn
# marks, then reports per chart what plotly holds (traces, data points) and what it drew.
_PROBE = """
(async () => {
  const marksOf = (gd) => gd.querySelectorAll(
    '.scatterlayer path.js-line, .scatterlayer path.point, .barlayer path, ' +
    '.pielayer path.surface, .hm image'
  ).length;
  const plots = [...document.querySelectorAll('div.chart .js-plotly-plot')];
  for (let i = 0; i < 50 && plots.some((gd) => marksOf(gd) === 0); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const charts = {};
  for (const el of document.querySelectorAll('div.chart')) {
    const gd = el.querySelector('.js-plotly-plot');
    const traces = (gd && gd._fullData) || [];
    charts[el.dataset.chart] = {
      traces: traces.length,
      points: traces.reduce((n, t) => n + (t.x || t.values || t.z || []).length, 0),
      marks: gd ? marksOf(gd) : 0,
    };
  }
  return {
    expected: JSON.parse(document.body.dataset.charts),
    charts,
    unavailable: document.querySelectorAll('[data-unavailable]').length,
    title: document.title,
  };
})()
"""


def test_the_report_renders_every_chart_in_a_browser_without_errors(
    runs: dict[str, Any],
) -> None:
    report = runs["out"] / REPORT_FILE
    visit = chromium.visit(report, _PROBE)
    found = visit.result
    assert found["title"] == "Podcast analytics: local run"
    assert found["unavailable"] == 0
    assert list(found["charts"]) == found["expected"] and len(found["expected"]) >= 8
    empty = {
        name: chart
        for name, chart in found["charts"].items()
        if not (chart["traces"] and chart["points"] and chart["marks"])
    }
    assert not empty, f"charts without data or marks: {empty}"
    assert visit.errors == []
    assert visit.remote_requests == [], "the report must open offline"
    # A real picture of a long page, not a blank one (PNG signature, more than a few KB).
    assert visit.screenshot.startswith(b"\x89PNG") and len(visit.screenshot) > 50_000
    (runs["out"] / "report.png").write_bytes(visit.screenshot)


def test_two_runs_from_nothing_give_bit_identical_marts(runs: dict[str, Any]) -> None:
    # every mart, hashed over its rows in a stable order: the rerun in the same OUT and a
    # run in a fresh OUT give the very same bytes
    assert len(runs["hashes_first"]) >= 20
    assert runs["hashes_second"] == runs["hashes_first"]
    assert runs["hashes_fresh"] == runs["hashes_first"]
