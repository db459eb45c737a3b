"""One show's RSS feed -> catalog records, with feedparser (a maintained parser that copes
with the RSS found in the wild: namespaces, bad dates, HTML in titles).

The mapping (docs/catalog.md):
- `episode_id` is the item's `<guid>`, trimmed: the guid is the item's identity across feed
  edits (RSS 2.0: "a string that uniquely identifies the item",
  https://www.rssboard.org/rss-specification#ltguidgtSubelementOfLtitemgt), and it is what
  the apps report as the episode (the generator's guids are its episode ids);
- `podcast_id` is the feed's, from the list of feeds the reader is given;
- `published_at` is `<pubDate>` (RFC 822) in UTC; `duration_s` is `<itunes:duration>`;
- `ad_breaks` come from the CMS export, matched on the guid.

What cannot be read is passed on as found (a pubDate feedparser cannot parse stays text,
an unreadable duration stays a string), so the contract quarantines the record with the
precise reason (`bad_timestamp:published_at`, `bad_type:duration_s`) instead of the reader
dropping it. A feed that is no feed at all is a problem of the whole feed, reported by name.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from podcast_analytics.catalog.cms import CmsExport
from podcast_analytics.catalog.durations import parse_itunes_duration
from podcast_analytics.contract.catalog import HTTP_URL


@dataclass(frozen=True)
class FeedSource:
    podcast_id: str
    url: str  # where the reader fetches it: https://... in the cloud, a local path locally


@dataclass
class FeedRead:
    source: FeedSource
    records: list[dict[str, Any]] = field(default_factory=list)
    items: int = 0  # <item>s in the feed
    rejected: dict[str, int] = field(default_factory=dict)  # reason -> items not written
    problem: str | None = None  # why the whole feed could not be read


def format_instant(instant: datetime) -> str:
    """RFC 3339 in UTC with milliseconds, as the contract and the generator write them."""
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def read_feed(
    content: bytes, source: FeedSource, *, fetched_at: datetime, cms: CmsExport | None = None
) -> FeedRead:
    result = FeedRead(source)
    parsed = feedparser.parse(content)
    if not parsed.entries and (parsed.bozo or not parsed.feed):
        reason = getattr(parsed, "bozo_exception", None) or "no channel and no items"
        result.problem = f"feed:unreadable ({first_line(reason)})"
        return result
    feed_url = _feed_url(source, parsed.feed)
    fetched = format_instant(fetched_at)
    seen: set[str] = set()
    for entry in parsed.entries:
        result.items += 1
        guid = (entry.get("id") or "").strip() or None
        if guid is not None and guid in seen:
            # Two items with one guid: neither is "the" version; the first is kept, the
            # second counted (feeds that recycle guids are a known publisher fault).
            result.rejected["feed:duplicate_guid"] = (
                result.rejected.get("feed:duplicate_guid", 0) + 1
            )
            continue
        if guid is not None:
            seen.add(guid)
        record: dict[str, Any] = {
            "podcast_id": source.podcast_id,
            "episode_id": guid,
            "title": entry.get("title"),
            "published_at": _published_at(entry),
            "duration_s": _duration(entry),
        }
        if cms is not None and guid is not None and guid in cms.ad_breaks:
            record["ad_breaks"] = cms.ad_breaks[guid]
        if feed_url is not None:
            record["feed_url"] = feed_url
        record["fetched_at"] = fetched
        result.records.append(record)
    return result


def _published_at(entry: Any) -> str | None:
    parsed = entry.get("published_parsed")
    if parsed is not None:  # a UTC struct_time: feedparser applies the offset
        return format_instant(datetime.fromtimestamp(calendar.timegm(parsed), UTC))
    return entry.get("published")  # unparseable text (or None): the contract names it


def _duration(entry: Any) -> float | int | str | None:
    text = entry.get("itunes_duration")
    seconds = parse_itunes_duration(text)
    return text if seconds is None else seconds


def _feed_url(source: FeedSource, channel: Any) -> str | None:
    """The feed's public address: where it was fetched, else its atom:link rel=self."""
    if HTTP_URL.fullmatch(source.url):
        return source.url
    for link in channel.get("links", []):
        if link.get("rel") == "self" and HTTP_URL.fullmatch(link.get("href", "")):
            return str(link["href"])
    return None


def first_line(value: object) -> str:
    """A problem (an exception, a parser's complaint) as one short line for the counts."""
    text = str(value).strip()
    return text.splitlines()[0][:200] if text else type(value).__name__
