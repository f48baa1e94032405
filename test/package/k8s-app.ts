// A minimal cdk8s app, as the README's "getting started" gives it: a Gateway API canary, rendered
// one step per synth (the first here; the context key `checkout/web:step` picks another, set with
// app.node.setContext before the chart is created). Durations are aws-cdk-lib's, in cdk8s apps too,
// imported from aws-cdk-lib/core as the README advises (aws-cdk-lib's root index is not loaded).
// test/package/packed.test.ts builds it in a fresh cdk8s install of the packed tarball and
// synthesizes it; `tsc -p test/tsconfig.json` type-checks it against src/.
import { Duration } from 'aws-cdk-lib/core';
import { App, Chart } from 'cdk8s';
import { k8s, StepGate, Strategy } from 'cdk-deploy-strategies';

const app = new App();
const chart = new Chart(app, 'checkout', { namespace: 'shop' });

new k8s.GatewayRollout(chart, 'web', {
  strategy: Strategy.canary({
    steps: [
      { weight: 10, gate: StepGate.bake(Duration.minutes(10)) },
      { weight: 50, gate: StepGate.manualApproval() },
    ],
  }),
  gateway: { name: 'public', namespace: 'gateways' },
  stable: { containers: [{ image: 'registry.example.com/checkout:1.0', portNumber: 8080 }], version: '1.0' },
  candidate: { containers: [{ image: 'registry.example.com/checkout:1.1', portNumber: 8080 }], version: '1.1' },
});

app.synth();
