"""The simulated world: podcasts with episodes, and listeners with habits.

Everything is drawn from one seeded `random.Random`, so a seed names a world.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

PLATFORM_APPS: dict[str, tuple[tuple[str, str], ...]] = {
    # platform -> (app, version) choices; a listener keeps one app for the whole run
    "ios": (("apple_podcasts", "4.2.1"), ("overcast", "2025.3"), ("pocketcasts", "7.61")),
    "android": (("pocketcasts", "7.61"), ("antennapod", "3.5.0"), ("spotify", "8.9.90")),
    "web": (("spotify", "1.2.50"), ("podnet_web", "2.14.0")),
    "desktop": (("spotify", "1.2.50"), ("podnet_desktop", "1.8.3")),
    "smart_speaker": (("alexa", "2024.11"), ("google_home", "3.22")),
    "other": (("car_play", "1.0"),),
}
PLATFORM_WEIGHTS = {
    "ios": 38,
    "android": 34,
    "web": 12,
    "desktop": 7,
    "smart_speaker": 6,
    "other": 3,
}
# Country -> (weight, fixed UTC offset in minutes that local-time apps send; DST ignored).
COUNTRIES: dict[str, tuple[int, int]] = {
    "US": (34, -300),
    "GB": (14, 0),
    "DE": (10, 60),
    "IN": (9, 330),
    "BR": (7, -180),
    "CA": (6, -300),
    "AU": (5, 600),
    "FR": (5, 60),
    "ES": (4, 60),
    "NL": (3, 60),
    "SE": (2, 60),
    "JP": (1, 540),
}
GENRES = ("news", "comedy", "true_crime", "tech", "business", "sports", "history", "science")

# Hour-of-day (UTC-ish local) listening weights: commute peaks, lunch, evening.
HOUR_WEIGHTS = (
    1,
    1,
    1,
    1,
    1,
    2,
    5,
    10,
    10,
    6,
    4,
    4,
    6,
    5,
    4,
    4,
    5,
    9,
    9,
    7,
    6,
    6,
    5,
    3,
)


@dataclass(frozen=True, slots=True)
class AdBreak:
    start_s: int
    end_s: int
    kind: str  # pre, mid, post (the catalog contract's kinds)


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: cheap dict keys
class Episode:
    episode_id: str
    podcast_id: str
    duration_s: int
    released: date
    ad_breaks: tuple[AdBreak, ...] = ()


# Listeners who skip the ads they reach: Sounds Profitable's 2024 study found 17% of
# weekly listeners skipped all of the last episode's ads (68% heard all or some of them;
# https://www.insideaudiomarketing.com/post/ad-skipping-is-real-but-survey-finds-it-s-less-common-in-podcasting-than-some-listeners-say).
# Playback retention histograms agree: many mid-roll breaks keep 90% or more of the
# listeners present (Bumper's analysis of hundreds of breaks,
# https://wearebumper.com/blog/podcast-ad-skipping-isnt-nearly-as-bad-as-i-worried).
AD_SKIPPER_SHARE = 0.17

# Ad loads of typical shows: most episodes open with a short pre-roll, longer ones carry a
# mid-roll per 20-30 minutes (one to three 30-60 s spots), some close with a post-roll.
PRE_ROLL_SHARE = 0.8
POST_ROLL_SHARE = 0.35
MINUTES_PER_MID_ROLL = 25


def ad_breaks_for(rng: random.Random, duration_s: int) -> tuple[AdBreak, ...]:
    """Where one episode's ad breaks sit: inside the episode, in order, never overlapping."""
    breaks = []
    if rng.random() < PRE_ROLL_SHARE:
        breaks.append(AdBreak(0, rng.choice((15, 20, 30)), "pre"))
    mids = int(duration_s / 60 // MINUTES_PER_MID_ROLL)
    for i in range(1, mids + 1):
        centre = duration_s * i / (mids + 1) + rng.uniform(-0.05, 0.05) * duration_s
        length = rng.choice((30, 60, 60, 90, 120))
        start = int(centre)
        breaks.append(AdBreak(start, start + length, "mid"))
    if rng.random() < POST_ROLL_SHARE:
        length = rng.choice((15, 30))
        breaks.append(AdBreak(duration_s - length, duration_s, "post"))
    return tuple(breaks)


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: cheap dict keys
class Podcast:
    podcast_id: str
    genre: str
    popularity: float
    episodes: tuple[Episode, ...]


# An audience that grows and churns: this share listens from the first day, the others
# arrive on a uniformly drawn later day; each day an active listener stops for good with
# this probability (so cohorts' retention falls week by week, as real ones do).
PRESENT_AT_START = 0.6
DAILY_CHURN = 0.02


def expected_active_share(days: int) -> float:
    """Mean share of the audience active on a day of the window (sizes it for `events`)."""
    survive = 1 - DAILY_CHURN
    total = 0.0
    for day in range(days):
        joined_later = sum(survive ** (day - j) for j in range(1, day + 1)) / days
        total += PRESENT_AT_START * survive**day + (1 - PRESENT_AT_START) * joined_later
    return total / days


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: cheap dict keys
class Listener:
    user_id: str
    platform: str
    app: str
    app_version: str
    country: str
    utc_offset_min: int
    sends_local_offset: bool  # some apps send local time with an offset, most send Z
    speed: float  # playback speed: episode seconds per wall-clock second
    daily_activity: float  # expected listening sessions per day
    weekend_factor: float
    subscriptions: tuple[Podcast, ...]
    has_sessions: bool  # whether the app sends a client session id
    heartbeat_s: int  # progress heartbeat period (wall clock)
    first_day: int = 0  # day index of the window the listener arrives on
    last_day: int = 1 << 30  # day index after which they stop listening (churn)
    skips_ads: bool = False  # seeks past every ad break they reach (listening.py)


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: cheap dict keys
class World:
    podcasts: tuple[Podcast, ...]
    listeners: tuple[Listener, ...]


def build_world(
    rng: random.Random, *, listeners: int, start: date, days: int, seed: int = 0
) -> World:
    """`seed` seeds the ad breaks apart from `rng` (one generator per episode), so the
    catalog's breaks do not shift the listening stream's draws."""
    podcast_count = max(6, min(80, listeners // 60))
    podcasts = tuple(_podcast(rng, i, start, days, seed) for i in range(podcast_count))
    popularity = [p.popularity for p in podcasts]
    platforms = list(PLATFORM_WEIGHTS)
    platform_weights = list(PLATFORM_WEIGHTS.values())
    countries = list(COUNTRIES)
    country_weights = [w for w, _ in COUNTRIES.values()]
    people = []
    for i in range(listeners):
        platform = rng.choices(platforms, platform_weights)[0]
        app, version = rng.choice(PLATFORM_APPS[platform])
        country = rng.choices(countries, country_weights)[0]
        n_subs = min(len(podcasts), 1 + int(rng.expovariate(0.6)))
        first_day = 0 if rng.random() < PRESENT_AT_START else 1 + rng.randrange(days)
        subs: set[Podcast] = set()
        while len(subs) < n_subs:
            subs.add(rng.choices(podcasts, popularity)[0])
        people.append(
            Listener(
                user_id=f"u{i:06d}",
                platform=platform,
                app=app,
                app_version=version,
                country=country,
                utc_offset_min=COUNTRIES[country][1],
                sends_local_offset=rng.random() < 0.2,
                speed=rng.choices((1.0, 1.25, 1.5, 2.0), (60, 15, 18, 7))[0],
                daily_activity=rng.lognormvariate(-0.9, 0.7),
                weekend_factor=rng.choice((0.5, 1.0, 1.4)),
                subscriptions=tuple(sorted(subs, key=lambda p: p.podcast_id)),
                has_sessions=rng.random() < 0.7,
                heartbeat_s=rng.choice((30, 45, 60)),
                first_day=first_day,
                last_day=first_day + int(rng.expovariate(DAILY_CHURN)),
                # Drawn apart from `rng` (one generator per listener), so the habit does not
                # shift the world's other draws.
                skips_ads=random.Random(f"{seed}:ads:{i}").random() < AD_SKIPPER_SHARE,
            )
        )
    return World(podcasts=podcasts, listeners=tuple(people))


def _podcast(rng: random.Random, index: int, start: date, days: int, seed: int) -> Podcast:
    podcast_id = f"pod{index:03d}"
    # Some shows are daily news, most weekly; episodes exist before the window and keep
    # being released during it (new releases drive the listening spikes).
    cadence = rng.choice((1, 7, 7, 7, 14))
    typical_minutes = rng.choice((12, 25, 45, 60, 80))
    first = start - timedelta(days=cadence * rng.randint(6, 30))
    episodes = []
    released = first
    n = 0
    while released <= start + timedelta(days=days):
        duration = max(300, int(rng.gauss(typical_minutes, typical_minutes * 0.2) * 60))
        episode_id = f"{podcast_id}-ep{n:04d}"
        breaks = ad_breaks_for(random.Random(f"{seed}:{episode_id}"), duration)
        episodes.append(Episode(episode_id, podcast_id, duration, released, breaks))
        released += timedelta(days=cadence)
        n += 1
    return Podcast(
        podcast_id=podcast_id,
        genre=rng.choice(GENRES),
        popularity=1.0 / (index + 1) ** 0.9,  # a few hits, a long tail
        episodes=tuple(episodes),
    )
