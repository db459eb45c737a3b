"""Raw rows for the dbt tests: the project generator's traffic as the loader would land it,
one broken record per contract rule (the cases a realistic stream rarely contains), and a
loader that writes rows into the raw table of a DuckDB file.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from podcast_analytics.config import load_settings
from podcast_analytics.generator import GeneratorSettings, generate
from podcast_analytics.generator.stream import generate_world
from podcast_analytics.record_processor.handler import process_record
from tests.reference.marts import RawRow

# Small enough for a quick build (~8 k records), long enough for three weekly cohorts.
HISTORY = GeneratorSettings(seed=7, listeners=30, days=15, start=date(2026, 11, 1))


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
        {"episode_id": ""},
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
        {"event_ts": "0001-01-01T00:00:00Z"},  # before events.earliest_event_ts
        {"event_ts": "1999-12-31T23:59:59.999999Z"},
        {"event_ts": "2000-01-01T00:00:00Z"},  # exactly the earliest allowed: valid
        # Numbers beyond the double range (written as 1e400, see `_json`): not finite.
        {"position_s": float("inf")},
        {"position_s": float("-inf")},
        {"position_s": 10**400},
        {"event_type": "seek", "position_s": 30, "seek_from_s": float("inf")},
        {"episode_duration_s": float("inf")},
        {"episode_duration_s": 1e308},  # finite but absurd: over MAX_SECONDS, invalid
        {"position_s": 1_000_000_001},  # just over MAX_SECONDS: invalid
        {"episode_duration_s": 1_000_000_000},  # exactly MAX_SECONDS: valid
        {"client": {"app": 7}},
        {"client": {"app_version": 1.5}},
    ]
    records = []
    for index, change in enumerate(variants):
        record = dict(base, event_id=f"broken-{index}")
        record.update(change)
        records.append(record)
    # absent fields (rather than null ones)
    for index, field_name in enumerate(("event_id", "event_type", "event_ts", "position_s")):
        record = dict(base, event_id=f"absent-{index}")
        del record[field_name]
        records.append(record)
    return records


def generated_history(
    settings: GeneratorSettings = HISTORY, *, with_broken_records: bool = True
) -> list[RawRow]:
    """The project generator's stream as the raw table would hold it.

    Records go through the real Firehose processor (anything that is not a JSON object is
    dead-lettered, never loaded) and into one file per arrival hour, loaded a minute after
    the hour closes, as Firehose buffering + the loader do. The contract catalogue of
    `broken_records` lands in one extra file at the end.
    """
    rows: list[RawRow] = []
    rows_in_file: dict[str, int] = {}
    last_hour = None
    for record in generate(settings):
        if process_record(record.data).result != "Ok":
            continue
        hour = record.arrival.astimezone(UTC).replace(
            tzinfo=None, minute=0, second=0, microsecond=0
        )
        name = f"raw_events/{hour:%Y%m%d}/events-{hour:%H}00.json"
        rows_in_file[name] = rows_in_file.get(name, 0) + 1
        loaded_at = hour + timedelta(minutes=61)
        rows.append(RawRow(record.data.decode("utf-8"), name, rows_in_file[name], loaded_at))
        last_hour = hour
    if with_broken_records and last_hour is not None:
        loaded_at = last_hour + timedelta(hours=1, minutes=61)
        name = f"raw_events/{loaded_at:%Y%m%d}/contract-catalogue.json"
        for number, record in enumerate(broken_records(loaded_at), start=1):
            rows.append(RawRow(_json(record), name, number, loaded_at))
    return rows


def _json(record: dict) -> str:
    # json.dumps spells infinity `Infinity`, which is not JSON; a producer that overflows
    # sends a number like 1e400, which parsers read as infinity.
    return json.dumps(record).replace("-Infinity", "-1e400").replace("Infinity", "1e400")


def broken_catalog_records() -> list[object]:
    """One catalog record per reason code of the catalog contract, and near misses."""
    base = {
        "podcast_id": "pod-broken",
        "episode_id": "broken",
        "title": "A title",
        "published_at": "2026-11-01T00:00:00Z",
        "duration_s": 600,
        "fetched_at": "2026-11-02T00:00:00Z",
    }
    pre = {"start_s": 0, "end_s": 30, "kind": "pre"}
    variants: list[dict] = [
        {"podcast_id": None},
        {"title": None},
        {"published_at": None},
        {"podcast_id": 1},
        {"episode_id": 7},
        {"title": ["x"]},
        {"published_at": 20261101},
        {"fetched_at": {}},
        {"ad_breaks": [{"start_s": 0, "end_s": "30", "kind": "pre"}]},
        {"title": ""},
        {"podcast_id": ""},
        {"episode_id": ""},
        {"published_at": "2026-11-01"},
        {"published_at": "2026-02-30T00:00:00Z"},
        {"fetched_at": "2026-11-02T24:00:00Z"},
        {"published_at": "2026-11-03T00:00:00+01:00"},  # after the fetch
        {"published_at": "2026-11-02T01:00:00+01:00"},  # == the fetch: valid
        {"duration_s": None},
        {"duration_s": "600"},
        {"duration_s": True},
        {"duration_s": 0},
        {"duration_s": -5},
        {"duration_s": float("inf")},
        {"duration_s": 1_000_000_001},
        {"duration_s": 1_000_000_000},  # exactly MAX_SECONDS: valid
        {"ad_breaks": None},  # null counts as absent: valid
        {"ad_breaks": []},  # valid
        {"ad_breaks": {"start_s": 0}},
        {"ad_breaks": [pre, 5]},
        {"ad_breaks": [5, {"end_s": 1}]},  # a non-object anywhere wins
        {"ad_breaks": [{"end_s": 30, "kind": "pre"}]},
        {"ad_breaks": [{"start_s": "0", "end_s": 30, "kind": "pre"}]},
        {"ad_breaks": [{"start_s": -1, "end_s": 30, "kind": "pre"}]},
        {"ad_breaks": [{"start_s": 0, "kind": "pre"}]},
        {"ad_breaks": [{"start_s": 0, "end_s": float("inf"), "kind": "pre"}]},
        {"ad_breaks": [{"start_s": 0, "end_s": 30}]},
        {"ad_breaks": [{"start_s": 0, "end_s": 30, "kind": "middle"}]},
        {"ad_breaks": [{"start_s": 0, "end_s": 30, "kind": 1}]},
        {"ad_breaks": [{"start_s": 30, "end_s": 30, "kind": "mid"}]},
        {"ad_breaks": [{"start_s": 0, "end_s": 600.5, "kind": "post"}]},
        {"ad_breaks": [{"start_s": 570, "end_s": 600, "kind": "post"}]},  # valid
        # list order: the first broken break names the reason
        {"ad_breaks": [pre, {"start_s": 100, "end_s": 50, "kind": "mid"}, {"kind": "x"}]},
        {"ad_breaks": [pre, {"start_s": 1, "end_s": 2, "kind": "x"}, {"start_s": -1}]},
        {"feed_url": 3},
        {"feed_url": "ftp://example.com/feed.xml"},
        {"feed_url": "https://example.com/a feed.xml"},
        {"feed_url": "https://example.com/a\u00a0feed.xml"},
        {"feed_url": "https://example.com/a\u200bfeed.xml"},  # zero-width space is not \s
        {"feed_url": "https://"},
        {"feed_url": "https://example.com/feed.xml"},  # valid
        {"feed_url": None},  # valid
    ]
    records: list[object] = ["not an object", [1, 2], 3, None]
    for index, change in enumerate(variants):
        record = dict(base, episode_id=f"broken-{index}")
        record.update(change)
        records.append(record)
    for index, field_name in enumerate(("episode_id", "fetched_at", "duration_s")):
        record = dict(base, episode_id=f"absent-{index}")
        del record[field_name]
        records.append(record)
    return records


def generated_catalog(settings: GeneratorSettings = HISTORY) -> list[RawRow]:
    """The catalog of the generator's shows as the catalog pipe would load it: one snapshot
    read at the window's end, a later re-read in which one episode was re-cut (a new
    duration and its post-roll moved: a second version) plus a resend of one version
    (a duplicate), and a snapshot of the catalog contract's broken records."""
    world = generate_world(settings)
    as_of = datetime.combine(settings.start + timedelta(days=settings.days), datetime.min.time())
    episodes = [
        episode
        for podcast in world.podcasts
        for episode in podcast.episodes
        if episode.released <= as_of.date()
    ]

    def record(episode, fetched: datetime, duration_s: int) -> dict:
        return {
            "podcast_id": episode.podcast_id,
            "episode_id": episode.episode_id,
            "title": f"{episode.podcast_id} episode {episode.episode_id}",
            "published_at": f"{episode.released.isoformat()}T00:00:00Z",
            "duration_s": duration_s,
            "ad_breaks": [
                {"start_s": b.start_s, "end_s": min(b.end_s, duration_s), "kind": b.kind}
                for b in episode.ad_breaks
                if b.start_s < duration_s
            ],
            "fetched_at": fetched.isoformat() + "Z",
        }

    first = as_of + timedelta(hours=1)
    loaded = first + timedelta(minutes=5)
    rows = [
        RawRow(_json(record(e, first, e.duration_s)), "catalog/first.ndjson.gz", n, loaded)
        for n, e in enumerate(episodes, start=1)
    ]
    recut = max(episodes, key=lambda e: (len(e.ad_breaks), e.episode_id))
    second = first + timedelta(hours=1)
    loaded_again = second + timedelta(minutes=5)
    rows.append(
        RawRow(
            _json(record(recut, second, recut.duration_s - 45)),
            "catalog/second.ndjson.gz",
            1,
            loaded_again,
        )
    )
    rows.append(RawRow(rows[0].record, "catalog/second.ndjson.gz", 2, loaded_again))
    rows.extend(
        RawRow(_json(broken), "catalog/broken.ndjson.gz", n, loaded_again)
        for n, broken in enumerate(broken_catalog_records(), start=1)
    )
    return rows


def raw_table(env: str = "local") -> tuple[str, str]:
    """(schema, table) of the raw table in the local DuckDB file, from the shared config."""
    sf = load_settings(env).snowflake
    return sf.raw_schema.lower(), sf.raw_table.lower()


def catalog_table(env: str = "local") -> tuple[str, str]:
    """(schema, table) of the raw catalog table in the local DuckDB file."""
    sf = load_settings(env).snowflake
    return sf.raw_schema.lower(), sf.catalog_table.lower()


def load_raw_rows(
    database: Path, rows: Iterable[RawRow], table: tuple[str, str] | None = None
) -> None:
    """Append rows to the raw table (or `table`, e.g. `catalog_table()`) of a DuckDB file,
    creating schema and table if needed; the other raw table is created empty, so the dbt
    project's two sources always exist.

    Rows go through a temporary NDJSON file: DuckDB's executemany inserts row by row
    (seconds per thousand rows), a file scan is instant.
    """
    schema, table = table or raw_table()
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
            for name in {table, raw_table()[1], catalog_table()[1]}:
                con.execute(
                    f"create table if not exists {schema}.{name} (record varchar, "
                    "source_file varchar, source_row integer, loaded_at timestamp)"
                )
            con.execute(
                f"insert into {schema}.{table} select record, source_file, source_row, loaded_at "
                "from read_json(?, format = 'newline_delimited', columns = {record: 'varchar', "
                "source_file: 'varchar', source_row: 'integer', loaded_at: 'timestamp'})",
                [str(staged)],
            )
