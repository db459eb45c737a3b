"""`make deploy ENV=dev|prod`: the whole deploy across CDK, Pulumi and dbt, in order.

The AWS side (CDK) and the Snowflake side (Pulumi) need values from each other; the order
of the steps and why is described once, in docs/deploy.md ("What `make deploy` does, in
order"). `deploy_plan` below is that order as code.

`--preview` is the pull-request version of the same: the manifest, `pulumi preview`, then
`cdk diff` with the current hand-off, changing nothing. `--dry-run` prints either plan with
placeholders for the values only known at run time, needs no credentials, runs nothing.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from podcast_analytics.config import (
    CLOUD_ENVIRONMENTS,
    HANDOFF_KEYS,
    ConfigError,
    Settings,
    load_settings,
)
from podcast_analytics.config.facts import REPO_ROOT

# Environments with cloud resources; `local` runs on moto + DuckDB and is never deployed.
DEPLOYABLE_ENVIRONMENTS = CLOUD_ENVIRONMENTS

# Pulumi stack output name -> CDK context key. Both are the field names of
# `settings.snowflake.handoff` (integration_iam_user_arn, integration_external_id,
# pipe_notification_channel): the Pulumi program exports them under those names and the
# CDK app reads context keys of the same names as overrides of the config's values.
HANDOFF_OUTPUT_TO_CONTEXT: dict[str, str] = {key: key for key in HANDOFF_KEYS}


class DeployError(Exception):
    """A deploy that cannot start or a step that failed; printed as one line."""


@dataclass(frozen=True, slots=True)
class Handoff:
    """Placeholder in a command line for the hand-off read by an earlier step."""

    source: str  # name of the step whose output fills it
    # True when the step ran before Pulumi did: it may legitimately be empty then.
    may_be_empty: bool


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    argv: tuple[str, ...]
    cwd: str = "."  # relative to the repository root
    # Output handling: a step named in `captures` has its stdout parsed as Pulumi stack
    # outputs; a step with `handoff` gets `-c key=value` for each hand-off value appended.
    captures: bool = False
    handoff: Handoff | None = None

    def command_line(self, values: Mapping[str, str] | None = None) -> str:
        """The command as a shell line; with `values=None`, placeholders for the hand-off."""
        line = shlex.join(self.resolved_argv(values or {}))
        if self.handoff is not None and values is None:
            note = "; none on a first deploy" if self.handoff.may_be_empty else ""
            line += "".join(
                f" -c {key}=<{output} from '{self.handoff.source}'{note}>"
                for output, key in HANDOFF_OUTPUT_TO_CONTEXT.items()
            )
        return line if self.cwd == "." else f"(cd {self.cwd} && {line})"

    def resolved_argv(self, values: Mapping[str, str]) -> list[str]:
        args = list(self.argv)
        if self.handoff is not None:
            for output, context_key in HANDOFF_OUTPUT_TO_CONTEXT.items():
                if values.get(output):
                    args += ["-c", f"{context_key}={values[output]}"]
        return args


@dataclass(frozen=True, slots=True)
class Plan:
    environment: str
    mode: str  # "deploy" or "preview"
    steps: tuple[Step, ...]
    facts: tuple[tuple[str, str], ...] = field(default=())


def check_environment(environment: str) -> Settings:
    if environment not in DEPLOYABLE_ENVIRONMENTS:
        raise DeployError(
            f"environment {environment!r} is not deployed to the cloud: use "
            f"{' or '.join(DEPLOYABLE_ENVIRONMENTS)} (`local` runs with `make pipeline`)"
        )
    return load_settings(environment)


def _facts(settings: Settings) -> tuple[tuple[str, str], ...]:
    return (
        ("AWS account", settings.aws.account),
        ("AWS region", settings.aws.region),
        ("CDK context", f"env={settings.environment}"),
        ("Pulumi stack", settings.environment),
        ("Snowflake account", f"{settings.snowflake.organization}-{settings.snowflake.account}"),
        ("dbt target", settings.dbt.target),
        ("raw bucket", settings.storage.buckets.raw),
        ("artefacts bucket", settings.storage.buckets.artefacts),
    )


def _cdk(*args: str) -> tuple[str, ...]:
    return ("npx", "cdk", *args)


def _manifest(env: str) -> Step:
    # The project's own command (dbt parse, no connection needed), run by this interpreter.
    return Step(
        "dbt manifest for MWAA", ("python", "-m", "podcast_analytics", "manifest", "--env", env)
    )


def _stack_outputs(env: str) -> tuple[str, ...]:
    # --show-secrets: a secret output would otherwise read "[secret]" and be handed on as such.
    return ("pulumi", "stack", "output", "--json", "--show-secrets", "-s", env)


def deploy_plan(settings: Settings) -> Plan:
    env = settings.environment
    current = "read current hand-off"
    new = "read new hand-off"
    cdk_deploy = ("deploy", "--all", "-c", f"env={env}", "--require-approval", "never")
    steps = (
        _manifest(env),
        Step("ensure Pulumi stack", ("pulumi", "stack", "select", "--create", env)),
        Step(current, _stack_outputs(env), captures=True),
        Step(
            "cdk deploy (first pass)",
            _cdk(*cdk_deploy),
            handoff=Handoff(source=current, may_be_empty=True),
        ),
        Step("pulumi up", ("pulumi", "up", "--yes", "-s", env)),
        Step(new, _stack_outputs(env), captures=True),
        Step(
            "cdk deploy (with hand-off)",
            _cdk(*cdk_deploy),
            handoff=Handoff(source=new, may_be_empty=False),
        ),
        Step(
            "dbt build",
            (
                "dbt",
                "build",
                "--target",
                settings.dbt.target,
                "--target-path",
                settings.dbt.target_path,
            ),
            cwd=settings.dbt.project_dir,
        ),
    )
    return Plan(env, "deploy", steps, _facts(settings))


def preview_plan(settings: Settings) -> Plan:
    env = settings.environment
    current = "read current hand-off"
    steps = (
        _manifest(env),
        Step("pulumi preview", ("pulumi", "preview", "--diff", "-s", env)),
        Step(current, _stack_outputs(env), captures=True),
        Step(
            "cdk diff",
            _cdk("diff", "--all", "-c", f"env={env}"),
            handoff=Handoff(source=current, may_be_empty=True),
        ),
    )
    return Plan(env, "preview", steps, _facts(settings))


# --------------------------------------------------------------------------- hand-off


def parse_handoff(stdout: str, settings: Settings, *, require: bool) -> dict[str, str]:
    """Pick the hand-off out of `pulumi stack output --json`, validated by the config."""
    try:
        outputs = json.loads(stdout or "{}")
    except ValueError:
        raise DeployError("pulumi stack output did not print JSON") from None
    if not isinstance(outputs, dict):
        raise DeployError("pulumi stack output did not print a JSON object")
    values = {name: outputs.get(name) or "" for name in HANDOFF_OUTPUT_TO_CONTEXT}
    bad_types = [name for name, value in values.items() if not isinstance(value, str)]
    if bad_types:
        raise DeployError(f"stack output(s) {', '.join(bad_types)} are not strings")
    missing = [name for name, value in values.items() if not value]
    if require and missing:
        raise DeployError(
            f"stack {settings.environment} has no {', '.join(missing)} after `pulumi up`: "
            "check the program's exports (infra/snowflake/program.py)"
        )
    try:
        # The same rules as values written into environments.yaml by hand.
        load_settings(settings.environment, overrides={"snowflake": {"handoff": values}})
    except ConfigError as exc:
        raise DeployError(f"hand-off rejected: {exc.problems[0]}") from None
    return values


# --------------------------------------------------------------------------- running

Runner = Callable[[Sequence[str], Path], subprocess.CompletedProcess[str]]


def run_subprocess(
    argv: Sequence[str], cwd: Path, *, capture: bool
) -> subprocess.CompletedProcess[str]:
    executable = _resolve_executable(argv[0])
    return subprocess.run(  # noqa: S603 - argv is the plan's, built above, never a shell line
        [executable, *argv[1:]],
        cwd=cwd,
        text=True,
        check=False,
        stdout=subprocess.PIPE if capture else None,
    )


def _resolve_executable(name: str) -> str:
    # `python` is this interpreter; dbt lives in the project's virtualenv beside it; the
    # rest (npx, pulumi) on PATH.
    if name == "python":
        return sys.executable
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise DeployError(f"{name} not found on PATH: install it first (see docs/deploy.md)")
    return found


def print_plan(plan: Plan, out: TextIO) -> None:
    verb = "deploy" if plan.mode == "deploy" else "preview (changes nothing)"
    print(f"{verb} of environment {plan.environment}: {len(plan.steps)} steps", file=out)
    for label, value in plan.facts:
        print(f"  {label + ':':<19}{value}", file=out)
    for index, step in enumerate(plan.steps, start=1):
        print(f"[{index}/{len(plan.steps)}] {step.name}", file=out)
        print(f"    $ {step.command_line()}", file=out)
    print(
        "placeholders <...> are filled at run time from `pulumi stack output`; an empty "
        "value is left out, and the CDK app then falls back to `snowflake.handoff` of "
        f"`make config ENV={plan.environment}`",
        file=out,
    )


def execute(
    plan: Plan,
    settings: Settings,
    *,
    out: TextIO,
    run: Callable[..., subprocess.CompletedProcess[str]] = run_subprocess,
    summary_path: Path | None = None,
) -> None:
    """Run the plan step by step; stop at the first failure with one line naming it."""
    captured: dict[str, dict[str, str]] = {}
    outcomes: list[tuple[Step, str]] = []
    total = len(plan.steps)
    try:
        for index, step in enumerate(plan.steps, start=1):
            values: dict[str, str] = {}
            if step.handoff is not None:
                values = captured[step.handoff.source]
            print(f"==> [{index}/{total}] {step.name}: {step.command_line(values)}", file=out)
            out.flush()
            result = run(step.resolved_argv(values), REPO_ROOT / step.cwd, capture=step.captures)
            if result.returncode != 0:
                outcomes.append((step, f"failed (exit {result.returncode})"))
                raise DeployError(
                    f"{plan.mode} of {plan.environment} failed at step {index}/{total} "
                    f"'{step.name}' (exit code {result.returncode})"
                )
            if step.captures:
                require = any(
                    s.handoff is not None
                    and s.handoff.source == step.name
                    and not s.handoff.may_be_empty
                    for s in plan.steps
                )
                captured[step.name] = parse_handoff(result.stdout, settings, require=require)
            outcomes.append((step, "ok"))
    finally:
        if summary_path is not None:
            _write_summary(plan, outcomes, summary_path)


def _write_summary(plan: Plan, outcomes: list[tuple[Step, str]], path: Path) -> None:
    """Markdown for $GITHUB_STEP_SUMMARY: which steps ran and how each ended."""
    done = {step.name: outcome for step, outcome in outcomes}
    lines = [
        f"### {plan.mode} of `{plan.environment}`",
        "",
        "| # | step | command | result |",
        "|---|---|---|---|",
    ]
    for index, step in enumerate(plan.steps, start=1):
        command = shlex.join(step.argv).replace("|", "\\|")
        where = f"(in `{step.cwd}`) " if step.cwd != "." else ""
        lines.append(
            f"| {index} | {step.name} | {where}`{command}` | {done.get(step.name, 'not run')} |"
        )
    with path.open("a", encoding="utf-8") as summary:
        summary.write("\n".join(lines) + "\n\n")


# --------------------------------------------------------------------------- CI values


def github_outputs(settings: Settings) -> dict[str, str]:
    """Values a workflow needs, from the config (written to $GITHUB_OUTPUT by CI)."""
    return {
        "environment": settings.environment,
        "aws_region": settings.aws.region,
        "aws_account": settings.aws.account,
        "deploy_role_arn": (
            f"arn:aws:iam::{settings.aws.account}:role/{settings.access.ci_deploy_role_name}"
        ),
        "artefacts_bucket": settings.storage.buckets.artefacts,
        "plan_role_arn": (
            f"arn:aws:iam::{settings.aws.account}:role/{settings.access.ci_plan_role_name}"
        ),
        "dbt_artefacts_prefix": settings.storage.prefixes.deploy_artefacts,
        # where `dbt build` of the deploy writes manifest.json and run_results.json
        "dbt_target_dir": f"{settings.dbt.project_dir}/{settings.dbt.target_path}",
        "dbt_target": settings.dbt.target,
    }


def run_deploy(environment: str, *, preview: bool, dry_run: bool, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    settings = check_environment(environment)
    plan = preview_plan(settings) if preview else deploy_plan(settings)
    if dry_run:
        print_plan(plan, out)
        return 0
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    execute(plan, settings, out=out, summary_path=Path(summary) if summary else None)
    print(f"{plan.mode} of {environment}: all {len(plan.steps)} steps succeeded", file=out)
    return 0
