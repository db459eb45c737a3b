"""`python -m podcast_analytics <command>`: the project's command line.

Every user-facing failure (bad config, bad argument, a failed step) ends as one line on
stderr and a non-zero exit code; tracebacks are for bugs only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from podcast_analytics import deploy, redrive
from podcast_analytics.config import ConfigError, load_settings
from podcast_analytics.config.dbt_profiles import (
    project_file_with_vars,
    render_profiles,
    write_dbt_config,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
TRANSFORM_DIR = REPO_ROOT / "transform"


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
    profiles = TRANSFORM_DIR / "profiles.yml"
    project = TRANSFORM_DIR / "dbt_project.yml"
    stale = [
        path.relative_to(REPO_ROOT).as_posix()
        for path, expected in (
            (profiles, render_profiles()),
            (project, project_file_with_vars(project.read_text(encoding="utf-8"))),
        )
        if not path.exists() or path.read_text(encoding="utf-8") != expected
    ]
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
    )
    return 0


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
    redrive_cmd.set_defaults(handler=_redrive)
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
