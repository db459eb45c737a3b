"""The catalog stage on the real stand-ins (moto's server, DuckDB): the generated feeds are
read into one snapshot under catalog/, the Snowpipe stand-in loads it from its S3
notification exactly once, a replay is accounted line by line, and the reconciliation
balances (or says it does not)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from podcast_analytics import local
from podcast_analytics.config import load_settings
from podcast_analytics.local.emulator.snowpipe import RawTable
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.reconciliation import reconcile_counts

SETTINGS = load_settings("local")
CATALOG = RawTable.catalog_from_settings(SETTINGS)


def rows(out: Path) -> list[tuple]:
    with duckdb.connect(str(out / SETTINGS.local.duckdb_file), read_only=True) as con:
        return con.execute(
            f"SELECT source_file, source_row, record, loaded_at FROM {CATALOG.qualified} "
            "ORDER BY 1, 2"
        ).fetchall()


@pytest.fixture(scope="module")
def stand_ins(tmp_path_factory):
    out = tmp_path_factory.mktemp("catalog")
    with local.local_aws(SETTINGS, out) as ctx:
        yield ctx


def test_generated_feeds_load_once_and_balance(stand_ins) -> None:
    ctx = stand_ins
    feed_list = local.publish_generated_feeds(ctx.out_dir, events=3_000, days=2, seed=5, start=None)
    first = local.read_catalog(ctx, feed_list=feed_list)
    assert first["key"].startswith(SETTINGS.storage.prefixes.catalog + "20261103/")
    assert first["written"] == first["read"] > 0 and first["invalid"] == 0
    load = local.load(ctx)
    assert load["catalog_objects_loaded"] == 1
    assert load["catalog_rows_loaded"] == first["written"]
    loaded = rows(ctx.out_dir)
    assert {r[0] for r in loaded} == {first["key"]}
    assert all(str(r[3]) == "2026-11-03 00:00:00" for r in loaded)  # the simulated read time

    again = local.read_catalog(ctx, feed_list=feed_list)  # the same feeds read again
    assert again["key"] == first["key"]
    assert local.load(ctx)["catalog_objects_loaded"] == 0
    assert rows(ctx.out_dir) == loaded

    catalog = reconcile_counts(SETTINGS, ctx.out_dir)["catalog"]
    assert catalog["balanced"], json.dumps(catalog)
    assert catalog["loaded"] == catalog["valid"] == first["written"]


def test_a_replay_counts_every_line(stand_ins, tmp_path: Path) -> None:
    ctx = stand_ins
    good = {
        "podcast_id": "pod900",
        "episode_id": "pod900-ep0001",
        "title": "T",
        "published_at": "2026-11-01T00:00:00Z",
        "duration_s": 600,
        "fetched_at": "2026-11-02T00:00:00Z",
    }
    lines = [json.dumps(good), "", "{not json", json.dumps({**good, "duration_s": -1})]
    path = tmp_path / "catalog.ndjson"
    path.write_text("\n".join(lines) + "\n")
    replay = local.read_catalog(ctx, catalog_path=path)
    assert (replay["read"], replay["written"], replay["rejected"]) == (4, 2, 2)
    assert replay["rejected_by_reason"] == {"empty": 1, "not_json": 1}
    assert replay["invalid_by_reason"] == {"bad_value:duration_s": 1}
    assert local.load(ctx)["catalog_rows_loaded"] == 2
    rerun = local.read_catalog(ctx, catalog_path=path)  # same file: same object, loads nothing
    assert rerun["key"] == replay["key"]
    assert local.load(ctx)["catalog_objects_loaded"] == 0

    catalog = reconcile_counts(SETTINGS, ctx.out_dir)["catalog"]
    assert catalog["balanced"], json.dumps(catalog)
    assert catalog["quarantined_by_reason"] == {"bad_value:duration_s": 1}
    assert catalog["by_batch"][replay["batch_id"]] == {
        "read": 4,
        "rejected": 2,
        "written": 2,
        "loaded": 2,
        "balanced": True,
    }


def test_a_snapshot_missing_from_the_table_unbalances(stand_ins, tmp_path: Path) -> None:
    ctx = stand_ins
    path = tmp_path / "lost.ndjson"
    path.write_text('{"episode_id": "lost"}\n')
    local.read_catalog(ctx, catalog_path=path)  # written, but never loaded
    catalog = reconcile_counts(SETTINGS, ctx.out_dir)["catalog"]
    assert not catalog["balanced"]
    local.load(ctx)
    assert reconcile_counts(SETTINGS, ctx.out_dir)["catalog"]["balanced"]


def test_a_bad_catalog_file_is_one_line(stand_ins, tmp_path: Path) -> None:
    empty = tmp_path / "empty.ndjson"
    empty.write_text("\n\n")
    with pytest.raises(PipelineError, match=r"^CATALOG .* has no records"):
        local.read_catalog(stand_ins, catalog_path=empty)


def test_the_dags_local_task_replays_or_reads_or_says_why_not(stand_ins, tmp_path: Path) -> None:
    from podcast_analytics.dag_tasks import (
        CATALOG_FILE_VARIABLE,
        ENDPOINT_VARIABLE,
        OUT_DIR_VARIABLE,
        LocalSide,
    )

    side = LocalSide(SETTINGS)
    empty_out = tmp_path / "out"
    environ = {OUT_DIR_VARIABLE: str(empty_out), ENDPOINT_VARIABLE: stand_ins.endpoint_url}
    skipped = side.read_catalog(environ=environ)
    assert skipped["skipped"].startswith(f"no feed list at {empty_out}")
    path = tmp_path / "replay.ndjson"
    path.write_text('{"episode_id": "replayed"}\n')
    replayed = side.read_catalog(environ={**environ, CATALOG_FILE_VARIABLE: str(path)})
    assert replayed["written"] == 1 and replayed["catalog"] == str(path)
