"""Every privilege the program grants, compared with one explicit table; nothing extra."""

from __future__ import annotations

from typing import Any

from podcast_analytics.config import Settings
from tests.infra.snowflake.harness import StackRun

GRANT = "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole"
ROLE_GRANT = "snowflake:index/grantAccountRole:GrantAccountRole"
ROLE = "snowflake:index/accountRole:AccountRole"

Row = tuple[str, str, str, str]  # (role, object type, object name, privilege)


def q(*parts: str) -> str:
    return ".".join(f'"{part}"' for part in parts)


def expected_grants(s: Settings) -> set[Row]:
    """The access design, written out: role x object x privilege."""
    sf = s.snowflake
    loader, transformer, reporter = sf.roles.loader, sf.roles.transformer, sf.roles.reporter
    raw_schema = q(sf.raw_database, sf.raw_schema)
    marts = q(sf.analytics_database, sf.marts_schema)
    rows: set[Row] = {
        (loader, "WAREHOUSE", sf.warehouse.name, "USAGE"),
        (loader, "DATABASE", sf.raw_database, "USAGE"),
        (loader, "SCHEMA", raw_schema, "USAGE"),
        (loader, "TABLE", q(sf.raw_database, sf.raw_schema, sf.raw_table), "INSERT"),
        (loader, "TABLE", q(sf.raw_database, sf.raw_schema, sf.raw_table), "SELECT"),
        (loader, "STAGE", q(sf.raw_database, sf.raw_schema, sf.stage), "USAGE"),
        (loader, "FILE FORMAT", q(sf.raw_database, sf.raw_schema, sf.file_format), "USAGE"),
        (loader, "PIPE", q(sf.raw_database, sf.raw_schema, sf.pipe), "MONITOR"),
        (loader, "PIPE", q(sf.raw_database, sf.raw_schema, sf.pipe), "OPERATE"),
        # the catalog: the same job on its table, stage and pipe
        (loader, "TABLE", q(sf.raw_database, sf.raw_schema, sf.catalog_table), "INSERT"),
        (loader, "TABLE", q(sf.raw_database, sf.raw_schema, sf.catalog_table), "SELECT"),
        (loader, "STAGE", q(sf.raw_database, sf.raw_schema, sf.catalog_stage), "USAGE"),
        (loader, "PIPE", q(sf.raw_database, sf.raw_schema, sf.catalog_pipe), "MONITOR"),
        (loader, "PIPE", q(sf.raw_database, sf.raw_schema, sf.catalog_pipe), "OPERATE"),
        (transformer, "WAREHOUSE", sf.warehouse.name, "USAGE"),
        (transformer, "DATABASE", sf.raw_database, "USAGE"),
        (transformer, "SCHEMA", raw_schema, "USAGE"),
        (transformer, "TABLE", q(sf.raw_database, sf.raw_schema, sf.raw_table), "SELECT"),
        (transformer, "TABLE", q(sf.raw_database, sf.raw_schema, sf.catalog_table), "SELECT"),
        (transformer, "DATABASE", sf.analytics_database, "USAGE"),
        (
            transformer,
            "STAGE",
            q(sf.analytics_database, sf.marts_schema, sf.exports_stage),
            "USAGE",
        ),
        (reporter, "WAREHOUSE", sf.warehouse.name, "USAGE"),
        (reporter, "DATABASE", sf.analytics_database, "USAGE"),
        (reporter, "SCHEMA", marts, "USAGE"),
        (reporter, "FUTURE TABLES IN SCHEMA", marts, "SELECT"),
        (reporter, "FUTURE VIEWS IN SCHEMA", marts, "SELECT"),
    }
    for schema in (sf.staging_schema, sf.intermediate_schema, sf.marts_schema):
        for privilege in ("USAGE", "CREATE TABLE", "CREATE VIEW"):
            rows.add((transformer, "SCHEMA", q(sf.analytics_database, schema), privilege))
    # previewer (pull-request previews): sees, changes nothing, cannot even run a query.
    previewer = sf.roles.previewer
    rows |= {
        (previewer, "WAREHOUSE", sf.warehouse.name, "MONITOR"),
        (previewer, "DATABASE", sf.raw_database, "USAGE"),
        (previewer, "SCHEMA", raw_schema, "USAGE"),
        (previewer, "DATABASE", sf.analytics_database, "USAGE"),
        (previewer, "PIPE", q(sf.raw_database, sf.raw_schema, sf.pipe), "MONITOR"),
        (previewer, "PIPE", q(sf.raw_database, sf.raw_schema, sf.catalog_pipe), "MONITOR"),
    }
    for schema in (sf.staging_schema, sf.intermediate_schema, sf.marts_schema):
        rows.add((previewer, "SCHEMA", q(sf.analytics_database, schema), "USAGE"))
    return rows


# What "read-only" means for the previewer: it may resolve containers and read state.
READ_ONLY_PRIVILEGES = {"USAGE", "MONITOR"}


def _target(inputs: dict[str, Any]) -> tuple[str, str]:
    """(object type, object name) of one grant; any shape the design does not use fails."""
    shapes = [
        key
        for key in ("onAccount", "onAccountObject", "onSchema", "onSchemaObject")
        if key in inputs
    ]
    assert len(shapes) == 1, f"grant targets {shapes}"
    on = inputs[shapes[0]]
    if shapes[0] == "onAccountObject" and set(on) == {"objectType", "objectName"}:
        return on["objectType"], on["objectName"]
    if shapes[0] == "onSchema" and set(on) == {"schemaName"}:
        return "SCHEMA", on["schemaName"]
    if shapes[0] == "onSchemaObject" and set(on) == {"objectType", "objectName"}:
        return on["objectType"], on["objectName"]
    if (
        shapes[0] == "onSchemaObject"
        and set(on) == {"future"}
        and set(on["future"])
        == {
            "objectTypePlural",
            "inSchema",
        }
    ):
        return f"FUTURE {on['future']['objectTypePlural']} IN SCHEMA", on["future"]["inSchema"]
    raise AssertionError(f"unexpected grant shape {shapes[0]}: {on}")


def actual_grants(run: StackRun) -> list[Row]:
    rows: list[Row] = []
    for grant in run.of_type(GRANT):
        object_type, object_name = _target(grant.inputs)
        rows += [
            (grant.inputs["accountRoleName"], object_type, object_name, privilege)
            for privilege in grant.inputs["privileges"]
        ]
    return rows


def test_grants_are_exactly_the_expected_matrix(run: StackRun, settings: Settings) -> None:
    actual = actual_grants(run)
    assert len(actual) == len(set(actual)), "a privilege is granted twice"
    expected = expected_grants(settings)
    assert sorted(set(actual) - expected) == [], "granted but not in the design"
    assert sorted(expected - set(actual)) == [], "in the design but not granted"


def test_no_grant_is_dangerous(run: StackRun) -> None:
    for grant in run.of_type(GRANT):
        where = f"{grant.name}: {grant.inputs}"
        assert not grant.inputs.get("allPrivileges"), where
        assert not grant.inputs.get("withGrantOption"), where
        assert "OWNERSHIP" not in grant.inputs["privileges"], where
        assert "ACCOUNTADMIN" not in grant.inputs["accountRoleName"], where
    assert not [r for r in run.resources if "grantOwnership" in r.typ], "ownership handed out"


def test_roles_roll_up_to_sysadmin_and_each_user_gets_only_its_role(
    run: StackRun, settings: Settings
) -> None:
    roles, users = settings.snowflake.roles, settings.snowflake.service_users
    keys = ("loader", "transformer", "reporter", "previewer")
    expected = {(getattr(roles, k), "SYSADMIN", None) for k in keys}
    expected |= {(getattr(roles, k), None, getattr(users, k)) for k in keys}
    actual = [
        (g.inputs["roleName"], g.inputs.get("parentRoleName"), g.inputs.get("userName"))
        for g in run.of_type(ROLE_GRANT)
    ]
    assert sorted(actual, key=str) == sorted(expected, key=str)
    assert {r.inputs["name"] for r in run.of_type(ROLE)} == {
        roles.loader,
        roles.transformer,
        roles.reporter,
        roles.previewer,
    }


def test_the_previewer_can_read_state_and_change_nothing(run: StackRun, settings: Settings) -> None:
    """Issue 12.14: previews of unreviewed code act as this role (providers.py)."""
    previewer = settings.snowflake.roles.previewer
    granted = [row for row in actual_grants(run) if row[0] == previewer]
    assert granted, "the previewer sees nothing: a preview could not read state"
    assert {privilege for *_, privilege in granted} <= READ_ONLY_PRIVILEGES, granted
    # No warehouse USAGE: it cannot run a query, so a preview cannot spend credits either.
    assert (previewer, "WAREHOUSE", settings.snowflake.warehouse.name, "USAGE") not in granted
    (user,) = [
        u
        for u in run.of_type("snowflake:index/serviceUser:ServiceUser")
        if u.inputs["name"] == settings.snowflake.service_users.previewer
    ]
    assert user.inputs["defaultRole"] == previewer
    assert user.inputs["defaultSecondaryRolesOption"] == "NONE"
