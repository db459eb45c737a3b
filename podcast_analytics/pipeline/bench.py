"""`make bench [EVENTS=n]`: per-stage seconds and events/s, peak memory, the DuckDB floor.

Runs in OUT/bench/ (a fresh warehouse, so the user's is untouched) and writes OUT/bench.json,
holding OUT's lock (`local/out_dir.py`) as `make pipeline` does, so the two never share an OUT:
- generate: the generator alone, counted and thrown away (it must not be the bottleneck);
- produce / deliver / load / dbt build (full) / export: the pipeline's own steps;
- floor: the same raw objects fetched from the emulator and inserted with one DuckDB
  `read_ndjson_objects` scan (the least a load can do), and the load as a multiple of it;
  `duckdb_read_only` is the scan alone;
- producer vs bare PutRecords: a sample of the same records sent through the project's
  producer and through a bare boto3 loop of 500-record PutRecords calls, same emulator;
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
from itertools import islice
from pathlib import Path
from typing import Any

import duckdb

from podcast_analytics import local
from podcast_analytics.config import Settings
from podcast_analytics.generator import GeneratorSettings
from podcast_analytics.local import out_dir as out_checks
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.files import write_json_atomically
from podcast_analytics.pipeline.reconciliation import reconcile
from podcast_analytics.pipeline.sources import generated_records
from podcast_analytics.producer import MAX_RECORDS_PER_CALL, KinesisProducer, OutgoingRecord

BENCH_FILE = "bench.json"
# Records sent twice more (producer, bare PutRecords loop) to compare the two in one run.
PRODUCER_SAMPLE = 20_000


def run_bench(
    settings: Settings,
    out_dir: Path,
    *,
    events: int | None,
    days: int,
    seed: int,
    input_path: Path | None = None,
    start: date | None = None,
    catalog_path: Path | None = None,
) -> dict[str, Any]:
    if input_path is not None:
        raise PipelineError("bench generates its own events: leave INPUT unset")
    if catalog_path is not None:
        raise PipelineError("bench measures the event path: leave CATALOG unset")
    with out_checks.exclusive(out_dir):
        return _run_bench(settings, out_dir, events=events, days=days, seed=seed, start=start)


def _run_bench(
    settings: Settings,
    out_dir: Path,
    *,
    events: int | None,
    days: int,
    seed: int,
    start: date | None,
) -> dict[str, Any]:
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
        stages["duckdb_read_only"] = _stage(floor["read_seconds"], floor["rows"])
        sample = [
            OutgoingRecord(record.data, record.partition_key)
            for record in islice(generated_records(events, days, seed, start), PRODUCER_SAMPLE)
        ]
        producer_s, bare_s = _producer_vs_bare_put_records(ctx, sample, work)
        stages["producer_sample"] = _stage(producer_s, len(sample))
        stages["bare_put_records_sample"] = _stage(bare_s, len(sample))
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
        "producer_vs_bare_put_records": _ratio(
            stages, "producer_sample", "bare_put_records_sample"
        ),
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
    """The least a load of the same raw objects can cost: fetch each from the same emulator
    and insert all of them with one `read_ndjson_objects` scan into a fresh table (no
    queue, no per-object transaction, no load history). `read_seconds` is the scan alone."""
    s3 = ctx.client("s3")
    bucket = ctx.settings.storage.buckets.raw
    prefix = ctx.settings.storage.prefixes.raw_events
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        objects = 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                objects += 1
                body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                (Path(tmp) / f"{objects:06d}.json.gz").write_bytes(body)
        files = f"{tmp}/*.json.gz"
        with duckdb.connect(str(Path(tmp) / "floor.duckdb")) as con:
            rows = con.execute(
                "CREATE TABLE raw AS SELECT json::VARCHAR AS record, filename AS source_file "
                "FROM read_ndjson_objects(?, compression = 'gzip', filename = true)",
                [files],
            ).fetchone()
            seconds = time.perf_counter() - started
            started = time.perf_counter()
            rows = con.execute(
                "SELECT count(*) FROM read_ndjson_objects(?, compression = 'gzip')", [files]
            ).fetchone()[0]  # type: ignore[index]
            read_seconds = time.perf_counter() - started
    return {"rows": rows, "seconds": seconds, "read_seconds": read_seconds, "objects": objects}


def _producer_vs_bare_put_records(
    ctx: local.LocalContext, sample: list[OutgoingRecord], work: Path
) -> tuple[float, float]:
    """The same records to two fresh streams on the same emulator: through the project's
    producer (batching by count and bytes, per-record retry, spill) and through a bare loop
    of 500-record PutRecords calls. Records are generated before the clock starts."""
    kinesis = ctx.client("kinesis")
    seconds = []
    for name in ("bench-producer", "bench-bare-put-records"):
        kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        kinesis.get_waiter("stream_exists").wait(StreamName=name)
    started = time.perf_counter()
    with KinesisProducer(kinesis, "bench-producer", work / "bench-spill.ndjson") as producer:
        stats = producer.send(sample)
    seconds.append(time.perf_counter() - started)
    if stats.sent != len(sample):
        raise PipelineError(f"bench producer sent {stats.sent} of {len(sample)} records")
    started = time.perf_counter()
    for first in range(0, len(sample), MAX_RECORDS_PER_CALL):
        batch = sample[first : first + MAX_RECORDS_PER_CALL]
        kinesis.put_records(
            StreamName="bench-bare-put-records",
            Records=[{"Data": r.data, "PartitionKey": r.partition_key} for r in batch],
        )
    seconds.append(time.perf_counter() - started)
    return seconds[0], seconds[1]
