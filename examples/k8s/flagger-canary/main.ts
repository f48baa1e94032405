// A web service released as a canary by Flagger on the Gateway "public-gateway" (provider gatewayapi:v1):
// 5%, 10%, 25% and 50% of requests, each for 5 minutes while Flagger checks the success rate and the
// p99 latency, then 50% until a person approves the promotion. The first failed check sends all traffic back
// to the primary (the released version).
//
// Flagger runs every step by itself: apply the manifests once per release, then
//   kubectl -n shop get canary checkout --watch       follow the steps
//   kubectl -n shop exec deploy/flagger-loadtester -- curl -sd '{"name": "checkout", "namespace": "shop"}' localhost:8080/gate/open
//                                                      approve the promotion (close it again with /gate/close)
// To release a new version, change VERSION and apply again. The plan is on the Canary's
// `cdk-deploy-strategies.dev/plan` annotation.
import { Duration } from 'aws-cdk-lib';
import { App, Chart } from 'cdk8s';
import { guardrails, k8s, StepGate, Strategy } from 'cdk-deploy-strategies';

const VERSION = '6.7.1';
const checks = StepGate.analysis({ name: 'error-rate', duration: Duration.minutes(5) });

const app = new App();
const chart = new Chart(app, 'FlaggerCanary', { namespace: 'shop' });

new k8s.FlaggerCanary(chart, 'checkout', {
  strategy: Strategy.canary({
    steps: [
      { weight: 5, gate: checks },
      { weight: 10, gate: checks },
      { weight: 25, gate: checks },
      // Flagger holds the last weight one interval, then asks its promotion gate: a person.
      { weight: 50, gate: checks },
      { weight: 50, gate: StepGate.manualApproval() },
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
  replicas: 4,
  gateway: { name: 'public-gateway', namespace: 'gateways' },
  hostnames: ['shop.example.com'],
  // Flagger's built-in checks, run at the end of every 5-minute step.
  analyses: [{
    name: 'error-rate',
    metrics: [
      k8s.FlaggerMetric.requestSuccessRate({ minPercent: 99 }),
      k8s.FlaggerMetric.requestDuration({ maxP99: Duration.millis(500) }),
    ],
  }],
});

guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
app.synth();
