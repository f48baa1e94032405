// A web service released blue-green by Argo Rollouts. The new version starts at full size beside the
// live one, behind the preview Service; requests carrying the header `x-env: preview` reach it through
// the internal Gateway "internal-gateway", everything else stays on the active Service. Once it is ready, a web
// smoke test asks it, through that test route, which version it serves; if that passes, Argo waits for
// a person:
//   kubectl argo rollouts promote <name> -n shop    switch all traffic to the new version (the name is in dist/)
//   kubectl argo rollouts abort <name> -n shop      give up the new version
// The old version keeps running 10 minutes after the switch (the bake time). Two health checks, read
// from Envoy Gateway's metrics in Prometheus, judge the new version minute by minute: on the testers'
// requests before the switch (2 minutes must pass before the promotion can switch traffic), and on
// everyone's during the bake time after it, when a failure switches traffic back to the old version.
// To release a new version, change VERSION and apply again.
import { Duration } from 'aws-cdk-lib';
import { App, Chart } from 'cdk8s';
import { guardrails, HealthCheck, k8s, Match, StepGate, Strategy } from 'cdk-deploy-strategies';

const VERSION = '6.7.1';

const app = new App();
// The health checks' queries select the new version's metrics by namespace, so the chart has one.
const chart = new Chart(app, 'ArgoBlueGreen', { namespace: 'shop' });

// podinfo answers GET /version with {"version": "..."}: four checks, 30 seconds apart, that the
// preview serves the version being released.
const smokeTest = new k8s.AnalysisTemplate(chart, 'SmokeTest', {
  name: 'smoke-test',
  metrics: [k8s.AnalysisMetric.web({
    name: 'serves-new-version',
    url: 'https://shop.example.com/version',
    headers: [{ name: 'x-env', value: 'preview' }],
    jsonPath: '{$.version}',
    successCondition: `result == "${VERSION}"`,
    interval: Duration.seconds(30),
    count: 4,
  })],
});

const checkout = new k8s.ArgoRollout(chart, 'checkout', {
  strategy: Strategy.blueGreen({
    testRoute: Match.header('x-env', 'preview'),
    promotion: StepGate.manualApproval(),
    bakeTime: Duration.minutes(10),
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
  replicas: 3,
  trafficRouting: k8s.ArgoTrafficRouting.gatewayApi({
    gateway: { name: 'internal-gateway', namespace: 'gateways' },
    hostnames: ['shop.example.com'],
  }),
  analysisTemplates: [smokeTest],
  prePromotionAnalysis: 'smoke-test',
  // Envoy Gateway counts requests per HTTPRoute rule: the test route's rule reaches the preview alone,
  // the other rule the active Service alone.
  metricsSource: k8s.MetricsSource.prometheus({
    address: 'http://prometheus.monitoring:9090',
    dialect: k8s.PrometheusDialect.envoyGateway(),
  }),
});

// An HTTPRoute matches requests, not clients: whoever reaches the Gateway and sends the header reaches the preview.
guardrails.Guardrails.suppress(checkout, 'CDS-R4',
  'The route is attached to internal-gateway, whose load balancer is internal to the VPC (reached by the office VPN and CI only); an HTTPRoute cannot restrict clients itself.');
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
