"""`make pipeline`: every step in a row on the local stand-ins, then the report and summary.

Outputs in OUT: the DuckDB warehouse (kept and added to across runs), exports/, dbt/,
reconciliation.json and report.html. The last two are results of *this* run: they are
removed first and written only when every step before them succeeded, so a failed run never
leaves an older run's results looking current.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from podcast_analytics import local
from podcast_analytics.config import Settings
from podcast_analytics.pipeline import sources
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.reconciliation import RECONCILIATION_FILE, reconcile
from podcast_analytics.pipeline.report import REPORT_FILE, write_report

RESULT_FILES = (RECONCILIATION_FILE, REPORT_FILE)


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
) -> dict[str, Any]:
    stream = log or sys.stdout
    if input_path is not None:
        sources.check_input(input_path)  # before starting anything
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in RESULT_FILES:
        (out_dir / name).unlink(missing_ok=True)
    shutil.rmtree(out_dir / local.EXPORTS_DIR, ignore_errors=True)
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    summary: dict[str, Any] = {"run_id": run_id, "out_dir": str(out_dir)}
    started = time.perf_counter()

    def step(number: int, name: str, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        print(f"[{number}/7] {name} ...", file=stream, flush=True)
        began = time.perf_counter()
        result = call()
        print(f"      {name} done in {time.perf_counter() - began:.1f} s", file=stream)
        summary[name] = result
        return result

    with local.local_aws(settings, out_dir) as ctx:
        print(f"local AWS (moto) at {ctx.endpoint_url}", file=stream)
        step(
            1,
            "ingest",
            lambda: local.ingest(
                ctx, events=events, days=days, seed=seed, input_path=input_path, start=start
            ),
        )
        step(2, "load", lambda: local.load(ctx))
        step(3, "transform", lambda: local.transform(ctx))
        step(4, "export", lambda: local.export(ctx))
        step(5, "artefacts", lambda: local.upload_artefacts(ctx, run_id))
        reconciliation = step(6, "reconcile", lambda: reconcile(ctx))
    step(7, "report", lambda: {"path": str(write_report(settings, out_dir, reconciliation))})
    summary["seconds"] = round(time.perf_counter() - started, 1)
    print_summary(summary, reconciliation, stream)
    if not reconciliation["balanced"]:
        raise PipelineError(
            f"the reconciliation does not balance: see {out_dir / RECONCILIATION_FILE}"
        )
    return summary


def print_summary(summary: dict[str, Any], rec: dict[str, Any], stream: TextIO) -> None:
    out = Path(summary["out_dir"])
    width = max(len(str(rec[k])) for k in ("produced", "loaded"))
    lines = [
        "",
        f"reconciliation ({'balanced' if rec['balanced'] else 'NOT BALANCED'}):",
        f"  produced      {rec['produced']:>{width}}",
        f"  spilled       {rec['spilled']:>{width}}  {_reasons(rec['spilled_by_reason'])}",
        f"  dead-lettered {rec['dead_lettered']:>{width}}  "
        f"{_reasons(rec['dead_lettered_by_reason'])}",
        f"  loaded        {rec['loaded']:>{width}}",
        f"    valid       {rec['valid']:>{width}}",
        f"    quarantined {rec['quarantined']:>{width}}  {_reasons(rec['quarantined_by_reason'])}",
        f"    duplicates  {rec['duplicates']:>{width}}",
        "",
        f"done in {summary['seconds']} s. Results in {out}/:",
        f"  {out / REPORT_FILE}  (open in a browser; works offline)",
        f"  {out / RECONCILIATION_FILE}",
        f"  {out / local.EXPORTS_DIR}/  ({len(summary['export']['models'])} marts as Parquet)",
        f"  {summary['load'].get('warehouse', out)}  (DuckDB: staging.stg_user_events, marts.*)",
        f"  {out / local.DBT_DIR}/  (dbt manifest, run results, logs)",
    ]
    print("\n".join(lines), file=stream)


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in counts.items())
