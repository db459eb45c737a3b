"""Reference validator of the episode-catalog contract (catalog_episode.schema.json).

One record is one version of one episode, as the feed reader saw it at `fetched_at`. Rules
are checked in the order below; the first one broken is the record's reason, with the same
codes (and order) as the listening-event contract's validator, so the Python and SQL sides
can be compared record by record. A null value counts as absent.

Order:
 1. `not_an_object`;
 2. `missing_field:<f>` / `bad_type:<f>` for the required strings, in the order
    podcast_id, episode_id, title, published_at, fetched_at;
 3. `bad_value:<f>` (empty) for podcast_id, episode_id, title;
 4. `bad_timestamp:published_at`, `bad_timestamp:fetched_at` (not RFC 3339 with an offset,
    or not a real instant);
 5. `published_after_fetch` (a feed cannot list an episode before it is published);
 6. `missing_field:duration_s`, `bad_type:duration_s`, `bad_value:duration_s` (not a
    finite number up to `MAX_SECONDS`, or <= 0);
 7. ad_breaks when present: `bad_type:ad_breaks` (not an array, or an element not an
    object); then per break, in list order: `missing_field:ad_breaks.<f>` and
    `bad_type:ad_breaks.<f>` for start_s, end_s (numbers), `bad_value:ad_breaks.start_s`
    (negative or not finite), `bad_value:ad_breaks.end_s` (not finite),
    `missing_field:ad_breaks.kind`, `bad_value:ad_breaks.kind` (not pre/mid/post),
    `bad_value:ad_breaks.range` (not start_s < end_s <= duration_s);
 8. feed_url when present: `bad_type:feed_url`, `bad_value:feed_url` (not an http(s) URL).

Total: any JSON value gets a verdict, never an exception.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from podcast_analytics.contract.validate import _is_finite, _is_number, parse_event_ts

CATALOG_SCHEMA_PATH = Path(__file__).with_name("catalog_episode.schema.json")

AD_BREAK_KINDS = ("pre", "mid", "post")
_REQUIRED_STRINGS = ("podcast_id", "episode_id", "title", "published_at", "fetched_at")
_NON_EMPTY = ("podcast_id", "episode_id", "title")
_TIMESTAMPS = ("published_at", "fetched_at")
# What `feed_url` must be; the feed reader keeps a feed address only when it is one.
HTTP_URL = re.compile(r"https?://\S+")


def catalog_invalid_reason(record: Any) -> str | None:
    """The first catalog-contract rule `record` breaks, or None when it is valid."""
    if not isinstance(record, dict):
        return "not_an_object"
    for field in _REQUIRED_STRINGS:
        if record.get(field) is None:
            return f"missing_field:{field}"
        if not isinstance(record[field], str):
            return f"bad_type:{field}"
    for field in _NON_EMPTY:
        if not record[field]:
            return f"bad_value:{field}"
    instants = {}
    for field in _TIMESTAMPS:
        instants[field] = parse_event_ts(record[field])
        if instants[field] is None:
            return f"bad_timestamp:{field}"
    if instants["published_at"] > instants["fetched_at"]:  # type: ignore[operator]
        return "published_after_fetch"

    duration = record.get("duration_s")
    if duration is None:
        return "missing_field:duration_s"
    if not _is_number(duration):
        return "bad_type:duration_s"
    if not _is_finite(duration) or duration <= 0:
        return "bad_value:duration_s"

    reason = _ad_breaks_reason(record.get("ad_breaks"), duration)
    if reason:
        return reason

    feed_url = record.get("feed_url")
    if feed_url is not None:
        if not isinstance(feed_url, str):
            return "bad_type:feed_url"
        if not HTTP_URL.fullmatch(feed_url):
            return "bad_value:feed_url"
    return None


def _ad_breaks_reason(breaks: Any, duration: int | float) -> str | None:
    if breaks is None:
        return None
    if not isinstance(breaks, list) or not all(isinstance(b, dict) for b in breaks):
        return "bad_type:ad_breaks"
    for ad_break in breaks:
        for field in ("start_s", "end_s"):
            value = ad_break.get(field)
            if value is None:
                return f"missing_field:ad_breaks.{field}"
            if not _is_number(value):
                return f"bad_type:ad_breaks.{field}"
            if not _is_finite(value) or (field == "start_s" and value < 0):
                return f"bad_value:ad_breaks.{field}"
        kind = ad_break.get("kind")
        if kind is None:
            return "missing_field:ad_breaks.kind"
        if not isinstance(kind, str) or kind not in AD_BREAK_KINDS:
            return "bad_value:ad_breaks.kind"
        if not ad_break["start_s"] < ad_break["end_s"] <= duration:
            return "bad_value:ad_breaks.range"
    return None
