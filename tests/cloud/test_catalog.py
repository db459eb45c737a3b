"""The cloud read_catalog task: listed feeds -> one GZIP snapshot under the raw bucket's
catalog prefix (moto's in-process S3); failed feeds named; no feed at all fails the task."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime

import pytest

from podcast_analytics.catalog.feed_list import FeedListError, parse_feed_list
from podcast_analytics.cloud.catalog import CatalogReadError, fetch_https, read_catalog
from podcast_analytics.dag_tasks import CloudSide

NOW = datetime(2026, 11, 25, 6, 0, 12, 345678, tzinfo=UTC)
FEED = (
    b'<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
    b"<title>S</title><item><title>One</title><guid>pod001-ep0001</guid>"
    b"<pubDate>Mon, 23 Nov 2026 05:00:00 GMT</pubDate><itunes:duration>25:00</itunes:duration>"
    b"</item></channel></rss>"
)
CMS = json.dumps(
    {
        "episodes": [
            {"guid": "pod001-ep0001", "ad_breaks": [{"start_s": 0, "end_s": 20, "kind": "pre"}]}
        ]
    }
).encode()
LISTED = {
    "feeds": [
        {"podcast_id": "pod001", "url": "https://feeds.example.com/pod001.xml"},
        {"podcast_id": "pod002", "url": "https://feeds.example.com/pod002.xml"},
    ],
    "cms_export": "https://cms.example.com/ad-breaks.json",
}


def fetch(url: str) -> bytes:
    if url.endswith("pod001.xml"):
        return FEED
    if url.endswith("ad-breaks.json"):
        return CMS
    raise OSError("connection refused")


@pytest.fixture
def s3(s3_with_bucket, dev_settings):
    return s3_with_bucket(dev_settings.storage.buckets.raw)


def test_one_snapshot_under_the_catalog_prefix(s3, dev_settings) -> None:
    listed = parse_feed_list(json.dumps(LISTED), where="test")
    result = read_catalog(s3, dev_settings, listed, fetch=fetch, clock=lambda: NOW)
    assert result["key"].startswith(f"{dev_settings.storage.prefixes.catalog}20261125/")
    assert result["key"].endswith(".ndjson.gz")
    assert (result["read"], result["written"], result["invalid"]) == (1, 1, 0)
    assert result["failed_feeds"] == {
        "https://feeds.example.com/pod002.xml": "feed:unreachable (connection refused)"
    }
    body = s3.get_object(Bucket=dev_settings.storage.buckets.raw, Key=result["key"])["Body"]
    (record,) = [json.loads(line) for line in gzip.decompress(body.read()).splitlines()]
    assert record["episode_id"] == "pod001-ep0001" and record["duration_s"] == 1500
    assert record["ad_breaks"] == [{"start_s": 0, "end_s": 20, "kind": "pre"}]
    assert record["fetched_at"] == "2026-11-25T06:00:12.000Z"
    assert record["feed_url"] == "https://feeds.example.com/pod001.xml"
    again = read_catalog(s3, dev_settings, listed, fetch=fetch, clock=lambda: NOW)
    assert again["key"] == result["key"]  # a retried task writes the same object


def test_no_readable_feed_fails_the_task_naming_each(s3, dev_settings) -> None:
    listed = parse_feed_list({"feeds": LISTED["feeds"][1:]}, where="test")
    with pytest.raises(CatalogReadError, match=r"pod002.xml: feed:unreachable"):
        read_catalog(s3, dev_settings, listed, fetch=fetch, clock=lambda: NOW)
    assert "Contents" not in s3.list_objects_v2(Bucket=dev_settings.storage.buckets.raw)


def test_an_unreadable_cms_export_is_named_and_the_episodes_still_load(s3, dev_settings) -> None:
    listed = parse_feed_list({**LISTED, "cms_export": "https://cms.example.com/x.json"}, where="t")
    result = read_catalog(s3, dev_settings, listed, fetch=fetch, clock=lambda: NOW)
    assert result["written"] == 1
    assert result["failed_feeds"]["https://cms.example.com/x.json"].startswith("cms:unreadable")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not json", "is not JSON"),
        ("[]", 'must be a JSON object {"feeds": [...]}'),
        ({"feeds": [{"url": "https://x"}]}, "feed 1 needs a podcast_id and a url"),
        ({"feeds": [], "cms_export": 3}, "cms_export must be a url or absent"),
        ({"feeds": [], "fetched_at": "yesterday"}, "fetched_at must be RFC 3339"),
    ],
)
def test_a_bad_feed_list_is_one_line(value: object, message: str) -> None:
    with pytest.raises(FeedListError, match=r"^Variable catalog_feeds") as caught:
        parse_feed_list(value, where="Variable catalog_feeds")
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("url", ["http://feeds.example.com/a.xml", "file:///etc/passwd"])
def test_only_https_is_fetched(url: str) -> None:
    with pytest.raises(ValueError, match="only https:// feeds"):
        fetch_https(url)


def test_the_cloud_side_without_the_variable_reads_nothing_and_says_so(dev_settings) -> None:
    side = CloudSide(dev_settings, connect=lambda conn_id: None)
    assert side.read_catalog(feed_list=None) == {
        "skipped": "the Airflow Variable catalog_feeds is not set: no feeds to read"
    }
