"""Replays and backfills into one OUT: the same input twice changes nothing, rows loaded
with an older `loaded_at` than what OUT holds are still staged, and every batch balances.

One OUT takes, in order: a replay of a file (arrival = the wall clock, so its `loaded_at` is
later than any generated day), the same replay again, a generated run (older `loaded_at`
than the replay), and a backfill (START before everything). After each: nothing in raw is
left unparsed and the reconciliation balances, per batch and in total. At the end the
incremental marts equal a full refresh of the same warehouse.
"""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from podcast_analytics.config import load_settings
from podcast_analytics.generator import GeneratorSettings, generate
from podcast_analytics.pipeline.runner import run_pipeline
from tests.transform.dbt_runner import DbtProject
from tests.transform.marts_snapshot import marts

pytestmark = pytest.mark.slow

SETTINGS = load_settings("local")


def unparsed(out: Path) -> int:
    with duckdb.connect(str(out / SETTINGS.local.duckdb_file), read_only=True) as con:
        row = con.execute(
            "SELECT count(*) FROM events.raw_events AS raw WHERE NOT EXISTS ("
            "SELECT 1 FROM staging.stg_events__records_parsed AS parsed "
            "WHERE parsed.source_file = raw.source_file AND parsed.source_row = raw.source_row)"
        ).fetchone()
    assert row is not None
    return int(row[0])


def raw_fingerprint(out: Path) -> tuple[int, str]:
    with duckdb.connect(str(out / SETTINGS.local.duckdb_file), read_only=True) as con:
        row = con.execute(
            "SELECT count(*), md5(string_agg(record || source_file || source_row || loaded_at, "
            "'|' ORDER BY source_file, source_row)) FROM events.raw_events"
        ).fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("replay-backfill")
    out = work / "out"
    replay = work / "events.ndjson"
    with replay.open("wb") as handle:
        for record in generate(
            GeneratorSettings(events=700, days=1, seed=21, start=date(2026, 11, 20))
        ):
            handle.write(record.data + b"\n")

    def run(**kwargs: Any) -> dict[str, Any]:
        options = {"events": None, "days": 1, "seed": 7, **kwargs}
        summary = run_pipeline(SETTINGS, out, log=io.StringIO(), **options)
        return {"summary": summary, "unparsed": unparsed(out), "raw": raw_fingerprint(out)}

    result = {
        "replay": run(input_path=replay),
        "replay_again": run(input_path=replay),
        "generated_after_replay": run(events=900, start=date(2026, 11, 10)),
        "backfill": run(events=900, seed=8, start=date(2026, 11, 2)),
    }
    refreshed = work / "refreshed.duckdb"
    shutil.copy(out / SETTINGS.local.duckdb_file, refreshed)
    DbtProject(work_dir=work / "dbt", database=refreshed).run("run", "--full-refresh")
    result["incremental_marts"] = marts(out / SETTINGS.local.duckdb_file)
    result["full_refresh_marts"] = marts(refreshed)
    return result


@pytest.mark.parametrize("name", ["replay", "replay_again", "generated_after_replay", "backfill"])
def test_every_loaded_row_is_staged_and_every_batch_balances(
    runs: dict[str, Any], name: str
) -> None:
    rec = runs[name]["summary"]["reconcile"]
    assert runs[name]["unparsed"] == 0
    assert rec["balanced"]
    assert rec["by_batch"] and all(batch["balanced"] for batch in rec["by_batch"].values())


def test_the_same_replay_twice_changes_nothing(runs: dict[str, Any]) -> None:
    first, again = runs["replay"], runs["replay_again"]
    assert again["summary"]["load"]["objects_loaded"] == 0
    assert again["raw"] == first["raw"]
    assert again["summary"]["reconcile"] == first["summary"]["reconcile"]


def test_older_loads_reach_the_marts(runs: dict[str, Any]) -> None:
    assert runs["incremental_marts"] == runs["full_refresh_marts"]
