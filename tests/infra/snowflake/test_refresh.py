"""Item 12.6: the deploy's pipe refresh, against a fake Snowflake connection."""

from __future__ import annotations

from typing import Any

import pytest

from infra.snowflake.refresh import RefreshError, connect_as_deployer, main, refresh_statement
from podcast_analytics.config import load_settings


class Cursor:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def execute(self, sql: str) -> None:
        self.log.append(sql)

    def fetchall(self) -> list[tuple[str, str]]:
        # ALTER PIPE ... REFRESH answers one row per file it queued.
        return [("raw_events/20261130/a.gz", "SENT"), ("raw_events/20261130/b.gz", "SENT")]

    def close(self) -> None:
        self.log.append("cursor closed")


class Connection:
    def __init__(self) -> None:
        self.log: list[str] = []

    def cursor(self) -> Cursor:
        return Cursor(self.log)

    def close(self) -> None:
        self.log.append("connection closed")


def test_the_refresh_names_the_configured_pipe_and_reports_what_it_queued(capsys) -> None:
    settings = load_settings("dev")
    sf = settings.snowflake
    connection = Connection()
    seen: list[Any] = []

    def connect(s: Any, environ: Any) -> Connection:
        seen.append(s)
        return connection

    assert main(["--env", "dev"], connect=connect, environ={}) == 0
    pipe = f"{sf.raw_database}.{sf.raw_schema}.{sf.pipe}"
    assert connection.log == [f"ALTER PIPE {pipe} REFRESH", "cursor closed", "connection closed"]
    assert refresh_statement(settings) == f"ALTER PIPE {pipe} REFRESH"
    assert seen[0].environment == "dev"
    assert capsys.readouterr().out == f"{pipe}: 2 staged file(s) of the last 7 days queued\n"


def test_without_the_deployer_credentials_it_is_one_line(capsys) -> None:
    assert main(["--env", "dev"], environ={}) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("pipe refresh: SNOWFLAKE_USER and SNOWFLAKE_PRIVATE_KEY not set")


def test_a_key_that_is_not_pem_is_refused_before_connecting() -> None:
    with pytest.raises(RefreshError, match="SNOWFLAKE_PRIVATE_KEY is not a usable PEM"):
        connect_as_deployer(
            load_settings("dev"), {"SNOWFLAKE_USER": "DEPLOYER", "SNOWFLAKE_PRIVATE_KEY": "nope"}
        )
