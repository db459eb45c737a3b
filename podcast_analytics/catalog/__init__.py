"""The episode catalog's ingest: RSS feeds (+ an optional CMS export of ad breaks) ->
contract records (one per episode version) -> NDJSON snapshots under the raw bucket's
`catalog/yyyymmdd/` prefix, which the catalog pipe loads into the raw catalog table.

`feeds` parses one show's RSS with feedparser, `cms` reads the ad-break export, `snapshot`
builds, counts and names a snapshot (and checks a replayed catalog file). Both the DAG's
`read_catalog` task (cloud) and `make pipeline` (local) use them.
"""

from podcast_analytics.catalog.cms import CmsExport, read_cms_export
from podcast_analytics.catalog.durations import parse_itunes_duration
from podcast_analytics.catalog.feeds import FeedSource, read_feed
from podcast_analytics.catalog.snapshot import (
    CatalogSnapshot,
    build_snapshot,
    put_snapshot,
    replay_snapshot,
    snapshot_key,
)

__all__ = [
    "CatalogSnapshot",
    "CmsExport",
    "FeedSource",
    "build_snapshot",
    "parse_itunes_duration",
    "put_snapshot",
    "read_cms_export",
    "read_feed",
    "replay_snapshot",
    "snapshot_key",
]
