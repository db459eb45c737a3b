"""The catalog marts in plain Python, from raw catalog rows and the reference's plays.

Written from transform/docs/methodology.md (rules 8, 10 and 11) and docs/catalog.md, not
from the SQL: an episode's catalog entry is its latest valid version (the contract's
reference validator decides validity; a version loaded twice counts once), the launch curve
counts plays by whole days (and first-day hours) since `published_at`, and an ad break is
reached at a point when one of the play's heard segments covers it, completed when the
segments, joined where they touch or overlap, cover all of it.

API:
    catalog = catalog_episodes(catalog_rows)              # episode_id -> CatalogEpisode
    marts = compute_marts(rows, ..., catalog=catalog)     # durations/podcasts from the catalog
    launch_curve(marts.plays, catalog)[(episode_id, day)] == (plays, listeners, cumulative)
    ad_break_reach(marts.plays, catalog)[(episode_id, break_number)] == AdReach(...)
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from podcast_analytics.contract import parse_event_ts
from podcast_analytics.contract.catalog import catalog_invalid_reason
from tests.reference.marts import Play, RawRow, seconds, six_places


@dataclass(frozen=True, slots=True)
class AdBreak:
    number: int
    start_s: Decimal
    end_s: Decimal
    kind: str


@dataclass(frozen=True, slots=True)
class CatalogEpisode:
    podcast_id: str
    title: str
    published_at: datetime  # naive UTC
    duration_s: Decimal
    ad_breaks: tuple[AdBreak, ...]


@dataclass(frozen=True, slots=True)
class AdReach:
    plays: int
    unique_listeners: int
    reaching_start: int
    reaching_25: int
    reaching_50: int
    reaching_75: int
    completing: int


def _naive(text: str) -> datetime:
    moment = parse_event_ts(text)
    assert moment is not None
    return moment.replace(tzinfo=None)


def catalog_statuses(rows: Iterable[RawRow]) -> dict[tuple[str, int], tuple[str, str | None]]:
    """(source_file, source_row) -> (valid / quarantined / duplicate, reason)."""
    seen: set[tuple[str, datetime]] = set()
    statuses = {}
    for row in sorted(rows, key=lambda r: (r.loaded_at, r.source_file, r.source_row)):
        record = json.loads(row.record)
        reason = catalog_invalid_reason(record)
        if reason is not None:
            statuses[(row.source_file, row.source_row)] = ("quarantined", reason)
            continue
        version = (record["episode_id"], _naive(record["fetched_at"]))
        status = "duplicate" if version in seen else "valid"
        seen.add(version)
        statuses[(row.source_file, row.source_row)] = (status, None)
    return statuses


def catalog_episodes(rows: Iterable[RawRow]) -> dict[str, CatalogEpisode]:
    """Each episode's latest valid version (highest fetched_at, then the latest load)."""
    rows = list(rows)
    statuses = catalog_statuses(rows)
    latest: dict[str, tuple[tuple, dict]] = {}
    for row in rows:
        if statuses[(row.source_file, row.source_row)][0] != "valid":
            continue
        record = json.loads(row.record)
        order = (_naive(record["fetched_at"]), row.loaded_at, row.source_file, row.source_row)
        episode = record["episode_id"]
        if episode not in latest or order > latest[episode][0]:
            latest[episode] = (order, record)
    return {
        episode: CatalogEpisode(
            podcast_id=record["podcast_id"],
            title=record["title"],
            published_at=_naive(record["published_at"]),
            duration_s=seconds(Decimal(str(record["duration_s"]))),
            ad_breaks=tuple(
                AdBreak(
                    number,
                    seconds(Decimal(str(b["start_s"]))),
                    seconds(Decimal(str(b["end_s"]))),
                    b["kind"],
                )
                for number, b in enumerate(record.get("ad_breaks") or [], start=1)
            ),
        )
        for episode, (_, record) in latest.items()
    }


def _released(plays: list[Play], catalog: dict[str, CatalogEpisode], unit: timedelta):
    for play in plays:
        entry = catalog.get(play.episode_id)
        if entry is not None:
            yield play, (play.start_ts - entry.published_at) // unit


def _curve(grouped: dict[tuple[str, int], list[Play]]) -> dict[tuple[str, int], tuple]:
    curve = {}
    running: dict[str, int] = defaultdict(int)
    for (episode, step), group in sorted(grouped.items()):
        running[episode] += len(group)
        curve[(episode, step)] = (len(group), len({p.user_id for p in group}), running[episode])
    return curve


def launch_curve(
    plays: list[Play], catalog: dict[str, CatalogEpisode]
) -> dict[tuple[str, int], tuple[int, int, int]]:
    """(episode_id, days_since_release) -> (plays, unique_listeners, cumulative_plays)."""
    grouped: dict[tuple[str, int], list[Play]] = defaultdict(list)
    for play, days in _released(plays, catalog, timedelta(days=1)):
        grouped[(play.episode_id, days)].append(play)
    return _curve(grouped)


def launch_hours(
    plays: list[Play], catalog: dict[str, CatalogEpisode]
) -> dict[tuple[str, int], tuple[int, int, int]]:
    """(episode_id, hours_since_release 0-23) -> (plays, unique_listeners, cumulative)."""
    grouped: dict[tuple[str, int], list[Play]] = defaultdict(list)
    for play, hours in _released(plays, catalog, timedelta(hours=1)):
        if 0 <= hours <= 23:
            grouped[(play.episode_id, hours)].append(play)
    return _curve(grouped)


def heard_ranges(segments: list[tuple[Decimal, Decimal]]) -> list[tuple[Decimal, Decimal]]:
    """Segments joined where they overlap or touch."""
    ranges: list[list[Decimal]] = []
    for start, end in sorted(segments):
        if ranges and start <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], end)
        else:
            ranges.append([start, end])
    return [(start, end) for start, end in ranges]


def _heard(ranges: list[tuple[Decimal, Decimal]], point: Decimal) -> bool:
    return any(start <= point <= end for start, end in ranges)


def _markers(play: Play, ad_break: AdBreak) -> tuple[bool, ...]:
    ranges = heard_ranges(play.segments)
    length = ad_break.end_s - ad_break.start_s
    points = [ad_break.start_s + length * quarter / 4 for quarter in range(4)]
    whole = any(s <= ad_break.start_s and ad_break.end_s <= e for s, e in ranges)
    return (*(_heard(ranges, point) for point in points), whole)


def _reach(pairs: list[tuple[Play, tuple[bool, ...]]]) -> AdReach:
    counts = [sum(markers[i] for _, markers in pairs) for i in range(5)]
    return AdReach(len(pairs), len({play.user_id for play, _ in pairs}), *counts)


def _break_plays(plays: list[Play], catalog: dict[str, CatalogEpisode]):
    for play in plays:
        entry = catalog.get(play.episode_id)
        for ad_break in entry.ad_breaks if entry else ():
            yield play, ad_break, _markers(play, ad_break)


def ad_break_reach(
    plays: list[Play], catalog: dict[str, CatalogEpisode]
) -> dict[tuple[str, int], AdReach]:
    """(episode_id, break_number) -> AdReach over every play of the episode."""
    grouped: dict[tuple[str, int], list] = defaultdict(list)
    for play, ad_break, markers in _break_plays(plays, catalog):
        grouped[(play.episode_id, ad_break.number)].append((play, markers))
    return {key: _reach(pairs) for key, pairs in grouped.items()}


def daily_podcast_ad_reach(
    plays: list[Play], catalog: dict[str, CatalogEpisode]
) -> dict[tuple[date, str, str], AdReach]:
    """(event_date, podcast_id, kind) -> AdReach over (play, break) pairs."""
    grouped: dict[tuple[date, str, str], list] = defaultdict(list)
    for play, ad_break, markers in _break_plays(plays, catalog):
        grouped[(play.event_date, play.podcast_id, ad_break.kind)].append((play, markers))
    return {key: _reach(pairs) for key, pairs in grouped.items()}


def rate(part: int, whole: int) -> Decimal:
    return six_places(Decimal(part) / whole)
