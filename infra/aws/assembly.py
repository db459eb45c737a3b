"""Turns one `Settings` into the CDK app's stacks; shared by app.py and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.aws.stacks import (
    CiAccessStack,
    IngestionStack,
    OrchestrationStack,
    SnowflakeAccessStack,
    StorageStack,
)
from podcast_analytics.config import Settings


@dataclass(frozen=True, slots=True)
class PipelineStacks:
    storage: StorageStack
    ingestion: IngestionStack
    snowflake_access: SnowflakeAccessStack
    orchestration: OrchestrationStack
    ci_access: CiAccessStack

    def all(self) -> list[cdk.Stack]:
        return [
            self.storage,
            self.ingestion,
            self.snowflake_access,
            self.orchestration,
            self.ci_access,
        ]


def add_stacks(
    app: cdk.App, settings: Settings, *, dbt_manifest: Path | None = None
) -> PipelineStacks:
    """All stacks of one environment. `dbt_manifest` is that environment's parsed dbt
    manifest (`make manifest ENV=...`), shipped to MWAA for cosmos; None leaves it out."""
    env = cdk.Environment(account=settings.aws.account, region=settings.aws.region)
    prefix = settings.resource_prefix

    def common(unit: str) -> dict[str, object]:
        return {
            "env": env,
            "stack_name": f"{prefix}-{unit}",
            "description": f"{settings.project} ({settings.environment}): {unit}",
            "tags": {"project": settings.project, "environment": settings.environment},
            "termination_protection": settings.storage.retain_on_delete and unit == "storage",
        }

    storage = StorageStack(
        app,
        "Storage",
        settings=settings,
        **common("storage"),
    )
    buckets = storage.buckets
    stacks = PipelineStacks(
        storage=storage,
        ingestion=IngestionStack(
            app, "Ingestion", settings=settings, storage=buckets, **common("ingestion")
        ),
        snowflake_access=SnowflakeAccessStack(
            app,
            "SnowflakeAccess",
            settings=settings,
            storage=buckets,
            **common("snowflake-access"),
        ),
        orchestration=OrchestrationStack(
            app,
            "Orchestration",
            settings=settings,
            storage=buckets,
            dbt_manifest=dbt_manifest,
            **common("orchestration"),
        ),
        ci_access=CiAccessStack(
            app, "CiAccess", settings=settings, storage=buckets, **common("ci-access")
        ),
    )
    # Buckets are referred to by name, so the order the key references imply is made
    # explicit: the stateful stack deploys first.
    for stack in (
        stacks.ingestion,
        stacks.snowflake_access,
        stacks.orchestration,
        stacks.ci_access,
    ):
        stack.add_stack_dependency(storage)
    return stacks


def add_security_checks(app: cdk.App) -> None:
    """cdk-nag's AWS Solutions pack: any unacknowledged finding fails synthesis."""
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
