"""The admin bootstrap: the deployer role's account privileges, and the resource monitor
(the only ACCOUNTADMIN work) created from the config and attached to the warehouse."""

from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot import exp

from infra.snowflake.bootstrap import bootstrap_statements, main, monitor_statements
from podcast_analytics.config import Settings, load_settings


def test_deployer_gets_only_the_creation_privileges(settings: Settings) -> None:
    role = settings.snowflake.deployer_role
    statements = bootstrap_statements(settings, "ALICE", "role")
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


def test_nothing_in_the_bootstrap_hands_out_admin_power(settings: Settings) -> None:
    for statement in bootstrap_statements(settings, "ALICE", "all"):
        for forbidden in ("ACCOUNTADMIN", "MANAGE GRANTS", "OWNERSHIP", "ALL PRIVILEGES"):
            assert forbidden not in statement, statement


def test_the_monitor_carries_the_configured_quota_and_triggers(settings: Settings) -> None:
    rm, wh = settings.snowflake.resource_monitor, settings.snowflake.warehouse
    create, alter, assign = monitor_statements(settings)
    triggers = [f"ON {p} PERCENT DO NOTIFY" for p in rm.notify_at_percent]
    triggers.append(f"ON {rm.suspend_at_percent} PERCENT DO SUSPEND")
    assert create.startswith(f"CREATE RESOURCE MONITOR IF NOT EXISTS {rm.name} WITH ")
    for statement in (create, alter):
        assert f"CREDIT_QUOTA = {rm.credit_quota}" in statement
        assert re.findall(r"ON \d+ PERCENT DO \w+", statement) == triggers
    assert "FREQUENCY = MONTHLY" in create
    assert alter.startswith(f"ALTER RESOURCE MONITOR {rm.name} SET ")
    # Attaching is the second thing only ACCOUNTADMIN may do; IF EXISTS keeps it harmless
    # before the first `pulumi up` has created the warehouse.
    assert assign == f"ALTER WAREHOUSE IF EXISTS {wh.name} SET RESOURCE_MONITOR = {rm.name}"


def test_prod_caps_more_credits_than_dev() -> None:
    dev, prod = (monitor_statements(load_settings(env))[0] for env in ("dev", "prod"))
    quota = re.compile(r"CREDIT_QUOTA = (\d+)")
    assert int(quota.search(dev)[1]) < int(quota.search(prod)[1])


@pytest.mark.parametrize("part", ["all", "role", "monitor"])
def test_the_printed_script_is_the_statements_of_its_part(part: str, capsys) -> None:
    user = [] if part == "monitor" else ["--user", "ALICE"]
    assert main(["--env", "dev", "--part", part, *user]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("--")]
    assert lines[0] == "USE ROLE ACCOUNTADMIN;"
    expected = bootstrap_statements(load_settings("dev"), "ALICE" if user else None, part)
    assert lines[1:] == [f"{s};" for s in expected]


def test_bad_user_name_is_one_line_and_exit_2(capsys) -> None:
    assert main(["--env", "dev", "--user", "x; DROP DATABASE y"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an unquoted Snowflake user name" in err


def test_the_role_part_needs_the_user(capsys) -> None:
    assert main(["--env", "dev", "--part", "role"]) == 2
    assert capsys.readouterr().err == "--user is required for --part role\n"
