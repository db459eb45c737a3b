"""Functional roles, their service users, and every grant the pipeline runs on.

The grant matrix is data (`grant_matrix`): one row per (role, object, privileges). Nothing
else in the program grants privileges, so the table below is the whole access story and
the tests compare it with their own explicit expectation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_snowflake as snowflake

from infra.snowflake.catalog import CatalogIngestion
from infra.snowflake.compute import Compute
from infra.snowflake.ingestion import Ingestion
from infra.snowflake.storage import Storage
from podcast_analytics.config import SnowflakeConfig

# Functional roles roll up to SYSADMIN so the account's administrators see every object.
PARENT_ROLE = "SYSADMIN"
# What each functional role is for; the keys are the fields of SnowflakeConfig.roles.
ROLE_PURPOSES: dict[str, str] = {
    "loader": "Operates and checks the raw pipes (events, catalog), loads backfills into raw",
    "transformer": "dbt: reads raw, builds staging/intermediate/marts, unloads exports",
    "reporter": "Reads the marts",
    "previewer": "Read-only: pull-request previews (pulumi preview) of unreviewed code",
}


@dataclass(frozen=True)
class GrantSpec:
    """One GrantPrivilegesToAccountRole: `on` is its on_account_object/on_schema/... block."""

    role: str
    label: str
    privileges: tuple[str, ...]
    on: dict[str, Any]


def _account_object(object_type: str, name: pulumi.Input[str]) -> dict[str, Any]:
    return {"on_account_object": {"object_type": object_type, "object_name": name}}


def _schema(schema: snowflake.Schema) -> dict[str, Any]:
    return {"on_schema": {"schema_name": schema.fully_qualified_name}}


def _schema_object(object_type: str, name: pulumi.Input[str]) -> dict[str, Any]:
    return {"on_schema_object": {"object_type": object_type, "object_name": name}}


def _future(object_type_plural: str, schema: snowflake.Schema) -> dict[str, Any]:
    return {
        "on_schema_object": {
            "future": {
                "object_type_plural": object_type_plural,
                "in_schema": schema.fully_qualified_name,
            }
        }
    }


def grant_matrix(
    storage: Storage, compute: Compute, ingestion: Ingestion, catalog: CatalogIngestion
) -> list[GrantSpec]:
    """Exactly what each role's job needs, and nothing more."""
    warehouse = _account_object("WAREHOUSE", compute.warehouse.name)
    raw_db = _account_object("DATABASE", storage.raw_database.name)
    analytics_db = _account_object("DATABASE", storage.analytics_database.name)
    usage = ("USAGE",)
    build = ("USAGE", "CREATE TABLE", "CREATE VIEW")
    return [
        # loader: Snowpipe itself runs as the pipe's owner; this role is for people and the
        # DAG's load check (SYSTEM$PIPE_STATUS, ALTER PIPE REFRESH, manual COPY backfills).
        GrantSpec("loader", "warehouse", usage, warehouse),
        GrantSpec("loader", "raw-database", usage, raw_db),
        GrantSpec("loader", "raw-schema", usage, _schema(storage.raw_schema)),
        GrantSpec(
            "loader",
            "raw-table",
            ("INSERT", "SELECT"),
            _schema_object("TABLE", ingestion.raw_table.fully_qualified_name),
        ),
        GrantSpec(
            "loader", "stage", usage, _schema_object("STAGE", ingestion.stage.fully_qualified_name)
        ),
        GrantSpec(
            "loader",
            "file-format",
            usage,
            _schema_object("FILE FORMAT", ingestion.file_format.fully_qualified_name),
        ),
        GrantSpec(
            "loader",
            "pipe",
            ("MONITOR", "OPERATE"),
            _schema_object("PIPE", ingestion.pipe.fully_qualified_name),
        ),
        # ... and the same on the catalog's table, stage and pipe (same file format).
        GrantSpec(
            "loader",
            "raw-catalog-table",
            ("INSERT", "SELECT"),
            _schema_object("TABLE", catalog.table.fully_qualified_name),
        ),
        GrantSpec(
            "loader",
            "catalog-stage",
            usage,
            _schema_object("STAGE", catalog.stage.fully_qualified_name),
        ),
        GrantSpec(
            "loader",
            "catalog-pipe",
            ("MONITOR", "OPERATE"),
            _schema_object("PIPE", catalog.pipe.fully_qualified_name),
        ),
        # transformer: reads raw, builds the three
        # analytics schemas (it owns what it creates there), unloads marts to exports.
        GrantSpec("transformer", "warehouse", usage, warehouse),
        GrantSpec("transformer", "raw-database", usage, raw_db),
        GrantSpec("transformer", "raw-schema", usage, _schema(storage.raw_schema)),
        GrantSpec(
            "transformer",
            "raw-table",
            ("SELECT",),
            _schema_object("TABLE", ingestion.raw_table.fully_qualified_name),
        ),
        GrantSpec(
            "transformer",
            "raw-catalog-table",
            ("SELECT",),
            _schema_object("TABLE", catalog.table.fully_qualified_name),
        ),
        GrantSpec("transformer", "analytics-database", usage, analytics_db),
        GrantSpec("transformer", "staging-schema", build, _schema(storage.staging_schema)),
        GrantSpec(
            "transformer", "intermediate-schema", build, _schema(storage.intermediate_schema)
        ),
        GrantSpec("transformer", "marts-schema", build, _schema(storage.marts_schema)),
        GrantSpec(
            "transformer",
            "exports-stage",
            usage,
            _schema_object("STAGE", ingestion.exports_stage.fully_qualified_name),
        ),
        # reporter: the marts only, including tables and views dbt creates later.
        GrantSpec("reporter", "warehouse", usage, warehouse),
        GrantSpec("reporter", "analytics-database", usage, analytics_db),
        GrantSpec("reporter", "marts-schema", usage, _schema(storage.marts_schema)),
        GrantSpec(
            "reporter", "future-mart-tables", ("SELECT",), _future("TABLES", storage.marts_schema)
        ),
        GrantSpec(
            "reporter", "future-mart-views", ("SELECT",), _future("VIEWS", storage.marts_schema)
        ),
        # previewer: sees the objects a preview compares (USAGE to resolve the containers,
        # MONITOR to read the warehouse's and the pipe's state) and can change none of them;
        # no warehouse USAGE either, so it cannot even run a query that costs credits.
        GrantSpec("previewer", "warehouse", ("MONITOR",), warehouse),
        GrantSpec("previewer", "raw-database", usage, raw_db),
        GrantSpec("previewer", "raw-schema", usage, _schema(storage.raw_schema)),
        GrantSpec("previewer", "analytics-database", usage, analytics_db),
        GrantSpec("previewer", "staging-schema", usage, _schema(storage.staging_schema)),
        GrantSpec("previewer", "intermediate-schema", usage, _schema(storage.intermediate_schema)),
        GrantSpec("previewer", "marts-schema", usage, _schema(storage.marts_schema)),
        GrantSpec(
            "previewer",
            "pipe",
            ("MONITOR",),
            _schema_object("PIPE", ingestion.pipe.fully_qualified_name),
        ),
        GrantSpec(
            "previewer",
            "catalog-pipe",
            ("MONITOR",),
            _schema_object("PIPE", catalog.pipe.fully_qualified_name),
        ),
    ]


class AccessControl(pulumi.ComponentResource):
    """Roles under SYSADMIN, one key-pair service user per role, and the grant matrix."""

    def __init__(
        self,
        name: str,
        sf: SnowflakeConfig,
        grants: list[GrantSpec],
        warehouse: snowflake.Warehouse,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("podcast-analytics:snowflake:AccessControl", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Public keys are not secret but differ per environment and rotate, so they live in
        # the stack config: `pulumi config set --path 'servicePublicKeys.loader' "MIIB..."`.
        public_keys: dict[str, str] = pulumi.Config().get_object("servicePublicKeys") or {}
        role_names: dict[str, str] = {key: getattr(sf.roles, key) for key in ROLE_PURPOSES}

        self.roles: dict[str, snowflake.AccountRole] = {}
        self.users: dict[str, snowflake.ServiceUser] = {}
        for key, purpose in ROLE_PURPOSES.items():
            role = snowflake.AccountRole(key, name=role_names[key], comment=purpose, opts=child)
            self.roles[key] = role
            snowflake.GrantAccountRole(
                f"{key}-to-sysadmin",
                role_name=role.name,
                parent_role_name=PARENT_ROLE,
                opts=child,
            )
            if key not in public_keys:
                pulumi.log.warn(
                    f"servicePublicKeys.{key} is not set: {getattr(sf.service_users, key)} is "
                    "created without a key and cannot log in until one is configured"
                )
            user = snowflake.ServiceUser(
                f"{key}-user",
                name=getattr(sf.service_users, key),
                default_role=role.name,
                default_warehouse=warehouse.name,
                # Sessions get exactly the one role, never the user's other grants.
                default_secondary_roles_option="NONE",
                rsa_public_key=public_keys.get(key),
                comment=f"Service user for the {key} role (key-pair auth only)",
                opts=child,
            )
            self.users[key] = user
            snowflake.GrantAccountRole(
                f"{key}-to-user", role_name=role.name, user_name=user.name, opts=child
            )

        for spec in grants:
            snowflake.GrantPrivilegesToAccountRole(
                f"{spec.role}-{spec.label}",
                account_role_name=self.roles[spec.role].name,
                privileges=list(spec.privileges),
                opts=child,
                **spec.on,
            )
        self.register_outputs({f"{key}_role": role.name for key, role in self.roles.items()})
