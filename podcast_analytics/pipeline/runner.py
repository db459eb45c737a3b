"""`make pipeline`: every step in a row on the local stand-ins, then the report and summary.

Outputs in OUT: the DuckDB warehouse (kept and added to across runs), exports/, dbt/,
dead_letters/, reconciliation.json and report.html. The last three results belong to *this*
run: they are removed first, written under OUT/.pending/ as the steps go, and moved into
place only once every step succeeded, so a failed or killed run never leaves results that
claim a success (nor an older run's results looking current).

Before anything starts: one run per OUT (a lock, `local/out_dir.py`), children a killed run
left behind are stopped, and OUT, its free space and the warehouse are checked. A failing
step names its cause in one line: the emulator died, the disk is full, DuckDB's error.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

import duckdb
from botocore.exceptions import BotoCoreError, ClientError

from podcast_analytics import local
from podcast_analytics.config import Settings
from podcast_analytics.local import out_dir as out_checks
from podcast_analytics.local.context import LocalContext
from podcast_analytics.pipeline import children, sources
from podcast_analytics.pipeline.crash_points import crash_point
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.reconciliation import RECONCILIATION_FILE, reconcile
from podcast_analytics.pipeline.report import REPORT_FILE, write_report

RESULT_FILES = (RECONCILIATION_FILE, REPORT_FILE)
PENDING_DIR = ".pending"  # this run's results until every step has succeeded
DISK_FULL_MB = 16
STEPS = 8


def run_pipeline(
    settings: Settings,
    out_dir: Path,
    *,
    events: int | None,
    days: int,
    seed: int,
    input_path: Path | None = None,
    start: date | None = None,
    log: TextIO | None = None,
    catalog_path: Path | None = None,
) -> dict[str, Any]:
    stream = log or sys.stdout
    if input_path is not None:
        sources.check_input(input_path)  # before starting anything
    if catalog_path is not None:
        sources.check_catalog(catalog_path)
    with out_checks.exclusive(out_dir), children.recorded_in(out_dir) as leftovers:
        for leftover in leftovers:
            print(f"stopped {leftover}, left running by a killed run", file=stream)
        out_checks.check_free_space(out_dir, settings.local.min_free_disk_mb)
        out_checks.check_warehouse(out_dir / settings.local.duckdb_file)
        pending = _clear_results(out_dir)
        summary = _run_steps(
            settings,
            out_dir,
            pending,
            stream,
            ingest_options={
                "events": events,
                "days": days,
                "seed": seed,
                "input_path": input_path,
                "start": start,
            },
            catalog_path=catalog_path,
        )
        _publish(pending, out_dir)
    reconciliation = summary["reconcile"]
    summary["report"]["path"] = str(out_dir / REPORT_FILE)
    print_summary(summary, reconciliation, stream)
    if not reconciliation["balanced"]:
        raise PipelineError(
            f"the reconciliation does not balance: see {out_dir / RECONCILIATION_FILE}"
        )
    return summary


def _run_steps(
    settings: Settings,
    out_dir: Path,
    pending: Path,
    stream: TextIO,
    *,
    ingest_options: dict[str, Any],
    catalog_path: Path | None = None,
) -> dict[str, Any]:
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    summary: dict[str, Any] = {"run_id": run_id, "out_dir": str(out_dir)}
    started = time.perf_counter()
    context: LocalContext | None = None

    def step(number: int, name: str, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        print(f"[{number}/{STEPS}] {name} ...", file=stream, flush=True)
        crash_point(name)
        began = time.perf_counter()
        try:
            result = call()
        except Exception as exc:
            cause = _cause(name, exc, context, out_dir, settings)
            if cause is None:
                raise  # a bug: its traceback is the useful report
            raise PipelineError(cause) from exc
        print(f"      {name} done in {time.perf_counter() - began:.1f} s", file=stream)
        summary[name] = result
        return result

    with local.local_aws(settings, out_dir) as ctx:
        context = ctx
        print(f"local AWS (moto) at {ctx.endpoint_url}", file=stream)
        step(1, "ingest", lambda: local.ingest(ctx, **ingest_options))
        step(2, "catalog", lambda: _catalog(ctx, ingest_options, catalog_path))
        step(3, "load", lambda: local.load(ctx))
        step(4, "transform", lambda: local.transform(ctx))
        step(5, "export", lambda: local.export(ctx, directory=pending / local.EXPORTS_DIR))
        step(6, "artefacts", lambda: local.upload_artefacts(ctx, run_id))
        reconciliation = step(
            7, "reconcile", lambda: reconcile(ctx, path=pending / RECONCILIATION_FILE)
        )
    context = None
    step(
        STEPS,
        "report",
        lambda: {
            "path": str(
                write_report(settings, out_dir, reconciliation, destination=pending / REPORT_FILE)
            )
        },
    )
    summary["seconds"] = round(time.perf_counter() - started, 1)
    return summary


def _catalog(
    ctx: LocalContext, ingest_options: dict[str, Any], catalog_path: Path | None
) -> dict[str, Any]:
    """Replay CATALOG, or read the generated shows' feeds; an INPUT replay without a
    CATALOG has no feeds of its own (its episodes are not the generator's): nothing read."""
    if catalog_path is not None:
        return local.read_catalog(ctx, catalog_path=catalog_path)
    if ingest_options["input_path"] is not None:
        return {"skipped": "INPUT replays events and no CATALOG was given"}
    feed_list = local.publish_generated_feeds(
        ctx.out_dir,
        events=ingest_options["events"],
        days=ingest_options["days"],
        seed=ingest_options["seed"],
        start=ingest_options["start"],
    )
    return local.read_catalog(ctx, feed_list=feed_list)


def _clear_results(out_dir: Path) -> Path:
    """Remove the previous run's results (and a killed run's pending ones)."""
    for name in RESULT_FILES:
        (out_dir / name).unlink(missing_ok=True)
    shutil.rmtree(out_dir / local.EXPORTS_DIR, ignore_errors=True)
    pending = out_dir / PENDING_DIR
    shutil.rmtree(pending, ignore_errors=True)
    pending.mkdir()
    return pending


def _publish(pending: Path, out_dir: Path) -> None:
    """Move this run's results into place; the reconciliation, which says the run
    succeeded, last."""
    (pending / local.EXPORTS_DIR).replace(out_dir / local.EXPORTS_DIR)
    (pending / REPORT_FILE).replace(out_dir / REPORT_FILE)
    (pending / RECONCILIATION_FILE).replace(out_dir / RECONCILIATION_FILE)
    pending.rmdir()


def _cause(
    step: str,
    exc: Exception,
    ctx: LocalContext | None,
    out_dir: Path,
    settings: Settings,
) -> str | None:
    """One line naming why `step` failed, or None for an error that is a bug."""
    exit_code = ctx.emulator_exit_code() if ctx is not None else None
    if exit_code is not None:
        return (
            f"the local AWS emulator (moto's server) died during {step} "
            f"(exit code {exit_code}); run again"
        )
    free_mb = out_checks.free_mb(out_dir)
    # ENOSPC often arrives disguised (dbt: "failed" with an empty log; DuckDB: "cannot
    # rollback"), so a disk that is all but full at the failure counts as the cause.
    if out_checks.disk_full(exc) or free_mb < DISK_FULL_MB:
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return (
            f"{step} failed: the disk under OUT {out_dir} is full ({free_mb} MB free): "
            f"free some space and run again ({detail})"
        )
    if isinstance(exc, PipelineError):
        return str(exc)
    if isinstance(exc, duckdb.Error):
        warehouse = out_dir / settings.local.duckdb_file
        return f"{step} failed: {out_checks.warehouse_problem(warehouse, exc)}"
    if isinstance(exc, BotoCoreError | ClientError):
        return f"{step} failed: the local AWS emulator did not answer as expected: {exc}"
    if isinstance(exc, OSError):
        return f"{step} failed: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
    return None


def print_summary(summary: dict[str, Any], rec: dict[str, Any], stream: TextIO) -> None:
    out = Path(summary["out_dir"])
    width = max(len(str(rec[k])) for k in ("produced", "loaded"))
    lines = [
        "",
        f"reconciliation ({'balanced' if rec['balanced'] else 'NOT BALANCED'}):",
        f"  produced      {rec['produced']:>{width}}",
        *(
            [f"  resent        {rec['resent']:>{width}}  (lost responses; counted again below)"]
            if rec.get("resent")
            else []
        ),
        f"  spilled       {rec['spilled']:>{width}}  {_reasons(rec['spilled_by_reason'])}",
        f"  dead-lettered {rec['dead_lettered']:>{width}}  "
        f"{_reasons(rec['dead_lettered_by_reason'])}",
        f"  loaded        {rec['loaded']:>{width}}",
        f"    valid       {rec['valid']:>{width}}"
        + (
            f"  ({rec['late_beyond_lookback']} arrived later than the lookback; modelled)"
            if rec.get("late_beyond_lookback")
            else ""
        ),
        f"    quarantined {rec['quarantined']:>{width}}  {_reasons(rec['quarantined_by_reason'])}",
        f"    duplicates  {rec['duplicates']:>{width}}",
        *_catalog_lines(rec.get("catalog")),
        "",
        f"done in {summary['seconds']} s. Results in {out}/:",
        f"  {out / REPORT_FILE}  (open in a browser; works offline)",
        f"  {out / RECONCILIATION_FILE}",
        f"  {out / local.EXPORTS_DIR}/  ({len(summary['export']['models'])} marts as Parquet)",
        f"  {summary['load'].get('warehouse', out)}  (DuckDB: staging.stg_user_events, marts.*)",
        f"  {out / local.DBT_DIR}/  (dbt manifest, run results, logs)",
    ]
    print("\n".join(lines), file=stream)


def _catalog_lines(catalog: dict[str, Any] | None) -> list[str]:
    if not catalog or not catalog["batches"]:
        return []
    return [
        f"  catalog: read {catalog['read']}, rejected {catalog['rejected']} "
        f"{_reasons(catalog['rejected_by_reason'])}".rstrip(),
        f"    written {catalog['written']}, loaded {catalog['loaded']}: valid "
        f"{catalog['valid']}, quarantined {catalog['quarantined']} "
        f"{_reasons(catalog['quarantined_by_reason'])}".rstrip(),
        *(
            [f"    feeds not read: {_reasons_text(catalog['failed_feeds'])}"]
            if catalog["failed_feeds"]
            else []
        ),
    ]


def _reasons_text(problems: dict[str, str]) -> str:
    return ", ".join(f"{where} ({why})" for where, why in problems.items())


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in counts.items())
