"""Build and synthesize the CDK app the way `cdk synth` does, for tests.

`App()` in a test does not read cdk.json or cdk.context.json, so their context (feature
flags, committed AZs) is passed in; path and asset metadata are left out so templates
depend only on the infrastructure, not on the checkout directory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from infra.aws.assembly import PipelineStacks, add_security_checks, add_stacks
from podcast_analytics.config import Settings, load_settings
from podcast_analytics.config.facts import CLOUD_ENVIRONMENTS, REPO_ROOT

ROOT = REPO_ROOT
DEPLOY_ENVIRONMENTS = CLOUD_ENVIRONMENTS
# Values Snowflake would hand over after `pulumi up` (fixtures only).
SNOWFLAKE_USER_ARN = "arn:aws:iam::999999999999:user/abc1-s-example"
SNOWFLAKE_EXTERNAL_ID = "MYORG_SFCRole=2_example="
SNOWPIPE_QUEUE_ARN = "arn:aws:sqs:eu-west-1:999999999999:sf-snowpipe-AIDA-example"
STACK_IDS = ("Storage", "Ingestion", "SnowflakeAccess", "Orchestration", "CiAccess")


def cli_context() -> dict[str, Any]:
    context = dict(json.loads((ROOT / "cdk.json").read_text())["context"])
    context.update(json.loads((ROOT / "cdk.context.json").read_text()))
    return context


@dataclass(frozen=True)
class SynthesizedApp:
    settings: Settings
    stacks: PipelineStacks
    templates: dict[str, dict[str, Any]]  # by construct id (Storage, Ingestion, ...)
    outdir: Path

    def template(self, stack_id: str) -> dict[str, Any]:
        return self.templates[stack_id]

    def resources(self, stack_id: str, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.templates[stack_id]["Resources"].items()
            if resource["Type"] == resource_type
        }


def synthesize(
    environment: str,
    outdir: Path,
    *,
    settings: Settings | None = None,
    security_checks: bool = True,
    dbt_manifest: Path | None = None,
) -> SynthesizedApp:
    settings = settings or load_settings(environment)
    context = cli_context() | {
        "env": environment,
        "aws:cdk:enable-path-metadata": False,
        "aws:cdk:enable-asset-metadata": False,
        "aws:cdk:version-reporting": False,
    }
    app = cdk.App(context=context, outdir=str(outdir))
    stacks = add_stacks(app, settings, dbt_manifest=dbt_manifest)
    if security_checks:
        add_security_checks(app)
    assembly = app.synth()
    templates = {
        stack.node.id: assembly.get_stack_by_name(stack.stack_name).template
        for stack in stacks.all()
    }
    return SynthesizedApp(settings, stacks, templates, outdir)
