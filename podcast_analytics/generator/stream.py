"""Records as the apps would send them: serialised, faulty at configured rates, in
(simulated) arrival order.

The stream is produced one event day at a time and never held whole: records arriving on a
later day (offline listening synced late, resends) wait in a per-day bucket, so memory
holds about one day of records.
"""

from __future__ import annotations

import functools
import json
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from podcast_analytics.generator.catalog import (
    Episode,
    Listener,
    World,
    build_world,
    expected_active_share,
)
from podcast_analytics.generator.listening import Event, ListenerState, listener_day

DAY_MS = 86_400_000
# Observed average of the simulation (18-22 across seeds and sizes): sizes the audience
# when a target event count is given.
EVENTS_PER_LISTENER_DAY = 19.5


@dataclass(frozen=True, slots=True)
class FaultRates:
    """Share of records affected by each fault (0..1)."""

    not_json: float = 0.002  # truncated JSON, plain text, invalid UTF-8, arrays
    contract_violation: float = 0.004  # a JSON object that breaks a contract rule
    duplicate: float = 0.01  # the same record resent (at-least-once delivery)
    late_arrival: float = 0.02  # arrives 1..late_max_days days after the event
    out_of_order: float = 0.05  # arrives after events that happened later
    late_max_days: int = 3

    def __post_init__(self) -> None:
        for name in ("not_json", "contract_violation", "duplicate", "late_arrival", "out_of_order"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"fault rate {name}={value} must be between 0 and 1")
        if self.late_max_days < 1:
            raise ValueError(f"late_max_days={self.late_max_days} must be at least 1")


@dataclass(frozen=True, slots=True)
class GeneratorSettings:
    seed: int = 42
    days: int = 14
    start: date = date(2026, 11, 1)
    listeners: int | None = None  # None: sized from `events` (or 1,000)
    # Target size: the audience is sized to produce about this many records over `days`.
    # Not a cut-off, because cutting the arrival-ordered stream would empty the last days.
    events: int | None = None
    faults: FaultRates = FaultRates()

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(f"days={self.days} must be at least 1")
        if self.events is not None and self.events < 1:
            raise ValueError(f"events={self.events} must be a positive number")
        if self.listeners is not None and self.listeners < 1:
            raise ValueError(f"listeners={self.listeners} must be a positive number")

    @property
    def listener_count(self) -> int:
        if self.listeners is not None:
            return self.listeners
        if self.events is None:
            return 1_000
        listener_days = self.days * EVENTS_PER_LISTENER_DAY * expected_active_share(self.days)
        return max(20, round(self.events / listener_days))


@dataclass(frozen=True, slots=True)
class GeneratedRecord:
    data: bytes  # the exact bytes the app sends (no trailing newline)
    partition_key: str  # the listener: keeps one listener's events in order on a shard
    arrival_ms: int  # simulated arrival, UTC epoch ms, non-decreasing along the stream
    fault: str | None = None  # not_json, contract_violation, duplicate (None: clean event)

    @property
    def arrival(self) -> datetime:
        return _EPOCH + timedelta(milliseconds=self.arrival_ms)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def generate(settings: GeneratorSettings) -> Iterator[GeneratedRecord]:
    """The seeded record stream, in arrival order, over the whole window."""
    rng = random.Random(settings.seed)
    return _arrivals(rng, _world(rng, settings), settings)


def generate_world(settings: GeneratorSettings) -> World:
    """The world `generate(settings)` simulates (its shows, episodes and ad breaks), for
    the catalog's feeds: the same draws, so the same episodes and durations."""
    return _world(random.Random(settings.seed), settings)


def _world(rng: random.Random, settings: GeneratorSettings) -> World:
    return build_world(
        rng,
        listeners=settings.listener_count,
        start=settings.start,
        days=settings.days,
        seed=settings.seed,
    )


def _arrivals(
    rng: random.Random, world: World, settings: GeneratorSettings
) -> Iterator[GeneratedRecord]:
    faults = settings.faults
    states = {listener.user_id: ListenerState() for listener in world.listeners}
    pending: defaultdict[int, list[tuple[int, int, bytes, str, str | None]]] = defaultdict(list)
    sequence = 0  # tie-breaker that keeps the sort stable and deterministic
    first_day = (settings.start - date(1970, 1, 1)).days
    last_day = first_day + settings.days - 1
    for day_index in range(settings.days):
        day = settings.start + timedelta(days=day_index)
        day_start_ms = (first_day + day_index) * DAY_MS
        available = _released_by(world, day)
        for listener in world.listeners:
            state = states[listener.user_id]
            if not listener.first_day <= day_index <= listener.last_day:
                continue  # not arrived yet, or gone
            newcomer, leaving = day_index == listener.first_day > 0, day_index == listener.last_day
            events = listener_day(
                rng, listener, state, day_start_ms, day.weekday(), available, newcomer, leaving
            )
            for event in events:
                for arrival_ms, data, fault in _deliveries(rng, event, faults):
                    sequence += 1
                    arrival_day = arrival_ms // DAY_MS
                    if arrival_day <= last_day:  # later arrivals fall after the run ends
                        pending[arrival_day].append(
                            (arrival_ms, sequence, data, listener.user_id, fault)
                        )
        today = pending.pop(first_day + day_index, [])
        today.sort()
        for arrival_ms, _, data, key, fault in today:
            yield GeneratedRecord(data, key, arrival_ms, fault)


def _released_by(world: World, day: date) -> dict[str, list[Episode]]:
    return {
        podcast.podcast_id: [e for e in podcast.episodes if e.released <= day]
        for podcast in world.podcasts
    }


def _deliveries(
    rng: random.Random, event: Event, faults: FaultRates
) -> Iterator[tuple[int, bytes, str | None]]:
    """The record(s) one event becomes on the wire, with their arrival times."""
    roll = rng.random()
    if roll < faults.not_json:
        data, fault = _not_json(rng, serialise(event)), "not_json"
    elif roll < faults.not_json + faults.contract_violation:
        data, fault = _violation(rng, event), "contract_violation"
    else:
        data, fault = serialise(event), None
    arrival = event.ts_ms + 200 + int(rng.random() * 3_800)  # network + client batching
    roll = rng.random()
    if roll < faults.late_arrival:
        arrival += rng.randint(1, faults.late_max_days) * DAY_MS + rng.randrange(DAY_MS // 4)
    elif roll < faults.late_arrival + faults.out_of_order:
        arrival += rng.randrange(60_000, 600_000)  # overtaken by the session's next events
    yield arrival, data, fault
    if rng.random() < faults.duplicate:
        # A resend after a timeout: same bytes, same event_id, seconds to hours later.
        yield arrival + int(rng.expovariate(1 / 120_000)), data, "duplicate"


_KEY_ORDER = ("event_id", "event_type", "event_ts", "user_id", "podcast_id")


def format_ts(ts_ms: int, offset_min: int) -> str:
    """RFC 3339 with millisecond precision, in UTC (`Z`) or local time with an offset."""
    local_ms = ts_ms + offset_min * 60_000
    day, ms_of_day = divmod(local_ms, DAY_MS)
    seconds, millis = divmod(ms_of_day, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    text = f"{_day_text(day)}T{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}"
    if offset_min == 0:
        return text + "Z"
    sign = "+" if offset_min > 0 else "-"
    hours, mins = divmod(abs(offset_min), 60)
    return f"{text}{sign}{hours:02d}:{mins:02d}"


@functools.lru_cache(maxsize=64)
def _day_text(epoch_day: int) -> str:
    return (date(1970, 1, 1) + timedelta(days=epoch_day)).isoformat()


def event_payload(event: Event) -> dict[str, object]:
    listener = event.listener
    offset = listener.utc_offset_min if listener.sends_local_offset else 0
    payload: dict[str, object] = {
        "event_id": f"{listener.user_id}-{event.ts_ms:x}-{event.event_type[:2]}",
        "event_type": event.event_type,
        "event_ts": format_ts(event.ts_ms, offset),
        "user_id": listener.user_id,
        "podcast_id": event.podcast_id,
    }
    if event.episode is not None:
        payload["episode_id"] = event.episode.episode_id
        payload["episode_duration_s"] = event.episode.duration_s
    if event.position_s is not None:
        payload["position_s"] = event.position_s
    if event.seek_from_s is not None:
        payload["seek_from_s"] = event.seek_from_s
    if event.session_id is not None:
        payload["session_id"] = event.session_id
    payload["client"] = {
        "app": listener.app,
        "app_version": listener.app_version,
        "platform": listener.platform,
    }
    payload["country"] = listener.country
    payload.update(event.extra)
    return payload


def serialise(event: Event) -> bytes:
    """`event_payload` as compact JSON, written directly because it is the generator's hot
    path (ids are generated, so they never need escaping); a test pins it to json.dumps."""
    listener = event.listener
    offset = listener.utc_offset_min if listener.sends_local_offset else 0
    parts = [
        f'{{"event_id":"{listener.user_id}-{event.ts_ms:x}-{event.event_type[:2]}",'
        f'"event_type":"{event.event_type}","event_ts":"{format_ts(event.ts_ms, offset)}",'
        f'"user_id":"{listener.user_id}","podcast_id":"{event.podcast_id}"'
    ]
    if event.episode is not None:
        parts.append(
            f',"episode_id":"{event.episode.episode_id}",'
            f'"episode_duration_s":{event.episode.duration_s}'
        )
    if event.position_s is not None:
        parts.append(f',"position_s":{event.position_s!r}')
    if event.seek_from_s is not None:
        parts.append(f',"seek_from_s":{event.seek_from_s!r}')
    if event.session_id is not None:
        parts.append(f',"session_id":"{event.session_id}"')
    parts.append(_client_json(listener))
    if event.extra:
        return json.dumps(event_payload(event), separators=(",", ":")).encode()
    return "".join(parts).encode()


@functools.cache
def _client_json(listener: Listener) -> str:
    client = json.dumps(
        {"app": listener.app, "app_version": listener.app_version, "platform": listener.platform},
        separators=(",", ":"),
    )
    return f',"client":{client},"country":"{listener.country}"}}'


def _not_json(rng: random.Random, good: bytes) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return good[: rng.randrange(5, len(good) - 1)]  # truncated mid-flight
    if kind == 1:
        return b"ERROR 502 upstream timeout"
    if kind == 2:
        return good.replace(b'"country":"', b'"country":"\xff\xfe', 1)  # invalid UTF-8
    return b"[" + good + b"]"  # a batch wrapper the backend forgot to unwrap


# Each violation breaks exactly one contract rule; the reason code it should earn is noted.
def _violation(rng: random.Random, event: Event) -> bytes:
    payload = event_payload(event)
    kind = rng.randrange(8)
    if kind == 0:
        del payload["event_id"]  # missing_field:event_id
    elif kind == 1:
        payload["event_type"] = "fast_forward"  # unknown_event_type
    elif kind == 2:
        payload["event_ts"] = str(payload["event_ts"]).replace("T", " ")[:19]  # bad_timestamp
    elif kind == 3:
        payload["event_ts"] = format_ts(event.ts_ms + 3 * DAY_MS, 0)  # future_timestamp
    elif kind == 4 and "position_s" in payload:
        payload["position_s"] = -abs(float(payload["position_s"] or 0)) - 1.0  # negative_position
    elif kind == 5 and "position_s" in payload:
        payload["position_s"] = str(payload["position_s"])  # bad_type:position_s
    elif kind == 6:
        payload["user_id"] = None  # missing_field:user_id
    else:
        payload["country"] = "United Kingdom"  # bad_value:country
    return json.dumps(payload, separators=(",", ":")).encode()
