"""`make bench [EVENTS=n]`: per-stage seconds and events/s, peak memory, the DuckDB floor.

Runs in OUT/bench/ (a fresh warehouse, so the user's is untouched) and writes OUT/bench.json:
- generate: the generator alone, counted and thrown away (it must not be the bottleneck);
- produce / deliver / load / dbt build (full) / export: the pipeline's own steps;
- floor: DuckDB's `read_ndjson_objects` plus a count over the same raw objects (downloaded
  from the emulator first, as the loader does), and the load as a multiple of it;
- incremental dbt: one more simulated day ingested and loaded, then `dbt build` again;
- peak RSS of this process (generator, producer, stand-ins, loader) and of the largest
  child (moto's server, dbt).
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from podcast_analytics import local
from podcast_analytics.config import Settings
from podcast_analytics.generator import GeneratorSettings
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.ledger import write_json_atomically
from podcast_analytics.pipeline.reconciliation import reconcile
from podcast_analytics.pipeline.sources import generated_records

BENCH_FILE = "bench.json"


def run_bench(
    settings: Settings,
    out_dir: Path,
    *,
    events: int | None,
    days: int,
    seed: int,
    input_path: Path | None = None,
    start: date | None = None,
) -> dict[str, Any]:
    if input_path is not None:
        raise PipelineError("bench generates its own events: leave INPUT unset")
    work = out_dir / "bench"
    shutil.rmtree(work, ignore_errors=True)
    stages: dict[str, dict[str, float]] = {}

    started = time.perf_counter()
    generated = sum(1 for _ in generated_records(events, days, seed, start))
    stages["generate"] = _stage(time.perf_counter() - started, generated)

    with local.local_aws(settings, work) as ctx:
        ingest = local.ingest(ctx, events=events, days=days, seed=seed, start=start)
        produced = ingest["produced"]
        stages["produce"] = _stage(ingest["produce_seconds"], produced)
        stages["deliver"] = _stage(ingest["deliver_seconds"], produced)
        load = local.load(ctx)
        stages["load"] = _stage(load["seconds"], load["rows_loaded"])
        floor = _duckdb_floor(ctx)
        stages["duckdb_floor"] = _stage(floor["seconds"], floor["rows"])
        # One more simulated day after the last, for the incremental dbt build.
        next_day = (start or GeneratorSettings().start) + timedelta(days=days)
        incremental_events = 0
        try:
            full = local.transform(ctx)
            stages["dbt_build_full"] = _stage(full["seconds"], load["rows_loaded"])
            exported = local.export(ctx)
            stages["export"] = _stage(exported["seconds"], produced)
            incremental_events = local.ingest(
                ctx, events=max(produced // days, 1), days=1, seed=seed + 1, start=next_day
            )["produced"]
            extra_load = local.load(ctx)
            incremental = local.transform(ctx)
            stages["dbt_build_incremental_one_day"] = _stage(
                incremental["seconds"], extra_load["rows_loaded"]
            )
            dbt_error = None
        except PipelineError as exc:
            # The stages before dbt are still worth reporting; the failure is named.
            dbt_error = str(exc)
        reconciliation = reconcile(ctx)

    result = {
        "events": produced,
        "days": days,
        "seed": seed,
        "stages": stages,
        "raw_objects": floor["objects"],
        "load_vs_duckdb_floor": _ratio(stages, "load", "duckdb_floor"),
        "dbt_full_vs_incremental": _ratio(
            stages, "dbt_build_full", "dbt_build_incremental_one_day"
        ),
        "incremental_day_events": incremental_events,
        "dbt_error": dbt_error,
        "peak_rss_mib": {
            "pipeline_process": _rss_mib(resource.RUSAGE_SELF),
            "largest_child": _rss_mib(resource.RUSAGE_CHILDREN),
        },
        "reconciliation_balanced": reconciliation["balanced"],
        "machine": {"python": sys.version.split()[0], "duckdb": duckdb.__version__},
    }
    write_json_atomically(out_dir / BENCH_FILE, result)
    print(json.dumps(result, indent=2))
    print(f"written to {out_dir / BENCH_FILE}")
    if dbt_error:
        raise PipelineError(f"bench incomplete, dbt stages missing: {dbt_error}")
    return result


def _stage(seconds: float, events: int) -> dict[str, float]:
    return {
        "seconds": round(seconds, 3),
        "events_per_s": round(events / seconds) if seconds else 0,
    }


def _ratio(stages: dict[str, dict[str, float]], numerator: str, denominator: str) -> float | None:
    if numerator not in stages or not stages.get(denominator, {}).get("seconds"):
        return None
    return round(stages[numerator]["seconds"] / stages[denominator]["seconds"], 2)


def _rss_mib(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # Linux reports KiB


def _duckdb_floor(ctx: local.LocalContext) -> dict[str, Any]:
    """What DuckDB alone needs to read the same raw objects: `read_ndjson_objects` + count."""
    s3 = ctx.client("s3")
    bucket = ctx.settings.storage.buckets.raw
    prefix = ctx.settings.storage.prefixes.raw_events
    with tempfile.TemporaryDirectory() as tmp:
        objects = 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                objects += 1
                s3.download_file(bucket, item["Key"], str(Path(tmp) / f"{objects:06d}.json.gz"))
        with duckdb.connect() as con:
            started = time.perf_counter()
            rows = con.execute(
                "SELECT count(*) FROM read_ndjson_objects(?, compression = 'gzip')",
                [f"{tmp}/*.json.gz"],
            ).fetchone()[0]  # type: ignore[index]
            seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "objects": objects}
