"""Queue what Firehose wrote before the raw bucket notified the pipe: `ALTER PIPE ... REFRESH`.

    python -m infra.snowflake.refresh --env dev

`make deploy` runs it right after the CDK pass that wires the S3 notification: objects that
landed under `raw_events/` before that moment produced no notification and would never load.
REFRESH queues the stage's files staged in the last 7 days
(https://docs.snowflake.com/en/sql-reference/sql/alter-pipe); files the pipe already loaded
are skipped by its load metadata, and any duplicate that still got through is dropped by dbt
(first arrival per event_id), so running it on every deploy is safe. Older files: see
docs/runbook.md (a backfill).

It connects as the deployer (the pipe's owner) with the same variables the Pulumi provider
reads: SNOWFLAKE_USER, SNOWFLAKE_PRIVATE_KEY and, for an encrypted key,
SNOWFLAKE_PRIVATE_KEY_PASSPHRASE.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from infra.snowflake.sql import raw_object
from infra.snowflake.stacks import SNOWFLAKE_STACKS, settings_for_stack
from podcast_analytics.config import ConfigError, Settings

USER_VARIABLE = "SNOWFLAKE_USER"
KEY_VARIABLE = "SNOWFLAKE_PRIVATE_KEY"
PASSPHRASE_VARIABLE = "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"  # noqa: S105 - a name

Connect = Callable[[Settings, Mapping[str, str]], Any]


class RefreshError(RuntimeError):
    """The refresh could not run; printed as one line."""


def refresh_statement(settings: Settings) -> str:
    sf = settings.snowflake
    return f"ALTER PIPE {raw_object(sf, sf.pipe)} REFRESH"


def connect_as_deployer(settings: Settings, environ: Mapping[str, str]) -> Any:
    """A Snowflake connection as the environment's deployer role, key-pair auth only."""
    missing = [name for name in (USER_VARIABLE, KEY_VARIABLE) if not environ.get(name)]
    if missing:
        raise RefreshError(
            f"{' and '.join(missing)} not set: the pipe refresh connects as the deployer, "
            "with the variables `pulumi up` uses"
        )
    import snowflake.connector
    from cryptography.hazmat.primitives import serialization

    passphrase = environ.get(PASSPHRASE_VARIABLE)
    try:
        key = serialization.load_pem_private_key(
            environ[KEY_VARIABLE].encode(),
            password=passphrase.encode() if passphrase else None,
        )
    except (ValueError, TypeError) as exc:
        raise RefreshError(f"{KEY_VARIABLE} is not a usable PEM private key ({exc})") from None
    sf = settings.snowflake
    return snowflake.connector.connect(
        account=f"{sf.organization}-{sf.account}",
        user=environ[USER_VARIABLE],
        private_key=key,
        role=sf.deployer_role,
        database=sf.raw_database,
        schema=sf.raw_schema,
    )


def refresh_pipe(connection: Any, settings: Settings) -> int:
    """Run the refresh; returns how many files it queued (one result row per file)."""
    cursor = connection.cursor()
    try:
        cursor.execute(refresh_statement(settings))
        return len(cursor.fetchall())
    finally:
        cursor.close()


def _snowflake_errors() -> tuple[type[BaseException], ...]:
    """The connector's error class, if the connector is installed (tests pass fakes)."""
    try:
        from snowflake.connector.errors import Error
    except ImportError:
        return ()
    return (Error,)


def main(
    argv: Sequence[str] | None = None,
    *,
    connect: Connect = connect_as_deployer,
    environ: Mapping[str, str] = os.environ,
) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.snowflake.refresh", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--env", required=True, choices=SNOWFLAKE_STACKS)
    args = parser.parse_args(argv)
    try:
        settings = settings_for_stack(args.env)
        connection = connect(settings, environ)
        try:
            queued = refresh_pipe(connection, settings)
        finally:
            connection.close()
    except ConfigError as exc:
        print(f"config error: {'; '.join(exc.problems)}", file=sys.stderr)
        return 2
    except RefreshError as exc:
        print(f"pipe refresh: {exc}", file=sys.stderr)
        return 2
    except _snowflake_errors() as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"pipe refresh: Snowflake refused: {first}", file=sys.stderr)
        return 1
    sf = settings.snowflake
    print(f"{raw_object(sf, sf.pipe)}: {queued} staged file(s) of the last 7 days queued")
    return 0


if __name__ == "__main__":
    sys.exit(main())
