"""`make pipeline` end to end with dbt: the marts equal an independent computation, the
same inputs twice give identical marts and exports, and OUT holds what the README says.

The runner runs twice on the same small input in one OUT directory. The independent
computation is `tests.reference.marts` (plain Python over the raw rows, written from the
models' definitions, not their SQL).
"""

from __future__ import annotations

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
from tests.reference.marts import RawRow, compute_marts, reconcile

SETTINGS = load_settings("local")
EVENTS, DAYS, SEED = 12_000, 10, 5


def _comparable(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    # DuckDB sums doubles in parallel, so the last bits of a sum can vary run to run.
    return sorted(
        (tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in rows),
        key=lambda row: tuple(map(str, row)),
    )


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
    second = run_pipeline(SETTINGS, out, events=EVENTS, days=DAYS, seed=SEED, log=io.StringIO())
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
        "raw": raw,
    }


def test_out_holds_the_results(runs: dict[str, Any]) -> None:
    out: Path = runs["out"]
    rec = json.loads((out / RECONCILIATION_FILE).read_text())
    assert rec["balanced"] and rec["counted_by"].startswith("dbt models")
    html = (out / REPORT_FILE).read_text()
    assert html.count("<svg") >= 4 and "unavailable" not in html
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
        assert minutes == pytest.approx(reference.daily_podcast_kpis[(d, p)].minutes_listened)
    assert {(c, w): (n, a) for c, w, n, a in retention} == reference.listener_retention
    assert sessions == (reference.sessions,)


def test_the_same_inputs_twice_give_identical_marts_and_exports(runs: dict[str, Any]) -> None:
    assert runs["second"]["load"]["objects_loaded"] == 0
    assert runs["marts_second"] == runs["marts_first"]
    assert runs["exports_second"] == runs["exports_first"]
    assert runs["second"]["reconcile"] == runs["first"]["reconcile"]
