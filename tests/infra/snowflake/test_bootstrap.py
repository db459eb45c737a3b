"""The one-time admin SQL gives the deployer role account privileges and nothing else."""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from infra.snowflake.bootstrap import bootstrap_statements, main
from podcast_analytics.config import Settings


def test_deployer_gets_only_the_creation_privileges(settings: Settings) -> None:
    role = settings.snowflake.deployer_role
    statements = bootstrap_statements(settings, "ALICE")
    (account_grant,) = [s for s in statements if s.endswith(f"ON ACCOUNT TO ROLE {role}")]
    grant = sqlglot.parse_one(account_grant, read="snowflake")
    assert isinstance(grant, exp.Grant)
    assert {p.this.name for p in grant.args["privileges"]} == {
        "CREATE DATABASE",
        "CREATE WAREHOUSE",
        "CREATE INTEGRATION",
        "CREATE ROLE",
        "CREATE USER",
    }  # no EXECUTE TASK: the program creates no task
    assert statements[0].startswith(f"CREATE ROLE IF NOT EXISTS {role} ")
    assert f"GRANT ROLE {role} TO ROLE SYSADMIN" in statements
    assert f"GRANT ROLE {role} TO USER ALICE" in statements
    for statement in statements:
        for forbidden in ("ACCOUNTADMIN", "MANAGE GRANTS", "OWNERSHIP", "ALL PRIVILEGES"):
            assert forbidden not in statement


def test_bad_user_name_is_one_line_and_exit_2(capsys) -> None:
    assert main(["--env", "dev", "--user", "x; DROP DATABASE y"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an unquoted Snowflake user name" in err
