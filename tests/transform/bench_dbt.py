"""Time `dbt build --target local` at volume: a full build, then one more day incremental.

    .venv/bin/python -m tests.transform.bench_dbt --events 1000000 --days 31

Generates about `--events` records over `--days` days with the project generator (the
listener count is sized from the events; the stream is not cut, so the last day is whole),
loads every
day but the last into a fresh DuckDB file and times a full `dbt build`; then loads the last
day and times the incremental `dbt build` on top; finally times a full-refresh build of all
days. Prints one line per step. Not part of the test suite (it takes minutes).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from podcast_analytics.config import load_settings
from podcast_analytics.generator import GeneratorSettings
from tests.transform.dbt_runner import DbtProject
from tests.transform.raw_rows import generated_history, load_raw_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    settings = GeneratorSettings(
        seed=args.seed, days=args.days, events=args.events, start=date(2026, 10, 1)
    )
    started = time.perf_counter()
    rows = generated_history(settings, with_broken_records=False)
    last_day = datetime.combine(settings.start + timedelta(days=args.days - 1), clock())
    history = [row for row in rows if row.loaded_at < last_day]
    new_day = [row for row in rows if row.loaded_at >= last_day]
    print(f"generated {len(rows):,} raw rows in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        database = work / load_settings("local").local.duckdb_file
        project = DbtProject(work_dir=work, database=database)
        load_raw_rows(database, history)
        _timed(f"full build, {len(history):,} rows ({args.days - 1} days)", project.build)
        load_raw_rows(database, new_day)
        _timed(f"incremental build, +{len(new_day):,} rows (1 day)", project.build)
        _timed(
            f"full-refresh build, {len(rows):,} rows ({args.days} days)",
            lambda: project.build("--full-refresh"),
        )


def _timed(label: str, step) -> None:
    started = time.perf_counter()
    result = step()
    finished = [line for line in result.output.splitlines() if "Finished running" in line]
    print(f"{label}: {time.perf_counter() - started:.1f} s wall | {finished[-1].strip()}")


if __name__ == "__main__":
    main()
