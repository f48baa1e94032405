// A web service released as a canary on plain Kubernetes, without a rollout controller: 10 replicas
// split between a Stable Deployment (1.0.0) and a Canary Deployment (1.1.0) behind one Service, so the
// share of traffic on 1.1.0 is its share of the replicas: 1 of 10, then 5, then all 10.
//
// Plain Kubernetes cannot progress by itself: each step of the plan is one pipeline run.
//   npx cdk8s synth           step 1: 9 stable, 1 canary (10%), held 10 minutes
//   STEP=2 npx cdk8s synth    step 2: 5 stable, 5 canary (50%), held until approved
//   STEP=3 npx cdk8s synth    step 3: 10 canary (100%)
// Then promote in two commits: stable becomes the 1.1.0 revision (still at step 3), then drop the candidate.
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

const web = new k8s.PlainCanary(chart, 'web', {
  strategy: Strategy.canary({
    steps: [
      { weight: 10, gate: StepGate.bake(Duration.minutes(10)) },
      { weight: 50, gate: StepGate.manualApproval() },
    ],
  }),
  stable: revision('1.0.0'),
  candidate: revision('1.1.0'),
  replicas: 10,
});

guardrails.Guardrails.suppress(web, 'CDS-R1',
  'Plain Kubernetes has no rollout controller: the pipeline checks the error rate of the canary pods before each commit that advances a step, and a person approves the 50% step; rolling back is reverting that commit.');
guardrails.Guardrails.suppress(web, 'CDS-R8',
  'Plain Kubernetes renders no health check: the pipeline measures the canary pods\' error rate itself before each step.');
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
