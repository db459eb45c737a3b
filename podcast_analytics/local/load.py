"""Local load: the Snowpipe stand-in drains S3 notifications into DuckDB (cloud: cloud/load.py)."""

from __future__ import annotations

import time
from typing import Any

from podcast_analytics.local.context import LocalContext
from podcast_analytics.local.emulator.snowpipe import LocalSnowpipe


def load(ctx: LocalContext) -> dict[str, Any]:
    """Snowpipe stand-in: drain the notifications, load each new object exactly once."""
    started = time.perf_counter()
    pipe = LocalSnowpipe(ctx.settings, ctx.client("s3"), ctx.client("sqs"), ctx.duckdb_path)
    stats = pipe.drain()
    return {
        **stats.to_dict(),
        "warehouse": str(ctx.duckdb_path),
        "seconds": round(time.perf_counter() - started, 3),
    }
