"""What the program declares per stack: names from the config, sizes, monitor, outputs."""

from __future__ import annotations

import json

import pytest

from infra.snowflake.compute import ADMIN_OWNED_WAREHOUSE_PROPERTIES
from infra.snowflake.providers import (
    PREVIEW_FEATURES,
    ROLE_VARIABLE,
    ProviderConfigError,
    provider_role,
)
from podcast_analytics.config import ConfigError, Settings, load_settings
from tests.infra.snowflake.harness import (
    FAKE_EXTERNAL_ID,
    FAKE_IAM_USER_ARN,
    FAKE_NOTIFICATION_CHANNEL,
    FAKE_SNS_EXTERNAL_ID,
    FAKE_SNS_IAM_USER_ARN,
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
        ("accountRole:AccountRole", sf.roles.loader),
        ("accountRole:AccountRole", sf.roles.transformer),
        ("accountRole:AccountRole", sf.roles.reporter),
        ("accountRole:AccountRole", sf.roles.previewer),
        ("serviceUser:ServiceUser", sf.service_users.loader),
        ("serviceUser:ServiceUser", sf.service_users.transformer),
        ("serviceUser:ServiceUser", sf.service_users.reporter),
        ("serviceUser:ServiceUser", sf.service_users.previewer),
        ("storageIntegrationAws:StorageIntegrationAws", sf.storage_integration),
        ("notificationIntegration:NotificationIntegration", sf.notification_integration),
        ("fileFormatJson:FileFormatJson", f"{sf.raw_database}.{sf.raw_schema}.{sf.file_format}"),
        ("stageExternalS3:StageExternalS3", f"{sf.raw_database}.{sf.raw_schema}.{sf.stage}"),
        (
            "stageExternalS3:StageExternalS3",
            f"{sf.analytics_database}.{sf.marts_schema}.{sf.exports_stage}",
        ),
        ("table:Table", f"{sf.raw_database}.{sf.raw_schema}.{sf.raw_table}"),
        ("pipe:Pipe", f"{sf.raw_database}.{sf.raw_schema}.{sf.pipe}"),
        (
            "stageExternalS3:StageExternalS3",
            f"{sf.raw_database}.{sf.raw_schema}.{sf.catalog_stage}",
        ),
        ("table:Table", f"{sf.raw_database}.{sf.raw_schema}.{sf.catalog_table}"),
        ("pipe:Pipe", f"{sf.raw_database}.{sf.raw_schema}.{sf.catalog_pipe}"),
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
    wh = settings.snowflake.warehouse
    (declared,) = run.of_type(WAREHOUSE)
    w = declared.inputs
    assert (w["warehouseSize"], w["autoSuspend"]) == (wh.size, wh.auto_suspend_s)
    assert w["autoResume"] == "true"
    assert w["initiallySuspended"] is True
    assert (w["minClusterCount"], w["maxClusterCount"]) == (wh.min_clusters, wh.max_clusters)
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


# Issue 12.1: only ACCOUNTADMIN may create a resource monitor
# (https://docs.snowflake.com/en/user-guide/resource-monitors) or assign one to a warehouse
# (terraform-provider-snowflake #3019), so the routine run does neither (bootstrap.py does).
def test_the_routine_run_declares_no_resource_monitor(run: StackRun) -> None:
    assert run.of_type(MONITOR) == []


def test_one_provider_acts_as_the_deployer_role_and_nothing_needs_accountadmin(
    run: StackRun, settings: Settings
) -> None:
    providers = {p.name: p.inputs for p in run.of_type(PROVIDER)}
    assert set(providers) == {"deployer"}
    inputs = providers["deployer"]
    assert inputs["role"] == settings.snowflake.deployer_role
    assert inputs["organizationName"] == settings.snowflake.organization
    assert inputs["accountName"] == settings.snowflake.account
    assert inputs["authenticator"] == "SNOWFLAKE_JWT"
    assert set(PREVIEW_FEATURES) <= set(json.loads(inputs["previewFeaturesEnabled"]))
    assert "ACCOUNTADMIN" not in json.dumps(inputs)
    for resource in run.resources:
        if resource.typ.startswith(T):
            provider = (resource.provider or "").split("::")[-2]
            assert provider == "deployer", f"{resource.typ} {resource.name} uses {provider!r}"


def test_the_warehouse_leaves_its_monitor_to_the_admin(run: StackRun) -> None:
    (warehouse,) = run.of_type(WAREHOUSE)
    assert "resourceMonitor" not in warehouse.inputs
    # The admin's ALTER WAREHOUSE ... SET RESOURCE_MONITOR must survive the next `pulumi up`.
    assert set(ADMIN_OWNED_WAREHOUSE_PROPERTIES) == {"resourceMonitor"}
    assert "resourceMonitor" in warehouse.ignore_changes


# Issue 12.14: a pull-request preview acts as the read-only previewer role.
def test_a_preview_acts_as_the_previewer_role(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ROLE_VARIABLE, "previewer")
    (provider,) = run_stack("dev").of_type(PROVIDER)
    assert provider.inputs["role"] == load_settings("dev").snowflake.roles.previewer


def test_an_unknown_provider_role_is_refused_in_one_line() -> None:
    sf = load_settings("dev").snowflake
    with pytest.raises(ProviderConfigError) as refused:
        provider_role(sf, {ROLE_VARIABLE: "admin"})
    assert str(refused.value) == f"{ROLE_VARIABLE}='admin': use deployer or previewer"
    assert provider_role(sf, {}) == sf.deployer_role


# Issue 12.17: load errors of the pipe go to the environment's alarm topic.
def test_pipe_load_errors_are_published_to_the_alarm_topic(
    run: StackRun, settings: Settings
) -> None:
    (integration,) = run.of_type(f"{T}notificationIntegration:NotificationIntegration")
    i = integration.inputs
    assert i["notificationProvider"] == "AWS_SNS"
    assert i["enabled"] is True
    assert i["awsSnsTopicArn"] == settings.alerting.topic_arn
    assert i["awsSnsRoleArn"] == settings.alerting.snowflake_publisher_role_arn
    pipes = run.of_type(f"{T}pipe:Pipe")
    assert {p.inputs["name"] for p in pipes} == {
        settings.snowflake.pipe,
        settings.snowflake.catalog_pipe,
    }
    for pipe in pipes:  # the catalog's load errors reach the same topic
        assert pipe.inputs["errorIntegration"] == settings.snowflake.notification_integration
    assert "snowflake_notification_integration_resource" in PREVIEW_FEATURES


def test_ingestion_reads_the_raw_prefix_through_the_cdk_role(
    run: StackRun, settings: Settings
) -> None:
    st, sf = settings.storage, settings.snowflake
    raw_url = f"s3://{st.buckets.raw}/{st.prefixes.raw_events}"
    catalog_url = f"s3://{st.buckets.raw}/{st.prefixes.catalog}"
    exports_url = f"s3://{st.buckets.exports}/"
    (integration,) = run.of_type(f"{T}storageIntegrationAws:StorageIntegrationAws")
    assert integration.inputs["storageAwsRoleArn"] == settings.access.snowflake_access_role_arn
    assert integration.inputs["storageAllowedLocations"] == [raw_url, catalog_url, exports_url]
    assert integration.inputs["enabled"] is True
    stages = {
        s.inputs["name"]: s.inputs for s in run.of_type(f"{T}stageExternalS3:StageExternalS3")
    }
    assert stages[sf.stage]["url"] == raw_url
    assert stages[sf.catalog_stage]["url"] == catalog_url
    assert stages[sf.exports_stage]["url"] == exports_url
    for stage in stages.values():
        assert stage["storageIntegration"] == sf.storage_integration
    for stage in (sf.stage, sf.catalog_stage):  # one GZIP NDJSON format for both
        assert stages[stage]["fileFormat"] == {
            "formatName": q(sf.raw_database, sf.raw_schema, sf.file_format)
        }
    (file_format,) = run.of_type(f"{T}fileFormatJson:FileFormatJson")
    assert file_format.inputs["compression"] == "GZIP"
    for pipe in run.of_type(f"{T}pipe:Pipe"):
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
    assert sum("servicePublicKeys." in w for w in run.warnings) == 4


def test_public_keys_come_from_the_stack_config() -> None:
    keys = {
        "loader": "MIIBloader",
        "transformer": "MIIBtransformer",
        "reporter": "MIIBreporter",
        "previewer": "MIIBpreviewer",
    }
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
        "notification_iam_user_arn": FAKE_SNS_IAM_USER_ARN,
        "notification_external_id": FAKE_SNS_EXTERNAL_ID,
        "warehouse": sf.warehouse.name,
        "raw_database": sf.raw_database,
        "analytics_database": sf.analytics_database,
        "roles": {
            "loader": sf.roles.loader,
            "transformer": sf.roles.transformer,
            "reporter": sf.roles.reporter,
            "previewer": sf.roles.previewer,
        },
        "service_users": {
            "loader": sf.service_users.loader,
            "transformer": sf.service_users.transformer,
            "reporter": sf.service_users.reporter,
            "previewer": sf.service_users.previewer,
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
        "catalog-ingestion",
        "access-control",
        "load-error-notifications",
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
        "table:Table raw-catalog",
    }
