"""Stack name -> environment: `pulumi up -s dev` deploys the `dev` environment of the config."""

from __future__ import annotations

from podcast_analytics.config import CLOUD_ENVIRONMENTS, ConfigError, Settings, load_settings

# Environments with a Snowflake account; `local` runs on DuckDB and has no Pulumi stack.
SNOWFLAKE_STACKS = CLOUD_ENVIRONMENTS


def settings_for_stack(stack: str) -> Settings:
    if stack not in SNOWFLAKE_STACKS:
        raise ConfigError(
            [f"stack {stack!r} has no Snowflake environment: use {' or '.join(SNOWFLAKE_STACKS)}"]
        )
    return load_settings(stack)
