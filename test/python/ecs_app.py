"""A CDK app in Python on the cdk-deploy-strategies wheel: an ECS service released blue-green by native ECS
deployments, and www.example.com moved to a candidate by a Route 53 canary, one deploy per step.

test/python/ecs-app.ts is the same app in TypeScript; test/python.test.ts checks that both synthesize the same
templates, resource for resource. The app writes its cloud assembly to CDK_OUTDIR (the CDK CLI sets it).
"""
from aws_cdk import App, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53
from constructs import Construct

from cdk_deploy_strategies import CanaryStep, HealthCheck, Match, StepGate, Strategy, aws, guardrails


class EcsBlueGreenStack(Stack):
    def __init__(self, scope: Construct, id: str, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)

        vpc = ec2.Vpc(self, "Vpc", max_azs=2, nat_gateways=1)
        cluster = ecs.Cluster(self, "Cluster", vpc=vpc)
        task_definition = ecs.FargateTaskDefinition(self, "Task", cpu=256, memory_limit_mib=512)
        task_definition.add_container(
            "web",
            image=ecs.ContainerImage.from_registry("public.ecr.aws/nginx/nginx:stable"),
            port_mappings=[ecs.PortMapping(container_port=80)],
        )

        # An internal load balancer: only the VPC reaches the service, and the test route.
        alb = elbv2.ApplicationLoadBalancer(self, "Alb", vpc=vpc, internet_facing=False)
        listener = alb.add_listener(
            "Http",
            port=80,
            open=False,
            default_action=elbv2.ListenerAction.fixed_response(404, content_type="text/plain", message_body="not found"),
        )

        web = aws.EcsRolloutService(
            self,
            "Web",
            cluster=cluster,
            task_definition=task_definition,
            listener=listener,
            desired_count=2,
            # Testers reach the idle (green) side with `x-env: green`, from private addresses only; after the
            # switch the old side keeps running 10 minutes, so a rollback is one switch back.
            # More than 1% of 5xx, or a p99 above 1 s, on either target group rolls the deployment back.
            strategy=Strategy.blue_green(
                test_route=Match.header("x-env", "green"),
                bake_time=Duration.minutes(10),
                health_checks=[
                    HealthCheck.error_rate(max_error_percent=1),
                    HealthCheck.latency(percentile=99, max_latency=Duration.seconds(1)),
                ],
            ),
        )
        # More alarms that roll the deployment back (not on the service's own metrics: the service names its
        # deployment alarms, so an alarm that names the service would make a circular dependency).
        web.add_alarm(
            cloudwatch.Alarm(
                self,
                "ClientErrors",
                metric=web.blue_target_group.metrics.http_code_target(elbv2.HttpCodeTarget.TARGET_4XX_COUNT),
                threshold=50,
                evaluation_periods=2,
            )
        )


class Route53CanaryStack(Stack):
    def __init__(self, scope: Construct, id: str, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)

        zone = route53.PublicHostedZone(self, "Zone", zone_name="example.com")
        candidate_health = route53.HealthCheck(
            self,
            "CandidateHealth",
            type=route53.HealthCheckType.HTTP,
            ip_address="192.0.2.20",
            port=80,
            resource_path="/",
        )
        www = aws.WeightedDnsRollout(
            self,
            "Www",
            zone=zone,
            record_name="www",
            stable=aws.DnsTarget.ip_address("192.0.2.10"),
            candidate=aws.DnsTarget.ip_address("192.0.2.20", health_check=candidate_health),
            # 5% for 15 minutes, 25% for 30 minutes, 50% until someone approves, then 100%.
            strategy=Strategy.canary(
                steps=[
                    CanaryStep(weight=5, gate=StepGate.bake(Duration.minutes(15))),
                    CanaryStep(weight=25, gate=StepGate.bake(Duration.minutes(30))),
                    CanaryStep(weight=50, gate=StepGate.manual_approval()),
                ]
            ),
            # The step deployed: the `step` prop, else the context value `Route53Canary/Www:step`, else 1.
            step=2,
        )
        guardrails.Guardrails.suppress(
            www, "CDS-R1", "Route 53 cannot roll back by itself: the pipeline deploys the previous step."
        )
        guardrails.Guardrails.suppress(
            www, "CDS-R8", "Nothing measures a pipeline-driven Route 53 canary: the pipeline checks each step itself."
        )


app = App(
    # Strict CloudFormation validation at synth; no version reporting (the template would name the language).
    context={"@aws-cdk/core:validateAgainstDefaultRules": True},
    analytics_reporting=False,
)
EcsBlueGreenStack(app, "EcsBlueGreen")
Route53CanaryStack(app, "Route53Canary")
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended())
app.synth()
