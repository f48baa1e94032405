// A release of three services as one unit, for Argo CD: payments first, then orders (which needs
// payments >= 2.0.0), then the storefront (which needs orders 3.x), each with its own rollout:
//   payments    2.1.0  GatewayRollout, canary 10% then 100%, one step per commit   sync wave 10
//   orders      3.0.0  ArgoRollout, blue-green, run by the Argo Rollouts controller  sync wave 20
//   storefront  1.5.0  PlainCanary, 25% then 100% by replica count, one step per commit  sync wave 30
// The orders database migration runs first in every sync, as an Argo CD PreSync hook.
//
// The release moves on one commit at a time. A service starts only once everything it depends on
// has finished, so until then it keeps its earlier version (the release refuses anything else):
//   npx cdk8s synth           stage 1: payments at 10%; orders (2.9.0) and storefront (1.4.0) wait
//   STAGE=2 npx cdk8s synth   stage 2: payments at 100%; Argo CD then applies orders 3.0.0, waits
//                             for Argo Rollouts to finish it, then starts storefront at 25%
//   STAGE=3 npx cdk8s synth   stage 3: storefront at 100%
// Then promote payments and storefront as their rollouts describe (stable becomes the candidate).
// The release's table and waves are on the payments HTTPRoute's `cdk-deploy-strategies.dev/release`
// annotation.
import { Duration } from 'aws-cdk-lib';
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { guardrails, k8s, Release, StepGate, Strategy } from 'cdk-deploy-strategies';

const release = new Release({
  name: 'shop',
  services: [
    { name: 'payments', version: '2.1.0', strategy: Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(15)) }] }) },
    {
      name: 'orders',
      version: '3.0.0',
      strategy: Strategy.blueGreen({ bakeTime: Duration.minutes(10) }),
      dependsOn: [{ service: 'payments', versionRange: '>=2.0.0' }],
    },
    {
      name: 'storefront',
      version: '1.5.0',
      strategy: Strategy.canary({ steps: [{ weight: 25, gate: StepGate.manualApproval() }] }),
      dependsOn: [{ service: 'orders', versionRange: '^3.0.0' }],
    },
  ],
});

/** Each commit of the release: the step of each step-per-commit rollout, and whether orders runs 3.0.0 yet. */
const STAGES: Record<string, { payments: number; orders: boolean; storefront?: number }> = {
  1: { payments: 1, orders: false },
  2: { payments: 2, orders: true, storefront: 1 },
  3: { payments: 2, orders: true, storefront: 2 },
};
const stage = STAGES[process.env.STAGE ?? '1'];
if (stage === undefined) throw new Error(`STAGE is ${process.env.STAGE}: use 1, 2 or 3.`);

const revision = (service: string, version: string): k8s.KubernetesRevision => ({
  containers: [{ image: `ghcr.io/example/${service}:${version}`, portNumber: 8080 }],
  version,
});

const app = new App();
// cdk8s has no -c flag: each step-per-commit rollout reads its step from its context key.
app.node.setContext('shop/payments:step', stage.payments);
if (stage.storefront !== undefined) app.node.setContext('shop/storefront:step', stage.storefront);
const chart = new Chart(app, 'shop', { namespace: 'shop' });

const payments = new k8s.GatewayRollout(chart, 'payments', {
  strategy: release.service('payments').strategy,
  gateway: { name: 'public', namespace: 'gateways' },
  hostnames: ['payments.shop.example.com'],
  stable: revision('payments', '2.0.0'),
  candidate: revision('payments', '2.1.0'),
  replicas: 3,
});

const orders = new k8s.ArgoRollout(chart, 'orders', {
  strategy: release.service('orders').strategy,
  revision: revision('orders', stage.orders ? '3.0.0' : '2.9.0'),
  replicas: 3,
});

const storefront = new k8s.PlainCanary(chart, 'storefront', {
  strategy: release.service('storefront').strategy,
  stable: revision('storefront', '1.4.0'),
  // The storefront waits, without a candidate, until orders has finished.
  candidate: stage.storefront === undefined ? undefined : revision('storefront', '1.5.0'),
  replicas: 4,
});

new k8s.KubernetesRelease(chart, 'release', {
  release,
  services: { payments, orders, storefront },
  migration: {
    image: 'ghcr.io/example/orders-migrate:3.0.0',
    args: ['up'],
    envVariables: {
      DATABASE_URL: kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(chart, 'OrdersDatabase', 'orders-database'), key: 'url' }),
    },
    backoffLimit: 1,
    activeDeadline: Duration.minutes(15),
  },
});

// Only orders runs under a controller (Argo Rollouts); payments and storefront advance one commit at a time.
guardrails.Guardrails.suppress(payments, 'CDS-R1',
  'Each stage of the release is a commit the pipeline makes only after the smoke tests of the stage before pass; reverting the commit puts payments back on 2.0.0.');
guardrails.Guardrails.suppress(storefront, 'CDS-R1',
  'A person approves the 25% step after watching the storefront dashboards; reverting the stage commit puts storefront back on 1.4.0.');
guardrails.Guardrails.suppress(orders, 'CDS-R1',
  'orders 3.0.0 ships with the schema migration of the release: Argo Rollouts keeps 2.9.0 running for the 10-minute bake, and the pipeline\'s post-deploy checks abort the rollout (kubectl argo rollouts abort) on failure.');
// None of the three declares health checks: the release's smoke tests and dashboards measure each stage.
for (const [service, how] of [
  [payments, 'the smoke tests of the next stage'],
  [storefront, 'the storefront dashboards a person reads before approving 25%'],
  [orders, 'the pipeline\'s post-deploy checks'],
] as const) {
  guardrails.Guardrails.suppress(service, 'CDS-R8', `Measured outside the library, by ${how}.`);
}
guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
