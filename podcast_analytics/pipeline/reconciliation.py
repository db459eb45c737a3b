"""Every record accounted for: produced = spilled + dead_lettered + loaded, and
loaded = valid + quarantined + duplicates; written to OUT/reconciliation.json."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path
from typing import Any

import duckdb

from podcast_analytics.config import Settings
from podcast_analytics.contract import invalid_reason
from podcast_analytics.local.context import LocalContext
from podcast_analytics.local.emulator.snowpipe import RawTable
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.ledger import read_ledger, write_json_atomically

RECONCILIATION_FILE = "reconciliation.json"
STAGING_MODELS = ("stg_user_events", "stg_user_events_invalid", "stg_user_events_duplicates")


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
