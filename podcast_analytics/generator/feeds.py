"""The simulated shows as their hosts publish them: one RSS 2.0 feed per show (with the
iTunes namespace) and the network CMS's export of ad-break positions.

The feeds list the episodes the listening stream plays, with the durations the events
carry, as read at `as_of`; the episodes release at midnight UTC, which is when the stream
makes them playable. `itunes:duration` comes in the three forms hosts use (seconds,
HH:MM:SS, MM:SS), so the reader's parser meets each of them.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from podcast_analytics.generator.catalog import Episode, Podcast, World

FEED_BASE_URL = "https://feeds.podnet.example/"  # .example: reserved, never resolves
CMS_EXPORT_FILE = "cms_export.json"
_ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
_ATOM = "http://www.w3.org/2005/Atom"


def feed_url(podcast: Podcast) -> str:
    return f"{FEED_BASE_URL}{podcast.podcast_id}.xml"


def write_feeds(world: World, directory: Path, *, as_of: datetime) -> list[tuple[str, Path]]:
    """Write `<podcast_id>.xml` per show and the CMS export; returns (podcast_id, path)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for index, podcast in enumerate(world.podcasts):
        episodes = [e for e in podcast.episodes if e.released <= as_of.date()]
        path = directory / f"{podcast.podcast_id}.xml"
        path.write_text(rss(podcast, episodes, index=index, as_of=as_of), encoding="utf-8")
        written.append((podcast.podcast_id, path))
    (directory / CMS_EXPORT_FILE).write_text(
        json.dumps(cms_export(world, as_of.date()), indent=1) + "\n", encoding="utf-8"
    )
    return written


def rss(podcast: Podcast, episodes: list[Episode], *, index: int, as_of: datetime) -> str:
    title = f"{podcast.genre.replace('_', ' ').title()} Hour {index}"
    items = "".join(_item(title, episode, index) for episode in sorted(episodes, key=_newest_first))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" xmlns:itunes="{_ITUNES}" xmlns:atom="{_ATOM}">\n'
        "<channel>\n"
        f"  <title>{escape(title)}</title>\n"
        f"  <link>https://podnet.example/shows/{podcast.podcast_id}</link>\n"
        f'  <atom:link href="{feed_url(podcast)}" rel="self" type="application/rss+xml"/>\n'
        f"  <description>{escape(title)} &amp; friends</description>\n"
        "  <language>en</language>\n"
        f"  <lastBuildDate>{format_datetime(as_of.astimezone(UTC), usegmt=True)}</lastBuildDate>\n"
        f'  <itunes:category text="{escape(podcast.genre)}"/>\n'
        f"{items}"
        "</channel>\n"
        "</rss>\n"
    )


def _newest_first(episode: Episode) -> tuple[int, str]:
    return (-episode.released.toordinal(), episode.episode_id)


def _item(show: str, episode: Episode, index: int) -> str:
    number = int(episode.episode_id.rsplit("-ep", 1)[1])
    published = datetime(
        episode.released.year, episode.released.month, episode.released.day, tzinfo=UTC
    )
    return (
        "  <item>\n"
        f"    <title>{escape(f'{show} #{number}: notes & news')}</title>\n"
        f'    <guid isPermaLink="false">{escape(episode.episode_id)}</guid>\n'
        f"    <pubDate>{format_datetime(published, usegmt=True)}</pubDate>\n"
        f"    <itunes:duration>{itunes_duration(episode.duration_s, index)}</itunes:duration>\n"
        f"    <enclosure url={quoteattr(_audio_url(episode))} length="
        f'"{episode.duration_s * 16_000}" type="audio/mpeg"/>\n'
        "  </item>\n"
    )


def itunes_duration(seconds: int, style: int) -> str:
    """Seconds, HH:MM:SS or MM:SS (minutes past 59 allowed), by the show's `style`."""
    minutes, secs = divmod(seconds, 60)
    if style % 3 == 0:
        return str(seconds)
    if style % 3 == 1:
        hours, mins = divmod(minutes, 60)
        return f"{hours:02d}:{mins:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def _audio_url(episode: Episode) -> str:
    return f"https://media.podnet.example/{episode.podcast_id}/{episode.episode_id}.mp3"


def cms_export(world: World, as_of: date) -> dict[str, object]:
    """The CMS's ad-break positions of every released episode, keyed by the feed's guid."""
    return {
        "exported_for": as_of.isoformat(),
        "episodes": [
            {
                "guid": episode.episode_id,
                "ad_breaks": [
                    {"start_s": b.start_s, "end_s": b.end_s, "kind": b.kind}
                    for b in episode.ad_breaks
                ],
            }
            for podcast in world.podcasts
            for episode in podcast.episodes
            if episode.released <= as_of and episode.ad_breaks
        ],
    }
