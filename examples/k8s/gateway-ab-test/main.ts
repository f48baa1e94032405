// An A/B test of a new checkout, routed by a Gateway API HTTPRoute attached to the Gateway "public":
// staff who send the header `x-preview: one-click` see the one-click checkout, users holding the
// cookie `beta=true` see the redesigned one, and everyone else the current checkout (the control).
// Each version runs as its own Deployment and Service. After the end date, or with `enabled: false`,
// a new synth sends everyone to the control; the route's `cdk-deploy-strategies.dev/experiment`
// annotation records whether the experiment runs, its allocation table, and the Prometheus queries
// measuring each variant and the control (requests, failed requests, p99 latency, from Envoy
// Gateway's metrics: each variant has a rule of its own). A Grafana dashboard of them comes as a
// ConfigMap the Grafana sidecar loads (label grafana_dashboard: "1").
//
// The allocations rendered are those of the moment of synthesis; set AT (an ISO date) to render
// those of another moment, for a reproducible GitOps commit: `AT=2027-06-01T00:00:00Z npx cdk8s synth`.
import { Duration } from 'aws-cdk-lib';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Experiment, guardrails, HealthCheck, k8s, Match } from 'cdk-deploy-strategies';

/** A version of the sample app behind a Service on port 80. */
function version(scope: Construct, id: string, tag: string): k8s.GatewayBackend {
  const deployment = new kplus.Deployment(scope, id, {
    replicas: 2,
    containers: [{
      image: `us-docker.pkg.dev/google-samples/containers/gke/hello-app:${tag}`,
      portNumber: 8080,
      // A static binary that runs as any non-root user on a read-only filesystem.
      securityContext: { user: 65532, group: 65532 },
    }],
  });
  const service = deployment.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
  return { serviceName: service.name, port: 80 };
}

const app = new App();
// The variants' queries select their metrics by namespace, so the chart has one.
const chart = new Chart(app, 'GatewayAbTest', { namespace: 'shop' });

const experiment = new Experiment({
  name: 'new-checkout',
  variants: [
    { name: 'one-click', match: Match.header('x-preview', 'one-click') },
    { name: 'redesign', match: Match.cookie('beta', 'true') },
  ],
  endDate: new Date('2027-12-31T00:00:00Z'),
  healthChecks: [
    HealthCheck.errorRate({ maxErrorPercent: 1 }),
    HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(500) }),
  ],
});

new k8s.GatewayExperiment(chart, 'Checkout', {
  experiment,
  at: process.env.AT ? new Date(process.env.AT) : undefined,
  gateway: { name: 'public', namespace: 'gateways' },
  hostnames: ['shop.example.com'],
  backends: {
    'control': version(chart, 'Current', '1.0'),
    'one-click': version(chart, 'OneClick', '2.0'),
    'redesign': version(chart, 'Redesign', '2.0'),
  },
  metricsSource: k8s.MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: k8s.PrometheusDialect.envoyGateway() }),
  grafanaDashboard: true,
});

guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended({ at: process.env.AT ? new Date(process.env.AT) : undefined }));
app.synth();
