// A web service released blue-green on plain Kubernetes, without a rollout controller: version 1.0.0
// runs in the blue slot, 1.1.0 starts in the green slot. The Live Service carries production traffic,
// the Preview Service reaches the other slot for testing.
//
// Plain Kubernetes cannot switch by itself: each step of the plan is one pipeline run.
//   npx cdk8s synth           step 1: Live selects blue (1.0.0), Preview selects green (1.1.0)
//   STEP=2 npx cdk8s synth    step 2: Live selects green (1.1.0), Preview keeps blue for a rollback
// Once the bake time has passed, promote: stableSlot: k8s.Slot.GREEN, stable: the 1.1.0 revision, no candidate.
import { Duration } from 'aws-cdk-lib';
import { App, Chart } from 'cdk8s';
import { guardrails, k8s, StepGate, Strategy } from 'cdk-deploy-strategies';

const app = new App();
// The step is read from the context key "<construct path>:step", set before the chart is created.
if (process.env.STEP !== undefined) app.node.setContext('shop/web:step', process.env.STEP);
const chart = new Chart(app, 'shop');

const revision = (version: string): k8s.KubernetesRevision => ({
  containers: [{ image: `ghcr.io/example/web:${version}`, portNumber: 8080 }],
  version,
});

const web = new k8s.PlainBlueGreen(chart, 'web', {
  strategy: Strategy.blueGreen({ promotion: StepGate.manualApproval(), bakeTime: Duration.minutes(30) }),
  stable: revision('1.0.0'),
  stableSlot: k8s.Slot.BLUE,
  candidate: revision('1.1.0'),
  replicas: 3,
});

guardrails.Guardrails.suppress(web, 'CDS-R1',
  'Plain Kubernetes has no rollout controller: a person tests the Preview Service and approves the switch, and rolling back is the one-line revert of the live slot while the old slot keeps running for 30 minutes.');
guardrails.Guardrails.suppress(web, 'CDS-R8',
  'Plain Kubernetes renders no health check: a person measures the new slot through the Preview Service before approving the switch.');
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
