"""A second, independent implementation of the dbt project's numbers, in plain Python.

The end-to-end tests compare the warehouse with this: if the SQL and this module agree on
the same raw rows, a bug would have to be made twice, in two languages, the same way.
It follows the definitions written in `transform/models/**/*.yml`, not the SQL.

API:
    rows = [RawRow(record_text, source_file, source_row, loaded_at), ...]
    recon = reconcile(rows, future_tolerance_s=300)        # loaded = valid + quarantined + dup
    marts = compute_marts(rows, future_tolerance_s=300, session_gap_minutes=30)
    marts.daily_podcast_kpis[(date, podcast_id)].plays

`loaded_at` is a naive UTC datetime, as the raw table stores it.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from podcast_analytics.config import load_settings
from podcast_analytics.contract import POSITION_EVENT_TYPES, invalid_reason, parse_event_ts

PLAYING_AFTER = frozenset(("play", "resume", "progress", "seek"))
# A span never counts more than its wall time at this speed (the shared config's value).
MAX_PLAYBACK_SPEED = float(load_settings("local").events.max_playback_speed)
DROPOFF_MARKS = tuple(range(0, 101, 10))


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
    position_s: float | None
    seek_from_s: float | None
    episode_duration_s: float | None


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


@dataclass(frozen=True, slots=True)
class Play:
    """One listener with one episode in one session."""

    user_id: str
    podcast_id: str
    episode_id: str
    start_ts: datetime
    seconds_listened: float
    furthest_position_listened_s: float | None
    episode_duration_s: float | None
    is_completed: bool

    @property
    def event_date(self) -> date:
        return self.start_ts.date()

    @property
    def consumption_ratio(self) -> float | None:
        if self.episode_duration_s is None or self.episode_duration_s <= 0:
            return None
        return min(1.0, self.seconds_listened / self.episode_duration_s)


@dataclass(frozen=True, slots=True)
class Kpis:
    plays: int
    unique_listeners: int
    minutes_listened: float
    completion_rate: float
    avg_consumption: float | None


@dataclass(frozen=True, slots=True)
class Marts:
    """The marts' numbers, keyed the way the marts are."""

    sessions: int
    plays: list[Play]
    daily_podcast_kpis: dict[tuple[date, str], Kpis]
    daily_episode_kpis: dict[tuple[date, str, str], Kpis]
    # (episode_id, pct_of_episode) -> (listeners_reached, share_of_listeners)
    episode_dropoff: dict[tuple[str, int], tuple[int, float]]
    # (cohort_week, weeks_since_first_listen) -> (cohort_listeners, active_listeners)
    listener_retention: dict[tuple[date, int], tuple[int, int]]
    extra: dict[str, object] = field(default_factory=dict)


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


def valid_events(rows: Iterable[RawRow], *, future_tolerance_s: int) -> list[Event]:
    """The events `stg_user_events` should hold: valid records, first arrival per id."""
    _, winners = _classify(rows, future_tolerance_s)

    def number(obj: dict, name: str) -> float | None:
        value = obj.get(name)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        return float(value) if is_number else None

    events = []
    for _, obj in winners:
        ts = parse_event_ts(obj["event_ts"])
        assert ts is not None  # valid records have a real timestamp
        episode = obj.get("episode_id")
        events.append(
            Event(
                event_id=obj["event_id"],
                event_type=obj["event_type"],
                event_ts=_naive_utc(ts),
                user_id=obj["user_id"],
                podcast_id=obj["podcast_id"],
                episode_id=episode if isinstance(episode, str) else None,
                position_s=number(obj, "position_s"),
                seek_from_s=number(obj, "seek_from_s"),
                episode_duration_s=number(obj, "episode_duration_s"),
            )
        )
    return events


def sessionize(events: list[Event], gap: timedelta) -> list[list[Event]]:
    """Each listener's events in time order, cut wherever the silence is longer than `gap`."""
    by_user: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_user[event.user_id].append(event)
    sessions: list[list[Event]] = []
    for user_events in by_user.values():
        user_events.sort(key=lambda e: (e.event_ts, e.event_id))
        current = [user_events[0]]
        for previous, event in itertools.pairwise(user_events):
            if event.event_ts - previous.event_ts > gap:
                sessions.append(current)
                current = []
            current.append(event)
        sessions.append(current)
    return sessions


def plays_of_session(session: list[Event]) -> list[Play]:
    """Plays in one session: playhead advance while playing, one episode at a time, at most
    MAX_PLAYBACK_SPEED times the wall-clock time between the two events."""
    playhead = [e for e in session if e.event_type in POSITION_EVENT_TYPES]
    listened: dict[str, float] = defaultdict(float)
    furthest: dict[str, float] = {}
    for current, following in zip(playhead, [*playhead[1:], None], strict=True):
        if following is None or following.episode_id != current.episode_id:
            continue
        if current.event_type not in PLAYING_AFTER:
            continue
        end = following.seek_from_s if following.event_type == "seek" else following.position_s
        assert end is not None and current.position_s is not None
        wall_clock_s = (following.event_ts - current.event_ts) / timedelta(microseconds=1) / 1e6
        advance = min(end - current.position_s, wall_clock_s * MAX_PLAYBACK_SPEED)
        if end > current.position_s and advance > 0:
            listened[current.episode_id] += advance  # type: ignore[index]
            episode = current.episode_id
            furthest[episode] = max(furthest.get(episode, end), end)  # type: ignore[arg-type]
    plays = []
    for episode in dict.fromkeys(e.episode_id for e in playhead):
        events = [e for e in playhead if e.episode_id == episode]
        durations = [e.episode_duration_s for e in events if e.episode_duration_s is not None]
        plays.append(
            Play(
                user_id=events[0].user_id,
                podcast_id=min(e.podcast_id for e in events),
                episode_id=episode,  # type: ignore[arg-type]
                start_ts=min(e.event_ts for e in events),
                seconds_listened=listened.get(episode, 0.0),  # type: ignore[arg-type]
                furthest_position_listened_s=furthest.get(episode),  # type: ignore[arg-type]
                episode_duration_s=max(durations) if durations else None,
                is_completed=any(e.event_type == "complete" for e in events),
            )
        )
    return plays


def _kpis(plays: list[Play]) -> Kpis:
    consumptions = [c for p in plays if (c := p.consumption_ratio) is not None]
    return Kpis(
        plays=len(plays),
        unique_listeners=len({p.user_id for p in plays}),
        minutes_listened=sum(p.seconds_listened for p in plays) / 60.0,
        completion_rate=sum(p.is_completed for p in plays) / len(plays),
        avg_consumption=sum(consumptions) / len(consumptions) if consumptions else None,
    )


def _dropoff(events: list[Event], plays: list[Play]) -> dict[tuple[str, int], tuple[int, float]]:
    durations: dict[str, float] = {}
    for event in events:
        if event.episode_id is not None and event.episode_duration_s is not None:
            known = durations.get(event.episode_id, event.episode_duration_s)
            durations[event.episode_id] = max(known, event.episode_duration_s)
    furthest: dict[tuple[str, str], float] = {}
    for play in plays:
        key = (play.episode_id, play.user_id)
        reached = play.furthest_position_listened_s
        if reached is not None:
            furthest[key] = max(furthest.get(key, reached), reached)
        else:
            furthest.setdefault(key, 0.0)
    listeners: dict[str, list[float]] = defaultdict(list)
    for (episode, _user), position in furthest.items():
        duration = durations.get(episode)
        if duration is not None and duration > 0:
            listeners[episode].append(position / duration)
    curve = {}
    for episode, shares in listeners.items():
        for pct in DROPOFF_MARKS:
            reached = sum(1 for share in shares if share >= pct / 100.0)
            curve[(episode, pct)] = (reached, reached / len(shares))
    return curve


def _retention(plays: list[Play]) -> dict[tuple[date, int], tuple[int, int]]:
    def monday(day: date) -> date:
        return day - timedelta(days=day.weekday())

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


def compute_marts(
    rows: Iterable[RawRow], *, future_tolerance_s: int, session_gap_minutes: int
) -> Marts:
    """Every KPI mart from raw rows, following the metric definitions in the YAML docs."""
    events = valid_events(list(rows), future_tolerance_s=future_tolerance_s)
    sessions = sessionize(events, timedelta(minutes=session_gap_minutes))
    plays = [play for session in sessions for play in plays_of_session(session)]
    by_podcast_day: dict[tuple[date, str], list[Play]] = defaultdict(list)
    by_episode_day: dict[tuple[date, str, str], list[Play]] = defaultdict(list)
    for play in plays:
        by_podcast_day[(play.event_date, play.podcast_id)].append(play)
        by_episode_day[(play.event_date, play.podcast_id, play.episode_id)].append(play)
    return Marts(
        sessions=len(sessions),
        plays=plays,
        daily_podcast_kpis={key: _kpis(group) for key, group in by_podcast_day.items()},
        daily_episode_kpis={key: _kpis(group) for key, group in by_episode_day.items()},
        episode_dropoff=_dropoff(events, plays),
        listener_retention=_retention(plays),
    )
