"""Wrong inputs given to the cdk-deploy-strategies wheel from Python. Prints, as JSON, what each one raised (the
exception's type and message, or null when nothing was raised); test/python.test.ts compares each message with the
library's own error for the same input in TypeScript.
"""
import json

import cdk8s
import cdk8s_plus_28 as kplus
from aws_cdk import App, Duration, Stack
from aws_cdk import aws_route53 as route53

from cdk_deploy_strategies import CanaryStep, StepGate, Strategy, aws, k8s


def canary_weight_above_100():
    Strategy.canary(steps=[CanaryStep(weight=150, gate=StepGate.bake(Duration.minutes(5)))])


def dns_step_past_the_plan():
    stack = Stack(App(), "Dns")
    zone = route53.PublicHostedZone(stack, "Zone", zone_name="example.com")
    aws.WeightedDnsRollout(
        stack,
        "Www",
        zone=zone,
        record_name="www",
        stable=aws.DnsTarget.ip_address("192.0.2.10"),
        candidate=aws.DnsTarget.ip_address("192.0.2.20"),
        strategy=Strategy.CANARY_10_PERCENT_5_MINUTES,  # CANARY_10PERCENT_5MINUTES in TypeScript
        step=7,
    )


def argo_fractional_weight():
    chart = cdk8s.Chart(cdk8s.App(), "Shop")
    k8s.ArgoRollout(
        chart,
        "checkout",
        strategy=Strategy.canary(steps=[CanaryStep(weight=12.5, gate=StepGate.bake(Duration.minutes(5)))]),
        revision={"containers": [kplus.ContainerProps(image="registry.example.com/checkout:1.1", port_number=8080)]},
    )


def raised(case):
    try:
        case()
    except Exception as e:  # the library's errors cross the jsii bridge as RuntimeError
        return {"type": type(e).__name__, "message": str(e)}
    return None


print(json.dumps({case.__name__: raised(case) for case in [canary_weight_above_100, dns_step_past_the_plan, argo_fractional_weight]}))
