"""`make bench-transform [DAYS=n] [EVENTS_PER_DAY=n]`: what a dbt run costs against its history.

No emulator: the project generator's records go through the real Firehose record processor
into raw rows (one object per arrival hour, loaded a minute after the hour closes, as the
Snowpipe stand-in lands them) and straight into a fresh DuckDB warehouse under
OUT/bench-transform/. Then, all with `dbt run` (the models; the data tests are the suite's
job and are timed once, apart):

- first build: the first DAYS days, from empty;
- incremental_one_day_s: that warehouse plus one more day, run incrementally (median of
  RUNS, each from a copy of the same built history);
- noop_s: the same run again with nothing new (dbt's fixed cost), median of RUNS;
- full_refresh_s: `--full-refresh` over all DAYS + 1 days (median of FULL_RUNS);
- snapshot_s: `dbt snapshot` once on the incremental result (the episodes' catalog
  history; `dbt run` does not build snapshots, and their tests need them);
- test_s: `dbt test` once on the incremental result.

The generator's catalog (its shows' episodes with release dates, durations and ad breaks,
as the feed reader would write them) is loaded into the raw catalog table with the history.

Writes OUT/bench-transform.json with the row counts, every run's seconds, the medians and the
machine's load averages before and after (the machine is shared: read ratios, not seconds).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from podcast_analytics.config import Settings
from podcast_analytics.config.dbt_profiles import DUCKDB_PATH_ENV
from podcast_analytics.config.facts import REPO_ROOT
from podcast_analytics.generator import GeneratorSettings, generate
from podcast_analytics.generator.stream import generate_world
from podcast_analytics.pipeline.dbt_runner import dbt_environment, dbt_executable
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.ledger import write_json_atomically
from podcast_analytics.record_processor.handler import process_record

RESULT_FILE = "bench-transform.json"
DEFAULT_DAYS = 30
DEFAULT_EVENTS_PER_DAY = 30_000
DEFAULT_START = date(2026, 9, 1)


@dataclass(frozen=True, slots=True)
class RawFiles:
    history: Path
    new: Path
    rows_history: int
    rows_new: int


def write_raw_rows(settings: GeneratorSettings, work: Path, new_from: datetime) -> RawFiles:
    """The generated stream as raw-table rows, NDJSON, split at `new_from` (loaded_at)."""
    work.mkdir(parents=True, exist_ok=True)
    history, new = work / "raw-history.ndjson", work / "raw-new.ndjson"
    counts = {history: 0, new: 0}
    with history.open("w", encoding="utf-8") as old_out, new.open("w", encoding="utf-8") as out:
        for row in _raw_rows(settings):
            target = old_out if row["loaded_at"] < new_from else out
            counts[history if target is old_out else new] += 1
            row["loaded_at"] = row["loaded_at"].isoformat(sep=" ")
            target.write(json.dumps(row) + "\n")
    return RawFiles(history, new, counts[history], counts[new])


def _raw_rows(settings: GeneratorSettings) -> Iterator[dict[str, Any]]:
    rows_in_object: dict[str, int] = {}
    for record in generate(settings):
        processed = process_record(record.data)
        if processed.result != "Ok":  # dead-lettered by Firehose, never loaded
            continue
        hour = record.arrival.astimezone(UTC).replace(
            tzinfo=None, minute=0, second=0, microsecond=0
        )
        key = f"raw_events/{hour:%Y/%m/%d/%H}/events-{hour:%Y%m%d%H}.json"
        rows_in_object[key] = rows_in_object.get(key, 0) + 1
        yield {
            "record": processed.data.decode("utf-8").rstrip("\n"),
            "source_file": key,
            "source_row": rows_in_object[key],
            "loaded_at": hour + timedelta(minutes=61),
        }


def write_catalog_rows(settings: GeneratorSettings, work: Path, as_of: datetime) -> Path:
    """The generated shows' episodes released by `as_of` as catalog rows of one snapshot
    read at `as_of` (the contract's fields, as the feed reader writes them)."""
    path = work / "raw-catalog.ndjson"
    stamp = as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
    with path.open("w", encoding="utf-8") as out:
        episodes = [
            episode
            for podcast in generate_world(settings).podcasts
            for episode in podcast.episodes
            if episode.released <= as_of.date()
        ]
        for number, episode in enumerate(episodes, start=1):
            record = {
                "podcast_id": episode.podcast_id,
                "episode_id": episode.episode_id,
                "title": episode.episode_id,
                "published_at": f"{episode.released.isoformat()}T00:00:00Z",
                "duration_s": episode.duration_s,
                "ad_breaks": [
                    {"start_s": b.start_s, "end_s": b.end_s, "kind": b.kind}
                    for b in episode.ad_breaks
                ],
                "fetched_at": stamp,
            }
            row = {
                "record": json.dumps(record),
                "source_file": f"catalog/{as_of:%Y%m%d}/bench.ndjson.gz",
                "source_row": number,
                "loaded_at": as_of.isoformat(sep=" "),
            }
            out.write(json.dumps(row) + "\n")
    return path


def load_raw(database: Path, settings: Settings, rows: Path, *, catalog: bool = False) -> None:
    """Append NDJSON raw rows to the raw events table (or, `catalog`, the raw catalog
    table); both tables are created, so the project's two sources exist."""
    sf = settings.snowflake
    schema = sf.raw_schema.lower()
    table = (sf.catalog_table if catalog else sf.raw_table).lower()
    with duckdb.connect(str(database)) as con:
        con.execute(f"create schema if not exists {schema}")
        for name in (sf.raw_table.lower(), sf.catalog_table.lower()):
            con.execute(
                f"create table if not exists {schema}.{name} "
                "(record varchar, source_file varchar, source_row integer, loaded_at timestamp)"
            )
        con.execute(
            f"insert into {schema}.{table} select record, source_file, source_row, loaded_at "
            "from read_json(?, format = 'newline_delimited', columns = {record: 'varchar', "
            "source_file: 'varchar', source_row: 'integer', loaded_at: 'timestamp'})",
            [str(rows)],
        )


@dataclass(frozen=True, slots=True)
class Dbt:
    """dbt against one DuckDB file, artefacts under `work`."""

    settings: Settings
    work: Path
    database: Path

    def seconds(self, *args: str) -> float:
        project = REPO_ROOT / self.settings.dbt.project_dir
        command = [
            dbt_executable(),
            *args,
            "--target",
            self.settings.environment,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(self.work / "target"),
            "--log-path",
            str(self.work / "logs"),
        ]
        env = dbt_environment(**{DUCKDB_PATH_ENV: str(self.database.resolve())})
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - our own dbt with fixed arguments
            command, env=env, capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            last = (done.stdout + done.stderr).strip().splitlines()[-1:] or ["no output"]
            raise PipelineError(f"dbt {' '.join(args)} failed: {last[0]}")
        return round(elapsed, 3)


def run_bench_transform(
    settings: Settings,
    out_dir: Path,
    *,
    days: int = DEFAULT_DAYS,
    events_per_day: int = DEFAULT_EVENTS_PER_DAY,
    seed: int = 42,
    runs: int = 3,
    full_runs: int = 1,
) -> dict[str, Any]:
    if days < 1 or events_per_day < 1 or runs < 1 or full_runs < 1:
        raise PipelineError("DAYS, EVENTS_PER_DAY and the run counts must be positive")
    work = out_dir / "bench-transform"
    shutil.rmtree(work, ignore_errors=True)
    load_before = os.getloadavg()
    generator = GeneratorSettings(
        seed=seed, days=days + 1, events=events_per_day * (days + 1), start=DEFAULT_START
    )
    new_from = datetime.combine(DEFAULT_START + timedelta(days=days), datetime.min.time())
    started = time.perf_counter()
    raw = write_raw_rows(generator, work, new_from)
    catalog = write_catalog_rows(generator, work, new_from)
    generate_s = round(time.perf_counter() - started, 3)
    if raw.rows_new == 0:
        raise PipelineError("the last day produced no rows: raise EVENTS_PER_DAY")

    # The file name is the DuckDB catalog the sources name (local.duckdb_file): one per dir.
    built = work / "history" / settings.local.duckdb_file
    built.parent.mkdir()
    load_raw(built, settings, raw.history)
    load_raw(built, settings, catalog, catalog=True)
    first_build_s = Dbt(settings, work, built).seconds("run")

    incremental, noop = [], []
    current = work / "current" / settings.local.duckdb_file
    current.parent.mkdir()
    for _ in range(runs):
        shutil.copyfile(built, current)
        load_raw(current, settings, raw.new)
        incremental.append(Dbt(settings, work, current).seconds("run"))
    dbt = Dbt(settings, work, current)
    for _ in range(runs):
        noop.append(dbt.seconds("run"))
    snapshot_s = dbt.seconds("snapshot")
    test_s = dbt.seconds("test")
    full = [dbt.seconds("run", "--full-refresh") for _ in range(full_runs)]

    result = {
        "days_history": days,
        "events_per_day": events_per_day,
        "rows_history": raw.rows_history,
        "rows_new": raw.rows_new,
        "generate_s": generate_s,
        "first_build_s": first_build_s,
        "incremental_one_day_s": statistics.median(incremental),
        "incremental_one_day_runs_s": incremental,
        "noop_s": statistics.median(noop),
        "noop_runs_s": noop,
        "full_refresh_s": statistics.median(full),
        "full_refresh_runs_s": full,
        "snapshot_s": snapshot_s,
        "test_s": test_s,
        "incremental_share_of_full_refresh": statistics.median(incremental)
        / statistics.median(full),
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "cpus": os.cpu_count(),
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    write_json_atomically(out_dir / RESULT_FILE, result)
    # Gigabytes at 90 days; the JSON is the result.
    for name in ("raw-history.ndjson", "raw-new.ndjson", "raw-catalog.ndjson"):
        (work / name).unlink()
    for directory in (built.parent, current.parent):
        shutil.rmtree(directory)
    return result


def summary(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"history {result['rows_history']:,} rows ({result['days_history']} days), "
            f"+{result['rows_new']:,} rows (1 day)",
            f"first build      {result['first_build_s']:8.1f} s",
            f"incremental +1d  {result['incremental_one_day_s']:8.1f} s (median of "
            f"{len(result['incremental_one_day_runs_s'])})",
            f"no-op            {result['noop_s']:8.1f} s (median of {len(result['noop_runs_s'])})",
            f"full refresh     {result['full_refresh_s']:8.1f} s",
            f"incremental / full refresh: {result['incremental_share_of_full_refresh']:.1%}",
            f"dbt snapshot     {result['snapshot_s']:8.1f} s",
            f"dbt test         {result['test_s']:8.1f} s",
            f"load average before {result['load_average_before']}, "
            f"after {result['load_average_after']} ({result['cpus']} CPUs)",
        ]
    )
