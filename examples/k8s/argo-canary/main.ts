// A web service released as a canary by Argo Rollouts, its traffic split on an HTTPRoute of the Gateway
// "public-gateway" by the Argo Rollouts Gateway API plugin (argoproj-labs/gatewayAPI): 10% for 5 minutes,
// 50% for 10 minutes, then everything. From the first step on, two health checks judge the new version
// minute by minute from the Istio metrics in Prometheus: more than 1% of requests failing with a 5xx, or
// a p99 latency above 500 ms, in 2 windows aborts the rollout and sends all traffic back to the stable
// version; a minute with fewer than 10 requests gives no verdict and pauses the rollout for a person
// (`kubectl argo rollouts promote` to go on). The checks are the strategy's, as a platform team would
// declare them once for every backend.
//
// The plugin must be registered with the controller (trafficRouterPlugins in the argo-rollouts-config
// ConfigMap). The controller runs every step by itself: apply the manifests once per release, then
//   kubectl argo rollouts get rollout <name> -n shop --watch    follow the steps (the Rollout's name is in dist/)
//   kubectl argo rollouts abort <name> -n shop                   send everything back to the stable version
// To release a new version, change VERSION and apply again. The plan is on the Rollout's
// `cdk-deploy-strategies.dev/plan` annotation.
import { Duration } from 'aws-cdk-lib';
import { App, Chart } from 'cdk8s';
import { guardrails, HealthCheck, k8s, StepGate, Strategy } from 'cdk-deploy-strategies';

const VERSION = '6.7.1';

const app = new App();
// The plugin finds the HTTPRoute by name in the namespace the Rollout names, so the chart needs one.
const chart = new Chart(app, 'ArgoCanary', { namespace: 'shop' });

// Istio's sidecars report every request of the new version's pods, told apart by their version label.
const metrics = k8s.MetricsSource.prometheus({
  address: 'http://prometheus.monitoring:9090',
  dialect: k8s.PrometheusDialect.istio(),
});

new k8s.ArgoRollout(chart, 'checkout', {
  strategy: Strategy.canary({
    steps: [
      { weight: 10, gate: StepGate.bake(Duration.minutes(5)) },
      { weight: 50, gate: StepGate.bake(Duration.minutes(10)) },
    ],
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
  trafficRouting: k8s.ArgoTrafficRouting.gatewayApi({
    gateway: { name: 'public-gateway', namespace: 'gateways' },
    hostnames: ['shop.example.com'],
  }),
  metricsSource: metrics,
});

guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
