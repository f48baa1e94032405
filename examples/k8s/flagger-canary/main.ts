// A web service released as a canary by Flagger on the Gateway "public-gateway" (provider gatewayapi:v1):
// 5%, 10%, 25% and 50% of requests, each for 5 minutes, then 50% until a person approves the promotion.
// The house strategy's health checks (error rate and p99 latency, measured on the canary's pods from
// Istio's metrics in Prometheus) become Flagger MetricTemplates that Flagger runs at the end of every
// step: two failing windows send all traffic back to the primary (the released version).
//
// Flagger runs every step by itself: apply the manifests once per release, then
//   kubectl -n shop get canary checkout --watch       follow the steps
//   kubectl -n shop exec deploy/flagger-loadtester -- curl -sd '{"name": "checkout", "namespace": "shop"}' localhost:8080/gate/open
//                                                      approve the promotion (close it again with /gate/close)
// To release a new version, change VERSION and apply again. The plan is on the Canary's
// `cdk-deploy-strategies.dev/plan` annotation.
import { Duration } from 'aws-cdk-lib';
import { App, Chart } from 'cdk8s';
import { guardrails, HealthCheck, k8s, StepGate, Strategy } from 'cdk-deploy-strategies';

const VERSION = '6.7.1';
const step = StepGate.bake(Duration.minutes(5));

const app = new App();
const chart = new Chart(app, 'FlaggerCanary', { namespace: 'shop' });

new k8s.FlaggerCanary(chart, 'checkout', {
  strategy: Strategy.canary({
    steps: [
      { weight: 5, gate: step },
      { weight: 10, gate: step },
      { weight: 25, gate: step },
      // Flagger holds the last weight one interval, then asks its promotion gate: a person.
      { weight: 50, gate: step },
      { weight: 50, gate: StepGate.manualApproval() },
    ],
    // Each judges a 1-minute window at the end of every step; windows with fewer than 10 requests hold the step and count as failing.
    healthChecks: [
      HealthCheck.errorRate({ maxErrorPercent: 1 }),
      HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(500) }),
    ],
  }),
  revision: {
    containers: [{
      image: `ghcr.io/stefanprodan/podinfo:${VERSION}`,
      portNumber: 9898,
      // podinfo runs as any non-root user on a read-only file system.
      securityContext: { user: 65532, group: 65532 },
    }],
    version: VERSION,
  },
  replicas: 4,
  gateway: { name: 'public-gateway', namespace: 'gateways' },
  hostnames: ['shop.example.com'],
  // Istio tells the canary's requests apart by its pods' app.kubernetes.io/name and version labels.
  metricsSource: k8s.MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: k8s.PrometheusDialect.istio() }),
});

guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
