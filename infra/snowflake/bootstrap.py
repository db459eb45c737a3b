"""The one-time SQL an account administrator runs before the first `pulumi up` of an env.

`python -m infra.snowflake.bootstrap --env dev --user <deploying user>` prints it, with
every name taken from the shared config. It creates the deployer role the program's main
provider uses and gives it the account-level privileges that creating the program's objects
needs, nothing more: the role then owns what it creates and grants from there.
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


_UNQUOTED_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,254}")


def bootstrap_statements(settings: Settings, deploying_user: str) -> list[str]:
    role = settings.snowflake.deployer_role
    return [
        f"CREATE ROLE IF NOT EXISTS {role} "
        f"COMMENT = 'Deploys the {settings.resource_prefix} Snowflake objects (Pulumi)'",
        f"GRANT ROLE {role} TO ROLE SYSADMIN",
        f"GRANT {', '.join(DEPLOYER_ACCOUNT_PRIVILEGES)} ON ACCOUNT TO ROLE {role}",
        f"GRANT ROLE {role} TO USER {deploying_user}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.snowflake.bootstrap", description=__doc__
    )
    parser.add_argument("--env", required=True, choices=SNOWFLAKE_STACKS)
    parser.add_argument("--user", required=True, help="Snowflake user that runs `pulumi up`")
    args = parser.parse_args(argv)
    if not _UNQUOTED_IDENTIFIER.fullmatch(args.user):
        print(f"--user {args.user!r} is not an unquoted Snowflake user name", file=sys.stderr)
        return 2
    try:
        settings = settings_for_stack(args.env)
    except ConfigError as exc:
        print(f"config error: {'; '.join(exc.problems)}", file=sys.stderr)
        return 2
    print("-- run once as ACCOUNTADMIN, before the first `pulumi up`")
    for statement in bootstrap_statements(settings, args.user):
        print(f"{statement};")
    return 0


if __name__ == "__main__":
    sys.exit(main())
