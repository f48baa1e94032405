// An A/B test of a new checkout run by Flagger on the Gateway "public-gateway" (provider gatewayapi:v1):
// users holding the cookie `beta=true` see the new checkout, everyone else the current one (the
// primary Flagger runs). The experiment's health checks (error rate and p99 latency, from Istio's
// metrics in Prometheus) become Flagger MetricTemplates run on the new checkout every minute; two
// failing windows send everyone back to the current checkout. The queries of both versions are
// recorded with the experiment, and `cdk-deploy-strategies plan dist` lists them.
//
// The variant is never promoted by itself: once the results are in,
//   kubectl -n shop exec deploy/flagger-loadtester -- curl -sd '{"name": "checkout", "namespace": "shop"}' localhost:8080/gate/open
// promotes it to everyone, and `.../rollback/open` ends the experiment. After the end date (or with
// `enabled: false`) a new synth ends it at Flagger's next check. The Canary's
// `cdk-deploy-strategies.dev/experiment` annotation records whether it runs, and its allocation table.
//
// The allocations rendered are those of the moment of synthesis; set AT (an ISO date) to render
// those of another moment, for a reproducible GitOps commit: `AT=2027-06-01T00:00:00Z npx cdk8s synth`.
import { Duration } from 'aws-cdk-lib';
import { App, Chart } from 'cdk8s';
import { Experiment, guardrails, HealthCheck, k8s, Match } from 'cdk-deploy-strategies';

const at = process.env.AT ? new Date(process.env.AT) : undefined;
const app = new App();
const chart = new Chart(app, 'FlaggerAbTest', { namespace: 'shop' });

new k8s.FlaggerExperiment(chart, 'checkout', {
  experiment: new Experiment({
    name: 'new-checkout',
    variants: [{ name: 'redesign', match: Match.cookie('beta', 'true') }],
    endDate: new Date('2027-12-31T00:00:00Z'),
    healthChecks: [
      HealthCheck.errorRate({ maxErrorPercent: 1 }),
      HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(500) }),
    ],
  }),
  at,
  revision: {
    containers: [{
      image: 'us-docker.pkg.dev/google-samples/containers/gke/hello-app:2.0',
      portNumber: 8080,
      // A static binary that runs as any non-root user on a read-only filesystem.
      securityContext: { user: 65532, group: 65532 },
    }],
    version: '2.0',
  },
  gateway: { name: 'public-gateway', namespace: 'gateways' },
  hostnames: ['shop.example.com'],
  metricsSource: k8s.MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: k8s.PrometheusDialect.istio() }),
});

guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended({ at }));
app.synth();
