import { Duration } from 'aws-cdk-lib';
import { HealthCheck } from '../../../src';
import { MetricsSource, PrometheusDialect } from '../../../src/k8s';
import { grafanaDashboard, variantMeasurements, VariantTarget } from '../../../src/k8s/private/experiment-metrics';
import { QueryContext } from '../../../src/k8s/private/health-check-queries';
import { expectValidationError } from '../../support/validation-error';

const ctx: QueryContext = { where: 'GatewayExperiment test/ab', checkProp: check => `GatewayExperiment test/ab: healthChecks (${check.name})` };
const envoy = MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: PrometheusDialect.envoyGateway() });
const targets: VariantTarget[] = [
  { variant: 'control', required: true, target: { description: 'the control', role: 'control', namespace: 'shop', service: 'ab', routeRules: { route: 'ab', rules: [1] } } },
  { variant: 'beta', required: false, target: { description: 'variant "beta"', role: 'beta', namespace: 'shop', service: 'ab-beta', noRouteRule: 'the route sends it nothing at this moment' } },
];
const errorRate = HealthCheck.errorRate({ maxErrorPercent: 1, window: Duration.minutes(2) });

test('requests over the first check\'s window and each check\'s query, per measurable variant', () => {
  const recorded = variantMeasurements(envoy, [errorRate], targets, ctx, 'src');
  expect(recorded.source).toBe('Prometheus http://prometheus.monitoring:9090 (Envoy Gateway)');
  expect(Object.keys(recorded.variants)).toEqual(['control']);
  expect(recorded.variants.control.requests).toBe('sum(increase(envoy_cluster_upstream_rq_total{envoy_cluster_name="httproute/shop/ab/rule/1"}[2m]))');
  expect(recorded.variants.control['error-rate']).toContain('envoy_response_code_class=~"5"');
  // Without checks, the requests of one-minute windows.
  expect(variantMeasurements(envoy, [], targets, ctx, 'src').variants.control).toEqual({
    requests: 'sum(increase(envoy_cluster_upstream_rq_total{envoy_cluster_name="httproute/shop/ab/rule/1"}[1m]))',
  });
});

test('a variant that must be measured and cannot be fails', () => {
  expectValidationError(() => variantMeasurements(envoy, [errorRate], [{ ...targets[1], required: true }], ctx, 'GatewayExperiment test/ab: metricsSource'),
    'GatewayExperiment test/ab: metricsSource is "Prometheus http://prometheus.monitoring:9090 (Envoy Gateway)": the Envoy Gateway dialect cannot measure variant "beta" alone: '
    + 'Envoy Gateway counts requests per HTTPRoute rule (one Envoy cluster per rule, holding all of its backends), and the route sends it nothing at this moment. '
    + 'Use PrometheusDialect.istio() or a custom dialect that reads the application\'s own metrics, or MetricsSource.cloudWatch().');
});

test('the dashboard draws the measurable variants, a row of two panels at a time', () => {
  const latency = HealthCheck.latency({ percentile: 95, maxLatency: Duration.seconds(1) });
  const dashboard = grafanaDashboard('A/B', 'cds-ab', envoy, [errorRate, latency], targets, ctx, 'src') as any;
  expect(dashboard.panels.map((p: any) => [p.title, p.gridPos])).toEqual([
    ['Requests per second', { h: 8, w: 12, x: 0, y: 0 }],
    ['error-rate: failed requests (%)', { h: 8, w: 12, x: 12, y: 0 }],
    ['latency-p95: p95 latency', { h: 8, w: 12, x: 0, y: 8 }],
  ]);
  expect(dashboard.panels[2].targets).toEqual([{ refId: 'A', expr: expect.stringContaining('histogram_quantile(0.95'), legendFormat: 'control' }]);
  expect(dashboard.panels[2].fieldConfig.defaults.thresholds.steps[1].value).toBe(1000);
  expect(dashboard.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
});
