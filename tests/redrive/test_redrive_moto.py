"""The re-drive against moto's server on loopback: S3 error objects in, Kinesis records out."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from pathlib import Path

import pytest

from podcast_analytics import redrive
from podcast_analytics.config import Settings
from tests.redrive.conftest import client
from tests.redrive.test_decode import error_line

PASSING = [
    b'{"event_id":"e1","user_id":"u1","event_type":"play"}',
    b'{"event_id":"e2","user_id":"u2","event_type":"pause"}',
    b'{"event_id":"e3","user_id":"u1","event_type":"complete"}',
]
FAILING = [b"not json at all", b"[1, 2, 3]"]


class Env:
    def __init__(self, endpoint: str, settings: Settings) -> None:
        self.endpoint = endpoint
        self.settings = settings
        self.s3 = client("s3", endpoint, settings)
        self.kinesis = client("kinesis", endpoint, settings)
        self.bucket = settings.storage.dead_letter_bucket
        self.errors = settings.storage.prefixes.errors

    def put(self, name: str, body: bytes) -> str:
        key = f"{self.errors}processing-failed/20261125/{name}"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body)
        return key

    def body(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def error_keys(self) -> list[str]:
        listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=self.errors)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def stream_records(self) -> list[tuple[bytes, str]]:
        stream = self.settings.kinesis.stream_name
        found: list[tuple[bytes, str]] = []
        for shard in self.kinesis.list_shards(StreamName=stream)["Shards"]:
            iterator = self.kinesis.get_shard_iterator(
                StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            records = self.kinesis.get_records(ShardIterator=iterator, Limit=1000)["Records"]
            found += [(r["Data"], r["PartitionKey"]) for r in records]
        return sorted(found)


@pytest.fixture
def env(moto_endpoint: str, settings: Settings) -> Env:
    return Env(moto_endpoint, settings)


def _objects(env: Env) -> dict[str, str]:
    return {
        # Every record passes now (the Lambda could not be invoked at the time): gzip, as
        # Firehose writes it with GZIP compression configured.
        "all_pass": env.put(
            "all-pass.gz",
            gzip.compress(
                b"".join(error_line(d, "Lambda.InvokeAccessDenied") for d in PASSING[:2])
            ),
        ),
        "mixed": env.put(
            "mixed",
            error_line(PASSING[2]) + error_line(FAILING[0]) + b"{torn line\n",
        ),
        "none_pass": env.put("none-pass", error_line(FAILING[1])),
    }


def _run(env: Env, *, dry_run: bool, tmp_path: Path) -> redrive.RedriveReport:
    return redrive.run_redrive(
        env.settings,
        endpoint_url=env.endpoint,
        dry_run=dry_run,
        spill_path=tmp_path / "spill.ndjson",
        out=io.StringIO(),
    )


def test_redrive_resends_what_passes_and_keeps_the_rest(env: Env, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from podcast_analytics.local.emulator.firehose import LocalFirehose

    keys = _objects(env)
    none_pass_before = env.body(keys["none_pass"])
    firehose = LocalFirehose(env.settings, env.kinesis, env.s3, batch_id="r")

    report = _run(env, dry_run=False, tmp_path=tmp_path)

    assert report.resent == 3
    assert report.not_resent_by_reason() == {
        "still_invalid:not_an_object": 1,
        "still_invalid:not_json": 1,
        "undecodable_line:not_json": 1,
    }
    # Re-sent through the producer, keyed by listener like the apps do.
    assert env.stream_records() == sorted(
        [(PASSING[0], "u1"), (PASSING[1], "u2"), (PASSING[2], "u1")]
    )
    # Fully re-sent: deleted. Partly: rewritten with only what was not re-sent. None: untouched.
    assert keys["all_pass"] not in env.error_keys()
    remaining = redrive.decode_error_object(env.body(keys["mixed"]))
    assert [r.data for r in remaining] == [FAILING[0], None]
    assert env.body(keys["none_pass"]) == none_pass_before
    assert {o.key: o.action for o in report.objects} == {
        keys["all_pass"]: "deleted",
        keys["mixed"]: "rewritten",
        keys["none_pass"]: "kept",
    }
    # And they flow on: Firehose delivers all three into the raw prefix this time.
    delivered = firehose.deliver(now=datetime(2026, 11, 26, tzinfo=UTC))
    assert (delivered.delivered, delivered.dead_lettered) == (3, 0)


def test_a_second_run_resends_nothing(env: Env, tmp_path: Path) -> None:
    _objects(env)
    _run(env, dry_run=False, tmp_path=tmp_path)
    before = env.stream_records()
    again = _run(env, dry_run=False, tmp_path=tmp_path)
    assert again.resent == 0
    assert env.stream_records() == before


def test_dry_run_changes_nothing(env: Env, tmp_path: Path) -> None:
    keys = _objects(env)
    bodies = {key: env.body(key) for key in keys.values()}
    report = _run(env, dry_run=True, tmp_path=tmp_path)
    assert {key: env.body(key) for key in env.error_keys()} == bodies
    assert env.stream_records() == []
    assert report.resent == 0
    assert {o.action for o in report.objects} == {"would-delete", "would-rewrite", "would-keep"}


def test_records_the_producer_could_not_send_stay_in_the_dead_letter_prefix(
    env: Env, tmp_path: Path
) -> None:
    keys = _objects(env)

    def refuse_everything(batch: list[tuple[bytes, str]]) -> list[tuple[bytes, str]]:
        return [
            (data, "attempts_exhausted:ProvisionedThroughputExceededException") for data, _ in batch
        ]

    objects = redrive.BucketErrorObjects(env.s3, env.bucket)
    report = redrive.redrive(env.settings, objects, refuse_everything, out=io.StringIO())
    assert report.resent == 0
    assert sorted(env.error_keys()) == sorted(keys.values())  # nothing deleted or rewritten
    reasons = report.not_resent_by_reason()
    assert reasons["not_sent:attempts_exhausted:ProvisionedThroughputExceededException"] == 3


def test_cli_dry_run_reports_in_lines(env: Env) -> None:
    _objects(env)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "podcast_analytics",
            "redrive",
            "--env",
            "local",
            "--endpoint-url",
            env.endpoint,
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-4] == (
        "re-drive (dry run, nothing changed): 3 error objects, 6 records, 0 re-sent, 3 not re-sent"
    )
    assert any("not re-sent: still_invalid:not_json" in line for line in lines)


def test_cli_without_a_bucket_is_one_line(env: Env) -> None:
    env.s3.delete_bucket(Bucket=env.bucket)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "podcast_analytics",
            "redrive",
            "--env",
            "local",
            "--endpoint-url",
            env.endpoint,
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("redrive error: ListObjectsV2 failed: NoSuchBucket")


def test_reads_what_the_local_firehose_dead_letters(env: Env, tmp_path: Path) -> None:
    # The real path: producer -> Kinesis -> the Firehose stand-in (the Lambda's code) ->
    # error objects in S3; the re-drive must decode exactly what that writes.
    from datetime import UTC, datetime

    from podcast_analytics.local.emulator.firehose import LocalFirehose
    from podcast_analytics.producer import KinesisProducer, OutgoingRecord

    records = [PASSING[0], FAILING[0], FAILING[1]]
    # Created first: like Firehose, it reads what arrives from now on.
    firehose = LocalFirehose(env.settings, env.kinesis, env.s3, batch_id="t")
    with KinesisProducer(
        env.kinesis, env.settings.kinesis.stream_name, tmp_path / "spill"
    ) as producer:
        producer.send(OutgoingRecord(data=data, partition_key="u1") for data in records)
    stats = firehose.deliver(now=datetime(2026, 11, 25, 12, tzinfo=UTC))
    assert stats.dead_lettered == 2 and len(stats.error_objects) == 1

    report = _run(env, dry_run=False, tmp_path=tmp_path)
    assert report.records == 2 and report.resent == 0
    assert report.not_resent_by_reason() == {
        "still_invalid:not_an_object": 1,
        "still_invalid:not_json": 1,
    }
    assert env.error_keys() == stats.error_objects  # kept: nothing in it could be re-sent
