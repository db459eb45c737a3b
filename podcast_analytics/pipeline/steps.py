"""The pipeline's steps in local mode, callable one by one (the Airflow DAG does) or in a
row (`runner.run_pipeline`, i.e. `make pipeline`).

Every step takes a `LocalContext` from `local_aws` and returns a small JSON-able summary.
Plain Python: no Airflow import here, and dbt runs as a subprocess so a caller's
environment needs no dbt (set PODCAST_DBT_EXECUTABLE to point at one).
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

import duckdb

from podcast_analytics.config import Settings
from podcast_analytics.config.facts import REPO_ROOT
from podcast_analytics.contract import invalid_reason
from podcast_analytics.local.firehose import LocalFirehose
from podcast_analytics.local.moto_server import aws_client, moto_server
from podcast_analytics.local.resources import create_local_resources
from podcast_analytics.local.snowpipe import LocalSnowpipe, RawTable
from podcast_analytics.pipeline.dbt import dbt_environment, dbt_executable
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.ledger import read_ledger, record_batch, write_json_atomically
from podcast_analytics.pipeline.progress import Progress
from podcast_analytics.pipeline.sources import (
    SourceRecord,
    check_input,
    generated_batch_id,
    generated_records,
    replay_records,
)
from podcast_analytics.producer import KinesisProducer, OutgoingRecord

RECONCILIATION_FILE = "reconciliation.json"
EXPORTS_DIR = "exports"
DBT_DIR = "dbt"
# S3 key prefixes inside the exports / artefacts buckets (the buckets come from the config).
EXPORTS_KEY_PREFIX = "marts/"
ARTEFACTS_KEY_PREFIX = "runs/"
STAGING_MODELS = ("stg_user_events", "stg_user_events_invalid", "stg_user_events_duplicates")


@dataclass(frozen=True)
class LocalContext:
    settings: Settings  # load_settings("local")
    out_dir: Path  # warehouse file, exports/, dbt/ artefacts, reconciliation.json
    endpoint_url: str  # moto's server, http://127.0.0.1:PORT

    @property
    def duckdb_path(self) -> Path:
        return self.out_dir / self.settings.local.duckdb_file

    def client(self, service: str) -> Any:
        return aws_client(service, self.endpoint_url, self.settings.aws.region)


@contextlib.contextmanager
def local_aws(settings: Settings, out_dir: Path) -> Iterator[LocalContext]:
    """moto's server on a loopback port with the stream, buckets, queue and notification
    from the config; stopped when the block ends, whatever happens inside it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with moto_server(settings.local.host, settings.local.moto_port, settings.aws.region) as srv:
        create_local_resources(settings, srv.client)
        yield LocalContext(settings=settings, out_dir=out_dir, endpoint_url=srv.endpoint_url)


# ------------------------------------------------------------------------------ ingest


def ingest(
    ctx: LocalContext,
    *,
    events: int | None,
    days: int,
    seed: int,
    input_path: Path | None = None,
    start: date | None = None,
) -> dict[str, Any]:
    """Generate (or replay) -> producer -> Kinesis -> Firehose stand-in -> S3.

    Records are delivered one simulated arrival day at a time: that day's records are
    produced, then the Firehose stand-in drains the stream with its clock at the day's last
    arrival, so objects land in that day's folder as in AWS.
    """
    if input_path is not None:
        batch_id = check_input(input_path)
        arrival = datetime.now(UTC).replace(microsecond=0)
        records: Iterator[SourceRecord] = replay_records(input_path, arrival)
        source = {"input": str(input_path)}
    else:
        if events is not None and events <= 0:
            raise PipelineError(f"EVENTS must be a positive whole number, got {events}")
        if days <= 0:
            raise PipelineError(f"DAYS must be a positive whole number, got {days}")
        batch_id = generated_batch_id(events, days, seed, start)
        records = generated_records(events, days, seed, start)
        source = {"generator": {"events": events, "days": days, "seed": seed, "start": str(start)}}

    settings = ctx.settings
    kinesis, s3 = ctx.client("kinesis"), ctx.client("s3")
    firehose = LocalFirehose(settings, kinesis, s3, run_token=batch_id[:8])
    spill_path = ctx.out_dir / "spill" / f"{batch_id}.ndjson"
    spill_path.unlink(missing_ok=True)  # a rerun of this batch replaces its spill file

    produced = 0
    produce_s = deliver_s = 0.0
    totals = None
    progress = Progress("ingest", events)
    with KinesisProducer(kinesis, settings.kinesis.stream_name, spill_path, seed=seed) as producer:
        for _day, day_records in groupby(records, key=lambda r: r.arrival.date()):
            feed = _DayFeed(day_records, progress)
            started = time.perf_counter()
            producer.send(feed)
            produce_s += time.perf_counter() - started
            produced += feed.count
            started = time.perf_counter()
            delivered = firehose.deliver(now=feed.latest_arrival)
            deliver_s += time.perf_counter() - started
            if totals is None:
                totals = delivered
            else:
                totals.add(delivered)
        progress.close()
        spilled = producer.stats

    delivery = totals.to_dict() if totals else {}
    entry = {
        **source,
        "produced": produced,
        "spilled": spilled.spilled,
        "spilled_by_reason": spilled.to_dict()["spilled_by_reason"],
        "dead_lettered": delivery.get("dead_lettered", 0),
        "dead_lettered_by_reason": delivery.get("dead_lettered_by_reason", {}),
        "delivered": delivery.get("delivered", 0),
    }
    read = delivery.get("read", 0)
    # Every record is sent or spilled; everything sent is read back and delivered or failed.
    if (
        produced != spilled.sent + spilled.spilled
        or spilled.sent != read
        or read != (entry["delivered"] + entry["dead_lettered"])
    ):
        raise PipelineError(
            f"ingest does not add up: produced {produced}, sent {spilled.sent}, spilled "
            f"{spilled.spilled}, read back {read}, delivered {entry['delivered']}, "
            f"dead-lettered {entry['dead_lettered']}"
        )
    record_batch(ctx.out_dir, batch_id, entry)
    return {
        "batch_id": batch_id,
        **entry,
        "objects": delivery.get("objects", 0),
        "error_objects": delivery.get("error_objects", 0),
        "producer_calls": spilled.calls,
        "retried_records": spilled.retried_records,
        "produce_seconds": round(produce_s, 3),
        "deliver_seconds": round(deliver_s, 3),
    }


class _DayFeed:
    """One arrival day's records as producer input, noting how many and the last arrival."""

    def __init__(self, records: Iterator[SourceRecord], progress: Progress) -> None:
        self._records = records
        self._progress = progress
        self.count = 0
        self.latest_arrival = datetime.min.replace(tzinfo=UTC)

    def __iter__(self) -> Iterator[OutgoingRecord]:
        for record in self._records:
            self.count += 1
            self._progress.advance()
            self.latest_arrival = max(self.latest_arrival, record.arrival)
            yield OutgoingRecord(record.data, record.partition_key)


# ------------------------------------------------------------------------------ load


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


# ------------------------------------------------------------------------------ transform


def dbt_project_dir(settings: Settings) -> Path:
    return REPO_ROOT / settings.dbt.project_dir


def transform(ctx: LocalContext, *, dbt_executable: str | None = None) -> dict[str, Any]:
    """`dbt build --target local` against <out_dir>/<duckdb_file>; artefacts in <out_dir>/dbt."""
    executable = _resolve_dbt(dbt_executable)
    project = dbt_project_dir(ctx.settings)
    models = project / "models"
    if not models.is_dir() or not any(models.rglob("*.sql")):
        raise PipelineError(
            f"the dbt project in {ctx.settings.dbt.project_dir}/ has no models yet: "
            "nothing to transform"
        )
    # Absolute: dbt runs in the project directory, where a relative OUT would mean another place.
    dbt_dir = (ctx.out_dir / DBT_DIR).resolve()
    target_path, log_path = dbt_dir / "target", dbt_dir / "logs"
    command = [
        executable,
        "build",
        "--target",
        ctx.settings.environment,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path),
    ]
    env = dbt_environment(PODCAST_DUCKDB_PATH=str(ctx.duckdb_path.resolve()))
    started = time.perf_counter()
    returncode, output = _run_with_progress(command, env=env, cwd=project)
    seconds = round(time.perf_counter() - started, 3)
    statuses = _run_result_statuses(target_path / "run_results.json")
    if returncode != 0:
        failing = [name for name, status in statuses.items() if status in ("error", "fail")]
        detail = (
            f"{len(failing)} failing: {', '.join(failing[:5])}" if failing else _last_line(output)
        )
        raise PipelineError(f"dbt build failed ({detail}); log: {log_path / 'dbt.log'}")
    counts: dict[str, int] = {}
    for status in statuses.values():
        counts[status] = counts.get(status, 0) + 1
    return {"seconds": seconds, "nodes": len(statuses), "statuses": counts}


_DBT_NODE_DONE = re.compile(r"\b(\d+) of (\d+) (?!START)[A-Z]")


def _run_with_progress(command: list[str], *, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run dbt, drawing its "n of N" lines as a progress bar; return (exit code, output)."""
    lines: list[str] = []
    progress: Progress | None = None
    with subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        command,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            match = _DBT_NODE_DONE.search(line)
            if match:
                if progress is None:
                    progress = Progress("dbt build", int(match.group(2)))
                progress.advance()
        returncode = process.wait()
    if progress is not None:
        progress.close()
    return returncode, "".join(lines[-50:])


def _resolve_dbt(explicit: str | None) -> str:
    return dbt_executable(explicit)


def _run_result_statuses(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    results = json.loads(path.read_text(encoding="utf-8")).get("results", [])
    return {r["unique_id"]: str(r["status"]) for r in results}


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


# ------------------------------------------------------------------------------ export


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


def upload_artefacts(ctx: LocalContext, run_id: str) -> dict[str, Any]:
    """dbt's manifest.json, run_results.json and logs -> artefacts bucket, runs/<run_id>/."""
    base = ctx.out_dir / DBT_DIR
    files = {
        "manifest.json": base / "target" / "manifest.json",
        "run_results.json": base / "target" / "run_results.json",
        "dbt.log": base / "logs" / "dbt.log",
    }
    missing = [name for name, path in files.items() if not path.exists()]
    if missing:
        raise PipelineError(f"no dbt artefacts to upload ({', '.join(missing)} missing)")
    s3 = ctx.client("s3")
    bucket = ctx.settings.storage.buckets.artefacts
    keys = []
    for name, path in files.items():
        key = f"{ARTEFACTS_KEY_PREFIX}{run_id}/{name}"
        s3.upload_file(str(path), bucket, key)
        keys.append(key)
    return {"bucket": bucket, "keys": keys}


# ------------------------------------------------------------------------------ reconcile


def reconcile(ctx: LocalContext) -> dict[str, Any]:
    """Account for every record: produced = spilled + dead_lettered + loaded, and
    loaded = valid + quarantined + duplicates. Written to <out_dir>/reconciliation.json."""
    result = reconcile_counts(ctx.settings, ctx.out_dir)
    write_json_atomically(ctx.out_dir / RECONCILIATION_FILE, result)
    return result


def reconcile_counts(settings: Settings, out_dir: Path) -> dict[str, Any]:
    ledger = read_ledger(out_dir)
    produced = sum(batch["produced"] for batch in ledger.values())
    spilled = sum(batch["spilled"] for batch in ledger.values())
    dead_lettered = sum(batch["dead_lettered"] for batch in ledger.values())
    duckdb_path = out_dir / settings.local.duckdb_file
    raw = RawTable.from_settings(settings)
    if not duckdb_path.exists():
        raise PipelineError(f"no warehouse at {duckdb_path}: nothing to reconcile")
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        loaded = con.execute(f"SELECT count(*) FROM {raw.qualified}").fetchone()[0]  # type: ignore[index]
        staging = settings.snowflake.staging_schema.lower()
        present = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
                [staging],
            ).fetchall()
        }
        if all(model in present for model in STAGING_MODELS):
            split = _split_from_models(con, staging)
        else:
            split = _split_in_python(con, raw, settings.events.future_tolerance_s)
    result: dict[str, Any] = {
        "produced": produced,
        "spilled": spilled,
        "dead_lettered": dead_lettered,
        "loaded": loaded,
        "valid": split["valid"],
        "quarantined": split["quarantined"],
        "duplicates": split["duplicates"],
        "spilled_by_reason": _sum_reasons(ledger, "spilled_by_reason"),
        "dead_lettered_by_reason": _sum_reasons(ledger, "dead_lettered_by_reason"),
        "quarantined_by_reason": split["quarantined_by_reason"],
        "counted_by": split["counted_by"],
        "batches": len(ledger),
    }
    result["balanced"] = (
        produced == spilled + dead_lettered + loaded
        and loaded == split["valid"] + split["quarantined"] + split["duplicates"]
    )
    return result


def _sum_reasons(ledger: dict[str, dict[str, Any]], key: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for batch in ledger.values():
        for reason, count in batch.get(key, {}).items():
            totals[reason] = totals.get(reason, 0) + count
    return dict(sorted(totals.items()))


def _split_from_models(con: duckdb.DuckDBPyConnection, staging: str) -> dict[str, Any]:
    valid = con.execute(f"SELECT count(*) FROM {staging}.stg_user_events").fetchone()[0]  # type: ignore[index]
    reasons = dict(
        con.execute(
            f"SELECT invalid_reason, count(*) FROM {staging}.stg_user_events_invalid "
            "GROUP BY ALL ORDER BY 1"
        ).fetchall()
    )
    quarantined = sum(reasons.values())
    duplicates = con.execute(
        f"SELECT count(*) FROM {staging}.stg_user_events_duplicates"
    ).fetchone()[0]  # type: ignore[index]
    return {
        "valid": valid,
        "quarantined": quarantined,
        "duplicates": duplicates,
        "quarantined_by_reason": reasons,
        "counted_by": "dbt models " + " / ".join(STAGING_MODELS),
    }


def _split_in_python(
    con: duckdb.DuckDBPyConnection, raw: RawTable, tolerance_s: int
) -> dict[str, Any]:
    """Without the dbt models, apply the contract's reference validator to raw directly."""
    valid = duplicates = 0
    reasons: dict[str, int] = {}
    seen: set[str] = set()
    cursor = con.execute(
        f"SELECT record, loaded_at FROM {raw.qualified} ORDER BY loaded_at, source_file, source_row"
    )
    while rows := cursor.fetchmany(10_000):
        for record, loaded_at in rows:
            obj = json.loads(record)
            reason = invalid_reason(
                obj, received_at=loaded_at.replace(tzinfo=UTC), future_tolerance_s=tolerance_s
            )
            if reason:
                reasons[reason] = reasons.get(reason, 0) + 1
            elif obj["event_id"] in seen:
                duplicates += 1
            else:
                seen.add(obj["event_id"])
                valid += 1
    return {
        "valid": valid,
        "quarantined": sum(reasons.values()),
        "duplicates": duplicates,
        "quarantined_by_reason": dict(sorted(reasons.items())),
        "counted_by": "contract reference validator over raw (dbt staging models absent)",
    }
