"""Which feeds the reader reads: the feed list, the same JSON locally and in the cloud.

    {"feeds": [{"podcast_id": "pod000", "url": "https://feeds.example.com/pod000.xml"}, ...],
     "cms_export": "https://cms.example.com/ad-breaks.json"}      (optional)

In the cloud it is the Airflow Variable `catalog_feeds` (from Secrets Manager, like every
variable); locally the generator writes one beside its feeds (urls are file paths there,
and `fetched_at` pins the simulated read time). `read_listed_feeds` fetches every feed with
the given `fetch` and turns a feed that cannot be fetched into a named failure, so one dead
host does not stop the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from podcast_analytics.catalog.cms import read_cms_export
from podcast_analytics.catalog.feeds import FeedSource, first_line
from podcast_analytics.catalog.snapshot import CatalogSnapshot, build_snapshot
from podcast_analytics.contract import parse_event_ts

Fetch = Callable[[str], bytes]  # url -> content; raises OSError (or ValueError) on failure


class FeedListError(ValueError):
    """The feed list itself is wrong; the message says what to fix, in one line."""


@dataclass(frozen=True)
class FeedList:
    feeds: tuple[FeedSource, ...]
    cms_export: str | None = None
    fetched_at: datetime | None = None  # pinned read time (local simulation); else now


def parse_feed_list(data: Any, *, where: str) -> FeedList:
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError:
            raise FeedListError(f"{where} is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("feeds"), list):
        raise FeedListError(f'{where} must be a JSON object {{"feeds": [...]}}')
    feeds = []
    for number, entry in enumerate(data["feeds"], start=1):
        podcast_id = entry.get("podcast_id") if isinstance(entry, dict) else None
        url = entry.get("url") if isinstance(entry, dict) else None
        if not (isinstance(podcast_id, str) and podcast_id and isinstance(url, str) and url):
            raise FeedListError(f"{where}: feed {number} needs a podcast_id and a url")
        feeds.append(FeedSource(podcast_id, url))
    cms = data.get("cms_export")
    if cms is not None and not (isinstance(cms, str) and cms):
        raise FeedListError(f"{where}: cms_export must be a url or absent")
    fetched_text = data.get("fetched_at")
    fetched_at = parse_event_ts(fetched_text) if isinstance(fetched_text, str) else None
    if fetched_text is not None and fetched_at is None:
        raise FeedListError(f"{where}: fetched_at must be RFC 3339 with an offset")
    return FeedList(tuple(feeds), cms, fetched_at)


def read_listed_feeds(
    feed_list: FeedList, fetch: Fetch, *, fetched_at: datetime
) -> CatalogSnapshot:
    """Fetch and read every listed feed (and the CMS export) into one snapshot."""
    cms = None
    cms_problem = None
    if feed_list.cms_export is not None:
        try:
            cms = read_cms_export(fetch(feed_list.cms_export))
        except (OSError, ValueError) as exc:  # CmsExportError is a ValueError
            cms_problem = first_line(exc)

    def contents() -> Any:
        for source in feed_list.feeds:
            try:
                yield source, fetch(source.url)
            except (OSError, ValueError) as exc:
                yield source, f"feed:unreachable ({first_line(exc)})"

    snapshot = build_snapshot(contents(), fetched_at=fetched_at, cms=cms)
    if cms_problem is not None:
        # Without the export the episodes still load, with no ad breaks: said, not hidden.
        snapshot.failed_feeds[feed_list.cms_export] = f"cms:unreadable ({cms_problem})"  # type: ignore[index]
    return snapshot
