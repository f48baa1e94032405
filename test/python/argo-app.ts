// The app of test/python/argo_app.py, written in TypeScript: test/python.test.ts checks that the Python app, run
// on the wheel, synthesizes the same manifests as this one, object for object.
import { Duration } from 'aws-cdk-lib';
import { App, Chart } from 'cdk8s';
import { guardrails, k8s, StepGate, Strategy } from 'cdk-deploy-strategies';

/** The app, writing its manifests to `outdir` when synthesized. */
export function argoApp(outdir: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'ArgoCanary', { namespace: 'shop' });

  const errorRate = new k8s.AnalysisTemplate(chart, 'ErrorRate', {
    name: 'error-rate',
    metrics: [k8s.AnalysisMetric.prometheus({
      name: 'success-rate',
      address: 'http://prometheus.monitoring:9090',
      query: 'sum(rate(http_requests_total{app="checkout",status!~"5.."}[1m]))'
        + ' / sum(rate(http_requests_total{app="checkout"}[1m]))',
      successCondition: 'result[0] >= 0.99',
      failureLimit: 1,
    })],
  });

  new k8s.ArgoRollout(chart, 'checkout', {
    strategy: Strategy.canary({
      steps: [
        { weight: 10, gate: StepGate.analysis({ name: 'error-rate', duration: Duration.minutes(5) }) },
        { weight: 50, gate: StepGate.bake(Duration.minutes(10)) },
      ],
    }),
    revision: {
      containers: [{
        image: 'ghcr.io/stefanprodan/podinfo:6.7.1',
        portNumber: 9898,
        securityContext: { user: 65532, group: 65532 },
      }],
      version: '6.7.1',
    },
    replicas: 4,
    trafficRouting: k8s.ArgoTrafficRouting.gatewayApi({
      gateway: { name: 'public-gateway', namespace: 'gateways' },
      hostnames: ['shop.example.com'],
    }),
    analysisTemplates: [errorRate],
  });

  guardrails.Guardrails.apply(app, guardrails.GuardrailPack.recommended());
  return app;
}
