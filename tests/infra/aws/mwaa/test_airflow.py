"""MWAA: environment settings from config, the DAG bucket's layout, a narrow execution role."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infra.aws.mwaa.airflow import ENVIRONMENT_OPTION, SECRETS_BACKEND
from infra.aws.mwaa.dag_bucket import BUILD_DEBRIS, DBT_LOCAL_OUTPUT, MANIFEST_KEY
from podcast_analytics.dag_tasks import manifest_path
from tests.infra.aws.policies import as_list, role_statements
from tests.infra.aws.synth import SynthesizedApp, synthesize

STACK = "Orchestration"


def environment(app: SynthesizedApp) -> dict[str, Any]:
    (resource,) = app.resources(STACK, "AWS::MWAA::Environment").values()
    return resource


def test_environment_sizes_and_version_come_from_config(app: SynthesizedApp) -> None:
    props = environment(app)["Properties"]
    mwaa = app.settings.mwaa
    assert props["Name"] == mwaa.environment_name
    assert props["AirflowVersion"] == mwaa.airflow_version
    assert props["EnvironmentClass"] == mwaa.environment_class
    assert props["Schedulers"] == mwaa.schedulers
    assert (props["MinWorkers"], props["MaxWorkers"]) == (mwaa.min_workers, mwaa.max_workers)
    assert props["SourceBucketArn"] == f"arn:aws:s3:::{app.settings.storage.buckets.dags}"


def test_prod_is_bigger_than_dev(synthesized: dict[str, SynthesizedApp]) -> None:
    dev, prod = (environment(synthesized[e])["Properties"] for e in ("dev", "prod"))
    assert prod["EnvironmentClass"] != dev["EnvironmentClass"]
    assert prod["MaxWorkers"] > dev["MaxWorkers"]


def test_dag_learns_its_environment_and_reads_secrets_manager(app: SynthesizedApp) -> None:
    options = environment(app)["Properties"]["AirflowConfigurationOptions"]
    assert options[ENVIRONMENT_OPTION] == app.settings.environment
    assert options["secrets.backend"] == SECRETS_BACKEND
    assert json.loads(options["secrets.backend_kwargs"]) == {
        "connections_prefix": app.settings.mwaa.connections_secret_prefix,
        "variables_prefix": app.settings.mwaa.variables_secret_prefix,
    }
    assert options["cosmos.enable_telemetry"] == "False"


def test_web_server_is_private_and_every_log_is_on(app: SynthesizedApp) -> None:
    props = environment(app)["Properties"]
    assert props["WebserverAccessMode"] == "PRIVATE_ONLY"
    logging = props["LoggingConfiguration"]
    assert set(logging) == {
        "DagProcessingLogs",
        "SchedulerLogs",
        "TaskLogs",
        "WebserverLogs",
        "WorkerLogs",
    }
    assert all(module["Enabled"] is True for module in logging.values())


def test_environment_runs_in_two_private_subnets(app: SynthesizedApp) -> None:
    props = environment(app)["Properties"]
    subnet_ids = [ref["Ref"] for ref in props["NetworkConfiguration"]["SubnetIds"]]
    assert len(subnet_ids) == 2
    subnets = app.template(STACK)["Resources"]
    for subnet_id in subnet_ids:
        assert subnets[subnet_id]["Properties"]["MapPublicIpOnLaunch"] is False
    azs = {subnets[s]["Properties"]["AvailabilityZone"] for s in subnet_ids}
    assert len(azs) == 2
    assert app.resources(STACK, "AWS::EC2::FlowLog")
    nat = app.resources(STACK, "AWS::EC2::NatGateway")
    assert len(nat) == app.settings.mwaa.nat_gateways


def test_prod_has_more_nat_gateways_than_dev(
    synthesized: dict[str, SynthesizedApp],
) -> None:
    counts = {
        env: len(app.resources(STACK, "AWS::EC2::NatGateway")) for env, app in synthesized.items()
    }
    assert counts["prod"] > counts["dev"]


def test_dag_bucket_layout(app: SynthesizedApp) -> None:
    deployments = [
        r["Properties"] for r in app.resources(STACK, "Custom::CDKBucketDeployment").values()
    ]
    bucket = app.settings.storage.buckets.dags
    assert {d["DestinationBucketName"] for d in deployments} == {bucket}
    layout = {d.get("DestinationBucketKeyPrefix", ""): d for d in deployments}
    assert set(layout) == {"dags/", "dags/podcast_analytics/", "dags/transform/", ""}
    # Each prunes its own prefix only: the root one must not prune, dags/ spares the others.
    assert layout[""]["Prune"] is False
    assert set(layout["dags/"]["Exclude"]) == {"podcast_analytics/*", "transform/*"}
    props = environment(app)["Properties"]
    assert props["DagS3Path"] == "dags"
    assert props["RequirementsS3Path"] == "requirements.txt"
    # The startup script gives dbt its own virtualenv before Airflow starts.
    assert props["StartupScriptS3Path"] == "startup.sh"
    assert len(layout[""]["SourceObjectKeys"]) == 2  # requirements.txt and startup.sh
    # Without `make manifest`, only the dbt project itself is shipped.
    assert len(layout["dags/transform/"]["SourceObjectKeys"]) == 1
    # MWAA must find requirements.txt and the DAGs before it starts.
    depends_on = set(environment(app)["DependsOn"])
    assert set(app.resources(STACK, "Custom::CDKBucketDeployment")) <= depends_on


def test_the_parsed_manifest_is_shipped_where_the_dag_reads_it(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"nodes": {}}', encoding="utf-8")
    app = synthesize("dev", tmp_path / "cdk.out", security_checks=False, dbt_manifest=manifest)
    (dbt,) = (
        r["Properties"]
        for r in app.resources(STACK, "Custom::CDKBucketDeployment").values()
        if r["Properties"].get("DestinationBucketKeyPrefix") == "dags/transform/"
    )
    assert len(dbt["SourceObjectKeys"]) == 2
    # The extra source is a one-file asset holding target/manifest.json, the path the DAG
    # reads (podcast_analytics.dag_tasks.manifest_path) relative to the project.
    assert MANIFEST_KEY == "target/manifest.json"
    assert (
        manifest_path({"PODCAST_DBT_PROJECT_DIR": "/x/transform"})
        .as_posix()
        .endswith("transform/" + MANIFEST_KEY)
    )


def test_build_output_never_reaches_the_dag_bucket() -> None:
    assert {"__pycache__", "*.pyc"} <= set(BUILD_DEBRIS)
    assert {"target", "logs", "*.duckdb"} <= set(DBT_LOCAL_OUTPUT)


def test_execution_role_reaches_only_this_environments_resources(app: SynthesizedApp) -> None:
    role_arn = environment(app)["Properties"]["ExecutionRoleArn"]["Fn::GetAtt"][0]
    found = role_statements(app.template(STACK), role_arn)
    by_sid = {s["Sid"]: s for s in found}
    buckets = app.settings.storage.buckets
    mwaa = app.settings.mwaa
    assert set(as_list(by_sid["ReadWriteOutputs"]["Resource"])) == {
        f"arn:aws:s3:::{buckets.exports}/*",
        f"arn:aws:s3:::{buckets.artefacts}/*",
    }
    assert set(as_list(by_sid["ReadWriteOutputs"]["Action"])) == {"s3:GetObject", "s3:PutObject"}
    secrets = set(as_list(by_sid["ReadAirflowSecrets"]["Resource"]))
    assert secrets == {
        f"arn:aws:secretsmanager:{app.settings.aws.region}:{app.settings.aws.account}:secret:"
        f"{prefix}/*"
        for prefix in (mwaa.connections_secret_prefix, mwaa.variables_secret_prefix)
    }
    assert by_sid["PublishMetrics"]["Resource"].endswith(f":environment/{mwaa.environment_name}")
    # Of the raw bucket, only putting catalog snapshots: the DAG has no business reading
    # (or overwriting) raw events.
    catalog = f"arn:aws:s3:::{buckets.raw}/{app.settings.storage.prefixes.catalog}*"
    assert by_sid["WriteCatalogSnapshots"]["Action"] == "s3:PutObject"
    assert by_sid["WriteCatalogSnapshots"]["Resource"] == catalog
    others = [s for s in found if s["Sid"] != "WriteCatalogSnapshots"]
    assert buckets.raw not in json.dumps(others)
    assert by_sid["EncryptCatalogSnapshots"]["Action"] == "kms:GenerateDataKey"
    raw_key = by_sid["EncryptCatalogSnapshots"]["Resource"]["Fn::GetStackOutput"]
    assert "RawDataKey" in raw_key["OutputName"]
    # The Celery KMS statement is usable only through SQS.
    celery_kms = by_sid["CeleryQueueEncryption"]
    assert "Resource" not in celery_kms
    assert celery_kms["Condition"]["StringLike"]["kms:ViaService"] == [
        f"sqs.{app.settings.aws.region}.amazonaws.com"
    ]
