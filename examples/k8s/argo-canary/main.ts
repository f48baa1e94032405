// A web service released as a canary by Argo Rollouts, its traffic split on an HTTPRoute of the Gateway
// "public-gateway" by the Argo Rollouts Gateway API plugin (argoproj-labs/gatewayAPI): 10% while a
// Prometheus analysis checks the success rate for 5 minutes, 50% for 10 minutes, then everything.
// A failed analysis sends all traffic back to the stable version.
//
// The plugin must be registered with the controller (trafficRouterPlugins in the argo-rollouts-config
// ConfigMap). The controller runs every step by itself: apply the manifests once per release, then
//   kubectl argo rollouts get rollout <name> -n shop --watch    follow the steps (the Rollout's name is in dist/)
//   kubectl argo rollouts abort <name> -n shop                   send everything back to the stable version
// To release a new version, change VERSION and apply again. The plan is on the Rollout's
// `cdk-deploy-strategies.dev/plan` annotation.
import { Duration } from 'aws-cdk-lib';
import { App, Chart } from 'cdk8s';
import { guardrails, k8s, StepGate, Strategy } from 'cdk-deploy-strategies';

const VERSION = '6.7.1';

const app = new App();
// The plugin finds the HTTPRoute by name in the namespace the Rollout names, so the chart needs one.
const chart = new Chart(app, 'ArgoCanary', { namespace: 'shop' });

// The share of requests answered without a server error, from the metrics podinfo exports; adapt the
// labels to your Prometheus scrape configuration. Each measurement covers the minute before it.
const errorRate = new k8s.AnalysisTemplate(chart, 'ErrorRate', {
  name: 'error-rate',
  metrics: [k8s.AnalysisMetric.prometheus({
    name: 'success-rate',
    address: 'http://prometheus.monitoring:9090',
    query: 'sum(rate(http_requests_total{app_kubernetes_io_name="checkout",status!~"5.."}[1m]))'
      + ' / sum(rate(http_requests_total{app_kubernetes_io_name="checkout"}[1m]))',
    successCondition: 'result[0] >= 0.99',
    failureLimit: 1,
    // No count: 5 measurements, one a minute, fill the gate's 5 minutes.
  })],
});

new k8s.ArgoRollout(chart, 'checkout', {
  strategy: Strategy.canary({
    steps: [
      { weight: 10, gate: StepGate.analysis({ name: 'error-rate', duration: Duration.minutes(5) }) },
      { weight: 50, gate: StepGate.bake(Duration.minutes(10)) },
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
  analysisTemplates: [errorRate],
});

guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
