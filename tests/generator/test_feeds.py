"""The generator's RSS feeds and CMS export describe the episodes its events play: the
reader parses them into valid records with the events' ids, durations and release days."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from podcast_analytics.catalog import FeedSource, build_snapshot, read_cms_export
from podcast_analytics.contract import catalog_invalid_reason, parse_event_ts
from podcast_analytics.generator import GeneratorSettings, generate
from podcast_analytics.generator.catalog import ad_breaks_for
from podcast_analytics.generator.feeds import CMS_EXPORT_FILE, itunes_duration, write_feeds
from podcast_analytics.generator.stream import generate_world

SETTINGS = GeneratorSettings(events=6_000, days=4, seed=11)
AS_OF = datetime.combine(SETTINGS.start + timedelta(days=SETTINGS.days), datetime.min.time(), UTC)


def read_generated(directory: Path):
    feeds = write_feeds(generate_world(SETTINGS), directory, as_of=AS_OF)
    cms = read_cms_export((directory / CMS_EXPORT_FILE).read_bytes())
    return build_snapshot(
        [(FeedSource(pid, str(path)), path.read_bytes()) for pid, path in feeds],
        fetched_at=AS_OF,
        cms=cms,
    )


def test_every_generated_item_is_a_valid_record(tmp_path: Path) -> None:
    snapshot = read_generated(tmp_path)
    assert snapshot.failed_feeds == {} and snapshot.rejected == {}
    assert snapshot.written == snapshot.read > 20
    assert snapshot.invalid_by_reason == {} and snapshot.cms_unmatched == 0
    records = [json.loads(line) for line in snapshot.lines]
    assert all(catalog_invalid_reason(r) is None for r in records)
    kinds = {b["kind"] for r in records for b in r.get("ad_breaks", [])}
    assert kinds == {"pre", "mid", "post"}
    assert all(r["feed_url"].startswith("https://") for r in records)


def test_the_catalog_matches_what_the_events_play(tmp_path: Path) -> None:
    records = {r["episode_id"]: r for r in map(json.loads, read_generated(tmp_path).lines)}
    played = {}
    for record in generate(SETTINGS):
        if record.fault is None:
            event = json.loads(record.data)
            if "episode_id" in event:
                played[event["episode_id"]] = (event["podcast_id"], event["episode_duration_s"])
                published = parse_event_ts(records[event["episode_id"]]["published_at"])
                assert parse_event_ts(event["event_ts"]) >= published, event
    assert played and set(played) <= set(records)
    for episode_id, (podcast_id, duration) in played.items():
        assert records[episode_id]["podcast_id"] == podcast_id
        assert records[episode_id]["duration_s"] == duration


def test_the_feeds_are_the_same_bytes_for_the_same_seed(tmp_path: Path) -> None:
    read_generated(tmp_path / "a")
    read_generated(tmp_path / "b")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_the_three_duration_forms() -> None:
    assert [itunes_duration(3723, style) for style in range(3)] == ["3723", "01:02:03", "62:03"]


def test_ad_breaks_sit_inside_the_episode_in_order() -> None:
    import random

    for seed in range(200):
        duration = 300 + seed * 37
        breaks = ad_breaks_for(random.Random(seed), duration)
        ends = [0] + [x for b in breaks for x in (b.start_s, b.end_s)]
        assert ends == sorted(ends) and ends[-1] <= duration, (seed, breaks)
        assert all(b.start_s < b.end_s for b in breaks)
