#!/usr/bin/env python3
"""The AWS CDK app: `cdk synth|diff|deploy -c env=dev|prod` (default dev).

Reads the shared config once and hands typed values to the stacks in infra/. The values
Snowflake generates on `pulumi up` (see docs/deploy.md) may come from the config's
`snowflake.handoff` block or, as `make deploy` passes them, from context:
`-c integration_iam_user_arn=... -c integration_external_id=... -c pipe_notification_channel=...`.
Either way they are validated like every other config value.
"""

from __future__ import annotations

import sys
from pathlib import Path

import aws_cdk as cdk

from infra.aws.assembly import add_security_checks, add_stacks
from podcast_analytics.config import (
    HANDOFF_KEYS,
    ConfigError,
    Settings,
    load_settings,
)

DEFAULT_ENVIRONMENT = "dev"


def settings_from_context(app: cdk.App) -> Settings:
    """The environment's settings, with the command line's hand-off values applied."""
    environment = str(app.node.try_get_context("env") or DEFAULT_ENVIRONMENT)
    handoff = {key: str(value) for key in HANDOFF_KEYS if (value := app.node.try_get_context(key))}
    overrides = {"snowflake": {"handoff": handoff}} if handoff else None
    return load_settings(environment, overrides=overrides)


def dbt_manifest(settings: Settings) -> Path | None:
    """This environment's parsed dbt manifest, if `make manifest ENV=...` has written it."""
    path = Path(__file__).resolve().parent / settings.dbt.manifest_path
    return path if path.is_file() else None


def main() -> None:
    app = cdk.App()
    try:
        settings = settings_from_context(app)
    except ConfigError as error:
        sys.exit(f"config error: {'; '.join(error.problems)}")
    manifest = dbt_manifest(settings)
    stacks = add_stacks(app, settings, dbt_manifest=manifest)
    if manifest is None:
        cdk.Annotations.of(stacks.orchestration).add_warning_v2(
            "podcast:no-dbt-manifest",
            f"No dbt manifest for {settings.environment}: MWAA's DAG will not import until "
            f"`make manifest ENV={settings.environment}` runs before deploy (make synth/deploy "
            "do it).",
        )
    add_security_checks(app)
    app.synth()


if __name__ == "__main__":
    main()
