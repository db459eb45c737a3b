"""A second, independent implementation of the marts' numbers, in plain Python.

The end-to-end tests compare the warehouse with this: if the SQL and this module agree on
the same raw rows, a bug would have to be made twice, in two languages, the same way. It is
written from the definitions in transform/docs/methodology.md, not from the SQL: each
listener's events are replayed one by one through a small player model (what episode is
loaded, where the playhead is, whether it is playing), the way an app would experience
them. Numbers are `Decimal`s rounded as the methodology states (seconds to 3 places,
minutes and rates to 6, half away from zero), so a comparison can be exact.

API:
    rows = [RawRow(record_text, source_file, source_row, loaded_at), ...]
    recon = reconcile(rows, future_tolerance_s=300)        # loaded = valid + quarantined + dup
    marts = compute_marts(rows, future_tolerance_s=300, session_gap_minutes=30)
    marts.daily_podcast_kpis[(date, podcast_id)].plays

`loaded_at` is a naive UTC datetime, as the raw table stores it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from podcast_analytics.config import load_settings
from podcast_analytics.contract import invalid_reason, parse_event_ts

# The rules' constants, as docs/methodology.md states them.
PLAYBACK_EVENTS = frozenset(("play", "pause", "resume", "seek", "progress", "complete", "skip"))
PLAYING_AFTER = frozenset(("play", "resume", "progress", "seek"))
# Rule 2: in one instant, what stops playback, then what moves the playhead, then what starts it.
SAME_INSTANT_ORDER = {"pause": 1, "complete": 1, "skip": 1, "seek": 2, "progress": 2}
_EVENTS = load_settings("local").events  # the shared config's values
MAX_PLAYBACK_SPEED = _EVENTS.max_playback_speed  # a span counts at most wall time x this
EARLIEST_EVENT_TS = _EVENTS.earliest_event_instant
COMPLETION_THRESHOLD = Decimal(str(_EVENTS.completion_threshold))
STREAM_SECONDS = 60
ENGAGED_SECONDS = 1200
ENGAGED_SHARE = Decimal("0.4")
CURVE_POINTS = tuple(range(0, 101, 5))

_MS = Decimal("0.001")
_MICRO = Decimal("0.000001")


def seconds(value: Decimal) -> Decimal:
    """Seconds and positions: millisecond precision."""
    return value.quantize(_MS, rounding=ROUND_HALF_UP)


def six_places(value: Decimal) -> Decimal:
    """Minutes and rates: six decimal places."""
    return value.quantize(_MICRO, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class RawRow:
    """One row of the raw table: the record text and where and when it was loaded."""

    record: str
    source_file: str
    source_row: int
    loaded_at: datetime  # naive UTC


@dataclass(frozen=True, slots=True)
class Event:
    """A valid, first-arrival event with the fields the marts use (event_ts naive UTC)."""

    event_id: str
    event_type: str
    event_ts: datetime
    user_id: str
    podcast_id: str
    episode_id: str | None
    position_s: Decimal | None
    seek_from_s: Decimal | None
    episode_duration_s: Decimal | None
    client_app: str | None = None
    client_platform: str | None = None
    country: str | None = None

    @property
    def event_date(self) -> date:
        return self.event_ts.date()


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Where every loaded record went. `status` maps (source_file, source_row) to
    'valid' / 'quarantined' / 'duplicate'; `reasons` to the invalid_reason or None."""

    loaded: int
    valid: int
    quarantined: int
    duplicates: int
    by_reason: dict[str, int]
    status: dict[tuple[str, int], str]
    reasons: dict[tuple[str, int], str | None]


@dataclass(slots=True)
class Play:
    """One listener with one episode in one session (counted if started or heard)."""

    user_id: str
    episode_id: str
    session_start: datetime
    start_ts: datetime
    first_event: Event
    podcast_id: str = ""
    episode_duration_s: Decimal | None = None
    started: bool = False
    app_reported_complete: bool = False
    seconds_listened: Decimal = Decimal(0)
    segments: list[tuple[Decimal, Decimal]] = field(default_factory=list)

    @property
    def event_date(self) -> date:
        return self.start_ts.date()

    @property
    def counts(self) -> bool:
        """Rule 4: a play or resume, or something heard; a lone skip is no play."""
        return self.started or self.seconds_listened > 0

    @property
    def furthest_position_listened_s(self) -> Decimal | None:
        return max((end for _, end in self.segments), default=None)

    @property
    def is_completed(self) -> bool:
        furthest, duration = self.furthest_position_listened_s, self.episode_duration_s
        if furthest is None or duration is None:
            return False
        return furthest >= COMPLETION_THRESHOLD * duration

    @property
    def is_stream(self) -> bool:
        return self.seconds_listened >= STREAM_SECONDS

    @property
    def is_engaged(self) -> bool:
        if self.seconds_listened >= ENGAGED_SECONDS:
            return True
        duration = self.episode_duration_s
        return duration is not None and self.seconds_listened >= ENGAGED_SHARE * duration

    @property
    def consumption_ratio(self) -> Decimal | None:
        duration = self.episode_duration_s
        if duration is None or duration <= 0:
            return None
        return six_places(min(Decimal(1), self.seconds_listened / duration))


@dataclass(frozen=True, slots=True)
class Kpis:
    plays: int
    streams: int
    unique_listeners: int
    engaged_listeners: int
    minutes_listened: Decimal
    completed_plays: int
    completion_rate: Decimal
    avg_consumption: Decimal | None


@dataclass(frozen=True, slots=True)
class Listeners:
    """Listeners over a period: counted over the period's plays, never summed."""

    plays: int
    streams: int
    unique_listeners: int
    engaged_listeners: int
    minutes_listened: Decimal


@dataclass(frozen=True, slots=True)
class Marts:
    """The marts' numbers, keyed the way the marts are."""

    sessions: int
    plays: list[Play]
    daily_podcast_kpis: dict[tuple[date, str], Kpis]
    daily_episode_kpis: dict[tuple[date, str, str], Kpis]
    # (episode_id, pct_of_episode) -> (listeners, share_of_listeners)
    listening_curve: dict[tuple[str, int], tuple[int, Decimal]]
    # (cohort_week, weeks_since_first_listen) -> (cohort_listeners, active_listeners)
    listener_retention: dict[tuple[date, int], tuple[int, int]]
    # (period start[, podcast_id]) -> Listeners
    daily_network_listeners: dict[tuple, Listeners]
    weekly_podcast_listeners: dict[tuple, Listeners]
    weekly_network_listeners: dict[tuple, Listeners]
    monthly_podcast_listeners: dict[tuple, Listeners]
    monthly_network_listeners: dict[tuple, Listeners]
    # (event_date, podcast_id) -> (follows, unfollows, followers)
    podcast_followers: dict[tuple[date, str], tuple[int, int, int]]
    # (event_date, podcast_id, episode_id) -> (downloads, download_events)
    episode_downloads: dict[tuple[date, str, str], tuple[int, int]]
    # dimension -> (event_date, podcast_id, value) -> (plays, listeners, minutes)
    breakdowns: dict[str, dict[tuple[date, str, str], tuple[int, int, Decimal]]]
    # (user_id, episode_id) -> (plays, seconds, furthest, completed, share, share uncapped)
    listener_episodes: dict[tuple[str, str], tuple]


# ------------------------------------------------------------------------------ records


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _classify(
    rows: Iterable[RawRow], future_tolerance_s: int
) -> tuple[Reconciliation, list[tuple[RawRow, dict]]]:
    ordered = sorted(rows, key=lambda r: (r.loaded_at, r.source_file, r.source_row))
    status: dict[tuple[str, int], str] = {}
    reasons: dict[tuple[str, int], str | None] = {}
    seen: set[str] = set()
    winners: list[tuple[RawRow, dict]] = []
    for row in ordered:
        key = (row.source_file, row.source_row)
        obj = json.loads(row.record)
        reason = invalid_reason(
            obj,
            received_at=row.loaded_at.replace(tzinfo=UTC),
            future_tolerance_s=future_tolerance_s,
            earliest_event_ts=EARLIEST_EVENT_TS,
        )
        reasons[key] = reason
        if reason is not None:
            status[key] = "quarantined"
        elif obj["event_id"] in seen:
            status[key] = "duplicate"
        else:
            seen.add(obj["event_id"])
            status[key] = "valid"
            winners.append((row, obj))
    counts = Counter(status.values())
    recon = Reconciliation(
        loaded=len(status),
        valid=counts["valid"],
        quarantined=counts["quarantined"],
        duplicates=counts["duplicate"],
        by_reason=dict(Counter(r for r in reasons.values() if r is not None)),
        status=status,
        reasons=reasons,
    )
    return recon, winners


def reconcile(rows: Iterable[RawRow], *, future_tolerance_s: int) -> Reconciliation:
    """Classify every raw row: valid (first arrival), quarantined (with reason), duplicate."""
    return _classify(rows, future_tolerance_s)[0]


def _number(obj: dict, name: str) -> Decimal | None:
    value = obj.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return seconds(Decimal(repr(value)))  # the JSON number as written, to the millisecond


def _text(obj: object, name: str) -> str | None:
    value = obj.get(name) if isinstance(obj, dict) else None
    return value if isinstance(value, str) else None


def valid_events(rows: Iterable[RawRow], *, future_tolerance_s: int) -> list[Event]:
    """The events `stg_user_events` should hold: valid records, first arrival per id."""
    _, winners = _classify(rows, future_tolerance_s)
    events = []
    for _, obj in winners:
        ts = parse_event_ts(obj["event_ts"])
        assert ts is not None  # valid records have a real timestamp
        client = obj.get("client")
        events.append(
            Event(
                event_id=obj["event_id"],
                event_type=obj["event_type"],
                event_ts=_naive_utc(ts),
                user_id=obj["user_id"],
                podcast_id=obj["podcast_id"],
                episode_id=_text(obj, "episode_id"),
                position_s=_number(obj, "position_s"),
                seek_from_s=_number(obj, "seek_from_s"),
                episode_duration_s=_number(obj, "episode_duration_s"),
                client_app=_text(client, "app"),
                client_platform=_text(client, "platform"),
                country=_text(obj, "country"),
            )
        )
    return events


# ------------------------------------------------------------------------------ listening


def resolve_episodes(events: list[Event]) -> dict[str, tuple[str, Decimal | None]]:
    """Rule 8: an episode's one podcast (smallest reported) and duration (longest)."""
    podcasts: dict[str, set[str]] = defaultdict(set)
    durations: dict[str, list[Decimal]] = defaultdict(list)
    for event in events:
        if event.episode_id is None:
            continue
        podcasts[event.episode_id].add(event.podcast_id)
        if event.episode_duration_s is not None:
            durations[event.episode_id].append(event.episode_duration_s)
    return {
        episode: (min(names), max(durations[episode]) if durations[episode] else None)
        for episode, names in podcasts.items()
    }


@dataclass(slots=True)
class _Player:
    """What the listener's app is doing between two playback events."""

    episode_id: str | None = None
    position_s: Decimal = Decimal(0)
    playing: bool = False
    at: datetime | None = None


def replay_listener(events: list[Event], gap: timedelta) -> tuple[int, list[Play]]:
    """One listener's playback events, one at a time: (sessions, plays of every session)."""
    playback = sorted(
        (e for e in events if e.event_type in PLAYBACK_EVENTS),
        key=lambda e: (e.event_ts, SAME_INSTANT_ORDER.get(e.event_type, 3), e.event_id),
    )
    sessions = 0
    plays: list[Play] = []
    current: dict[str, Play] = {}
    player = _Player()
    session_start: datetime | None = None
    for event in playback:
        if player.at is None or event.event_ts - player.at > gap:
            # Rule 1: a new session, and the app starts from nothing we know about.
            sessions += 1
            session_start = event.event_ts
            current = {}
            player = _Player()
        assert event.episode_id is not None and event.position_s is not None
        play = current.get(event.episode_id)
        if play is None:
            assert session_start is not None
            play = Play(event.user_id, event.episode_id, session_start, event.event_ts, event)
            current[event.episode_id] = play
            plays.append(play)
        # What was heard since the previous event (rule 3): only if the app was playing
        # this same episode; up to where the playhead got; never more than wall time x speed.
        if player.playing and player.episode_id == event.episode_id and player.at is not None:
            reached = event.seek_from_s if event.event_type == "seek" else event.position_s
            assert reached is not None
            if reached > player.position_s:
                wall = Decimal((event.event_ts - player.at) // timedelta(microseconds=1))
                heard = seconds(
                    min(reached - player.position_s, wall / 1_000_000 * MAX_PLAYBACK_SPEED)
                )
                if heard > 0:
                    play.seconds_listened += heard
                    play.segments.append((player.position_s, player.position_s + heard))
        if event.event_type in ("play", "resume"):
            play.started = True
        if event.event_type == "complete":
            play.app_reported_complete = True
        player.episode_id = event.episode_id
        player.position_s = event.position_s
        player.playing = event.event_type in PLAYING_AFTER
        player.at = event.event_ts
    return sessions, [play for play in plays if play.counts]


# ------------------------------------------------------------------------------ marts


def _kpis(plays: list[Play]) -> Kpis:
    consumptions = [c for p in plays if (c := p.consumption_ratio) is not None]
    completed = sum(p.is_completed for p in plays)
    return Kpis(
        plays=len(plays),
        streams=sum(p.is_stream for p in plays),
        unique_listeners=len({p.user_id for p in plays}),
        engaged_listeners=len({p.user_id for p in plays if p.is_engaged}),
        minutes_listened=six_places(sum((p.seconds_listened for p in plays), Decimal(0)) / 60),
        completed_plays=completed,
        completion_rate=six_places(Decimal(completed) / len(plays)),
        avg_consumption=six_places(sum(consumptions, Decimal(0)) / len(consumptions))
        if consumptions
        else None,
    )


def _listeners(plays: list[Play]) -> Listeners:
    return Listeners(
        plays=len(plays),
        streams=sum(p.is_stream for p in plays),
        unique_listeners=len({p.user_id for p in plays}),
        engaged_listeners=len({p.user_id for p in plays if p.is_engaged}),
        minutes_listened=six_places(sum((p.seconds_listened for p in plays), Decimal(0)) / 60),
    )


def _grouped(plays: list[Play], key) -> dict[tuple, list[Play]]:
    groups: dict[tuple, list[Play]] = defaultdict(list)
    for play in plays:
        groups[key(play)].append(play)
    return groups


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _curve(plays: list[Play]) -> dict[tuple[str, int], tuple[int, Decimal]]:
    """Rule 7: per point, the distinct listeners whose heard segments cover it."""
    listeners: dict[str, set[str]] = defaultdict(set)
    segments: dict[str, list[tuple[str, Decimal, Decimal]]] = defaultdict(list)
    durations: dict[str, Decimal] = {}
    for play in plays:
        duration = play.episode_duration_s
        if duration is None or duration <= 0:
            continue
        durations[play.episode_id] = duration
        listeners[play.episode_id].add(play.user_id)
        segments[play.episode_id].extend((play.user_id, s, e) for s, e in play.segments)
    curve = {}
    for episode, everyone in listeners.items():
        for pct in CURVE_POINTS:
            point = durations[episode] * pct / 100
            heard = {user for user, start, end in segments[episode] if start <= point <= end}
            curve[(episode, pct)] = (len(heard), six_places(Decimal(len(heard)) / len(everyone)))
    return curve


def _retention(plays: list[Play]) -> dict[tuple[date, int], tuple[int, int]]:
    weeks_by_user: dict[str, set[date]] = defaultdict(set)
    for play in plays:
        weeks_by_user[play.user_id].add(monday(play.event_date))
    cohort_of = {user: min(weeks) for user, weeks in weeks_by_user.items()}
    cohort_size = Counter(cohort_of.values())
    observed = set().union(*weeks_by_user.values()) if weeks_by_user else set()
    active: Counter[tuple[date, date]] = Counter()
    for user, weeks in weeks_by_user.items():
        for week in weeks:
            active[(cohort_of[user], week)] += 1
    return {
        (cohort, (week - cohort).days // 7): (size, active[(cohort, week)])
        for cohort, size in cohort_size.items()
        for week in observed
        if week >= cohort
    }


def _followers(events: list[Event]) -> dict[tuple[date, str], tuple[int, int, int]]:
    """One state per listener and show: only changes of state count."""
    following: dict[tuple[str, str], bool] = {}
    changes: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
    for event in sorted(events, key=lambda e: (e.event_ts, e.event_id)):
        if event.event_type not in ("subscribe", "unsubscribe"):
            continue
        key = (event.user_id, event.podcast_id)
        was, now = following.get(key, False), event.event_type == "subscribe"
        if now and not was:
            changes[(event.event_date, event.podcast_id)][0] += 1
        elif was and not now:
            changes[(event.event_date, event.podcast_id)][1] += 1
        following[key] = now
    days = sorted({e.event_date for e in events})
    first_day: dict[str, date] = {}
    for day, podcast in changes:
        first_day[podcast] = min(first_day.get(podcast, day), day)
    result = {}
    for podcast, first in first_day.items():
        total = 0
        for day in days:
            if day < first:
                continue
            follows, unfollows = changes.get((day, podcast), [0, 0])
            total += follows - unfollows
            result[(day, podcast)] = (follows, unfollows, total)
    return result


def _downloads(
    events: list[Event], episodes: dict[str, tuple[str, Decimal | None]]
) -> dict[tuple[date, str, str], tuple[int, int]]:
    """Once per listener and episode per UTC calendar day."""
    who: dict[tuple[date, str, str], set[str]] = defaultdict(set)
    received: Counter[tuple[date, str, str]] = Counter()
    for event in events:
        if event.event_type != "download" or event.episode_id is None:
            continue
        key = (event.event_date, episodes[event.episode_id][0], event.episode_id)
        who[key].add(event.user_id)
        received[key] += 1
    return {key: (len(users), received[key]) for key, users in who.items()}


def _breakdown(plays: list[Play], attribute: str) -> dict[tuple[date, str, str], tuple]:
    def value(play: Play) -> str:
        return getattr(play.first_event, attribute) or "unknown"

    return {
        key: (len(group), len({p.user_id for p in group}), _listeners(group).minutes_listened)
        for key, group in _grouped(plays, lambda p: (p.event_date, p.podcast_id, value(p))).items()
    }


def _listener_episodes(plays: list[Play]) -> dict[tuple[str, str], tuple]:
    result = {}
    for key, group in _grouped(plays, lambda p: (p.user_id, p.episode_id)).items():
        heard = sum((p.seconds_listened for p in group), Decimal(0))
        furthest = max(
            (f for p in group if (f := p.furthest_position_listened_s) is not None), default=None
        )
        duration = group[0].episode_duration_s
        share = uncapped = None
        if duration is not None and duration > 0:
            uncapped = six_places(heard / duration)
            share = six_places(min(Decimal(1), heard / duration))
        completed = any(p.is_completed for p in group)
        result[key] = (len(group), heard, furthest, completed, share, uncapped)
    return result


def compute_marts(
    rows: Iterable[RawRow],
    *,
    future_tolerance_s: int,
    session_gap_minutes: int,
    catalog: Mapping[str, Any] | None = None,
) -> Marts:
    """Every mart's numbers from raw rows, following docs/methodology.md. `catalog`
    (tests/reference/catalog.py's catalog_episodes) gives the podcast and duration of the
    episodes it lists (rule 8)."""
    events = valid_events(list(rows), future_tolerance_s=future_tolerance_s)
    episodes = resolve_episodes(events)
    for episode_id, entry in (catalog or {}).items():
        if episode_id in episodes:
            episodes[episode_id] = (entry.podcast_id, entry.duration_s)
    by_listener: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_listener[event.user_id].append(event)
    sessions = 0
    plays: list[Play] = []
    for listener_events in by_listener.values():
        count, listener_plays = replay_listener(
            listener_events, timedelta(minutes=session_gap_minutes)
        )
        sessions += count
        plays.extend(listener_plays)
    for play in plays:
        play.podcast_id, play.episode_duration_s = episodes[play.episode_id]

    def by(key) -> dict[tuple, Listeners]:
        return {k: _listeners(group) for k, group in _grouped(plays, key).items()}

    def month(day: date) -> date:
        return day.replace(day=1)

    return Marts(
        sessions=sessions,
        plays=plays,
        daily_podcast_kpis={
            k: _kpis(g) for k, g in _grouped(plays, lambda p: (p.event_date, p.podcast_id)).items()
        },
        daily_episode_kpis={
            k: _kpis(g)
            for k, g in _grouped(
                plays, lambda p: (p.event_date, p.podcast_id, p.episode_id)
            ).items()
        },
        listening_curve=_curve(plays),
        listener_retention=_retention(plays),
        daily_network_listeners=by(lambda p: (p.event_date,)),
        weekly_podcast_listeners=by(lambda p: (monday(p.event_date), p.podcast_id)),
        weekly_network_listeners=by(lambda p: (monday(p.event_date),)),
        monthly_podcast_listeners=by(lambda p: (month(p.event_date), p.podcast_id)),
        monthly_network_listeners=by(lambda p: (month(p.event_date),)),
        podcast_followers=_followers(events),
        episode_downloads=_downloads(events, episodes),
        breakdowns={
            "client_app": _breakdown(plays, "client_app"),
            "client_platform": _breakdown(plays, "client_platform"),
            "country": _breakdown(plays, "country"),
        },
        listener_episodes=_listener_episodes(plays),
    )
