"""The SQL an account administrator runs for an environment: the only ACCOUNTADMIN step.

    python -m infra.snowflake.bootstrap --env dev --user <deploying user>            # all
    python -m infra.snowflake.bootstrap --env dev --user <deploying user> --part role
    python -m infra.snowflake.bootstrap --env dev --part monitor

prints it, with every name taken from the shared config, for an admin to run (as ACCOUNTADMIN,
e.g. in a Snowsight worksheet); nothing here connects anywhere. Two parts:

- `role`, before the first `pulumi up`: the deployer role the routine run uses, with the
  account-level privileges that creating the program's objects needs and nothing more; the
  role then owns what it creates and grants from there.
- `monitor`: the environment's resource monitor and its assignment to the warehouse. Only
  ACCOUNTADMIN may create a resource monitor
  (https://docs.snowflake.com/en/user-guide/resource-monitors) or assign one to a warehouse
  (https://github.com/snowflakedb/terraform-provider-snowflake/issues/3019), so this is kept
  out of the routine `pulumi up`, whose credential never holds ACCOUNTADMIN. The warehouse is
  the program's, so the assignment takes effect once the first `pulumi up` has created it:
  run this part again after it (every statement is idempotent). The program leaves the
  warehouse's monitor alone (compute.py, `ignore_changes`). After a change of
  `snowflake.resource_monitor` in the config, run this part again.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

from infra.snowflake.stacks import SNOWFLAKE_STACKS, settings_for_stack
from podcast_analytics.config import ConfigError, Settings

# CREATE DATABASE/WAREHOUSE/INTEGRATION/ROLE/USER for the objects themselves. No EXECUTE
# TASK: the program creates no task (infra/README.md, "New raw rows"). No MANAGE GRANTS:
# managed-access schemas let the owner define future grants without it.
DEPLOYER_ACCOUNT_PRIVILEGES: tuple[str, ...] = (
    "CREATE DATABASE",
    "CREATE WAREHOUSE",
    "CREATE INTEGRATION",
    "CREATE ROLE",
    "CREATE USER",
)
PARTS: tuple[str, ...] = ("all", "role", "monitor")

_UNQUOTED_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,254}")


def role_statements(settings: Settings, deploying_user: str) -> list[str]:
    role = settings.snowflake.deployer_role
    return [
        f"CREATE ROLE IF NOT EXISTS {role} "
        f"COMMENT = 'Deploys the {settings.resource_prefix} Snowflake objects (Pulumi)'",
        f"GRANT ROLE {role} TO ROLE SYSADMIN",
        f"GRANT {', '.join(DEPLOYER_ACCOUNT_PRIVILEGES)} ON ACCOUNT TO ROLE {role}",
        f"GRANT ROLE {role} TO USER {deploying_user}",
    ]


def monitor_statements(settings: Settings) -> list[str]:
    """Create (or re-apply) the monitor from the config, then attach it to the warehouse."""
    sf = settings.snowflake
    rm = sf.resource_monitor
    triggers = " ".join(
        [f"ON {percent} PERCENT DO NOTIFY" for percent in rm.notify_at_percent]
        + [f"ON {rm.suspend_at_percent} PERCENT DO SUSPEND"]
    )
    quota = f"CREDIT_QUOTA = {rm.credit_quota}"
    return [
        # The config's quota is per month (environments.yaml).
        f"CREATE RESOURCE MONITOR IF NOT EXISTS {rm.name} WITH {quota} FREQUENCY = MONTHLY "
        f"START_TIMESTAMP = IMMEDIATELY TRIGGERS {triggers}",
        # CREATE ... IF NOT EXISTS leaves an existing monitor as it is, so this is what makes
        # a re-run apply a changed quota or trigger list.
        f"ALTER RESOURCE MONITOR {rm.name} SET {quota} TRIGGERS {triggers}",
        # A no-op until the first `pulumi up` has created the warehouse.
        f"ALTER WAREHOUSE IF EXISTS {sf.warehouse.name} SET RESOURCE_MONITOR = {rm.name}",
    ]


def bootstrap_statements(
    settings: Settings, deploying_user: str | None, part: str = "all"
) -> list[str]:
    statements: list[str] = []
    if part in ("all", "role"):
        if deploying_user is None:
            raise ValueError("the role part needs the deploying user")
        statements += role_statements(settings, deploying_user)
    if part in ("all", "monitor"):
        statements += monitor_statements(settings)
    return statements


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.snowflake.bootstrap",
        description=(__doc__ or "").splitlines()[0],
    )
    parser.add_argument("--env", required=True, choices=SNOWFLAKE_STACKS)
    parser.add_argument("--user", help="Snowflake user that runs `pulumi up` (role part)")
    parser.add_argument("--part", choices=PARTS, default="all")
    args = parser.parse_args(argv)
    if args.part != "monitor":
        if args.user is None:
            print(f"--user is required for --part {args.part}", file=sys.stderr)
            return 2
        if not _UNQUOTED_IDENTIFIER.fullmatch(args.user):
            print(f"--user {args.user!r} is not an unquoted Snowflake user name", file=sys.stderr)
            return 2
    try:
        settings = settings_for_stack(args.env)
    except ConfigError as exc:
        print(f"config error: {'; '.join(exc.problems)}", file=sys.stderr)
        return 2
    print(f"-- {settings.environment}: run as ACCOUNTADMIN ({args.part}; see docs/deploy.md)")
    print("USE ROLE ACCOUNTADMIN;")
    for statement in bootstrap_statements(settings, args.user, args.part):
        print(f"{statement};")
    return 0


if __name__ == "__main__":
    sys.exit(main())
