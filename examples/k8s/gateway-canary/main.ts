// A web service released as a canary through a Gateway API HTTPRoute attached to the Gateway
// "public": 5% for 10 minutes, 25% until someone approves, 50% for 30 minutes, then everything.
// Both revisions run at full size and the route holds exact weights, one step per synth:
//
//   STEP=2 npx cdk8s synth     renders step 2 (25%); without STEP, step 1
//
// The pipeline holds each step's gate before rendering the next; the plan, with every step's
// weights and gates, is on the route's `cdk-deploy-strategies.dev/plan` annotation. To promote,
// once the last step sends everything to the candidate: set `stable` to the candidate's revision,
// then, in a second commit, remove `candidate`.
import { Duration } from 'aws-cdk-lib';
import { App, Chart } from 'cdk8s';
import { guardrails, k8s, StepGate, Strategy } from 'cdk-deploy-strategies';

/** A revision of the sample app: a static binary on port 8080 that runs as any non-root user. */
function hello(version: string): k8s.KubernetesRevision {
  return {
    containers: [{
      image: `us-docker.pkg.dev/google-samples/containers/gke/hello-app:${version}`,
      portNumber: 8080,
      securityContext: { user: 65532, group: 65532 },
    }],
    version,
  };
}

const app = new App();
// cdk8s has no -c flag: the step comes from the environment, under the rollout's context key.
if (process.env.STEP) app.node.setContext('GatewayCanary/checkout:step', process.env.STEP);
const chart = new Chart(app, 'GatewayCanary');

const checkout = new k8s.GatewayRollout(chart, 'checkout', {
  strategy: Strategy.canary({
    steps: [
      { weight: 5, gate: StepGate.bake(Duration.minutes(10)) },
      { weight: 25, gate: StepGate.manualApproval({ timeout: Duration.hours(8) }) },
      { weight: 50, gate: StepGate.bake(Duration.minutes(30)) },
    ],
  }),
  gateway: { name: 'public', namespace: 'gateways' },
  hostnames: ['shop.example.com'],
  stable: hello('1.0'),
  candidate: hello('2.0'),
  replicas: 3,
});

// Static weights: nothing in the cluster rolls the route back; the pipeline that advances the steps does.
guardrails.Guardrails.suppress(checkout, 'CDS-R1',
  'The pipeline advances one step per commit only after its smoke tests and error-rate query pass, and a person approves the 25% step; a failure reverts the commit, which puts every request back on stable.');
guardrails.Guardrails.suppress(checkout, 'CDS-R8',
  'The Gateway API renders no health check: the pipeline measures the canary itself, by the error-rate query it runs before each step.');
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
