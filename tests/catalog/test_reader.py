"""The feed reader on real RSS text: feedparser's mapping to contract records, the CMS
merge, and the accounting (every item written or counted, every failed feed named)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from podcast_analytics.catalog import (
    FeedSource,
    build_snapshot,
    parse_itunes_duration,
    read_cms_export,
    read_feed,
    replay_snapshot,
    snapshot_key,
)
from podcast_analytics.catalog.cms import CmsExportError
from podcast_analytics.catalog.snapshot import CatalogInputError
from podcast_analytics.config import load_settings
from podcast_analytics.contract import catalog_invalid_reason

FETCHED = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
SOURCE = FeedSource("pod007", "https://feeds.example.com/pod007.xml")


def feed(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
        "<channel><title>Show</title>" + "".join(items) + "</channel></rss>"
    ).encode()


def item(guid: str | None, *, pub: str = "Tue, 17 Nov 2026 05:00:00 -0500", dur: str = "1:02:03"):
    guid_xml = f'<guid isPermaLink="false">{guid}</guid>' if guid is not None else ""
    return (
        f"<item><title>Ep &amp; more</title>{guid_xml}<pubDate>{pub}</pubDate>"
        f"<itunes:duration>{dur}</itunes:duration></item>"
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("3723", 3723),
        (" 3723.5 ", 3723.5),
        ("1:02:03", 3723),
        ("01:02:03", 3723),
        ("62:03", 3723),
        ("119:42", 7182),
        ("1:119:42", None),
        ("7:04", 424),
        ("0:00:59.25", 59.25),
        ("1:60:00", None),
        ("10:61", None),
        ("an hour", None),
        ("", None),
        (None, None),
        ("-5", None),
    ],
)
def test_itunes_duration_forms(text: str | None, seconds: float | None) -> None:
    assert parse_itunes_duration(text) == seconds


def test_an_item_becomes_a_valid_record_in_utc() -> None:
    read = read_feed(feed(item(" pod007-ep0001 ")), SOURCE, fetched_at=FETCHED)
    assert read.problem is None and read.items == 1
    (record,) = read.records
    assert record == {
        "podcast_id": "pod007",
        "episode_id": "pod007-ep0001",
        "title": "Ep & more",
        "published_at": "2026-11-17T10:00:00.000Z",
        "duration_s": 3723,
        "feed_url": "https://feeds.example.com/pod007.xml",
        "fetched_at": "2026-11-20T06:30:00.000Z",
    }
    assert catalog_invalid_reason(record) is None


def test_what_cannot_be_read_is_passed_on_for_the_contract_to_name() -> None:
    read = read_feed(
        feed(
            item("a", pub="sometime last week"),
            item("b", dur="an hour"),
            item(None),
            item("c", pub="Mon, 30 Nov 2026 00:00:00 GMT"),  # after the fetch
        ),
        SOURCE,
        fetched_at=FETCHED,
    )
    reasons = [catalog_invalid_reason(r) for r in read.records]
    assert reasons == [
        "bad_timestamp:published_at",
        "bad_type:duration_s",
        "missing_field:episode_id",
        "published_after_fetch",
    ]


def test_a_recycled_guid_is_counted_not_written_twice() -> None:
    read = read_feed(feed(item("a"), item("a"), item("b")), SOURCE, fetched_at=FETCHED)
    assert [r["episode_id"] for r in read.records] == ["a", "b"]
    assert read.items == 3 and read.rejected == {"feed:duplicate_guid": 1}


def test_cms_ad_breaks_merge_on_the_guid() -> None:
    breaks = [{"start_s": 0, "end_s": 20, "kind": "pre"}]
    cms = read_cms_export(
        json.dumps(
            {"episodes": [{"guid": "a", "ad_breaks": breaks}, {"guid": "zzz"}, {"x": 1}]}
        ).encode()
    )
    assert cms.problems == {"cms:no_guid": 1}
    snapshot = build_snapshot([(SOURCE, feed(item("a"), item("b")))], fetched_at=FETCHED, cms=cms)
    records = [json.loads(line) for line in snapshot.lines]
    assert records[0]["ad_breaks"] == breaks and "ad_breaks" not in records[1]
    assert snapshot.cms_unmatched == 1  # "zzz" is in no feed: reported
    assert snapshot.summary()["cms_problems"] == {"cms:no_guid": 1}


@pytest.mark.parametrize("content", [b"not json", b"[]", b'{"episodes": 3}'])
def test_an_unreadable_cms_export_says_so(content: bytes) -> None:
    with pytest.raises(CmsExportError):
        read_cms_export(content)


def test_failed_feeds_are_named_and_the_rest_still_read() -> None:
    other = FeedSource("pod008", "https://feeds.example.com/pod008.xml")
    down = FeedSource("pod009", "https://feeds.example.com/pod009.xml")
    snapshot = build_snapshot(
        [(SOURCE, feed(item("a"))), (other, b"<html>502 Bad Gateway"), (down, "timed out")],
        fetched_at=FETCHED,
    )
    assert snapshot.written == 1 and snapshot.feeds == 3
    assert set(snapshot.failed_feeds) == {other.url, down.url}
    assert snapshot.failed_feeds[other.url].startswith("feed:unreadable")
    assert snapshot.failed_feeds[down.url] == "timed out"
    assert snapshot.balanced


def test_the_snapshot_is_named_by_its_content_under_the_catalog_prefix() -> None:
    prefixes = load_settings("local").storage.prefixes
    first = build_snapshot([(SOURCE, feed(item("a")))], fetched_at=FETCHED)
    again = build_snapshot([(SOURCE, feed(item("a")))], fetched_at=FETCHED)
    later = build_snapshot([(SOURCE, feed(item("a")))], fetched_at=FETCHED.replace(hour=7))
    assert first.content() == again.content() and first.batch_id() == again.batch_id()
    assert later.batch_id() != first.batch_id()
    key = snapshot_key(prefixes, FETCHED.date(), first.batch_id())
    assert key == f"{prefixes.catalog}20261120/{first.batch_id()}.ndjson.gz"
    assert first.object_body() == again.object_body()  # no gzip timestamp
    assert gzip.decompress(first.object_body()) == first.content()


def test_a_replay_writes_json_lines_as_they_are_and_counts_the_rest(tmp_path: Path) -> None:
    good = json.dumps({"podcast_id": "p", "episode_id": "e"})
    path = tmp_path / "catalog.ndjson.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(f'{good}\n\n{{broken\n[1, 2]\n{{"a": NaN}}\n'.encode())
    snapshot = replay_snapshot(path)
    assert snapshot.read == 5 and snapshot.written == 2
    assert snapshot.lines == [good.encode(), b"[1, 2]"]
    assert snapshot.rejected == {"empty": 1, "not_json": 2}
    assert snapshot.invalid_by_reason == {"missing_field:title": 1, "not_an_object": 1}
    assert snapshot.balanced


def test_a_replay_that_cannot_be_used_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(CatalogInputError, match="does not exist"):
        replay_snapshot(tmp_path / "missing.ndjson")
    with pytest.raises(CatalogInputError, match="is not a file"):
        replay_snapshot(tmp_path)
    (tmp_path / "bin.ndjson").write_bytes(b"\x00\x01 nothing\n")
    with pytest.raises(CatalogInputError, match="has no records"):
        replay_snapshot(tmp_path / "bin.ndjson")
    (tmp_path / "bad.ndjson.gz").write_bytes(b"not gzip")
    with pytest.raises(CatalogInputError, match="cannot be read"):
        replay_snapshot(tmp_path / "bad.ndjson.gz")
