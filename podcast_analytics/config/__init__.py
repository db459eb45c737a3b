"""Shared configuration: `load_settings("dev")` is how every tool learns its names."""

from podcast_analytics.config.settings import (
    DEFAULT_CONFIG_PATH,
    ENVIRONMENTS,
    RAW_TABLE_COLUMNS,
    ConfigError,
    Settings,
    load_settings,
)

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "ENVIRONMENTS",
    "RAW_TABLE_COLUMNS",
    "ConfigError",
    "Settings",
    "load_settings",
]
