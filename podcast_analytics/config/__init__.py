"""Shared configuration: `load_settings("dev")` is how every tool learns its names.

model.py (the typed value), loading.py (YAML, merge, shape), names.py (derived names),
checks.py (value limits), facts.py (small facts shared across tools), dbt_profiles.py.
"""

from podcast_analytics.config.facts import (
    CLOUD_ENVIRONMENTS,
    ENVIRONMENTS,
    RAW_TABLE_COLUMNS,
    REPO_ROOT,
    RawColumn,
)
from podcast_analytics.config.loading import DEFAULT_CONFIG_PATH, input_shape, load_settings
from podcast_analytics.config.model import (
    HANDOFF_KEYS,
    AccessConfig,
    AwsConfig,
    BucketNames,
    ConfigError,
    DbtConfig,
    EventsConfig,
    FirehoseConfig,
    KinesisConfig,
    LocalConfig,
    MwaaConfig,
    Prefixes,
    ResourceMonitorConfig,
    Settings,
    SnowflakeConfig,
    SnowflakeHandoff,
    SnowflakeRoles,
    StorageConfig,
    WarehouseConfig,
)

__all__ = [
    "CLOUD_ENVIRONMENTS",
    "DEFAULT_CONFIG_PATH",
    "ENVIRONMENTS",
    "HANDOFF_KEYS",
    "RAW_TABLE_COLUMNS",
    "REPO_ROOT",
    "AccessConfig",
    "AwsConfig",
    "BucketNames",
    "ConfigError",
    "DbtConfig",
    "EventsConfig",
    "FirehoseConfig",
    "KinesisConfig",
    "LocalConfig",
    "MwaaConfig",
    "Prefixes",
    "RawColumn",
    "ResourceMonitorConfig",
    "Settings",
    "SnowflakeConfig",
    "SnowflakeHandoff",
    "SnowflakeRoles",
    "StorageConfig",
    "WarehouseConfig",
    "input_shape",
    "load_settings",
]
