// A web service released as a canary by Argo Rollouts, testers first: before any user gets the new
// version, requests carrying `x-qa: 1` reach it through a header route the Argo Rollouts Gateway API
// plugin (argoproj-labs/gatewayAPI, v0.13.0 or later) adds to the HTTPRoute, and the rollout pauses
// until someone promotes it. Then 10% while a Prometheus analysis checks the success rate for
// 5 minutes, 50% for 10 minutes, then everything. A failed analysis sends all traffic back to the
// stable version; Argo removes the header route when the rollout completes or aborts.
//
// The plugin must be registered with the controller (trafficRouterPlugins in the argo-rollouts-config
// ConfigMap). The controller runs every step by itself: apply the manifests once per release, then
//   kubectl argo rollouts get rollout <name> -n shop --watch    follow the steps (the Rollout's name is in dist/)
//   curl -H 'x-qa: 1' https://shop.example.com/                 test the new version during the test phase
//   kubectl argo rollouts promote <name> -n shop                 end the test phase: 10% of users follow
//   kubectl argo rollouts abort <name> -n shop                   send everything back to the stable version
// The header alone protects nothing: attach the route to a Gateway only your testers reach, or
// restrict the header with the Gateway's own policy (the guardrails' CDS-R4 asks you to say which).
import { Duration } from 'aws-cdk-lib';
import { App, Chart } from 'cdk8s';
import { guardrails, k8s, Match, StepGate, Strategy } from 'cdk-deploy-strategies';

const VERSION = '6.7.1';

const app = new App();
// The plugin finds the HTTPRoute by name in the namespace the Rollout names, so the chart needs one.
const chart = new Chart(app, 'ArgoCanaryTestRoute', { namespace: 'shop' });

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
  })],
});

const checkout = new k8s.ArgoRollout(chart, 'checkout', {
  strategy: Strategy.canary({
    // The test phase: only the testers' requests reach the new version, until someone promotes it.
    testRoute: Match.header('x-qa', '1'),
    testGate: StepGate.manualApproval(),
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
    gateway: { name: 'internal-gateway', namespace: 'gateways' },
    hostnames: ['shop.internal.example.com'],
  }),
  analysisTemplates: [errorRate],
});

guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
// An HTTPRoute matches requests, not clients: the header route is as private as the Gateway it is on.
guardrails.Guardrails.suppress(checkout, 'CDS-R4',
  'the route is attached to internal-gateway, whose load balancer is reachable from the corporate network only');
app.synth();
