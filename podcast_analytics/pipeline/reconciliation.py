"""Every record accounted for: produced + resent = spilled + dead_lettered + loaded, and
loaded = valid + quarantined + duplicates; written to OUT/reconciliation.json.

`late_beyond_lookback` counts the valid events that arrived more than the config's
`late_arrival_lookback_days` after they happened (dbt's stg_user_events_late): modelled like
the others, reported so they are never merged silently.

`resent` counts the extra copies at-least-once delivery made (a lost PutRecords response,
sent again). The first identity also holds per input batch (`by_batch`): the Firehose
stand-in names every object after its batch, so raw rows are attributed to the batch that
produced them, and a replay or a backfill cannot hide behind the totals.

The episode catalog is accounted for beside the events (`catalog`): items read (from feeds,
or lines of a replayed file) = rejected before the snapshot + written, written = loaded into
the raw catalog table (also per snapshot), and loaded = valid + quarantined by the catalog
contract's reference validator.
"""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import duckdb

from podcast_analytics.config import Settings
from podcast_analytics.contract import catalog_invalid_reason, invalid_reason, parse_event_ts
from podcast_analytics.local.context import LocalContext
from podcast_analytics.local.emulator.firehose import batch_of_key
from podcast_analytics.local.emulator.snowpipe import RawTable
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.files import write_json_atomically
from podcast_analytics.pipeline.ledger import CATALOG_LEDGER_FILE, read_ledger

RECONCILIATION_FILE = "reconciliation.json"
STAGING_MODELS = ("stg_user_events", "stg_user_events_invalid", "stg_user_events_duplicates")
LATE_MODEL = "stg_user_events_late"


def reconcile(ctx: LocalContext, *, path: Path | None = None) -> dict[str, Any]:
    """Account for every record: produced + resent = spilled + dead_lettered + loaded, and
    loaded = valid + quarantined + duplicates. Written to `path` (default
    <out_dir>/reconciliation.json)."""
    result = reconcile_counts(ctx.settings, ctx.out_dir)
    write_json_atomically(path or ctx.out_dir / RECONCILIATION_FILE, result)
    return result


def reconcile_counts(settings: Settings, out_dir: Path) -> dict[str, Any]:
    ledger = read_ledger(out_dir)
    produced = sum(batch["produced"] for batch in ledger.values())
    spilled = sum(batch["spilled"] for batch in ledger.values())
    dead_lettered = sum(batch["dead_lettered"] for batch in ledger.values())
    resent = sum(batch.get("resent", 0) for batch in ledger.values())
    duckdb_path = out_dir / settings.local.duckdb_file
    raw = RawTable.from_settings(settings)
    if not duckdb_path.exists():
        raise PipelineError(f"no warehouse at {duckdb_path}: nothing to reconcile")
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        loaded_by_file = con.execute(
            f"SELECT source_file, count(*) FROM {raw.qualified} GROUP BY ALL"
        ).fetchall()
        staging = settings.snowflake.staging_schema.lower()
        present = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
                [staging],
            ).fetchall()
        }
        if all(model in present for model in STAGING_MODELS):
            split = _split_from_models(con, staging, late_model=LATE_MODEL in present)
        else:
            split = _split_in_python(con, raw, settings)
        catalog = _catalog_counts(con, settings, read_ledger(out_dir, CATALOG_LEDGER_FILE))
    loaded = sum(count for _, count in loaded_by_file)
    by_batch = _by_batch(ledger, loaded_by_file)
    result: dict[str, Any] = {
        "produced": produced,
        "resent": resent,
        "spilled": spilled,
        "dead_lettered": dead_lettered,
        "loaded": loaded,
        "valid": split["valid"],
        "quarantined": split["quarantined"],
        "duplicates": split["duplicates"],
        "late_beyond_lookback": split["late_beyond_lookback"],
        "spilled_by_reason": _sum_reasons(ledger, "spilled_by_reason"),
        "dead_lettered_by_reason": _sum_reasons(ledger, "dead_lettered_by_reason"),
        "quarantined_by_reason": split["quarantined_by_reason"],
        "counted_by": split["counted_by"],
        "batches": len(ledger),
        "by_batch": by_batch,
        "catalog": catalog,
    }
    result["balanced"] = (
        produced + resent == spilled + dead_lettered + loaded
        and loaded == split["valid"] + split["quarantined"] + split["duplicates"]
        and all(batch["balanced"] for batch in by_batch.values())
        and catalog["balanced"]
    )
    return result


def _catalog_counts(
    con: duckdb.DuckDBPyConnection, settings: Settings, ledger: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    table = RawTable.catalog_from_settings(settings)
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [table.schema, table.table],
    ).fetchone()[0]  # type: ignore[index]
    loaded_by_file: dict[str, int] = {}
    valid = 0
    reasons: dict[str, int] = {}
    if exists:
        cursor = con.execute(f"SELECT source_file, record FROM {table.qualified}")
        while rows := cursor.fetchmany(10_000):
            for source_file, record in rows:
                loaded_by_file[source_file] = loaded_by_file.get(source_file, 0) + 1
                reason = catalog_invalid_reason(json.loads(record))
                if reason:
                    reasons[reason] = reasons.get(reason, 0) + 1
                else:
                    valid += 1
    read = sum(batch["read"] for batch in ledger.values())
    rejected = sum(batch["rejected"] for batch in ledger.values())
    written = sum(batch["written"] for batch in ledger.values())
    loaded = sum(loaded_by_file.values())
    # Each snapshot's object key is in its ledger entry: rows are attributed by it.
    batch_of = {batch["key"]: batch_id for batch_id, batch in ledger.items() if batch.get("key")}
    loaded_by_batch: dict[str, int] = {}
    for source_file, count in loaded_by_file.items():
        batch_id = batch_of.get(source_file, "unattributed")
        loaded_by_batch[batch_id] = loaded_by_batch.get(batch_id, 0) + count
    by_batch = {}
    for batch_id in sorted(set(ledger) | set(loaded_by_batch)):
        entry = ledger.get(batch_id, {})
        counts = {name: entry.get(name, 0) for name in ("read", "rejected", "written")}
        counts["loaded"] = loaded_by_batch.get(batch_id, 0)
        counts["balanced"] = (
            counts["read"] == counts["rejected"] + counts["written"]
            and counts["written"] == counts["loaded"]
        )
        by_batch[batch_id] = counts
    quarantined = sum(reasons.values())
    return {
        "read": read,
        "rejected": rejected,
        "written": written,
        "loaded": loaded,
        "valid": valid,
        "quarantined": quarantined,
        "rejected_by_reason": _sum_reasons(ledger, "rejected_by_reason"),
        "quarantined_by_reason": dict(sorted(reasons.items())),
        "failed_feeds": {
            url: why for batch in ledger.values() for url, why in batch["failed_feeds"].items()
        },
        "counted_by": "catalog contract reference validator over the raw catalog table",
        "batches": len(ledger),
        "by_batch": by_batch,
        "balanced": read == rejected + written
        and written == loaded
        and loaded == valid + quarantined
        and all(batch["balanced"] for batch in by_batch.values()),
    }


def _by_batch(
    ledger: dict[str, dict[str, Any]], loaded_by_file: list[tuple[str, int]]
) -> dict[str, dict[str, Any]]:
    loaded: dict[str, int] = {}
    for source_file, count in loaded_by_file:
        batch = batch_of_key(source_file) or "unattributed"
        loaded[batch] = loaded.get(batch, 0) + count
    result = {}
    for batch_id in sorted(set(ledger) | set(loaded)):
        entry = ledger.get(batch_id, {})
        counts = {
            name: entry.get(name, 0) for name in ("produced", "resent", "spilled", "dead_lettered")
        }
        counts["loaded"] = loaded.get(batch_id, 0)
        counts["balanced"] = (
            counts["produced"] + counts["resent"]
            == counts["spilled"] + counts["dead_lettered"] + counts["loaded"]
        )
        result[batch_id] = counts
    return result


def _sum_reasons(ledger: dict[str, dict[str, Any]], key: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for batch in ledger.values():
        for reason, count in batch.get(key, {}).items():
            totals[reason] = totals.get(reason, 0) + count
    return dict(sorted(totals.items()))


def _split_from_models(
    con: duckdb.DuckDBPyConnection, staging: str, *, late_model: bool
) -> dict[str, Any]:
    valid = con.execute(f"SELECT count(*) FROM {staging}.stg_user_events").fetchone()[0]  # type: ignore[index]
    late = (
        con.execute(f"SELECT count(*) FROM {staging}.{LATE_MODEL}").fetchone()[0]  # type: ignore[index]
        if late_model
        else 0
    )
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
        "late_beyond_lookback": late,
        "quarantined_by_reason": reasons,
        "counted_by": "dbt models " + " / ".join(STAGING_MODELS),
    }


def _split_in_python(
    con: duckdb.DuckDBPyConnection, raw: RawTable, settings: Settings
) -> dict[str, Any]:
    """Without the dbt models, apply the contract's reference validator to raw directly."""
    valid = duplicates = late = 0
    reasons: dict[str, int] = {}
    seen: set[str] = set()
    lookback = timedelta(days=settings.events.late_arrival_lookback_days)
    cursor = con.execute(
        f"SELECT record, loaded_at FROM {raw.qualified} ORDER BY loaded_at, source_file, source_row"
    )
    while rows := cursor.fetchmany(10_000):
        for record, loaded_at in rows:
            obj = json.loads(record)
            reason = invalid_reason(
                obj,
                received_at=loaded_at.replace(tzinfo=UTC),
                future_tolerance_s=settings.events.future_tolerance_s,
                earliest_event_ts=settings.events.earliest_event_instant,
            )
            if reason:
                reasons[reason] = reasons.get(reason, 0) + 1
            elif obj["event_id"] in seen:
                duplicates += 1
            else:
                seen.add(obj["event_id"])
                valid += 1
                event_ts = parse_event_ts(obj["event_ts"])
                late += event_ts is not None and event_ts < loaded_at.replace(tzinfo=UTC) - lookback
    return {
        "valid": valid,
        "quarantined": sum(reasons.values()),
        "duplicates": duplicates,
        "late_beyond_lookback": late,
        "quarantined_by_reason": dict(sorted(reasons.items())),
        "counted_by": "contract reference validator over raw (dbt staging models absent)",
    }
