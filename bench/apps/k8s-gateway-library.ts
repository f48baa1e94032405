// N canary services routed by a Gateway API HTTPRoute, built with the library: step 1 of
// 10% → 50% → 100%, both revisions at 2 replicas.
import { Duration } from 'aws-cdk-lib/core';
import { Chart } from 'cdk8s';
import { k8s, StepGate, Strategy } from '../../src';
import { CANARY_VERSION, CONTAINER_PORT, GATEWAY, hostName, image, measureCdk8s, serviceName, STABLE_VERSION } from '../harness/cdk8s';

// The package's k8s namespace loads on first use (lazy index). Resolve it here, at import, as the
// hand-written app's imports are, so that the measured window holds the same work on both sides; the
// whole-process time counts the loading either way.
const { GatewayRollout } = k8s;

const strategy = Strategy.canary({
  steps: [
    { weight: 10, gate: StepGate.bake(Duration.minutes(10)) },
    { weight: 50, gate: StepGate.manualApproval() },
  ],
});

const revision = (version: string): k8s.KubernetesRevision => ({ containers: [{ image: image(version), portNumber: CONTAINER_PORT }], version });

measureCdk8s((app, services) => {
  const chart = new Chart(app, 'shop');
  for (let i = 0; i < services; i++) {
    new GatewayRollout(chart, serviceName(i), {
      strategy,
      gateway: GATEWAY,
      hostnames: [hostName(i)],
      stable: revision(STABLE_VERSION),
      candidate: revision(CANARY_VERSION),
      step: 1,
    });
  }
});
