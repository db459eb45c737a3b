"""What the program declares per stack: names from the config, sizes, monitor, outputs."""

from __future__ import annotations

import json

import pytest

from infra.snowflake.providers import PREVIEW_FEATURES, ProviderConfigError
from podcast_analytics.config import ConfigError, Settings
from tests.infra.snowflake.harness import (
    FAKE_EXTERNAL_ID,
    FAKE_IAM_USER_ARN,
    FAKE_NOTIFICATION_CHANNEL,
    StackRun,
    run_stack,
)

T = "snowflake:index/"
WAREHOUSE = f"{T}warehouse:Warehouse"
MONITOR = f"{T}resourceMonitor:ResourceMonitor"
PROVIDER = "pulumi:providers:snowflake"


def q(*parts: str) -> str:
    return ".".join(f'"{part}"' for part in parts)


def test_every_object_is_named_by_the_config(run: StackRun, settings: Settings) -> None:
    sf = settings.snowflake
    expected = {
        ("database:Database", sf.raw_database),
        ("database:Database", sf.analytics_database),
        ("schema:Schema", f"{sf.raw_database}.{sf.raw_schema}"),
        ("schema:Schema", f"{sf.analytics_database}.{sf.staging_schema}"),
        ("schema:Schema", f"{sf.analytics_database}.{sf.intermediate_schema}"),
        ("schema:Schema", f"{sf.analytics_database}.{sf.marts_schema}"),
        ("warehouse:Warehouse", sf.warehouse.name),
        ("resourceMonitor:ResourceMonitor", sf.resource_monitor.name),
        ("accountRole:AccountRole", sf.roles.loader),
        ("accountRole:AccountRole", sf.roles.transformer),
        ("accountRole:AccountRole", sf.roles.reporter),
        ("serviceUser:ServiceUser", sf.service_users.loader),
        ("serviceUser:ServiceUser", sf.service_users.transformer),
        ("serviceUser:ServiceUser", sf.service_users.reporter),
        ("storageIntegrationAws:StorageIntegrationAws", sf.storage_integration),
        ("fileFormatJson:FileFormatJson", f"{sf.raw_database}.{sf.raw_schema}.{sf.file_format}"),
        ("stageExternalS3:StageExternalS3", f"{sf.raw_database}.{sf.raw_schema}.{sf.stage}"),
        (
            "stageExternalS3:StageExternalS3",
            f"{sf.analytics_database}.{sf.marts_schema}.{sf.exports_stage}",
        ),
        ("table:Table", f"{sf.raw_database}.{sf.raw_schema}.{sf.raw_table}"),
        ("pipe:Pipe", f"{sf.raw_database}.{sf.raw_schema}.{sf.pipe}"),
    }
    actual = {
        (
            r.typ.removeprefix(T),
            ".".join(r.inputs[k] for k in ("database", "schema", "name") if k in r.inputs),
        )
        for r in run.resources
        if r.typ.startswith(T) and "name" in r.inputs
    }
    assert actual == expected


def test_warehouse_follows_the_environment(run: StackRun, settings: Settings) -> None:
    wh, monitor = settings.snowflake.warehouse, settings.snowflake.resource_monitor
    (declared,) = run.of_type(WAREHOUSE)
    w = declared.inputs
    assert (w["warehouseSize"], w["autoSuspend"]) == (wh.size, wh.auto_suspend_s)
    assert w["autoResume"] == "true"
    assert w["initiallySuspended"] is True
    assert (w["minClusterCount"], w["maxClusterCount"]) == (wh.min_clusters, wh.max_clusters)
    assert w["resourceMonitor"] == monitor.name
    if wh.max_clusters > 1:
        assert w["scalingPolicy"] == wh.scaling_policy
    else:
        assert "scalingPolicy" not in w


def test_prod_scales_out_and_dev_does_not(stack_runs: dict[str, StackRun]) -> None:
    dev, prod = (stack_runs[s].of_type(WAREHOUSE)[0].inputs for s in ("dev", "prod"))
    assert dev["warehouseSize"] == prod["warehouseSize"] == "XSMALL"
    assert dev["maxClusterCount"] == 1 < prod["maxClusterCount"]
    assert prod["scalingPolicy"] == "ECONOMY"
    assert dev["autoSuspend"] < prod["autoSuspend"]
    dev_rm, prod_rm = (stack_runs[s].of_type(MONITOR)[0].inputs for s in ("dev", "prod"))
    assert dev_rm["creditQuota"] < prod_rm["creditQuota"]


def test_resource_monitor_notifies_then_suspends(run: StackRun, settings: Settings) -> None:
    rm = settings.snowflake.resource_monitor
    (declared,) = run.of_type(MONITOR)
    m = declared.inputs
    assert m["creditQuota"] == rm.credit_quota
    assert m["notifyTriggers"] == list(rm.notify_at_percent)
    assert m["suspendTrigger"] == rm.suspend_at_percent
    assert max(m["notifyTriggers"]) < m["suspendTrigger"]


def test_only_the_resource_monitor_uses_the_account_admin_provider(
    run: StackRun, settings: Settings
) -> None:
    providers = {p.name: p.inputs for p in run.of_type(PROVIDER)}
    assert set(providers) == {"deployer", "account-admin"}
    assert providers["deployer"]["role"] == settings.snowflake.deployer_role
    assert providers["account-admin"]["role"] == "ACCOUNTADMIN"
    for inputs in providers.values():
        assert inputs["organizationName"] == settings.snowflake.organization
        assert inputs["accountName"] == settings.snowflake.account
        assert inputs["authenticator"] == "SNOWFLAKE_JWT"
        assert set(PREVIEW_FEATURES) <= set(json.loads(inputs["previewFeaturesEnabled"]))
    for resource in run.resources:
        if not resource.typ.startswith(T):
            continue
        provider = (resource.provider or "").split("::")[-2]
        wanted = "account-admin" if resource.typ == MONITOR else "deployer"
        assert provider == wanted, f"{resource.typ} {resource.name} uses {provider!r}"


def test_ingestion_reads_the_raw_prefix_through_the_cdk_role(
    run: StackRun, settings: Settings
) -> None:
    st, sf = settings.storage, settings.snowflake
    raw_url = f"s3://{st.buckets.raw}/{st.prefixes.raw_events}"
    exports_url = f"s3://{st.buckets.exports}/"
    (integration,) = run.of_type(f"{T}storageIntegrationAws:StorageIntegrationAws")
    assert integration.inputs["storageAwsRoleArn"] == settings.access.snowflake_access_role_arn
    assert integration.inputs["storageAllowedLocations"] == [raw_url, exports_url]
    assert integration.inputs["enabled"] is True
    stages = {
        s.inputs["name"]: s.inputs for s in run.of_type(f"{T}stageExternalS3:StageExternalS3")
    }
    assert stages[sf.stage]["url"] == raw_url
    assert stages[sf.exports_stage]["url"] == exports_url
    for stage in stages.values():
        assert stage["storageIntegration"] == sf.storage_integration
    assert stages[sf.stage]["fileFormat"] == {
        "formatName": q(sf.raw_database, sf.raw_schema, sf.file_format)
    }
    (file_format,) = run.of_type(f"{T}fileFormatJson:FileFormatJson")
    assert file_format.inputs["compression"] == "GZIP"
    (pipe,) = run.of_type(f"{T}pipe:Pipe")
    assert pipe.inputs["autoIngest"] is True


def test_nothing_burns_credits_on_a_schedule(run: StackRun) -> None:
    # The change-capture task woke the warehouse every few minutes for a table nothing read
    # (issue 12 item 8); dbt selects unprocessed raw rows itself (issue 14), so the program
    # has no task, no stream and no table for them.
    kinds = {r.typ.removeprefix(T) for r in run.resources if r.typ.startswith(T)}
    assert not {kind for kind in kinds if kind.startswith(("task:", "stream"))}, kinds


def test_schemas_have_managed_access_and_users_key_pair_only(run: StackRun) -> None:
    for schema in run.of_type(f"{T}schema:Schema"):
        assert schema.inputs["withManagedAccess"] == "true", schema.name
    for user in run.of_type(f"{T}serviceUser:ServiceUser"):
        assert "password" not in user.inputs, user.name
        assert user.inputs["defaultSecondaryRolesOption"] == "NONE"


def test_users_without_a_public_key_are_reported(run: StackRun) -> None:
    assert sum("servicePublicKeys." in w for w in run.warnings) == 3


def test_public_keys_come_from_the_stack_config() -> None:
    keys = {"loader": "MIIBloader", "transformer": "MIIBtransformer", "reporter": "MIIBreporter"}
    keyed = run_stack("dev", extra_config={"podcast-analytics:servicePublicKeys": json.dumps(keys)})
    users = {u.name: u.inputs["rsaPublicKey"] for u in keyed.of_type(f"{T}serviceUser:ServiceUser")}
    assert users == {f"{k}-user": v for k, v in keys.items()}
    assert keyed.warnings == []


def test_stack_outputs_carry_the_handoff_and_the_names(run: StackRun, settings: Settings) -> None:
    sf = settings.snowflake
    assert run.outputs == {
        "integration_iam_user_arn": FAKE_IAM_USER_ARN,
        "integration_external_id": FAKE_EXTERNAL_ID,
        "pipe_notification_channel": FAKE_NOTIFICATION_CHANNEL,
        "warehouse": sf.warehouse.name,
        "raw_database": sf.raw_database,
        "analytics_database": sf.analytics_database,
        "roles": {
            "loader": sf.roles.loader,
            "transformer": sf.roles.transformer,
            "reporter": sf.roles.reporter,
        },
        "service_users": {
            "loader": sf.service_users.loader,
            "transformer": sf.service_users.transformer,
            "reporter": sf.service_users.reporter,
        },
    }


def test_local_is_not_a_snowflake_stack() -> None:
    from infra.snowflake.stacks import settings_for_stack

    with pytest.raises(ConfigError, match="stack 'local' has no Snowflake environment"):
        settings_for_stack("local")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("snowflake:accountName", "OTHER", "come from podcast_analytics/config"),
        ("snowflake:role", "ACCOUNTADMIN", "come from podcast_analytics/config"),
        ("snowflake:authenticator", "SNOWFLAKE", "key-pair auth"),
        ("snowflake:previewFeaturesEnabled", "[]", "snowflake_table_resource"),
    ],
)
def test_stack_config_cannot_contradict_the_shared_config(
    key: str, value: str, message: str
) -> None:
    with pytest.raises(ProviderConfigError, match=message):
        run_stack("dev", extra_config={key: value})


def test_pulumi_entry_point_declares_the_same_program(run: StackRun) -> None:
    via_main = run_stack(run.stack, via_entry_point=True)
    assert sorted((r.typ, r.name) for r in via_main.resources) == sorted(
        (r.typ, r.name) for r in run.resources
    )


def test_every_snowflake_object_belongs_to_a_component(run: StackRun) -> None:
    components = {
        r.name: r.typ for r in run.resources if r.typ.startswith("podcast-analytics:snowflake:")
    }
    assert set(components) == {
        "storage",
        "compute",
        "ingestion",
        "access-control",
    }
    for resource in run.resources:
        if resource.typ.startswith(T):
            parent_type = resource.parent.split("::")[-2].split("$")[-1]
            assert parent_type in components.values(), f"{resource.name} under {parent_type}"


def test_prod_data_is_protected_from_destroy(stack_runs: dict[str, StackRun]) -> None:
    def protected(run: StackRun) -> set[str]:
        return {f"{r.typ.removeprefix(T)} {r.name}" for r in run.resources if r.protect}

    assert protected(stack_runs["dev"]) == set()
    assert protected(stack_runs["prod"]) == {
        "database:Database raw",
        "database:Database analytics",
        "schema:Schema raw-events",
        "schema:Schema staging",
        "schema:Schema intermediate",
        "schema:Schema marts",
        "table:Table raw-events",
    }
