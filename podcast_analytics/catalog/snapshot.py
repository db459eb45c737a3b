"""A catalog snapshot: the NDJSON object one read (or one replay) writes, and its counts.

Accounting, the same for a read of feeds and a replay of a file: every item read is either
written to the snapshot or rejected before it with a reason (`rejected`), and the written
records' contract verdicts are counted (`invalid_by_reason`) so the run can report what dbt
will quarantine. Nothing is dropped without a count.

The object is named after its content (`catalog/yyyymmdd/<hash>.ndjson.gz`): the same read
twice is the same object, which the pipe's load history loads once. It is GZIP, like
Firehose's objects, because both pipes share one file format (COMPRESSION = GZIP).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from podcast_analytics.catalog.cms import CmsExport
from podcast_analytics.catalog.feeds import FeedSource, read_feed
from podcast_analytics.config.model import Prefixes, Settings
from podcast_analytics.contract import catalog_invalid_reason


class CatalogInputError(ValueError):
    """A catalog file to replay that cannot be read at all; the message says why."""


@dataclass
class CatalogSnapshot:
    lines: list[bytes] = field(default_factory=list)  # the records, one NDJSON line each
    read: int = 0  # items read from feeds, or lines read from a replayed file
    rejected: dict[str, int] = field(default_factory=dict)  # not written, by reason
    invalid_by_reason: dict[str, int] = field(default_factory=dict)  # written, for dbt
    feeds: int = 0
    failed_feeds: dict[str, str] = field(default_factory=dict)  # feed url -> why
    cms_unmatched: int = 0  # CMS export entries whose guid is in no feed read
    cms_problems: dict[str, int] = field(default_factory=dict)

    @property
    def written(self) -> int:
        return len(self.lines)

    @property
    def balanced(self) -> bool:
        return self.read == self.written + sum(self.rejected.values())

    def content(self) -> bytes:
        return b"".join(line + b"\n" for line in self.lines)

    def object_body(self) -> bytes:
        """The object's bytes: GZIP with no timestamp in the header, so the same content
        is the same object (and ETag) on every run."""
        return gzip.compress(self.content(), mtime=0)

    def batch_id(self) -> str:
        return hashlib.sha256(b"catalog:" + self.content()).hexdigest()[:16]

    def add(self, line: bytes, record: Any) -> None:
        self.lines.append(line)
        reason = catalog_invalid_reason(record)
        if reason is not None:
            self.invalid_by_reason[reason] = self.invalid_by_reason.get(reason, 0) + 1

    def reject(self, reason: str, count: int = 1) -> None:
        self.rejected[reason] = self.rejected.get(reason, 0) + count

    def summary(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "written": self.written,
            "rejected": sum(self.rejected.values()),
            "rejected_by_reason": dict(sorted(self.rejected.items())),
            "invalid": sum(self.invalid_by_reason.values()),
            "invalid_by_reason": dict(sorted(self.invalid_by_reason.items())),
            "feeds": self.feeds,
            "failed_feeds": dict(sorted(self.failed_feeds.items())),
            "cms_unmatched": self.cms_unmatched,
            "cms_problems": dict(sorted(self.cms_problems.items())),
        }


def snapshot_key(prefixes: Prefixes, day: date, batch_id: str) -> str:
    return f"{prefixes.catalog_for(day)}{batch_id}.ndjson.gz"


def put_snapshot(
    s3: Any,
    settings: Settings,
    snapshot: CatalogSnapshot,
    day: date,
    *,
    metadata: dict[str, str] | None = None,
) -> str | None:
    """Put the snapshot under the raw bucket's catalog prefix (the catalog pipe's stage);
    its key, or None when there is nothing to write. The bucket's default encryption (the
    raw KMS key) applies, so no header is needed."""
    if not snapshot.lines:
        return None
    key = snapshot_key(settings.storage.prefixes, day, snapshot.batch_id())
    s3.put_object(
        Bucket=settings.storage.buckets.raw,
        Key=key,
        Body=snapshot.object_body(),
        ContentType="application/gzip",
        **({"Metadata": metadata} if metadata else {}),
    )
    return key


def build_snapshot(
    feeds: Iterable[tuple[FeedSource, bytes | str]],
    *,
    fetched_at: datetime,
    cms: CmsExport | None = None,
) -> CatalogSnapshot:
    """Every feed's items as records. A feed given as a str is one that could not be
    fetched (the str says why): it is listed in `failed_feeds`, like an unreadable one."""
    snapshot = CatalogSnapshot()
    matched: set[str] = set()
    for source, content in feeds:
        snapshot.feeds += 1
        if isinstance(content, str):
            snapshot.failed_feeds[source.url] = content
            continue
        read = read_feed(content, source, fetched_at=fetched_at, cms=cms)
        if read.problem is not None:
            snapshot.failed_feeds[source.url] = read.problem
            continue
        snapshot.read += read.items
        for reason, count in read.rejected.items():
            snapshot.reject(reason, count)
        for record in read.records:
            snapshot.add(_line(record), record)
            if isinstance(record["episode_id"], str):
                matched.add(record["episode_id"])
    if cms is not None:
        snapshot.cms_unmatched = len(set(cms.ad_breaks) - matched)
        snapshot.cms_problems = dict(cms.problems)
    return snapshot


def _line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def replay_snapshot(path: Path) -> CatalogSnapshot:
    """A catalog file (NDJSON, `.gz` ok) as a snapshot: every JSON line is written as it is
    (dbt quarantines what breaks the contract); a blank line or one that is not JSON cannot
    be loaded (the pipe would skip the whole object), so it is rejected and counted."""
    if not path.exists():
        raise CatalogInputError(f"CATALOG {path} does not exist")
    if not path.is_file():
        raise CatalogInputError(f"CATALOG {path} is not a file")
    snapshot = CatalogSnapshot()
    try:
        with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as handle:
            for raw in handle:
                snapshot.read += 1
                line = raw.rstrip(b"\r\n")
                if not line.strip():
                    snapshot.reject("empty")
                    continue
                try:
                    # NaN / Infinity are no JSON: the warehouse's reader would skip the
                    # whole object for them, so they are rejected here, line by line.
                    record = json.loads(line, parse_constant=_no_constant)
                except (ValueError, RecursionError):
                    snapshot.reject("not_json")
                    continue
                snapshot.add(line, record)
    except PermissionError:
        raise CatalogInputError(f"CATALOG {path} is not readable (permission denied)") from None
    except (OSError, EOFError) as exc:
        raise CatalogInputError(f"CATALOG {path} cannot be read: {exc}") from None
    if not snapshot.lines:
        raise CatalogInputError(
            f"CATALOG {path} has no records: {snapshot.read} lines, none of them JSON"
        )
    return snapshot
