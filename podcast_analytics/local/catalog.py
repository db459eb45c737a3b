"""Local only: the episode catalog's read, before load (cloud: cloud/catalog.py).

By default the generator publishes its shows (RSS feeds, the CMS export and a feed list,
under OUT/catalog_feeds/) and the feed reader reads them, as the DAG's read_catalog task
reads the real ones; `CATALOG=file.ndjson` replays a catalog instead. Either way one
snapshot object goes to the raw bucket's catalog prefix, where the Snowpipe stand-in finds
it, and the catalog ledger keeps what was read, written and rejected.

Deterministic: a generated read happens at the end of the simulated window (`fetched_at`,
and the object's load time), so the same settings give the same object, which loads once.
A replay keeps the wall-clock time of its first run, like a replay of events.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from podcast_analytics.catalog import CatalogSnapshot, put_snapshot, replay_snapshot
from podcast_analytics.catalog.feed_list import FeedList, parse_feed_list, read_listed_feeds
from podcast_analytics.catalog.snapshot import CatalogInputError
from podcast_analytics.local.context import LocalContext
from podcast_analytics.local.emulator.firehose import DELIVERED_AT_METADATA
from podcast_analytics.pipeline.crash_points import crash_point
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.ledger import CATALOG_LEDGER_FILE, read_ledger, record_batch

FEEDS_DIR = "catalog_feeds"  # under OUT: the generated shows' feeds, as their hosts publish
FEED_LIST_FILE = "feeds.json"


def publish_generated_feeds(
    out_dir: Path, *, events: int | None, days: int, seed: int, start: date | None
) -> Path:
    """The generator's shows as feeds + CMS export + feed list; returns the list's path."""
    from podcast_analytics.generator import GeneratorSettings
    from podcast_analytics.generator.feeds import CMS_EXPORT_FILE, write_feeds
    from podcast_analytics.generator.stream import generate_world

    options = {"start": start} if start else {}
    settings = GeneratorSettings(events=events, days=days, seed=seed, **options)
    as_of = datetime.combine(settings.start + timedelta(days=settings.days), time(), UTC)
    directory = out_dir / FEEDS_DIR
    feeds = write_feeds(generate_world(settings), directory, as_of=as_of)
    feed_list = {
        "fetched_at": as_of.isoformat().replace("+00:00", "Z"),
        "feeds": [{"podcast_id": pid, "url": str(path)} for pid, path in feeds],
        "cms_export": str(directory / CMS_EXPORT_FILE),
    }
    path = directory / FEED_LIST_FILE
    path.write_text(json.dumps(feed_list, indent=1) + "\n", encoding="utf-8")
    return path


def read_catalog(
    ctx: LocalContext, *, feed_list: Path | None = None, catalog_path: Path | None = None
) -> dict[str, Any]:
    """Read the listed feeds (or replay `catalog_path`) into one snapshot object."""
    if catalog_path is not None:
        try:
            snapshot = replay_snapshot(catalog_path)
        except CatalogInputError as exc:
            raise PipelineError(str(exc)) from None
        known = (
            read_ledger(ctx.out_dir, CATALOG_LEDGER_FILE)
            .get(snapshot.batch_id(), {})
            .get("loaded_at")
        )
        read_at = (
            datetime.fromisoformat(known) if known else datetime.now(UTC).replace(microsecond=0)
        )
        source: dict[str, Any] = {"catalog": str(catalog_path)}
    else:
        if feed_list is None:
            raise PipelineError("read_catalog needs a feed list or a CATALOG file")
        listed = _feed_list(feed_list)
        read_at = listed.fetched_at or datetime.now(UTC).replace(microsecond=0)
        snapshot = read_listed_feeds(listed, _read_file, fetched_at=read_at)
        source = {"feed_list": str(feed_list)}
    return _publish_snapshot(ctx, snapshot, read_at=read_at, source=source)


def _publish_snapshot(
    ctx: LocalContext,
    snapshot: CatalogSnapshot,
    *,
    read_at: datetime,
    source: dict[str, Any],
) -> dict[str, Any]:
    if not snapshot.balanced:  # a bug, not an input problem: items unaccounted for
        raise PipelineError(f"the catalog read does not add up: {snapshot.summary()}")
    key = put_snapshot(
        ctx.client("s3"),
        ctx.settings,
        snapshot,
        read_at.astimezone(UTC).date(),
        # The stand-in's loaded_at: the read's time, so a rerun loads the same rows.
        metadata={DELIVERED_AT_METADATA: read_at.isoformat()},
    )
    crash_point("catalog:snapshot-written")
    batch_id = snapshot.batch_id()
    entry = {**source, "key": key, "loaded_at": read_at.isoformat(), **snapshot.summary()}
    record_batch(ctx.out_dir, batch_id, entry, CATALOG_LEDGER_FILE)
    return {"batch_id": batch_id, **entry}


def _feed_list(path: Path) -> FeedList:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PipelineError(f"the feed list {path} cannot be read: {exc.strerror}") from None
    try:
        return parse_feed_list(text, where=str(path))
    except ValueError as exc:
        raise PipelineError(str(exc)) from None


def _read_file(url: str) -> bytes:
    return Path(url).read_bytes()
