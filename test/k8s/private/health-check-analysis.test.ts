import { Duration } from 'aws-cdk-lib';
import { HealthCheck, Match, StepGate, Strategy } from '../../../src';
import { MetricsSource, PrometheusDialect } from '../../../src/k8s';
import { healthCheckMetrics, renderHealthChecks } from '../../../src/k8s/private/health-check-analysis';
import { MeasuredTarget, QueryContext } from '../../../src/k8s/private/health-check-queries';
import { expectValidationError } from '../../support/validation-error';

const ctx: QueryContext = { where: 'ArgoRollout test/web', checkProp: check => `ArgoRollout test/web: healthChecks (${check.name})` };
const istio = MetricsSource.prometheus({ address: 'http://prometheus.monitoring:9090', dialect: PrometheusDialect.istio() });
const target: MeasuredTarget = { description: 'the canary of web', role: 'canary', namespace: 'shop', app: 'web', version: '1.4.2' };
const errorRate = HealthCheck.errorRate({ maxErrorPercent: 0.5, failingWindows: 3, window: Duration.minutes(2) });

test('one metric per check: a measurement per window, failing past the bound, neither without a value', () => {
  const [metric] = healthCheckMetrics(istio, target, [errorRate], () => 4, ctx, 'src');
  expect(metric).toMatchObject({
    name: 'error-rate',
    interval: '2m',
    initialDelay: '2m',
    count: 4,
    failureLimit: 2,
    successCondition: 'len(result) > 0 && result[0] <= 0.5',
    failureCondition: 'len(result) > 0 && result[0] > 0.5',
  });
});

test('a check with both bounds fails outside either', () => {
  const band = HealthCheck.prometheus({ name: 'saturation', query: 'avg(cpu)', maxValue: 0.9, minValue: 0.1 });
  const [metric] = healthCheckMetrics(istio, target, [band], () => undefined, ctx, 'src');
  expect(metric.successCondition).toBe('len(result) > 0 && result[0] <= 0.9 && result[0] >= 0.1');
  expect(metric.failureCondition).toBe('len(result) > 0 && (result[0] > 0.9 || result[0] < 0.1)');
  expect(metric.count).toBeUndefined();
});

describe('renderHealthChecks', () => {
  const base = {
    where: 'ArgoRollout test/web',
    appName: 'web',
    namespace: 'shop',
    source: istio,
    ctx,
    reserved: new Set<string>(),
    targets: { background: target, trafficStarts: [0, 2], pre: { ...target, role: 'preview' }, post: { ...target, role: 'active' } },
  };

  test('no checks, nothing rendered, whatever the source', () => {
    const strategy = Strategy.CANARY_10PERCENT_5MINUTES;
    expect(renderHealthChecks({ ...base, source: undefined, checks: [], plan: strategy.plan(), strategy })).toEqual({ templates: [] });
  });

  test('a canary: background analysis from the first judged step\'s traffic', () => {
    const strategy = Strategy.CANARY_10PERCENT_5MINUTES.withHealthChecks([errorRate]);
    const { templates } = renderHealthChecks({ ...base, checks: [errorRate], plan: strategy.plan(), strategy });
    expect(templates.map(t => [t.id, t.name, t.use, t.startingStep])).toEqual([['HealthChecks', 'web-health-checks', 'background', 0]]);
  });

  test('a blue-green rollout without a judged test phase: post-promotion analysis only', () => {
    const strategy = Strategy.blueGreen({ bakeTime: Duration.minutes(7), healthChecks: [errorRate] });
    const { templates } = renderHealthChecks({ ...base, checks: [errorRate], plan: strategy.plan(), strategy });
    expect(templates.map(t => [t.name, t.spec.metrics[0].count])).toEqual([['web-post-promotion-checks', 3]]);
  });

  test('a blue-green rollout judged through its test route before an analysis promotion gate', () => {
    const strategy = Strategy.blueGreen({
      testRoute: Match.header('x-env', 'preview'),
      promotion: StepGate.analysis({ name: 'smoke', duration: Duration.minutes(10) }),
      bakeTime: Duration.minutes(8),
      healthChecks: [errorRate],
    });
    const { templates } = renderHealthChecks({ ...base, checks: [errorRate], plan: strategy.plan(), strategy });
    expect(templates.map(t => [t.name, t.spec.metrics[0].count])).toEqual([['web-pre-promotion-checks', 5], ['web-post-promotion-checks', 4]]);
  });

  test('refuses a bake that cannot hold failingWindows windows', () => {
    const strategy = Strategy.blueGreen({ bakeTime: Duration.minutes(5), healthChecks: [errorRate] });
    expectValidationError(() => renderHealthChecks({ ...base, checks: [errorRate], plan: strategy.plan(), strategy }),
      'ArgoRollout test/web: strategy.bakeTime is 5 minutes: Argo ends a post-promotion analysis when it scales the old environment down, after the bake time of 5m, '
      + 'which holds 2 windows of 2m, and health check "error-rate" (ArgoRollout test/web: healthChecks (error-rate)) fails only after 3. '
      + 'Make it at least 6m, or give the check a shorter window or fewer failingWindows.');
  });
});
