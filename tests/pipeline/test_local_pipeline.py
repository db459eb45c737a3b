"""The local pipeline end to end on moto's server and DuckDB, at a small size.

One emulator session (module scope) runs: ingest + load of a generated batch, a re-sent
notification, the same batch again, and one new day; each test checks one consequence.
The expected counts are computed here independently, in plain Python, from the generator's
records: the Lambda's `process_record` for dead letters, the contract's `invalid_reason`
at the simulated load time for quarantine, first-arrival-wins for duplicates.
"""

from __future__ import annotations

import base64
import gzip
import json
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any

import duckdb
import pytest
from botocore.exceptions import ReadTimeoutError

from podcast_analytics import local
from podcast_analytics.config import load_settings
from podcast_analytics.contract import invalid_reason
from podcast_analytics.generator import GeneratorSettings, generate
from podcast_analytics.local.context import DEAD_LETTERS_DIR, LocalContext
from podcast_analytics.local.emulator.snowpipe import LoadStats, LocalSnowpipe
from podcast_analytics.pipeline import PipelineError, dbt_runner
from podcast_analytics.pipeline.reconciliation import RECONCILIATION_FILE, reconcile
from podcast_analytics.record_processor.handler import process_record

EVENTS, DAYS, SEED = 8_000, 3, 11
NEXT_DAY = GeneratorSettings().start + timedelta(days=DAYS)
SETTINGS = load_settings("local")


def expected_counts(batches: list[dict[str, Any]]) -> dict[str, Any]:
    """The reconciliation, computed from the generated records without the pipeline."""
    tolerance = SETTINGS.events.future_tolerance_s
    counts: Counter[str] = Counter()
    dead: Counter[str] = Counter()
    quarantined: Counter[str] = Counter()
    seen: set[str] = set()
    for batch in batches:
        records = generate(GeneratorSettings(**batch))
        for _day, day_records in groupby(records, key=lambda r: r.arrival.date()):
            day = list(day_records)
            loaded_at = max(r.arrival for r in day)  # the stand-ins' simulated clock
            for record in day:
                counts["produced"] += 1
                processed = process_record(record.data)
                if processed.result != "Ok":
                    dead[processed.reason or "?"] += 1
                    continue
                counts["loaded"] += 1
                event = json.loads(processed.data)
                reason = invalid_reason(
                    event,
                    received_at=loaded_at,
                    future_tolerance_s=tolerance,
                    earliest_event_ts=SETTINGS.events.earliest_event_instant,
                )
                if reason:
                    quarantined[reason] += 1
                elif event["event_id"] in seen:
                    counts["duplicates"] += 1
                else:
                    seen.add(event["event_id"])
                    counts["valid"] += 1
    return {
        "produced": counts["produced"],
        "spilled": 0,
        "dead_lettered": sum(dead.values()),
        "loaded": counts["loaded"],
        "valid": counts["valid"],
        "quarantined": sum(quarantined.values()),
        "duplicates": counts["duplicates"],
        "dead_lettered_by_reason": dict(sorted(dead.items())),
        "quarantined_by_reason": dict(sorted(quarantined.items())),
    }


def raw_fingerprint(out_dir: Path) -> tuple[int, str]:
    with duckdb.connect(str(out_dir / SETTINGS.local.duckdb_file), read_only=True) as con:
        row = con.execute(
            "SELECT count(*), md5(string_agg(record || source_file || source_row || loaded_at, "
            "'|' ORDER BY source_file, source_row)) FROM events.raw_events"
        ).fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("pipeline")
    result: dict[str, Any] = {"out": out}
    with local.local_aws(SETTINGS, out) as ctx:
        result["ingest"] = local.ingest(ctx, events=EVENTS, days=DAYS, seed=SEED)
        result["load"] = local.load(ctx)
        result["reconciliation"] = reconcile(ctx)
        result["raw"] = raw_fingerprint(out)

        # A notification re-sent for an object already loaded.
        s3, sqs = ctx.client("s3"), ctx.client("sqs")
        bucket = SETTINGS.storage.buckets.raw
        first = s3.list_objects_v2(Bucket=bucket, Prefix=SETTINGS.storage.prefixes.raw_events)
        obj = first["Contents"][0]
        queue_url = sqs.get_queue_url(QueueName=SETTINGS.local.notification_queue)["QueueUrl"]
        event = {
            "Records": [
                {
                    "eventName": "ObjectCreated:Put",
                    "s3": {
                        "bucket": {"name": bucket},
                        "object": {"key": obj["Key"], "eTag": obj["ETag"].strip('"')},
                    },
                }
            ]
        }
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(event))
        result["resent_load"] = local.load(ctx)
        result["raw_after_resend"] = raw_fingerprint(out)

        # The same input again, then one new day.
        result["again_ingest"] = local.ingest(ctx, events=EVENTS, days=DAYS, seed=SEED)
        result["again_load"] = local.load(ctx)
        result["again_reconciliation"] = reconcile(ctx)
        result["raw_after_again"] = raw_fingerprint(out)

        result["next_ingest"] = local.ingest(
            ctx, events=1_500, days=1, seed=SEED + 1, start=NEXT_DAY
        )
        result["next_load"] = local.load(ctx)
        result["next_reconciliation"] = reconcile(ctx)
        result["endpoint"] = ctx.endpoint_url
    return result


def test_reconciliation_balances_and_equals_an_independent_count(session: dict[str, Any]) -> None:
    rec = session["reconciliation"]
    assert rec["balanced"]
    assert rec["produced"] == rec["spilled"] + rec["dead_lettered"] + rec["loaded"]
    assert rec["loaded"] == rec["valid"] + rec["quarantined"] + rec["duplicates"]
    expected = expected_counts([{"events": EVENTS, "days": DAYS, "seed": SEED}])
    assert {key: rec[key] for key in expected} == expected
    # The generator's faults reach every bucket, so the test exercises each path.
    assert rec["dead_lettered"] > 0 and rec["quarantined"] > 0 and rec["duplicates"] > 0


def test_reconciliation_is_written_to_out(session: dict[str, Any]) -> None:
    written = json.loads((session["out"] / RECONCILIATION_FILE).read_text())
    assert written == session["next_reconciliation"]


def test_objects_land_in_arrival_day_folders_with_exact_row_numbers(
    session: dict[str, Any],
) -> None:
    with duckdb.connect(str(session["out"] / SETTINGS.local.duckdb_file), read_only=True) as con:
        rows = con.execute(
            "SELECT source_file, count(*), min(source_row), max(source_row), "
            "min(loaded_at), max(loaded_at) FROM events.raw_events GROUP BY 1"
        ).fetchall()
    assert rows
    for key, count, first_row, last_row, loaded_min, loaded_max in rows:
        assert key.startswith(SETTINGS.storage.prefixes.raw_events)
        assert (first_row, last_row) == (1, count)  # every line numbered, none skipped
        assert loaded_min == loaded_max  # one load time per object
        assert key.split("/")[1] == f"{loaded_min:%Y%m%d}"  # folder = simulated arrival day


def test_dead_letters_keep_the_original_bytes_and_reason(session: dict[str, Any]) -> None:
    assert session["ingest"]["error_objects"] > 0
    # Their counts are in the ledger; the objects themselves are kept in OUT (see below).
    assert (
        session["reconciliation"]["dead_lettered_by_reason"]
        == (session["ingest"]["dead_lettered_by_reason"])
    )


def test_a_resent_notification_loads_nothing_twice(session: dict[str, Any]) -> None:
    assert session["resent_load"]["objects_skipped"] == 1
    assert session["resent_load"]["objects_loaded"] == 0
    assert session["raw_after_resend"] == session["raw"]


def test_the_same_input_twice_changes_nothing(session: dict[str, Any]) -> None:
    assert session["again_ingest"]["objects"] == session["ingest"]["objects"]
    assert session["again_load"]["objects_loaded"] == 0
    assert session["again_load"]["objects_skipped"] == session["ingest"]["objects"]
    assert session["raw_after_again"] == session["raw"]
    assert session["again_reconciliation"] == session["reconciliation"]


def test_a_new_day_adds_to_the_warehouse(session: dict[str, Any]) -> None:
    rec = session["next_reconciliation"]
    assert session["next_load"]["objects_loaded"] >= 1
    assert rec["batches"] == 2 and rec["balanced"]
    expected = expected_counts(
        [
            {"events": EVENTS, "days": DAYS, "seed": SEED},
            {"events": 1_500, "days": 1, "seed": SEED + 1, "start": NEXT_DAY},
        ]
    )
    assert {key: rec[key] for key in expected} == expected


def test_the_emulator_is_stopped_after_the_session(session: dict[str, Any]) -> None:
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{session['endpoint']}/moto-api/", timeout=2)


def test_replay_accounts_for_every_line(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    good = {
        "event_id": "r1",
        "event_type": "play",
        "event_ts": (now - timedelta(minutes=5)).isoformat(),
        "user_id": "u1",
        "podcast_id": "p1",
        "episode_id": "e1",
        "position_s": 0,
    }
    lines = [
        json.dumps(good),
        json.dumps(good),  # a resend
        json.dumps({**good, "event_id": "r2", "position_s": -1}),  # quarantined
        "not json",
        "",  # a blank line is a record too: dead-lettered as empty
        "[1]",
    ]
    path = tmp_path / "events.ndjson.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    out = tmp_path / "out"
    with local.local_aws(SETTINGS, out) as ctx:
        ingest = local.ingest(ctx, events=None, days=1, seed=0, input_path=path)
        local.load(ctx)
        rec = reconcile(ctx)
    assert ingest["produced"] == len(lines)
    assert rec["balanced"]
    assert (rec["valid"], rec["duplicates"], rec["quarantined"]) == (1, 1, 1)
    assert rec["dead_lettered_by_reason"] == {"empty": 1, "not_an_object": 1, "not_json": 1}


def test_a_crash_mid_object_leaves_none_of_it(tmp_path: Path) -> None:
    class CrashBeforeHistory:
        """A DuckDB connection that fails when the load history is written."""

        def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
            self._con = con

        def execute(self, sql: str, *args: Any) -> Any:
            if sql.startswith("INSERT INTO events.load_history"):
                raise duckdb.IOException("disk full")
            return self._con.execute(sql, *args)

    with local.local_aws(SETTINGS, tmp_path) as ctx:
        s3 = ctx.client("s3")
        key = f"{SETTINGS.storage.prefixes.raw_events_for(date(2026, 11, 1))}by-hand.gz"
        s3.put_object(
            Bucket=SETTINGS.storage.buckets.raw,
            Key=key,
            Body=gzip.compress(b'{"a": 1}\n{"a": 2}\n'),
        )
        pipe = LocalSnowpipe(SETTINGS, s3, ctx.client("sqs"), ctx.duckdb_path)
        with duckdb.connect(str(ctx.duckdb_path)) as con:
            from podcast_analytics.local.emulator.snowpipe import RawTable, ensure_raw_tables

            ensure_raw_tables(con, RawTable.from_settings(SETTINGS))
            with pytest.raises(duckdb.IOException):
                pipe.load_object(CrashBeforeHistory(con), key, "", LoadStats())  # type: ignore[arg-type]
            assert con.execute("SELECT count(*) FROM events.raw_events").fetchone() == (0,)
        # Nothing was recorded as loaded, so the next drain loads the object, once.
        stats = local.load(ctx)
    assert stats["objects_loaded"] == 1 and stats["rows_loaded"] == 2


def test_transform_names_the_problem_when_the_dbt_project_has_no_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty_project = tmp_path / "transform"
    (empty_project / "models").mkdir(parents=True)
    # The project is found by dbt_runner's one rule; its override points at the empty one.
    monkeypatch.setenv(dbt_runner.PROJECT_DIR_VARIABLE, str(empty_project))
    ctx = local.LocalContext(settings=SETTINGS, out_dir=tmp_path, endpoint_url="http://unused")
    with pytest.raises(PipelineError, match="has no models yet"):
        local.transform(ctx)


def test_transform_gives_dbt_absolute_paths_for_a_relative_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # dbt runs inside the project directory: a relative OUT must not land under transform/.
    fake_dbt = tmp_path / "dbt"
    fake_dbt.write_text(
        "#!/bin/sh\n"
        'printf "%s\\n" "$@" > "$(dirname "$0")/argv.txt"\n'
        'echo "$PODCAST_DUCKDB_PATH" >> "$(dirname "$0")/argv.txt"\n'
    )
    fake_dbt.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    ctx = local.LocalContext(settings=SETTINGS, out_dir=Path("out"), endpoint_url="http://unused")
    local.transform(ctx, dbt_executable=str(fake_dbt))
    argv = (tmp_path / "argv.txt").read_text().splitlines()
    assert argv[argv.index("--target-path") + 1] == str(tmp_path / "out" / "dbt" / "target")
    assert argv[argv.index("--log-path") + 1] == str(tmp_path / "out" / "dbt" / "logs")
    assert argv[-1] == str(tmp_path / "out" / SETTINGS.local.duckdb_file)


def test_a_poison_record_is_dead_lettered_with_its_reason_and_kept_in_out(
    tmp_path: Path,
) -> None:
    good = {
        "event_id": "p1",
        "event_type": "subscribe",
        "event_ts": "2026-11-20T10:00:00Z",
        "user_id": "u1",
        "podcast_id": "p1",
    }
    poison = b"[" * 10_000 + b"]" * 10_000  # RecursionError for Python's json parser
    path = tmp_path / "events.ndjson"
    path.write_bytes(json.dumps(good).encode() + b"\n" + poison + b"\n")
    out = tmp_path / "out"
    with local.local_aws(SETTINGS, out) as ctx:
        ingest = local.ingest(ctx, events=None, days=1, seed=0, input_path=path)
        local.load(ctx)
        rec = reconcile(ctx)
    assert ingest["dead_lettered_by_reason"] == {"too_deep": 1}
    assert rec["balanced"] and rec["loaded"] == 1
    # The error objects outlive the emulator, in Firehose's error-record shape.
    kept = sorted((out / DEAD_LETTERS_DIR).rglob("*.gz"))
    assert [p.relative_to(out / DEAD_LETTERS_DIR).parts[:2] for p in kept] == [
        ("errors", "processing-failed")
    ]
    records = [json.loads(line) for line in gzip.decompress(kept[0].read_bytes()).splitlines()]
    assert [(r["errorMessage"], base64.b64decode(r["rawData"])) for r in records] == [
        ("too_deep", poison)
    ]


def test_dead_letters_in_out_match_the_ledger(session: dict[str, Any]) -> None:
    reasons: Counter[str] = Counter()
    for path in (session["out"] / DEAD_LETTERS_DIR).rglob("*.gz"):
        for line in gzip.decompress(path.read_bytes()).splitlines():
            record = json.loads(line)
            assert (
                process_record(base64.b64decode(record["rawData"])).reason
                == (record["errorMessage"])
            )
            reasons[record["errorMessage"]] += 1
    assert (
        dict(sorted(reasons.items())) == session["next_reconciliation"]["dead_lettered_by_reason"]
    )


def test_lost_responses_are_counted_as_resent_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stream accepts a PutRecords but the response is lost: the producer sends the
    batch again (at-least-once). The extra copies are counted, not an abort."""
    calls = {"put_records": 0}
    real_client = LocalContext.client

    def client(self: LocalContext, service: str) -> Any:
        made = real_client(self, service)
        if service == "kinesis":

            def lose_the_second_response(**_: Any) -> None:
                calls["put_records"] += 1
                if calls["put_records"] == 2:
                    raise ReadTimeoutError(endpoint_url=self.endpoint_url)

            made.meta.events.register("after-call.kinesis.PutRecords", lose_the_second_response)
        return made

    monkeypatch.setattr(LocalContext, "client", client)
    with local.local_aws(SETTINGS, tmp_path) as ctx:
        ingest = local.ingest(ctx, events=2_000, days=1, seed=1)
        local.load(ctx)
        rec = reconcile(ctx)
    assert ingest["resent"] == 500  # one whole PutRecords batch, accepted twice
    assert rec["balanced"]
    assert rec["produced"] + rec["resent"] == rec["spilled"] + rec["dead_lettered"] + rec["loaded"]
    clean = expected_counts([{"events": 2_000, "days": 1, "seed": 1}])
    assert rec["produced"] == clean["produced"]
    # Each extra copy is a duplicate, or quarantined / dead-lettered again like its original.
    assert rec["loaded"] - clean["loaded"] + rec["dead_lettered"] - clean["dead_lettered"] == 500
