"""The Snowflake SQL runs before it reaches Snowflake: the real dbt-snowflake adapter builds
the project against fakesnow (a Snowflake emulator over DuckDB) on loopback.

Unit tests and the episodes snapshot are excluded here (fakesnow cannot create the temporary
tables dbt's unit-test runner and a snapshot's merge ask for); they run in the DuckDB build.
The catalog's staging runs here, and its verdicts are compared with Python.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import snowflake.connector

from podcast_analytics.config import load_settings
from podcast_analytics.config.dbt_profiles import FAKESNOW_PORT_ENV, SMOKE_TARGET
from podcast_analytics.generator import GeneratorSettings
from tests.reference.catalog import catalog_statuses
from tests.reference.marts import RawRow, reconcile
from tests.transform.dbt_runner import DbtProject
from tests.transform.raw_rows import generated_catalog, generated_history

pytestmark = pytest.mark.slow

# The smoke target reads the dev environment's Snowflake names (see dbt_profiles.py).
SNOWFLAKE = load_settings("dev").snowflake
FAKESNOW = Path(sys.executable).with_name("fakesnow")
SMALL_HISTORY = GeneratorSettings(seed=3, listeners=6, days=4, start=date(2026, 11, 2))


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _wait_for_port(host: str, port: int, server: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"fakesnow exited with {server.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"fakesnow did not listen on {host}:{port} within {timeout_s} s")


@pytest.fixture(scope="module")
def fakesnow_port(tmp_path_factory):
    host = load_settings("local").local.host
    port = _free_port(host)
    data_dir = tmp_path_factory.mktemp("fakesnow")
    server = subprocess.Popen(  # the emulator's own process, stopped by its pid below
        [str(FAKESNOW), "-s", "--host", host, "-p", str(port), "-d", str(data_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_port(host, port, server, timeout_s=30)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def _connect(port: int) -> snowflake.connector.SnowflakeConnection:
    return snowflake.connector.connect(
        account="fakesnow",
        user="fake",
        password="snow",  # fakesnow accepts anything
        host=load_settings("local").local.host,
        port=port,
        protocol="http",
        database=SNOWFLAKE.raw_database,
        schema=SNOWFLAKE.raw_schema,
    )


# fakesnow cannot create the temporary tables dbt's unit tests and a snapshot's merge use:
# both run on DuckDB (tests/transform/test_local_build.py).
NOT_ON_FAKESNOW = ("--exclude-resource-type", "unit_test", "--exclude", "episodes_snapshot+")


def _raw_table(name: str = SNOWFLAKE.raw_table) -> str:
    return f"{SNOWFLAKE.raw_database}.{SNOWFLAKE.raw_schema}.{name}"


def _load(port: int, rows: list[RawRow], table: str = SNOWFLAKE.raw_table) -> None:
    """Create what Pulumi would (databases, both raw tables) and insert rows into `table`
    as Snowpipe would."""
    with _connect(port) as con:
        cur = con.cursor()
        cur.execute(f"create database if not exists {SNOWFLAKE.analytics_database}")
        for name in (SNOWFLAKE.raw_table, SNOWFLAKE.catalog_table):
            cur.execute(
                f"create table if not exists {_raw_table(name)} (record variant, "
                "source_file varchar, source_row integer, loaded_at timestamp_ntz)"
            )
        for start in range(0, len(rows), 250):
            chunk = rows[start : start + 250]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            cur.execute(
                f"insert into {_raw_table(table)} select parse_json(column1), column2, column3, "
                f"column4::timestamp_ntz from values {values}",
                [
                    v
                    for row in chunk
                    for v in (row.record, row.source_file, row.source_row, str(row.loaded_at))
                ],
            )


@pytest.fixture(scope="module")
def smoke_build(fakesnow_port, tmp_path_factory):
    rows = generated_history(SMALL_HISTORY)
    cut = sorted({row.loaded_at for row in rows})[len({row.loaded_at for row in rows}) // 2]
    project = DbtProject(
        work_dir=tmp_path_factory.mktemp("dbt_smoke"),
        target=SMOKE_TARGET,
        env=((FAKESNOW_PORT_ENV, str(fakesnow_port)),),
    )
    # two loads: the second build runs the incremental (delete+insert) path on fakesnow
    _load(fakesnow_port, [row for row in rows if row.loaded_at < cut])
    catalog = generated_catalog(SMALL_HISTORY)
    _load(fakesnow_port, catalog, SNOWFLAKE.catalog_table)
    project.build(*NOT_ON_FAKESNOW)
    _load(fakesnow_port, [row for row in rows if row.loaded_at >= cut])
    result = project.build(*NOT_ON_FAKESNOW)
    return rows, catalog, result


def test_snowflake_build_passes_on_fakesnow(smoke_build) -> None:
    _, _, result = smoke_build
    assert "Completed successfully" in result.output
    assert "data test" in result.output


def test_snowflake_staging_agrees_with_python(smoke_build, fakesnow_port) -> None:
    rows, _, _ = smoke_build
    expected = reconcile(rows, future_tolerance_s=load_settings("dev").events.future_tolerance_s)
    staging = f"{SNOWFLAKE.analytics_database}.{SNOWFLAKE.staging_schema}"
    with _connect(fakesnow_port) as con:
        cur = con.cursor()
        cur.execute(
            f"select source_file, source_row, record_status, invalid_reason "
            f"from {staging}.stg_events__records"
        )
        fetched = cur.fetchall()
    assert {(f, r): s for f, r, s, _ in fetched} == expected.status
    assert {(f, r): reason for f, r, _, reason in fetched} == expected.reasons


def test_snowflake_judges_catalog_records_like_python(smoke_build, fakesnow_port) -> None:
    _, catalog, _ = smoke_build
    staging = f"{SNOWFLAKE.analytics_database}.{SNOWFLAKE.staging_schema}"
    with _connect(fakesnow_port) as con:
        cur = con.cursor()
        cur.execute(
            f"select source_file, source_row, record_status, invalid_reason "
            f"from {staging}.stg_catalog__records"
        )
        fetched = cur.fetchall()
    assert {(f, r): (s, reason) for f, r, s, reason in fetched} == catalog_statuses(catalog)
