"""The data contracts (version 1): each a JSON Schema and a reference validator.

`listening_event.schema.json` is the listening-event contract; `validate.invalid_reason`
applies the same rules in a fixed order and names the first rule a record breaks, with the
reason codes dbt's `stg_user_events_invalid` uses. `catalog_episode.schema.json` and
`catalog.catalog_invalid_reason` do the same for the episode catalog (one record per
episode version, from the feed reader). Tests hold each pair (and dbt) in step.
"""

from podcast_analytics.contract.catalog import (
    AD_BREAK_KINDS,
    CATALOG_SCHEMA_PATH,
    catalog_invalid_reason,
)
from podcast_analytics.contract.validate import (
    EVENT_TYPES,
    MAX_SECONDS,
    PLATFORMS,
    PLAYBACK_EVENT_TYPES,
    POSITION_EVENT_TYPES,
    SCHEMA_PATH,
    invalid_reason,
    parse_event_ts,
)

__all__ = [
    "AD_BREAK_KINDS",
    "CATALOG_SCHEMA_PATH",
    "EVENT_TYPES",
    "MAX_SECONDS",
    "PLATFORMS",
    "PLAYBACK_EVENT_TYPES",
    "POSITION_EVENT_TYPES",
    "SCHEMA_PATH",
    "catalog_invalid_reason",
    "invalid_reason",
    "parse_event_ts",
]
