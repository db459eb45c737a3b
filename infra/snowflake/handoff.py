"""Turn `pulumi stack output --json` into the `snowflake.handoff` block of the shared config.

    pulumi stack output -s dev --json | .venv/bin/python -m infra.snowflake.handoff --env dev

prints the YAML to put under `environments: dev:` in
podcast_analytics/config/environments.yaml (needed only to run `cdk deploy` by hand, see
docs/deploy.md), after checking the values with the config's own validation. It prints
rather than edits, so the reviewed commit of that file stays a person's decision.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

import yaml

from infra.snowflake.stacks import SNOWFLAKE_STACKS
from podcast_analytics.config import HANDOFF_KEYS, ConfigError, load_settings

HANDOFF_FIELDS = HANDOFF_KEYS


class HandoffError(ValueError):
    """The stack outputs cannot become a valid hand-off."""


def handoff_block(env: str, stack_outputs: dict[str, Any]) -> str:
    missing = [name for name in HANDOFF_FIELDS if not stack_outputs.get(name)]
    if missing:
        raise HandoffError(f"stack outputs lack {', '.join(missing)}: has `pulumi up` run?")
    handoff = {name: str(stack_outputs[name]) for name in HANDOFF_FIELDS}
    try:
        load_settings(env, overrides={"snowflake": {"handoff": handoff}})
    except ConfigError as exc:
        raise HandoffError("; ".join(exc.problems)) from None
    return yaml.safe_dump({"snowflake": {"handoff": handoff}}, sort_keys=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.snowflake.handoff", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--env", required=True, choices=SNOWFLAKE_STACKS)
    args = parser.parse_args(argv)
    try:
        outputs = json.load(sys.stdin)
        if not isinstance(outputs, dict):
            raise HandoffError("expected the JSON object `pulumi stack output --json` prints")
        print(handoff_block(args.env, outputs), end="")
    except json.JSONDecodeError:
        print("stdin is not JSON: pipe `pulumi stack output --json` in", file=sys.stderr)
        return 2
    except HandoffError as exc:
        print(f"handoff: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
