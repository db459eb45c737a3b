"""The listening-event contract (version 1): one JSON Schema and one reference validator.

`listening_event.schema.json` is the machine-readable contract; `validate.invalid_reason`
applies the same rules in a fixed order and names the first rule a record breaks, with the
reason codes dbt's `stg_user_events_invalid` uses. Tests hold the two (and dbt) in step.
"""

from podcast_analytics.contract.validate import (
    EVENT_TYPES,
    PLATFORMS,
    PLAYBACK_EVENT_TYPES,
    POSITION_EVENT_TYPES,
    SCHEMA_PATH,
    invalid_reason,
    parse_event_ts,
)

__all__ = [
    "EVENT_TYPES",
    "PLATFORMS",
    "PLAYBACK_EVENT_TYPES",
    "POSITION_EVENT_TYPES",
    "SCHEMA_PATH",
    "invalid_reason",
    "parse_event_ts",
]
