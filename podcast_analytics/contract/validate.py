"""Reference validator of the listening-event contract.

Rules are checked in the order below and the first one broken is the record's
`invalid_reason`. dbt's staging models apply the same order, so the Python and SQL
implementations can be compared record by record.

Order (a null value counts as absent):
 1. `missing_field:<f>` / `bad_type:<f>` for the required strings, in the order
    event_id, event_type, event_ts, user_id, podcast_id;
 2. `bad_value:event_id` (empty or over 128 chars), `bad_value:user_id`,
    `bad_value:podcast_id` (empty);
 3. `unknown_event_type`;
 4. `bad_timestamp` (not RFC 3339 with an offset, or not a real instant);
 5. `too_early_timestamp` (before `events.earliest_event_ts` in the config: year 0001 and
    the like are clock or encoding faults, not listening);
 6. `future_timestamp` (later than arrival + tolerance);
 7. playback events: `missing_field:episode_id`, `bad_type:episode_id`, `bad_value:episode_id`;
 8. position events: `missing_field:position_s`, `bad_type:position_s`,
    `bad_value:position_s` (not a finite double up to `MAX_SECONDS`: `1e400` parses to
    infinity),
    `negative_position`;
 9. seek: `missing_field:seek_from_s`, `bad_type:seek_from_s`, `bad_value:seek_from_s`,
    `negative_position`;
10. optional fields when present: `bad_type:episode_duration_s`, `bad_value:episode_duration_s`
    (not finite, over `MAX_SECONDS`, or <= 0), `bad_type:session_id`, `bad_type:client`,
    `bad_type:client.app`, `bad_type:client.app_version`, `bad_value:client.platform`,
    `bad_type:country`, `bad_value:country`.

Total: any JSON value gets a verdict, never an exception (tests fuzz it).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("listening_event.schema.json")

EVENT_TYPES = (
    "play",
    "pause",
    "resume",
    "seek",
    "progress",
    "complete",
    "skip",
    "download",
    "subscribe",
    "unsubscribe",
)
PLAYBACK_EVENT_TYPES = frozenset(
    ("play", "pause", "resume", "seek", "progress", "complete", "skip", "download")
)
POSITION_EVENT_TYPES = PLAYBACK_EVENT_TYPES - {"download"}
PLATFORMS = frozenset(("ios", "android", "web", "desktop", "smart_speaker", "other"))
MAX_EVENT_ID_LENGTH = 128
# The largest position or duration, in seconds, that is a value and not a fault: about 31.7
# years, far beyond any episode. The marts store seconds as exact DECIMAL(18, 3) (15 integer
# digits), so a finite but absurd double such as 1e308 would overflow them; this bound keeps
# sums over millions of plays in range. Defined here only: `make profiles` renders it into
# dbt's vars as `max_seconds` (for `is_finite` in transform/macros/cross_db/json.sql), and
# tests/contract/test_seconds_cap.py keeps the JSON Schemas' `maximum` equal to it.
MAX_SECONDS = 1_000_000_000

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})"
)
_COUNTRY = re.compile(r"[A-Z]{2}")
_REQUIRED_STRINGS = ("event_id", "event_type", "event_ts", "user_id", "podcast_id")


def parse_event_ts(value: str) -> datetime | None:
    """An RFC 3339 timestamp with offset as an aware UTC datetime, or None."""
    match = _RFC3339.fullmatch(value)
    if not match:
        return None
    fraction = (match.group(7) or ".0")[1:7].ljust(6, "0")  # microseconds, like the warehouse
    offset = match.group(8)
    text = f"{value[:19]}.{fraction}{'+00:00' if offset == 'Z' else offset}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.astimezone(UTC)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_finite(value: int | float) -> bool:
    """A finite double no larger than MAX_SECONDS (a 400-digit integer is neither)."""
    try:
        return math.isfinite(float(value)) and value <= MAX_SECONDS
    except OverflowError:
        return False


def invalid_reason(
    event: Any, *, received_at: datetime, future_tolerance_s: int, earliest_event_ts: datetime
) -> str | None:
    """The first contract rule `event` breaks, or None when it is a valid event.

    `received_at` is when the record arrived (its load time), not the time of the check, so
    re-validating old data gives the same answer. `earliest_event_ts` is the config's
    `events.earliest_event_ts` (`parse_event_ts` of it).
    """
    if not isinstance(event, dict):
        return "not_an_object"

    def present(field: str) -> bool:
        return event.get(field) is not None

    for field in _REQUIRED_STRINGS:
        if not present(field):
            return f"missing_field:{field}"
        if not isinstance(event[field], str):
            return f"bad_type:{field}"
    if not 0 < len(event["event_id"]) <= MAX_EVENT_ID_LENGTH:
        return "bad_value:event_id"
    for field in ("user_id", "podcast_id"):
        if not event[field]:
            return f"bad_value:{field}"

    event_type = event["event_type"]
    if event_type not in EVENT_TYPES:
        return "unknown_event_type"
    event_ts = parse_event_ts(event["event_ts"])
    if event_ts is None:
        return "bad_timestamp"
    if event_ts < earliest_event_ts:
        return "too_early_timestamp"
    if event_ts > received_at + timedelta(seconds=future_tolerance_s):
        return "future_timestamp"

    if event_type in PLAYBACK_EVENT_TYPES:
        if not present("episode_id"):
            return "missing_field:episode_id"
        if not isinstance(event["episode_id"], str):
            return "bad_type:episode_id"
        if not event["episode_id"]:
            return "bad_value:episode_id"
    position_fields = (
        ("position_s", "seek_from_s")
        if event_type == "seek"
        else ("position_s",)
        if event_type in POSITION_EVENT_TYPES
        else ()
    )
    for field in position_fields:
        if not present(field):
            return f"missing_field:{field}"
        if not _is_number(event[field]):
            return f"bad_type:{field}"
        if not _is_finite(event[field]):
            return f"bad_value:{field}"
        if event[field] < 0:
            return "negative_position"

    return _optional_field_reason(event)


def _optional_field_reason(event: dict[str, Any]) -> str | None:
    duration = event.get("episode_duration_s")
    if duration is not None:
        if not _is_number(duration):
            return "bad_type:episode_duration_s"
        if not _is_finite(duration) or duration <= 0:
            return "bad_value:episode_duration_s"
    if event.get("session_id") is not None and not isinstance(event["session_id"], str):
        return "bad_type:session_id"
    client = event.get("client")
    if client is not None:
        if not isinstance(client, dict):
            return "bad_type:client"
        for field in ("app", "app_version"):
            if client.get(field) is not None and not isinstance(client[field], str):
                return f"bad_type:client.{field}"
        platform = client.get("platform")
        if platform is not None and (not isinstance(platform, str) or platform not in PLATFORMS):
            return "bad_value:client.platform"
    country = event.get("country")
    if country is not None:
        if not isinstance(country, str):
            return "bad_type:country"
        if not _COUNTRY.fullmatch(country):
            return "bad_value:country"
    return None
