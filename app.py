#!/usr/bin/env python3
"""The AWS CDK app: `cdk synth|diff|deploy -c env=dev|prod` (default dev).

Reads the shared config once and hands typed values to the stacks in infra/. Optional
context `-c pipe_notification_channel=arn:aws:sqs:...` overrides the Snowpipe queue ARN of
the config (useful right after the first `pulumi up`, before the config is updated); it is
validated like the config value.
"""

from __future__ import annotations

import sys

import aws_cdk as cdk

from infra.assembly import add_security_checks, add_stacks
from podcast_analytics.config.settings import ConfigError, Settings, load_settings

DEFAULT_ENVIRONMENT = "dev"


def settings_from_context(app: cdk.App) -> Settings:
    """The environment's settings, with the command line's hand-off override applied."""
    environment = str(app.node.try_get_context("env") or DEFAULT_ENVIRONMENT)
    channel = app.node.try_get_context("pipe_notification_channel")
    overrides = (
        {"snowflake": {"handoff": {"pipe_notification_channel": str(channel)}}} if channel else None
    )
    return load_settings(environment, overrides=overrides)


def main() -> None:
    app = cdk.App()
    try:
        settings = settings_from_context(app)
    except ConfigError as error:
        sys.exit(f"config error: {'; '.join(error.problems)}")
    add_stacks(app, settings)
    add_security_checks(app)
    app.synth()


if __name__ == "__main__":
    main()
