"""`python -m podcast_analytics <command>`: the project's command line.

Every user-facing failure (bad config, bad argument, a failed step) ends as one line on
stderr and a non-zero exit code; tracebacks are for bugs only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from podcast_analytics import deploy, redrive
from podcast_analytics.config import ConfigError, load_settings
from podcast_analytics.config.dbt_profiles import (
    stale_dbt_config,
    write_dbt_config,
)
from podcast_analytics.config.facts import REPO_ROOT, TRANSFORM_DIR

# Default size of `make pipeline`: two weeks of ~1,000 listeners (18k events a day), sized
# so the run takes about a minute on 2 cores (moto's Kinesis is the bound, ~10-14k records/s).
# Without EVENTS the size follows DAYS, so `DAYS=1 START=...` adds one ordinary day.
DEFAULT_EVENTS_PER_DAY = 18_000
DEFAULT_DAYS = 14


class UsageError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


def _config(args: argparse.Namespace) -> int:
    settings = load_settings(args.env)
    print(json.dumps(settings.to_dict(), indent=2))
    return 0


def _profiles(args: argparse.Namespace) -> int:
    if not args.check:
        for path in write_dbt_config(TRANSFORM_DIR):
            print(f"wrote {path.relative_to(REPO_ROOT)}")
        return 0
    stale = [path.relative_to(REPO_ROOT).as_posix() for path in stale_dbt_config(TRANSFORM_DIR)]
    if stale:
        raise UsageError(f"{', '.join(stale)} out of date with the config: run `make profiles`")
    print("dbt profiles and vars agree with the config")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    return deploy.run_deploy(args.env, preview=args.preview, dry_run=args.dry_run)


def _ci_outputs(args: argparse.Namespace) -> int:
    settings = deploy.check_environment(args.env)
    for key, value in deploy.github_outputs(settings).items():
        print(f"{key}={value}")
    return 0


def _redrive(args: argparse.Namespace) -> int:
    settings = load_settings(args.env)
    spill = args.spill_path or REPO_ROOT / settings.local.out_dir / "redrive" / f"{args.env}.spill"
    redrive.run_redrive(
        settings,
        endpoint_url=args.endpoint_url,
        dry_run=args.dry_run,
        spill_path=spill,
        out=sys.stdout,
        out_dir=Path(args.out) if args.out else None,
    )
    return 0


def _manifest(args: argparse.Namespace) -> int:
    """`dbt parse` for one environment's target; needs no connection and no credentials."""
    from podcast_analytics.pipeline import PipelineError
    from podcast_analytics.pipeline.dbt_runner import parse_manifest

    settings = load_settings(args.env)
    try:
        parse_manifest(settings)
    except PipelineError as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote {settings.dbt.manifest_path}")
    return 0


def _positive_int(name: str, value: str | None, default: int | None) -> int | None:
    """EVENTS=200000, 200_000 or 200k; DAYS=14. One readable line when it is not one."""
    if value is None or value == "":
        return default
    text = value.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    digits = text[:-1] if scale > 1 else text
    if not digits.isdigit() or int(digits) * scale <= 0:
        raise UsageError(
            f"{name} must be a positive whole number (like 200000 or 200k), got {value!r}"
        )
    return int(digits) * scale


def _pipeline_args(args: argparse.Namespace) -> dict[str, Any]:
    settings = load_settings("local")
    out = Path(args.out or settings.local.out_dir)
    input_path = Path(args.input) if args.input else None
    if input_path is not None and not input_path.is_file():
        raise UsageError(f"INPUT {input_path} does not exist or is not a file")
    catalog_path = Path(args.catalog) if getattr(args, "catalog", None) else None
    if catalog_path is not None and not catalog_path.is_file():
        raise UsageError(f"CATALOG {catalog_path} does not exist or is not a file")
    seed_text = (args.seed or "7").strip()
    if not seed_text.isdigit():
        raise UsageError(f"SEED must be a whole number >= 0, got {args.seed!r}")
    try:
        start = date.fromisoformat(args.start) if args.start else None
    except ValueError:
        raise UsageError(f"START must be a date like 2026-11-15, got {args.start!r}") from None
    days = _positive_int("DAYS", args.days, DEFAULT_DAYS) or DEFAULT_DAYS
    return {
        "settings": settings,
        "start": start,
        "out_dir": out,
        "events": _positive_int("EVENTS", args.events, DEFAULT_EVENTS_PER_DAY * days),
        "days": days,
        "seed": int(seed_text),
        "input_path": input_path,
        "catalog_path": catalog_path,
    }


def _pipeline(args: argparse.Namespace) -> int:
    from podcast_analytics.local.emulator.moto_server import EmulatorError
    from podcast_analytics.pipeline import PipelineError
    from podcast_analytics.pipeline.runner import run_pipeline

    try:
        run_pipeline(**_pipeline_args(args))
    except (PipelineError, EmulatorError) as exc:
        raise UsageError(str(exc)) from None
    return 0


def _bench(args: argparse.Namespace) -> int:
    from podcast_analytics.local.emulator.moto_server import EmulatorError
    from podcast_analytics.pipeline import PipelineError
    from podcast_analytics.pipeline.bench import run_bench

    try:
        run_bench(**_pipeline_args(args))
    except (PipelineError, EmulatorError) as exc:
        raise UsageError(str(exc)) from None
    return 0


def _bench_transform(args: argparse.Namespace) -> int:
    from podcast_analytics.pipeline import PipelineError
    from podcast_analytics.pipeline.bench_transform import (
        DEFAULT_DAYS,
        DEFAULT_EVENTS_PER_DAY,
        run_bench_transform,
        summary,
    )

    settings = load_settings("local")
    days = _positive_int("DAYS", args.days, DEFAULT_DAYS)
    events = _positive_int("EVENTS_PER_DAY", args.events_per_day, DEFAULT_EVENTS_PER_DAY)
    runs = _positive_int("RUNS", args.runs, 3)
    assert days and events and runs  # defaults given
    out_dir = Path(args.out or settings.local.out_dir)
    try:
        result = run_bench_transform(settings, out_dir, days=days, events_per_day=events, runs=runs)
    except PipelineError as exc:
        raise UsageError(str(exc)) from None
    print(summary(result))
    print(f"wrote {out_dir / 'bench-transform.json'}")
    return 0


def _plan(args: argparse.Namespace) -> int:
    from podcast_analytics.plan import DEFAULT_EVENTS_PER_DAY, run_plan

    settings = load_settings(args.env)
    events = _positive_int("EVENTS_PER_DAY", args.events_per_day, DEFAULT_EVENTS_PER_DAY)
    assert events is not None  # a default is given
    out_dir = Path(args.out) if args.out else REPO_ROOT / settings.local.out_dir
    try:
        run_plan(settings, events, out_dir)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    # Strings, not argparse types: the Makefile passes empty values through, and a bad value
    # must read as the make variable the user typed (EVENTS=...), in one line.
    parser.add_argument(
        "--events", help=f"events to generate (default {DEFAULT_EVENTS_PER_DAY:,} a day)"
    )
    parser.add_argument("--days", help=f"simulated days (default {DEFAULT_DAYS})")
    parser.add_argument("--seed", help="generator seed (default 7)")
    parser.add_argument("--start", help="first simulated day, YYYY-MM-DD (default 2026-11-01)")
    parser.add_argument("--input", help="replay this NDJSON file (.gz ok) instead of generating")
    parser.add_argument(
        "--catalog", help="replay this episode-catalog NDJSON file (.gz ok) instead of the feeds"
    )
    parser.add_argument("--out", help="output directory (default: local.out_dir, i.e. out/)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="podcast-analytics", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    config = commands.add_parser("config", help="print the resolved config of one environment")
    config.add_argument("--env", required=True, help="local, dev or prod")
    config.set_defaults(handler=_config)

    profiles = commands.add_parser("profiles", help="render dbt profiles/vars from the config")
    profiles.add_argument("--check", action="store_true", help="fail if the files have drifted")
    profiles.set_defaults(handler=_profiles)

    deploy_cmd = commands.add_parser(
        "deploy", help="deploy dev or prod: CDK, Pulumi, the hand-off back to CDK, then dbt"
    )
    deploy_cmd.add_argument("--env", required=True, help="dev or prod")
    deploy_cmd.add_argument(
        "--dry-run", action="store_true", help="print the plan; run nothing, need no credentials"
    )
    deploy_cmd.add_argument(
        "--preview", action="store_true", help="pulumi preview + cdk diff instead of deploying"
    )
    deploy_cmd.set_defaults(handler=_deploy)

    ci_outputs = commands.add_parser(
        "ci-outputs", help="key=value lines from the config for a workflow's $GITHUB_OUTPUT"
    )
    ci_outputs.add_argument("--env", required=True, help="dev or prod")
    ci_outputs.set_defaults(handler=_ci_outputs)

    redrive_cmd = commands.add_parser(
        "redrive", help="re-send dead-lettered Firehose records that now pass validation"
    )
    redrive_cmd.add_argument("--env", required=True, help="local, dev or prod")
    redrive_cmd.add_argument(
        "--endpoint-url", help="AWS endpoint, e.g. the local emulator's http://127.0.0.1:PORT"
    )
    redrive_cmd.add_argument(
        "--dry-run", action="store_true", help="decode, re-validate and report; change nothing"
    )
    redrive_cmd.add_argument(
        "--spill-path", type=Path, help="where records that cannot be sent are kept (NDJSON)"
    )
    redrive_cmd.add_argument(
        "--out", help="local: the run's OUT, whose dead_letters/ it re-drives (default out/)"
    )
    redrive_cmd.set_defaults(handler=_redrive)

    manifest = commands.add_parser("manifest", help="dbt parse for ENV: the manifest MWAA gets")
    manifest.add_argument("--env", required=True, help="local, dev or prod")
    manifest.set_defaults(handler=_manifest)

    pipeline = commands.add_parser("pipeline", help="run the whole pipeline locally")
    _add_run_arguments(pipeline)
    pipeline.set_defaults(handler=_pipeline)

    bench = commands.add_parser("bench", help="benchmark the local pipeline's stages")
    _add_run_arguments(bench)
    bench.set_defaults(handler=_bench)

    bench_transform = commands.add_parser(
        "bench-transform", help="time dbt on generated raw rows: full, +1 day, no-op"
    )
    bench_transform.add_argument("--days", help="days of history (default 30)")
    bench_transform.add_argument("--events-per-day", help="events a day (default 30,000)")
    bench_transform.add_argument("--runs", help="repeats of the cheap runs (default 3)")
    bench_transform.add_argument("--out", help="output directory (default: local.out_dir)")
    bench_transform.set_defaults(handler=_bench_transform)

    plan = commands.add_parser("plan", help="capacity and cost plan of ENV from its config")
    plan.add_argument("--env", required=True, help="local, dev or prod")
    plan.add_argument("--events-per-day", help="traffic to plan for (default 100,000,000)")
    plan.add_argument("--out", help="where plan.json goes and bench-transform.json is read")
    plan.set_defaults(handler=_plan)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"config error: {problem}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except deploy.DeployError as exc:
        print(f"deploy error: {exc}", file=sys.stderr)
        return 1
    except redrive.RedriveError as exc:
        print(f"redrive error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
