"""A run killed at any step, then run again, gives what one uninterrupted run gives; no
child process outlives a killed run; a killed run leaves no result claiming success.

The pipeline runs as `python -m podcast_analytics pipeline` in a subprocess, and the
test-only crash hook (`PODCAST_CRASH_AT=<point>`, podcast_analytics/pipeline/crash_points.py)
SIGKILLs it at a named point. One OUT takes a crash at each point in turn, every run after a
crash being the re-run of the one before; then a clean run. Its marts, exports and
reconciliation must equal those of a clean run into a fresh OUT. Tiny sizes keep dbt quick.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from podcast_analytics.config import load_settings
from podcast_analytics.config.facts import REPO_ROOT
from podcast_analytics.pipeline import crash_points
from podcast_analytics.pipeline.children import CHILDREN_FILE
from tests.transform.marts_snapshot import marts

pytestmark = pytest.mark.slow

SETTINGS = load_settings("local")
RUN = ["--events", "900", "--days", "2", "--seed", "4"]
# In the order a run reaches them; the transform point is while dbt is building.
CRASHES = (
    "ingest:day-delivered",
    "catalog:snapshot-written",
    "load:object-committed",
    "dbt-running",
    "export:file-written",
    "report",
)


def pipeline(out: Path, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != crash_points.CRASH_AT_VARIABLE}
    if crash_at:
        env[crash_points.CRASH_AT_VARIABLE] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "podcast_analytics", "pipeline", *RUN, "--out", str(out)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def results(out: Path) -> dict[str, Any]:
    database = out / SETTINGS.local.duckdb_file
    with duckdb.connect(str(database), read_only=True) as con:
        raw = con.execute(
            "SELECT count(*), count(DISTINCT source_file) FROM events.raw_events"
        ).fetchone()
        catalog = con.execute(
            "SELECT source_file, source_row, record, loaded_at FROM events.raw_catalog "
            "ORDER BY 1, 2"
        ).fetchall()
        exports = {
            path.name: sorted(
                (
                    tuple(round(v, 6) if isinstance(v, float) else v for v in row)
                    for row in con.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
                ),
                key=lambda row: tuple(map(str, row)),
            )
            for path in sorted((out / "exports").glob("*.parquet"))
        }
    return {
        "marts": marts(database),
        "raw": raw,
        "catalog": catalog,
        "exports": exports,
        "reconciliation": json.loads((out / "reconciliation.json").read_text()),
    }


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


@pytest.fixture(scope="module")
def crashed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("crashed")
    seen: dict[str, Any] = {}
    for point in CRASHES:
        done = pipeline(out, crash_at=point)
        children = (
            json.loads((out / CHILDREN_FILE).read_text()) if (out / CHILDREN_FILE).exists() else {}
        )
        deadline = time.monotonic() + 5
        while any(alive(int(pid)) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        seen[point] = {
            "returncode": done.returncode,
            "stderr": done.stderr,
            "children": children,
            "survivors": [pid for pid in children if alive(int(pid))],
            "left": sorted(p.name for p in out.iterdir()),
        }
    final = pipeline(out)
    assert final.returncode == 0, final.stderr
    return {"crashes": seen, "results": results(out)}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("uninterrupted")
    done = pipeline(out)
    assert done.returncode == 0, done.stderr
    return results(out)


@pytest.mark.parametrize("point", CRASHES)
def test_the_run_was_killed_at_the_point(crashed: dict[str, Any], point: str) -> None:
    assert crashed["crashes"][point]["returncode"] == -signal.SIGKILL, crashed["crashes"][point][
        "stderr"
    ][-2000:]


def test_a_crash_then_a_rerun_equals_an_uninterrupted_run(crashed, uninterrupted) -> None:
    got = crashed["results"]
    assert got["raw"] == uninterrupted["raw"]
    assert got["reconciliation"] == uninterrupted["reconciliation"]
    assert got["marts"] == uninterrupted["marts"]
    assert got["exports"] == uninterrupted["exports"]


def test_no_child_outlives_a_killed_run(crashed: dict[str, Any]) -> None:
    # While dbt builds, both children run: moto's server and dbt.
    during_dbt = crashed["crashes"]["dbt-running"]
    commands = [" ".join(c["command"]) for c in during_dbt["children"].values()]
    assert any("moto_launch" in c for c in commands) and any(
        " build " in f" {c} " for c in commands
    )
    for point, seen in crashed["crashes"].items():
        assert seen["survivors"] == [], point


@pytest.mark.parametrize("point", ["export:file-written", "report"])
def test_a_killed_run_leaves_no_results_behind(crashed: dict[str, Any], point: str) -> None:
    left = crashed["crashes"][point]["left"]
    assert "reconciliation.json" not in left and "exports" not in left and "report.html" not in left
