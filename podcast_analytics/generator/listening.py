"""One listener's day, as the events a podcast app would send.

A session is a stretch of listening: play, progress heartbeats every 30-60 s of wall time,
the occasional seek or pause/resume, and an end (complete, pause, or skip). Positions are
episode seconds, which advance at the listener's playback speed. Listeners resume an
episode where they left it, so completion builds across days.

The situations the metric rules are about happen at realistic rates: autoplay hands over
to the next episode in the same millisecond as `complete`, queued episodes are skipped
without being played, apps download in the background (also during a pause, and retry),
the playhead sometimes leaps without a seek (a second device, a lost event), newcomers
follow their shows and some leavers unfollow.
"""

from __future__ import annotations

import random
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field

from podcast_analytics.generator.catalog import HOUR_WEIGHTS, Episode, Listener

_HOURS = range(24)


@dataclass(slots=True)
class Event:
    """An event before serialisation; `ts_ms` is UTC epoch milliseconds."""

    event_type: str
    ts_ms: int
    listener: Listener
    podcast_id: str
    episode: Episode | None = None
    position_s: float | None = None
    seek_from_s: float | None = None
    session_id: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class ListenerState:
    """What a listener's app remembers between days."""

    progress: dict[str, float] = field(default_factory=dict)  # episode_id -> position
    finished: set[str] = field(default_factory=set)
    downloaded: set[str] = field(default_factory=set)
    following: set[str] = field(default_factory=set)  # podcast ids followed in the window
    sessions: int = 0
    # A late-evening session can run past midnight: the next day starts after it, so one
    # listener never has two playheads at once.
    busy_until_ms: int = 0


AUTOPLAY = 0.6  # after a complete, the app starts the next episode in the same millisecond
QUEUE_SKIP = 0.05  # a queued episode skipped before it plays (a lone `skip`)
LEAP = 0.003  # per heartbeat: the playhead jumps ahead with no seek event
DOWNLOAD_IN_PAUSE = 0.15  # a background download while paused
BACKGROUND_DOWNLOAD = 0.25  # per listener-day: an auto-download of a new episode
DOWNLOAD_RETRY = 0.2  # a background download sent again minutes later (same UTC day or not)
NEWCOMER_FOLLOWS = 0.7  # a new listener follows each of their shows
LEAVER_UNFOLLOWS = 0.4  # a listener who stops unfollows one show
FOLLOW_TOGGLE = 0.04  # per session: follow a show, or unfollow one followed before
# Reactions to ad breaks (the catalog's, generator/catalog.py): ad skippers
# (AD_SKIPPER_SHARE of listeners, catalog.py has the sources) seek past each pre- and
# mid-roll they reach a second or so into it; the others hear them, but a play that opens
# on a pre-roll is abandoned inside it at this rate: retention histograms show an
# episode's sharpest drop-off in its first minute (Bumper, cited in catalog.py).
PRE_ROLL_STOP = 0.06


def listener_day(
    rng: random.Random,
    listener: Listener,
    state: ListenerState,
    day_start_ms: int,
    weekday: int,
    available: dict[str, list[Episode]],
    newcomer: bool = False,
    leaving: bool = False,
) -> Iterator[Event]:
    """Events of one listener on one UTC day, in event-time order per session."""
    if newcomer:  # following their shows is the first thing a new listener does
        at = day_start_ms + rng.randrange(3_600_000, 20 * 3_600_000)
        for podcast in listener.subscriptions:
            if rng.random() < NEWCOMER_FOLLOWS:
                at += rng.randrange(1_000, 30_000)
                state.following.add(podcast.podcast_id)
                yield Event("subscribe", at, listener, podcast.podcast_id)
    yield from _background_download(rng, listener, day_start_ms, available)
    rate = listener.daily_activity * (listener.weekend_factor if weekday >= 5 else 1.0)
    sessions = _poisson(rng, rate)
    if leaving and rng.random() < LEAVER_UNFOLLOWS:
        followed = sorted(state.following) or [p.podcast_id for p in listener.subscriptions]
        at = max(day_start_ms + rng.randrange(86_000_000), state.busy_until_ms + 1)
        yield Event("unsubscribe", at, listener, rng.choice(followed))
    if not sessions:
        return
    hours = sorted(rng.choices(_HOURS, HOUR_WEIGHTS, k=sessions))
    next_free_ms = max(day_start_ms, state.busy_until_ms)
    for hour in hours:
        start_ms = max(next_free_ms, day_start_ms + hour * 3_600_000 + rng.randrange(3_600_000))
        if start_ms >= day_start_ms + 86_400_000:
            break
        events = list(_session(rng, listener, state, start_ms, available))
        if events:
            next_free_ms = events[-1].ts_ms + 35 * 60_000  # sessions do not overlap
            state.busy_until_ms = next_free_ms
            yield from events


def _background_download(
    rng: random.Random, listener: Listener, day_start_ms: int, available: dict[str, list[Episode]]
) -> Iterator[Event]:
    """The app fetching a subscribed show's newest episode at night, sometimes twice."""
    if rng.random() >= BACKGROUND_DOWNLOAD:
        return
    episodes = available.get(rng.choice(listener.subscriptions).podcast_id)
    if not episodes:
        return
    episode = episodes[-1]
    at = day_start_ms + rng.randrange(0, 5 * 3_600_000)
    yield Event("download", at, listener, episode.podcast_id, episode)
    if rng.random() < DOWNLOAD_RETRY:
        yield Event(
            "download", at + rng.randrange(60_000, 900_000), listener, episode.podcast_id, episode
        )


def _poisson(rng: random.Random, rate: float) -> int:
    # Knuth's method; rates are small (a few sessions a day).
    limit, k, p = pow(2.718281828459045, -rate), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _pick_episode(
    rng: random.Random,
    listener: Listener,
    state: ListenerState,
    available: dict[str, list[Episode]],
) -> Episode | None:
    podcast = rng.choice(listener.subscriptions)
    episodes = available.get(podcast.podcast_id)
    if not episodes:
        return None
    in_progress = [e for e in episodes[-8:] if e.episode_id in state.progress]
    if in_progress and rng.random() < 0.7:
        return in_progress[-1]
    unheard = [e for e in episodes[-5:] if e.episode_id not in state.finished]
    if unheard:
        return unheard[-1] if rng.random() < 0.75 else rng.choice(unheard)
    return rng.choice(episodes[-20:])  # back catalogue


def _session(
    rng: random.Random,
    listener: Listener,
    state: ListenerState,
    start_ms: int,
    available: dict[str, list[Episode]],
) -> Iterator[Event]:
    state.sessions += 1
    session_id = f"{listener.user_id}-s{state.sessions:05d}" if listener.has_sessions else None
    ts = start_ms
    # How long this sitting lasts (wall clock): commutes, chores, a long drive.
    budget_ms = int(rng.lognormvariate(7.3, 0.7) * 1000)  # median ~25 min
    end_ms = ts + budget_ms
    autoplay = 0
    while ts < end_ms and autoplay < 3:
        episode = _pick_episode(rng, listener, state, available)
        if episode is None:
            return
        if rng.random() < QUEUE_SKIP:  # skipped in the queue: never played
            at = state.progress.get(episode.episode_id, 0.0)
            ts += rng.randrange(200, 1_500)  # after whatever ended the previous episode
            yield Event(
                "skip", ts, listener, episode.podcast_id, episode, round(at, 1), None, session_id
            )
            ts += rng.randrange(500, 3_000)
            episode = _pick_episode(rng, listener, state, available)
            if episode is None:
                return
        if episode.episode_id not in state.downloaded and rng.random() < 0.08:
            state.downloaded.add(episode.episode_id)
            yield Event(
                "download", ts, listener, episode.podcast_id, episode, session_id=session_id
            )
            ts += rng.randrange(2_000, 20_000)
            if ts >= end_ms:  # the download used up what was left of the sitting
                break
        ts, completed = yield from _play(rng, listener, state, episode, ts, end_ms, session_id)
        autoplay += 1
        if not (completed and rng.random() < AUTOPLAY):  # autoplay: the same millisecond
            ts += rng.randrange(1_000, 5_000)
    if rng.random() < FOLLOW_TOGGLE:  # follow a show, or stop following one
        podcast = rng.choice(listener.subscriptions)
        kind = "unsubscribe" if podcast.podcast_id in state.following else "subscribe"
        if kind == "subscribe" and rng.random() < 0.2:  # the app sends it twice
            yield Event(kind, ts, listener, podcast.podcast_id, session_id=session_id)
            ts += rng.randrange(1_000, 60_000)
        state.following.symmetric_difference_update({podcast.podcast_id})
        yield Event(kind, ts, listener, podcast.podcast_id, session_id=session_id)


def _play(
    rng: random.Random,
    listener: Listener,
    state: ListenerState,
    episode: Episode,
    ts: int,
    end_ms: int,
    session_id: str | None,
) -> Generator[Event, None, tuple[int, bool]]:
    """Play one episode from where the listener left it; returns the wall time it ended
    and whether it ended with `complete`."""
    duration = float(episode.duration_s)
    position = state.progress.get(episode.episode_id, 0.0)
    if position >= duration - 1:
        position = 0.0
    speed = listener.speed
    hb_ms = listener.heartbeat_s * 1000
    # Some listeners give up on an episode early; decide the point now.
    quit_at = (
        duration
        if rng.random() < 0.6
        else position + rng.uniform(0.05, 0.9) * (duration - position)
    )

    def ev(kind: str, at: int, pos: float, seek_from: float | None = None) -> Event:
        return Event(
            kind,
            at,
            listener,
            episode.podcast_id,
            episode,
            round(pos, 1),
            None if seek_from is None else round(seek_from, 1),
            session_id,
        )

    yield ev("play", ts, position)
    breaks = [b for b in episode.ad_breaks if b.kind != "post" and b.start_s >= position]
    pre = breaks[0] if breaks and breaks[0].kind == "pre" and position == 0 else None
    if pre is not None and not listener.skips_ads and rng.random() < PRE_ROLL_STOP:
        stop_at = rng.uniform(1.0, float(pre.end_s))  # gone before the episode began
        ts += max(1, int(stop_at / speed * 1000))
        state.progress[episode.episode_id] = stop_at
        yield ev("skip" if rng.random() < 0.5 else "pause", ts, stop_at)
        return ts, False
    while True:
        step_ms = hb_ms
        next_pos = position + step_ms / 1000 * speed
        reached = breaks[0] if breaks and breaks[0].start_s < next_pos else None
        if reached is not None:
            breaks.pop(0)
            # A second or two into the break (the time to reach for the button).
            at = min(float(reached.end_s), max(position, reached.start_s + rng.uniform(0.5, 2.5)))
            wait_ms = max(1, int((at - position) / speed * 1000))
            if listener.skips_ads and at < quit_at and ts + wait_ms < end_ms:
                ts += wait_ms
                yield ev("seek", ts, float(reached.end_s), at)
                position = float(reached.end_s)
                continue
        if next_pos >= duration:  # reaches the end before the next heartbeat
            ts += int((duration - position) / speed * 1000)
            position = duration
            state.finished.add(episode.episode_id)
            state.progress.pop(episode.episode_id, None)
            yield ev("complete", ts, position)
            return ts, True
        if next_pos >= quit_at:
            stop_at = max(position, quit_at)  # a seek may have jumped past the quitting point
            # at least a millisecond after the last event: a stop in the instant of a seek
            # would sort before it (stop events come first at equal timestamps)
            ts += max(1, int((stop_at - position) / speed * 1000))
            position = stop_at
            state.progress[episode.episode_id] = position
            yield ev("skip" if rng.random() < 0.5 else "pause", ts, position)
            return ts, False
        if ts + step_ms >= end_ms:  # the sitting is over: stop for now
            # (a queue skip can start a play after the sitting's end: stop a moment later,
            # never before the play)
            stop_ms = max(end_ms, ts + 1)
            position += (stop_ms - ts) / 1000 * speed
            ts = stop_ms
            state.progress[episode.episode_id] = position
            yield ev("pause", ts, position)
            return ts, False
        ts += step_ms
        position = next_pos
        roll = rng.random()
        if roll < 0.03:  # skip ahead 30 s (ads, intros) or back 15 s
            target = (
                min(duration - 1, position + 30) if rng.random() < 0.7 else max(0.0, position - 15)
            )
            yield ev("seek", ts, target, position)
            position = target
        elif roll < 0.045:  # pause a moment and resume within the session gap
            yield ev("pause", ts, position)
            gap_ms = rng.randrange(20_000, 600_000)
            if ts + gap_ms >= end_ms:  # the sitting ended during the pause
                state.progress[episode.episode_id] = position
                return ts, False
            if rng.random() < DOWNLOAD_IN_PAUSE:  # the app downloads something meanwhile
                other = rng.choice(listener.subscriptions)
                fetched = rng.choice(other.episodes[:8])
                yield Event("download", ts + gap_ms // 2, listener, other.podcast_id, fetched)
            ts += gap_ms
            yield ev("resume", ts, position)
        elif roll < 0.045 + LEAP and position + 60 < duration - 1:  # a leap, no seek event
            position = min(duration - 1, position + rng.uniform(60, 600))
            yield ev("progress", ts, position)
        else:
            yield ev("progress", ts, position)
