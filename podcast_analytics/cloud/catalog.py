"""The read_catalog task in the cloud: fetch the listed feeds over HTTPS, write one
snapshot to the raw bucket's catalog prefix (the catalog pipe loads it from there).

The feed list is the Airflow Variable `mwaa.catalog_feeds_variable` (podcast_analytics.
catalog.feed_list describes it). A feed that cannot be fetched or parsed is named in the
result and the others are still read; a read with no feed at all fails the task, since
then there is nothing to load and something is wrong with every host or with the list.
The object is named after its content, so a retried task writes the same key again
(an overwrite with the same bytes, which the pipe's load history does not load twice).
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from podcast_analytics.catalog import put_snapshot
from podcast_analytics.catalog.feed_list import FeedList, Fetch, read_listed_feeds
from podcast_analytics.config import Settings

FETCH_TIMEOUT_S = 30
# The largest feed or export read: big shows' feeds are a few MB; more is a fault.
MAX_FEED_BYTES = 50 * 1024 * 1024
USER_AGENT = "podcast-analytics-catalog-reader/1"


class CatalogReadError(RuntimeError):
    """Not one listed feed could be read; the message names why for each."""


def fetch_https(url: str) -> bytes:
    """GET an https:// URL (nothing else: no file:, no plain http) with a timeout and a
    size cap; OSError or ValueError say why it failed."""
    if not url.startswith("https://"):
        raise ValueError(f"only https:// feeds are read, not {url!r}")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 - https only, checked above
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310
        content: bytes = response.read(MAX_FEED_BYTES + 1)
    if len(content) > MAX_FEED_BYTES:
        raise ValueError(f"larger than {MAX_FEED_BYTES} bytes")
    return content


def read_catalog(
    s3: Any,
    settings: Settings,
    feed_list: FeedList,
    *,
    fetch: Fetch = fetch_https,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, Any]:
    fetched_at = clock().replace(microsecond=0)
    snapshot = read_listed_feeds(feed_list, fetch, fetched_at=fetched_at)
    summary = snapshot.summary()
    failed = [f.url for f in feed_list.feeds if f.url in snapshot.failed_feeds]
    if feed_list.feeds and len(failed) == len(feed_list.feeds):
        raise CatalogReadError(
            f"no feed of {snapshot.feeds} could be read: "
            + "; ".join(f"{url}: {why}" for url, why in sorted(snapshot.failed_feeds.items()))
        )
    key = put_snapshot(s3, settings, snapshot, fetched_at.date())
    return {"key": key, "fetched_at": fetched_at.isoformat(), **summary}
