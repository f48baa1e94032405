"""A cdk8s app in Python on the cdk-deploy-strategies wheel: a web service released as a canary by Argo Rollouts,
routed by the Gateway API plugin, 10% while a Prometheus analysis runs for 5 minutes, 50% for 10 minutes, then all.

test/python/argo-app.ts is the same app in TypeScript; test/python.test.ts checks that both synthesize the same
manifests, object for object. The app writes its manifests to CDK8S_OUTDIR (else dist/).
"""
from aws_cdk import Duration
import cdk8s_plus_28 as kplus
from cdk8s import App, Chart

from cdk_deploy_strategies import CanaryStep, StepGate, Strategy, guardrails, k8s

app = App()
chart = Chart(app, "ArgoCanary", namespace="shop")

error_rate = k8s.AnalysisTemplate(
    chart,
    "ErrorRate",
    name="error-rate",
    metrics=[
        k8s.AnalysisMetric.prometheus(
            name="success-rate",
            address="http://prometheus.monitoring:9090",
            query='sum(rate(http_requests_total{app="checkout",status!~"5.."}[1m]))'
            ' / sum(rate(http_requests_total{app="checkout"}[1m]))',
            success_condition="result[0] >= 0.99",
            failure_limit=1,
        )
    ],
)

k8s.ArgoRollout(
    chart,
    "checkout",
    strategy=Strategy.canary(
        steps=[
            CanaryStep(weight=10, gate=StepGate.analysis(name="error-rate", duration=Duration.minutes(5))),
            CanaryStep(weight=50, gate=StepGate.bake(Duration.minutes(10))),
        ]
    ),
    # A struct passed directly may be a dict; one inside a list must be its class (jsii converts only the former).
    revision={
        "containers": [
            kplus.ContainerProps(
                image="ghcr.io/stefanprodan/podinfo:6.7.1",
                port_number=9898,
                security_context=kplus.ContainerSecurityContextProps(user=65532, group=65532),
            )
        ],
        "version": "6.7.1",
    },
    replicas=4,
    traffic_routing=k8s.ArgoTrafficRouting.gateway_api(
        gateway={"name": "public-gateway", "namespace": "gateways"},
        hostnames=["shop.example.com"],
    ),
    analysis_templates=[error_rate],
)

guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended())
app.synth()
