"""Dead-letter re-drive: send back the Firehose error records that now pass validation.

Firehose writes a record it could not process (the record-validation Lambda said
`ProcessingFailed`, or the Lambda itself could not be invoked) to the error prefix of the
raw bucket, one JSON line per record: `rawData` (the record, base64), `errorCode`,
`errorMessage`, ... This command, per error object:

1. decodes every line (gzip or plain, as Firehose's compression setting dictates);
2. re-validates each record with `process_record`, the code the Lambda runs;
3. sends the records that now pass back into the Kinesis stream through the project's
   producer (batching, retries with backoff, a spill file for what still cannot be sent);
4. settles the object: deleted when every record in it was re-sent; rewritten to hold only
   the records that were not (still invalid, undecodable, or spilled) when some were; left
   alone when none were. So nothing leaves the dead-letter prefix before it is re-sent,
   and a record is never re-sent twice by two runs;
5. reports every record it did not re-send, with the reason.

`--dry-run` does 1, 2 and 5 and changes nothing.

A local run (`make redrive ENV=local OUT=dir`) has no stream that outlives it: its error
objects are OUT/dead_letters/ (the same keys, kept there by `make pipeline`), the records
that now pass are written to OUT/redrive/redriven-<utc time>.ndjson, and the objects are
settled as above; replaying that file (`make pipeline INPUT=... OUT=dir`) sends them
through the producer, Kinesis and Firehose into the warehouse as a batch of its own, so the
reconciliation still balances. With ENDPOINT_URL it runs against a running emulator instead.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import ipaddress
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TextIO
from urllib.parse import urlparse

from podcast_analytics.config import Settings
from podcast_analytics.config.facts import KINESIS_PARTITION_KEY_MAX_CHARS
from podcast_analytics.record_processor.handler import process_record

GZIP_MAGIC = b"\x1f\x8b"
REDRIVE_DIR = "redrive"  # under a local run's OUT: the replay files of re-driven records


class RedriveError(Exception):
    """The re-drive cannot run (bucket missing, no access); printed as one line."""


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """One line of a Firehose error object, decoded."""

    line: bytes  # the line as stored, kept verbatim for a rewritten object
    data: bytes | None  # the original record; None when the line cannot be decoded
    error_code: str
    error_message: str


@dataclass(frozen=True, slots=True)
class Verdict:
    record: ErrorRecord
    resend: bool
    reason: str | None  # why it is not re-sent (None when it is)


@dataclass(slots=True)
class ObjectOutcome:
    key: str
    records: int = 0
    resent: int = 0
    kept: list[tuple[str, str]] = field(default_factory=list)  # (reason, detail)
    action: str = "kept"  # deleted | rewritten | kept | would-delete | would-rewrite | would-keep


@dataclass(slots=True)
class RedriveReport:
    objects: list[ObjectOutcome] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(o.records for o in self.objects)

    @property
    def resent(self) -> int:
        return sum(o.resent for o in self.objects)

    def not_resent_by_reason(self) -> dict[str, int]:
        counts = Counter(reason for o in self.objects for reason, _ in o.kept)
        return dict(sorted(counts.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "objects": len(self.objects),
            "records": self.records,
            "resent": self.resent,
            "not_resent": sum(len(o.kept) for o in self.objects),
            "not_resent_by_reason": self.not_resent_by_reason(),
            "objects_by_action": dict(sorted(Counter(o.action for o in self.objects).items())),
        }


# --------------------------------------------------------------------------- decoding


def decode_error_object(body: bytes) -> list[ErrorRecord]:
    """Split one error object into records; a line that does not decode is kept as such."""
    if body.startswith(GZIP_MAGIC):
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError):
            return [ErrorRecord(body, None, "", "undecodable_object:bad_gzip")]
    return [_decode_line(line) for line in body.splitlines() if line.strip()]


def _decode_line(line: bytes) -> ErrorRecord:
    try:
        item = json.loads(line)
    except ValueError:
        return ErrorRecord(line, None, "", "undecodable_line:not_json")
    if not isinstance(item, dict) or not isinstance(item.get("rawData"), str):
        return ErrorRecord(line, None, "", "undecodable_line:no_rawData")
    try:
        data = base64.b64decode(item["rawData"], validate=True)
    except (binascii.Error, ValueError):
        return ErrorRecord(line, None, "", "undecodable_line:bad_base64")
    return ErrorRecord(
        line, data, str(item.get("errorCode", "")), str(item.get("errorMessage", ""))
    )


def judge(record: ErrorRecord) -> Verdict:
    """Re-validate with the Lambda's own code: only what it would now pass goes back."""
    if record.data is None:
        return Verdict(record, resend=False, reason=record.error_message)
    processed = process_record(record.data)
    if processed.result == "Ok":
        return Verdict(record, resend=True, reason=None)
    return Verdict(record, resend=False, reason=f"still_invalid:{processed.reason}")


def partition_key(data: bytes) -> str:
    """The listener (user_id) like the producer's apps use, so one listener stays ordered."""
    try:
        event = json.loads(data)
    except ValueError:
        event = None
    if isinstance(event, dict):
        for name in ("user_id", "event_id"):
            value = event.get(name)
            if isinstance(value, str) and 0 < len(value) <= KINESIS_PARTITION_KEY_MAX_CHARS:
                return value
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- running

# Sends (data, partition key) pairs; returns (data, reason) for each record it could not send.
Sender = Callable[[list[tuple[bytes, str]]], list[tuple[bytes, str]]]


class ErrorObjects(Protocol):
    """Where the error objects are: the dead-letter bucket, or a local run's OUT."""

    where: str

    def keys(self, prefix: str) -> Iterator[str]: ...
    def read(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def write(self, key: str, body: bytes) -> None: ...


@dataclass(frozen=True, slots=True)
class BucketErrorObjects:
    s3: Any
    bucket: str

    @property
    def where(self) -> str:
        return f"bucket {self.bucket}"

    def keys(self, prefix: str) -> Iterator[str]:
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"]

    def read(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=key)

    def write(self, key: str, body: bytes) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body)


@dataclass(frozen=True, slots=True)
class DirectoryErrorObjects:
    """A local run's OUT/dead_letters/: the emulator's keys, as paths under `root`."""

    root: Path

    @property
    def where(self) -> str:
        return str(self.root)

    def keys(self, prefix: str) -> Iterator[str]:
        found = (path.relative_to(self.root).as_posix() for path in self.root.rglob("*"))
        yield from sorted(key for key in found if key.startswith(prefix) and self._file(key))

    def _file(self, key: str) -> bool:
        return (self.root / key).is_file() and not (self.root / key).name.startswith(".")

    def read(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def delete(self, key: str) -> None:
        (self.root / key).unlink()

    def write(self, key: str, body: bytes) -> None:
        from podcast_analytics.pipeline.files import write_bytes_atomically

        write_bytes_atomically(self.root / key, body)


def redrive(
    settings: Settings,
    objects: ErrorObjects,
    send: Sender | None,
    *,
    out: TextIO,
) -> RedriveReport:
    """Re-drive every error object; `send=None` is a dry run (nothing sent or changed)."""
    report = RedriveReport()
    for key in objects.keys(settings.storage.prefixes.errors):
        body = objects.read(key)
        verdicts = [judge(record) for record in decode_error_object(body)]
        outcome = ObjectOutcome(key=key, records=len(verdicts))
        to_send = [v.record for v in verdicts if v.resend and v.record.data is not None]
        unsent: dict[bytes, list[str]] = {}
        if send is not None and to_send:
            for data, reason in send([(r.data, partition_key(r.data)) for r in to_send if r.data]):
                unsent.setdefault(data, []).append(reason)
        remaining: list[bytes] = []
        for verdict in verdicts:
            record = verdict.record
            reason = verdict.reason
            if verdict.resend and record.data is not None:
                if send is None:
                    continue  # dry run: would be re-sent
                if not unsent.get(record.data):
                    outcome.resent += 1
                    continue
                reason = f"not_sent:{unsent[record.data].pop()}"  # the producer spilled it
            outcome.kept.append((reason or "unknown", _detail(record)))
            remaining.append(record.line)
        if send is None:
            outcome.action = (
                "would-delete"
                if len(to_send) == len(verdicts)
                else "would-rewrite"
                if to_send
                else "would-keep"
            )
        else:
            outcome.action = _settle(objects, key, remaining, body, outcome)
        report.objects.append(outcome)
        _print_object(outcome, resendable=len(to_send), dry_run=send is None, out=out)
    return report


def _settle(
    objects: ErrorObjects, key: str, remaining: list[bytes], body: bytes, outcome: ObjectOutcome
) -> str:
    if not remaining:
        objects.delete(key)
        return "deleted"
    if outcome.resent == 0:
        return "kept"
    # Same key, fewer lines: one PUT replaces the object atomically, so a crash leaves
    # either the old object (records re-sent twice at worst, which dbt dedupes) or the new.
    content = b"\n".join(remaining) + b"\n"
    if body.startswith(GZIP_MAGIC):
        content = gzip.compress(content, mtime=0)
    objects.write(key, content)
    return "rewritten"


def _detail(record: ErrorRecord) -> str:
    if record.data is None:
        return "line could not be decoded"
    preview = record.data[:60].decode("utf-8", "replace").replace("\n", " ")
    original = f" (Firehose: {record.error_code})" if record.error_code else ""
    return f"{len(record.data)} bytes {preview!r}{original}"


def _print_object(outcome: ObjectOutcome, *, resendable: int, dry_run: bool, out: TextIO) -> None:
    sent = f"{resendable} would be re-sent" if dry_run else f"{outcome.resent} re-sent"
    print(f"{outcome.key}: {outcome.records} records, {sent}, {outcome.action}", file=out)
    for reason, detail in outcome.kept:
        print(f"    not re-sent: {reason}: {detail}", file=out)


def print_summary(report: RedriveReport, *, dry_run: bool, out: TextIO) -> None:
    summary = report.to_dict()
    mode = "dry run, nothing changed" if dry_run else "done"
    print(
        f"re-drive ({mode}): {summary['objects']} error objects, {summary['records']} records, "
        f"{summary['resent']} re-sent, {summary['not_resent']} not re-sent",
        file=out,
    )
    for reason, count in summary["not_resent_by_reason"].items():
        print(f"  {reason}: {count}", file=out)


# --------------------------------------------------------------------------- wiring


def producer_sender(kinesis: Any, settings: Settings, spill_path: Path) -> Sender:
    """Send through the project's producer; what it spills comes back as not sent."""
    from podcast_analytics.producer import KinesisProducer, OutgoingRecord, read_spill_file

    def send(batch: list[tuple[bytes, str]]) -> list[tuple[bytes, str]]:
        already = len(read_spill_file(spill_path))
        with KinesisProducer(kinesis, settings.kinesis.stream_name, spill_path) as producer:
            producer.send(OutgoingRecord(data=data, partition_key=key) for data, key in batch)
        spilled = read_spill_file(spill_path)[already:]
        return [(base64.b64decode(item["data_base64"]), item["reason"]) for item in spilled]

    return send


def _clients(settings: Settings, endpoint_url: str | None) -> tuple[Any, Any]:
    import boto3

    kwargs: dict[str, Any] = {"region_name": settings.aws.region}
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
        host = urlparse(endpoint_url).hostname or ""
        if _is_loopback(host):
            # The local emulator accepts any credentials; real ones must never go to it.
            kwargs |= {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client("s3", **kwargs), boto3.client("kinesis", **kwargs)


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def replay_file_sender(path: Path) -> Sender:
    """Append each record as one NDJSON line of `path`, on disk before its object is settled
    (a crash in between re-sends it twice at worst, which dbt dedupes). A record spanning
    lines would not replay as one: it comes back as not sent and stays a dead letter."""

    def send(batch: list[tuple[bytes, str]]) -> list[tuple[bytes, str]]:
        one_line = [data for data, _ in batch if b"\n" not in data and b"\r" not in data]
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as handle:
            handle.writelines(data + b"\n" for data in one_line)
            handle.flush()
            os.fsync(handle.fileno())
        return [(data, "spans_lines") for data, _ in batch if data not in one_line]

    return send


def redrive_out_dir(
    settings: Settings, out_dir: Path, *, dry_run: bool, out: TextIO
) -> tuple[RedriveReport, Path | None]:
    """A local run's dead letters (OUT/dead_letters/) into a replay file under OUT/redrive/;
    OUT's lock is held, as `make pipeline` holds it, so the two never interleave."""
    from podcast_analytics.local import out_dir as out_checks
    from podcast_analytics.local.context import DEAD_LETTERS_DIR
    from podcast_analytics.pipeline.errors import PipelineError

    dead_letters = out_dir / DEAD_LETTERS_DIR
    if not dead_letters.is_dir():
        raise RedriveError(
            f"no dead letters in OUT {out_dir}: {dead_letters} does not exist "
            "(`make pipeline` keeps a run's there; is OUT the run's directory?)"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    replay = out_dir / REDRIVE_DIR / f"redriven-{stamp}.ndjson"
    try:
        with out_checks.exclusive(out_dir):
            send = None if dry_run else replay_file_sender(replay)
            report = redrive(settings, DirectoryErrorObjects(dead_letters), send, out=out)
    except PipelineError as exc:
        raise RedriveError(str(exc)) from None
    return report, (replay if replay.exists() else None)


def run_redrive(
    settings: Settings,
    *,
    endpoint_url: str | None,
    dry_run: bool,
    spill_path: Path,
    out: TextIO,
    out_dir: Path | None = None,
) -> RedriveReport:
    from botocore.exceptions import BotoCoreError, ClientError

    if out_dir is not None and (settings.environment != "local" or endpoint_url):
        raise RedriveError(
            "OUT is a local run's directory: it goes with ENV=local and no ENDPOINT_URL"
        )
    if settings.environment == "local" and not endpoint_url:
        report, replay = redrive_out_dir(
            settings, out_dir or Path(settings.local.out_dir), dry_run=dry_run, out=out
        )
        print_summary(report, dry_run=dry_run, out=out)
        if replay is not None:
            print(
                f"written to {replay}: send them into the warehouse with "
                f"`make pipeline INPUT={replay} OUT={out_dir or settings.local.out_dir}`",
                file=out,
            )
        return report
    s3, kinesis = _clients(settings, endpoint_url)
    send = None if dry_run else producer_sender(kinesis, settings, spill_path)
    objects = BucketErrorObjects(s3, settings.storage.dead_letter_bucket)
    try:
        report = redrive(settings, objects, send, out=out)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise RedriveError(
            f"{exc.operation_name} failed: {error.get('Code', 'error')}: "
            f"{error.get('Message', '')} (bucket {settings.storage.dead_letter_bucket})"
        ) from None
    except BotoCoreError as exc:
        raise RedriveError(str(exc)) from None
    print_summary(report, dry_run=dry_run, out=out)
    return report
