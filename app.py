#!/usr/bin/env python3
"""The AWS CDK app: `cdk synth|diff|deploy -c env=dev|prod` (default dev).

Reads the shared config once and hands typed values to the stacks in infra/. Optional
context `-c pipe_notification_channel=arn:aws:sqs:...` overrides the Snowpipe queue ARN from
the config (useful right after the first `pulumi up`, before the config is updated).
"""

from __future__ import annotations

import sys

import aws_cdk as cdk

from infra.assembly import add_security_checks, add_stacks
from podcast_analytics.config.settings import ConfigError, load_settings

DEFAULT_ENVIRONMENT = "dev"


def main() -> None:
    app = cdk.App()
    environment = str(app.node.try_get_context("env") or DEFAULT_ENVIRONMENT)
    try:
        settings = load_settings(environment)
    except ConfigError as error:
        sys.exit(f"config error: {'; '.join(error.problems)}")
    channel_override = app.node.try_get_context("pipe_notification_channel")
    add_stacks(
        app,
        settings,
        pipe_notification_channel=str(
            channel_override or settings.snowflake.handoff.pipe_notification_channel
        ),
    )
    add_security_checks(app)
    app.synth()


if __name__ == "__main__":
    main()
