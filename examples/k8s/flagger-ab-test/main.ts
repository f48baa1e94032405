// An A/B test of a new checkout run by Flagger on the Gateway "public-gateway" (provider gatewayapi:v1):
// users holding the cookie `beta=true` see the new checkout, everyone else the current one (the
// primary Flagger runs). Flagger checks the new checkout's success rate every minute; a failed check
// sends everyone back to the current checkout.
//
// The variant is never promoted by itself: once the results are in,
//   kubectl -n shop exec deploy/flagger-loadtester -- curl -sd '{"name": "checkout", "namespace": "shop"}' localhost:8080/gate/open
// promotes it to everyone, and `.../rollback/open` ends the experiment. After the end date (or with
// `enabled: false`) a new synth ends it at Flagger's next check. The Canary's
// `cdk-deploy-strategies.dev/experiment` annotation records whether it runs, and its allocation table.
//
// The allocations rendered are those of the moment of synthesis; set AT (an ISO date) to render
// those of another moment, for a reproducible GitOps commit: `AT=2027-06-01T00:00:00Z npx cdk8s synth`.
import { App, Chart } from 'cdk8s';
import { Experiment, guardrails, k8s, Match } from 'cdk-deploy-strategies';

const at = process.env.AT ? new Date(process.env.AT) : undefined;
const app = new App();
const chart = new Chart(app, 'FlaggerAbTest', { namespace: 'shop' });

new k8s.FlaggerExperiment(chart, 'checkout', {
  experiment: new Experiment({
    name: 'new-checkout',
    variants: [{ name: 'redesign', match: Match.cookie('beta', 'true') }],
    endDate: new Date('2027-12-31T00:00:00Z'),
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
  metrics: [k8s.FlaggerMetric.requestSuccessRate({ minPercent: 99 })],
});

guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended({ at }));
app.synth();
