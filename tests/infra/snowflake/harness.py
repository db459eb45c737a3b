"""Run the Pulumi program for one stack under mocks and keep what it declared.

No Pulumi CLI or provider plugin exists here, so the engine is replaced by `Mocks`: every
resource the program registers is recorded with its inputs (camelCase, as the engine would
see them), and the few values Snowflake computes are filled the way the provider fills them.
"""

from __future__ import annotations

import json
import runpy
from dataclasses import dataclass, field
from typing import Any

import pulumi
import yaml
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.mocks import MockMonitor

from infra.snowflake.program import build
from infra.snowflake.stacks import settings_for_stack
from podcast_analytics.config.facts import REPO_ROOT

ROOT = REPO_ROOT
PROJECT = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["name"]

# What the mocked Snowflake reports for values only a real account knows.
FAKE_IAM_USER_ARN = "arn:aws:iam::999999999999:user/abc1-s-mock"
FAKE_EXTERNAL_ID = "MOCK_SFCRole=1_abcdefg="
FAKE_NOTIFICATION_CHANNEL = "arn:aws:sqs:eu-west-1:999999999999:sf-snowpipe-MOCK"


@dataclass
class Declared:
    typ: str
    name: str
    inputs: dict[str, Any]
    provider: str | None
    parent: str = ""  # URN of the parent resource (a component, or the stack)
    protect: bool = False


@dataclass
class StackRun:
    stack: str
    resources: list[Declared] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def of_type(self, typ: str) -> list[Declared]:
        return [r for r in self.resources if r.typ == typ]

    def one(self, typ: str, name: str) -> Declared:
        (found,) = [r for r in self.of_type(typ) if r.name == name]
        return found


def _quoted(*parts: str) -> str:
    return ".".join(f'"{part}"' for part in parts)


class SnowflakeMocks(pulumi.runtime.Mocks):
    def __init__(self, run: StackRun) -> None:
        self.run = run

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        inputs = dict(args.inputs)
        self.run.resources.append(Declared(args.typ, args.name, inputs, args.provider))
        outputs = dict(inputs)
        # The provider computes fully_qualified_name as quoted identifiers.
        if "name" in inputs:
            scope = [inputs[k] for k in ("database", "schema") if k in inputs]
            outputs["fullyQualifiedName"] = _quoted(*scope, inputs["name"])
        if args.typ == "snowflake:index/storageIntegrationAws:StorageIntegrationAws":
            outputs["describeOutputs"] = [
                {"iamUserArn": FAKE_IAM_USER_ARN, "externalId": FAKE_EXTERNAL_ID}
            ]
        if args.typ == "snowflake:index/pipe:Pipe":
            outputs["notificationChannel"] = FAKE_NOTIFICATION_CHANNEL
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        return {}, None


class RecordingMonitor(MockMonitor):
    """The mock engine, also noting what `new_resource` is not told: parent and protect."""

    def __init__(self, run: StackRun) -> None:
        super().__init__(SnowflakeMocks(run))
        self.run = run

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        # Registrations run concurrently: find this one by (type, name), unique here. The
        # root stack is never passed to `new_resource`, so it has no entry.
        for declared in self.run.resources:
            if (declared.typ, declared.name) == (request.type, request.name):
                declared.parent, declared.protect = request.parent, request.protect
        return response


class _WarningCollector:
    def __init__(self, run: StackRun) -> None:
        self.run = run

    def __getattr__(self, level: str):  # debug/info/warning/error, as the mock engine calls
        def log(message: str, *_: Any, **__: Any) -> None:
            if level.startswith("warn"):
                self.run.warnings.append(message)

        return log


def stack_config(stack: str) -> dict[str, str]:
    """The stack file's config as the engine hands it to the program (JSON for objects)."""
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {
        key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()
    }


ENTRY_POINT = ROOT / yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["main"] / "__main__.py"


def run_stack(
    stack: str, extra_config: dict[str, str] | None = None, *, via_entry_point: bool = False
) -> StackRun:
    """Declare the whole program for `stack` and wait until every output has resolved.

    `via_entry_point` runs `__main__.py` as Pulumi would (outputs then go to the stack, not
    to `run.outputs`); otherwise `build` is called directly so its outputs can be compared.
    """
    run = StackRun(stack)
    # A fresh root stack and config per run, so two stacks in one process do not mix.
    runtime_settings.ROOT.set(None)
    pulumi.runtime.set_all_config({**stack_config(stack), **(extra_config or {})})
    monitor = RecordingMonitor(run)
    pulumi.runtime.set_mocks(
        monitor.mocks,
        monitor=monitor,
        project=PROJECT,
        stack=stack,
        preview=False,
        logger=_WarningCollector(run),  # type: ignore[arg-type]
    )

    @pulumi.runtime.test
    def declare() -> pulumi.Output[Any]:
        if via_entry_point:
            runpy.run_path(str(ENTRY_POINT), run_name="__main__")
            return pulumi.Output.from_input(None)
        outputs = build(settings_for_stack(pulumi.get_stack()))
        return pulumi.Output.from_input(outputs).apply(run.outputs.update)

    declare()
    return run
