"""Raw rows for the dbt tests: a small seeded listening history plus one broken record per
contract rule, and a loader that writes rows into the raw table of a DuckDB file.

The project's own generator (podcast_analytics.generator) produces the realistic volume;
this module exists for the edge cases a realistic stream rarely contains (every reason
code, timestamp offsets, resends, late files) and to keep the dbt tests independent of it.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from podcast_analytics.config import load_settings
from tests.reference.marts import RawRow

START = datetime(2026, 11, 2)  # a Monday, so cohorts start on week boundaries too
OFFSETS = ("Z", "+00:00", "+05:30", "-08:00", "+01:00")


def format_ts(moment: datetime, offset: str, rng: random.Random) -> str:
    """`moment` (naive UTC) as RFC 3339 text in the given offset, sometimes with fractions."""
    if offset == "Z":
        local, suffix = moment, "Z"
    else:
        sign = 1 if offset[0] == "+" else -1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])) * sign
        local, suffix = moment + delta, offset
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    digits = rng.choice((0, 0, 3, 6, 9))
    if digits:
        micro = f"{moment.microsecond:06d}"
        text += "." + (micro + "123")[:digits]
    return text + suffix


def _listening_session(
    rng: random.Random, user: str, catalogue: list[tuple[str, str, float]], start: datetime
) -> Iterator[dict]:
    """Playback events of one sitting: play, heartbeats, maybe seek/pause/resume, an end."""
    now = start
    offset = rng.choice(OFFSETS)
    for _ in range(rng.choice((1, 1, 1, 2))):  # sometimes auto-advance to a second episode
        podcast, episode, duration = rng.choice(catalogue)
        with_duration = episode[-1] != "0"  # some episodes never report a duration
        position = 0.0 if rng.random() < 0.7 else round(rng.uniform(0, duration * 0.6), 1)
        speed = rng.choice((1.0, 1.0, 1.5))
        kind = "play"
        while True:
            event = {
                "event_id": f"{user}-{now.timestamp():.6f}-{rng.randrange(10**9)}",
                "event_type": kind,
                "event_ts": format_ts(now, offset, rng),
                "user_id": user,
                "podcast_id": podcast,
                "episode_id": episode,
                "position_s": round(position, 3),
                "client": {"app": "pods", "app_version": "4.2", "platform": "ios"},
            }
            if with_duration:
                event["episode_duration_s"] = duration
            if rng.random() < 0.5:
                event["country"] = "GB"
            yield event
            if kind in ("complete", "skip"):
                break
            roll = rng.random()
            step = rng.uniform(30, 60)
            if kind == "pause":
                if roll < 0.5:
                    break
                now += timedelta(seconds=rng.uniform(60, 600))
                kind = "resume"
                continue
            now += timedelta(seconds=step)
            position += step * speed
            if position >= duration:
                position, kind = duration, "complete"
            elif roll < 0.05:
                yield_seek = dict(event, event_type="seek")
                target = min(duration - 1, position + rng.uniform(60, 300))
                yield_seek.update(
                    event_id=event["event_id"] + "-s",
                    event_ts=format_ts(now, offset, rng),
                    position_s=round(target, 3),
                    seek_from_s=round(position, 3),
                )
                yield yield_seek
                position = target
                kind = "progress"
            elif roll < 0.10:
                kind = "pause"
            elif roll < 0.13:
                kind = "skip"
            else:
                kind = "progress"
        now += timedelta(seconds=rng.uniform(1, 20))


def broken_records(loaded_at: datetime) -> list[dict]:
    """One JSON object per reason code of the contract (and some near misses that are valid)."""
    base = {
        "event_id": "broken",
        "event_type": "play",
        "event_ts": "2026-11-03T08:00:00Z",
        "user_id": "u-broken",
        "podcast_id": "pod-1",
        "episode_id": "pod-1-ep-1",
        "position_s": 0,
    }
    future = (loaded_at + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    near_future = (loaded_at + timedelta(minutes=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    variants: list[dict] = [
        {"event_id": None},
        {"event_id": 42},
        {"event_type": None},
        {"event_type": ["play"]},
        {"event_ts": None},
        {"event_ts": 1764000000},
        {"user_id": None},
        {"user_id": True},
        {"podcast_id": None},
        {"podcast_id": {"id": 1}},
        {"event_id": ""},
        {"event_id": "x" * 129},
        {"event_id": "y" * 128},  # exactly at the limit: valid
        {"user_id": ""},
        {"podcast_id": ""},
        {"event_type": "rewind"},
        {"event_type": "PLAY"},
        {"event_ts": "2026-11-03 08:00:00Z"},
        {"event_ts": "2026-11-03T08:00:00"},
        {"event_ts": "2026-02-30T08:00:00Z"},
        {"event_ts": "2026-11-03T24:00:00Z"},
        {"event_ts": "2026-11-03T08:00:60Z"},
        {"event_ts": "2026-11-03T08:00:00+24:00"},
        {"event_ts": "2026-11-03T08:00:00.1234567891Z"},
        {"event_ts": "2026-11-03T08:00:00.123456789-03:30"},  # valid, truncated to micros
        {"event_ts": future},
        {"event_ts": near_future},  # within the tolerance: valid
        {"episode_id": None},
        {"episode_id": 7},
        {"episode_id": ""},
        {"event_type": "download", "position_s": "n/a"},  # downloads have no playhead: valid
        {"event_type": "download", "episode_id": None},
        {"event_type": "subscribe", "episode_id": None, "position_s": None},  # valid
        {"position_s": None},
        {"position_s": "12"},
        {"position_s": True},
        {"position_s": -1},
        {"position_s": -0.0},  # not below zero: valid
        {"event_type": "seek", "position_s": 30},
        {"event_type": "seek", "position_s": 30, "seek_from_s": "10"},
        {"event_type": "seek", "position_s": 30, "seek_from_s": -5},
        {"event_type": "seek", "position_s": -30, "seek_from_s": -5},
        {"episode_duration_s": "600"},
        {"episode_duration_s": 0},
        {"episode_duration_s": -3.5},
        {"session_id": 12},
        {"client": "ios"},
        {"client": {"platform": "symbian"}},
        {"client": {"platform": 3}},
        {"client": {"platform": None, "app": "x"}},  # valid
        {"country": 44},
        {"country": "gb"},
        {"country": "GBR"},
        {"unexpected_field": {"nested": [1, 2]}},  # schema drift is tolerated: valid
    ]
    records = []
    for index, change in enumerate(variants):
        record = dict(base, event_id=f"broken-{index}")
        record.update(change)
        records.append({k: v for k, v in record.items() if k != "__drop__"})
    # absent fields (rather than null ones)
    for index, field_name in enumerate(("event_id", "event_type", "event_ts", "position_s")):
        record = dict(base, event_id=f"absent-{index}")
        del record[field_name]
        records.append(record)
    return records


def listening_history(
    *, seed: int = 7, days: int = 14, listeners: int = 60, start: datetime = START
) -> list[RawRow]:
    """A seeded history: files per arrival hour, resends, late files, broken records."""
    rng = random.Random(seed)
    catalogue = [
        (f"pod-{p}", f"pod-{p}-ep-{e}", float(rng.randrange(900, 3600)))
        for p in range(1, 5)
        for e in range(0, 4)
    ]
    events: list[dict] = []
    for u in range(listeners):
        user = f"user-{u:04d}"
        first_day = rng.randrange(days)
        loyalty = rng.uniform(0.1, 0.8)
        for day in range(first_day, days):
            if day != first_day and rng.random() > loyalty:
                continue
            for _ in range(rng.choice((1, 1, 2))):
                begin = start + timedelta(days=day, seconds=rng.uniform(0, 86_000))
                events.extend(_listening_session(rng, user, catalogue, begin))
            if rng.random() < 0.05:
                podcast = rng.choice(catalogue)[0]
                events.append(
                    {
                        "event_id": f"{user}-sub-{day}",
                        "event_type": rng.choice(("subscribe", "unsubscribe")),
                        "event_ts": format_ts(begin, "Z", rng),
                        "user_id": user,
                        "podcast_id": podcast,
                    }
                )
    return _deliver(rng, events)


def _deliver(rng: random.Random, events: list[dict]) -> list[RawRow]:
    """Group events into hourly files by arrival, as Firehose + the loader would."""
    arrivals: list[tuple[datetime, str]] = []
    for event in events:
        ts = _utc(event["event_ts"])
        delay = timedelta(seconds=rng.uniform(1, 90))
        if rng.random() < 0.03:  # listened offline, synced a day or two later
            delay = timedelta(days=rng.uniform(1, 2.5))
        text = json.dumps(event, separators=(",", ":"))
        arrivals.append((ts + delay, text))
        if rng.random() < 0.02:  # at-least-once delivery: the same record again, later
            arrivals.append((ts + delay + timedelta(minutes=rng.uniform(1, 180)), text))
    last = max(moment for moment, _ in arrivals)
    broken_loaded_at = last.replace(minute=0, second=0, microsecond=0) + timedelta(minutes=61)
    for record in broken_records(broken_loaded_at):
        arrivals.append((last, json.dumps(record)))
    arrivals.sort()
    rows: list[RawRow] = []
    by_file: dict[str, int] = {}
    for moment, text in arrivals:
        hour = moment.replace(minute=0, second=0, microsecond=0)
        name = f"raw_events/{hour:%Y%m%d}/events-{hour:%H}00.json"
        by_file[name] = by_file.get(name, 0) + 1
        rows.append(RawRow(text, name, by_file[name], hour + timedelta(minutes=61)))
    return rows


def _utc(text: str) -> datetime:
    from podcast_analytics.contract import parse_event_ts

    parsed = parse_event_ts(text)
    assert parsed is not None
    return parsed.astimezone(UTC).replace(tzinfo=None)


def raw_table(env: str = "local") -> tuple[str, str]:
    """(schema, table) of the raw table in the local DuckDB file, from the shared config."""
    sf = load_settings(env).snowflake
    return sf.raw_schema.lower(), sf.raw_table.lower()


def load_raw_rows(database: Path, rows: Iterable[RawRow]) -> None:
    """Append rows to the raw table of a DuckDB file, creating schema and table if needed.

    Rows go through a temporary NDJSON file: DuckDB's executemany inserts row by row
    (seconds per thousand rows), a file scan is instant.
    """
    schema, table = raw_table()
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "rows.ndjson"
        with staged.open("w", encoding="utf-8") as out:
            for row in rows:
                line = {
                    "record": row.record,
                    "source_file": row.source_file,
                    "source_row": row.source_row,
                    "loaded_at": row.loaded_at.isoformat(sep=" "),
                }
                out.write(json.dumps(line) + "\n")
        with duckdb.connect(str(database)) as con:
            con.execute(f"create schema if not exists {schema}")
            con.execute(
                f"create table if not exists {schema}.{table} "
                "(record varchar, source_file varchar, source_row integer, loaded_at timestamp)"
            )
            con.execute(
                f"insert into {schema}.{table} select record, source_file, source_row, loaded_at "
                "from read_json(?, format = 'newline_delimited', columns = {record: 'varchar', "
                "source_file: 'varchar', source_row: 'integer', loaded_at: 'timestamp'})",
                [str(staged)],
            )
