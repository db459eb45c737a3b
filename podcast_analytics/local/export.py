"""Local export: every mart -> Parquet under OUT/exports/ and the exports bucket
(cloud: cloud/export.py)."""

from __future__ import annotations

import time
from typing import Any

import duckdb

from podcast_analytics.config import Settings
from podcast_analytics.local.context import LocalContext
from podcast_analytics.pipeline.errors import PipelineError

EXPORTS_DIR = "exports"
# S3 key prefix inside the exports bucket (the bucket comes from the config).
EXPORTS_KEY_PREFIX = "marts/"


def mart_names(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
        "ORDER BY table_name",
        [settings.snowflake.marts_schema.lower()],
    ).fetchall()
    return [name for (name,) in rows]


def export(ctx: LocalContext) -> dict[str, Any]:
    """Every model in the marts schema -> Parquet in <out_dir>/exports/ and the exports bucket."""
    started = time.perf_counter()
    if not ctx.duckdb_path.exists():
        raise PipelineError(f"no warehouse at {ctx.duckdb_path}: run the load step first")
    exports_dir = ctx.out_dir / EXPORTS_DIR
    exports_dir.mkdir(parents=True, exist_ok=True)
    schema = ctx.settings.snowflake.marts_schema.lower()
    s3 = ctx.client("s3")
    exported: dict[str, int] = {}
    with duckdb.connect(str(ctx.duckdb_path), read_only=True) as con:
        names = mart_names(con, ctx.settings)
        if not names:
            raise PipelineError(f"no marts to export: schema {schema!r} is empty (did dbt run?)")
        for name in names:
            path = exports_dir / f"{name}.parquet"
            tmp = path.with_name(f".{path.name}.tmp")
            # ORDER BY ALL: the same marts give byte-identical files.
            con.execute(
                f"COPY (SELECT * FROM {schema}.\"{name}\" ORDER BY ALL) TO '{tmp}' "
                "(FORMAT parquet, COMPRESSION zstd)"
            )
            tmp.replace(path)
            exported[name] = con.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0]  # type: ignore[index]
            s3.upload_file(
                str(path), ctx.settings.storage.buckets.exports, f"{EXPORTS_KEY_PREFIX}{path.name}"
            )
    return {
        "models": exported,
        "directory": str(exports_dir),
        "bucket": ctx.settings.storage.buckets.exports,
        "seconds": round(time.perf_counter() - started, 3),
    }
