"""The private network MWAA runs in: two private subnets with egress, one security group."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

# MWAA needs exactly two private subnets in different AZs.
MWAA_AZS = 2


class AirflowNetwork(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        nat_gateways: int,
        log_retention: logs.RetentionDays,
        logs_policy: cdk.RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        flow_log_group = logs.LogGroup(
            self, "FlowLogs", retention=log_retention, removal_policy=logs_policy
        )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=MWAA_AZS,
            # Workers reach PyPI (requirements.txt) and Snowflake through NAT.
            nat_gateways=nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24
                ),
                ec2.SubnetConfiguration(
                    name="airflow", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=20
                ),
            ],
            flow_logs={
                "all-traffic": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_log_group),
                    traffic_type=ec2.FlowLogTrafficType.ALL,
                )
            },
            # S3 traffic (DAGs, exports, artefacts) stays off the NAT gateway.
            gateway_endpoints={
                "s3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3)
            },
        )
        self.private_subnets = self.vpc.select_subnets(
            subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "AirflowSecurityGroup",
            vpc=self.vpc,
            description="MWAA scheduler, workers and web server (self-referencing, as required)",
            allow_all_outbound=True,
        )
        self.security_group.add_ingress_rule(
            self.security_group,
            ec2.Port.all_traffic(),
            "MWAA components talk to each other",
        )
