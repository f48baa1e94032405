import { Duration } from 'aws-cdk-lib';
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { StepGate, Strategy } from '../../src';
import { AnalysisMetric, AnalysisTemplate, ArgoRollout, ArgoTrafficRouting, PrometheusMetricProps } from '../../src/k8s';
import { ofKind, validatedManifests } from '../support/k8s';
import { metric as buildMetric, tidyOrNot } from '../support/k8s-arbitraries';
import { expectBuildsOrRefuses } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

const where = 'AnalysisTemplate test/ErrorRate';
const metricProps: PrometheusMetricProps = {
  name: 'success-rate',
  address: 'http://prometheus.monitoring:9090',
  query: 'sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))',
  successCondition: 'result[0] >= 0.99',
};
const metric = (props: Partial<PrometheusMetricProps> = {}) => AnalysisMetric.prometheus({ ...metricProps, ...props });
const revision = { containers: [{ image: 'registry.example.com/web:1.0.0', portNumber: 8080 }] };
const gateway = ArgoTrafficRouting.gatewayApi({ gateway: { name: 'public-gateway' } });

/** A canary whose first step is held by the analysis `error-rate` for `minutes`. */
function analysed(minutes: number, name = 'error-rate') {
  return Strategy.canary({ steps: [{ weight: 20, gate: StepGate.analysis({ name, duration: Duration.minutes(minutes) }) }] });
}

/** A rollout on the Gateway under its own host name, so that rollouts sharing the Gateway do not compete for requests. */
function rollout(chart: Chart, template: AnalysisTemplate, strategy: Strategy, id = 'web') {
  const trafficRouting = id === 'web' ? gateway : ArgoTrafficRouting.gatewayApi({ gateway: { name: 'public-gateway' }, hostnames: [`${id}.example.com`] });
  return new ArgoRollout(chart, id, { strategy, revision, trafficRouting, analysisTemplates: [template] });
}

/** A chart with a namespace, which a canary routed by the Gateway API plugin needs. */
function shopChart() {
  return new Chart(Testing.app(), 'test', { namespace: 'shop' });
}

function templateOf(chart: Chart) {
  return ofKind(validatedManifests(chart), 'AnalysisTemplate')[0];
}

test('an argoproj.io/v1alpha1 AnalysisTemplate named as the gates name it, valid against the upstream schema', () => {
  const chart = shopChart();
  const template = new AnalysisTemplate(chart, 'ErrorRate', { name: 'error-rate', metrics: [metric({ count: 5 })] });
  const object = templateOf(chart);
  expect(object.apiVersion).toBe('argoproj.io/v1alpha1');
  expect(object.kind).toBe('AnalysisTemplate');
  expect(object.metadata.name).toBe('error-rate');
  expect(template.name).toBe('error-rate');
  expect(template.templateName).toBe('error-rate');
  expect(object.spec.metrics).toEqual([expect.objectContaining({ name: 'success-rate', count: 5 })]);
});

describe('count and the gate duration', () => {
  test('a metric without a count takes as many measurements as fit in the gate that names the template', () => {
    const chart = shopChart();
    const template = new AnalysisTemplate(chart, 'ErrorRate', {
      name: 'error-rate', metrics: [metric(), metric({ name: 'latency', interval: Duration.seconds(30) })],
    });
    rollout(chart, template, analysed(10));
    expect(templateOf(chart).spec.metrics.map((m: any) => [m.name, m.count])).toEqual([['success-rate', 10], ['latency', 20]]);
  });

  test('a template no gate names renders metrics without a count as given', () => {
    const chart = shopChart();
    new AnalysisTemplate(chart, 'ErrorRate', { name: 'error-rate', metrics: [metric()] });
    expect(templateOf(chart).spec.metrics[0].count).toBeUndefined();
  });

  test('two rollouts may share a template when their gates last as long', () => {
    const chart = shopChart();
    const template = new AnalysisTemplate(chart, 'ErrorRate', { name: 'error-rate', metrics: [metric()] });
    rollout(chart, template, analysed(5), 'web');
    rollout(chart, template, analysed(5), 'api');
    expect(templateOf(chart).spec.metrics[0].count).toBe(5);
  });

  test('an explicit count must fill the gate exactly', () => {
    const chart = shopChart();
    const template = new AnalysisTemplate(chart, 'ErrorRate', { name: 'error-rate', metrics: [metric({ count: 5 })] });
    expectValidationError(() => rollout(chart, template, analysed(10)),
      'ArgoRollout test/web: strategy.steps[0].gate is "analysis error-rate 10m": metric "success-rate" of AnalysisTemplate "error-rate" takes 5 measurements every 1m (5m), and the gate holds the step for 10m. Set count to 10 on metric "success-rate", or give the gate a duration of 5m.');
  });

  test('an explicit count that cannot fill the gate', () => {
    const chart = shopChart();
    const template = new AnalysisTemplate(chart, 'ErrorRate', { name: 'error-rate', metrics: [metric({ count: 2, interval: Duration.minutes(3) })] });
    expectValidationError(() => rollout(chart, template, analysed(10)),
      'ArgoRollout test/web: strategy.steps[0].gate is "analysis error-rate 10m": metric "success-rate" of AnalysisTemplate "error-rate" takes 2 measurements every 3m (6m), and the gate holds the step for 10m. Change the metric\'s count or interval, or give the gate a duration of 6m.');
  });

  test('the gate must last a whole number of intervals', () => {
    const chart = shopChart();
    const template = new AnalysisTemplate(chart, 'ErrorRate', { name: 'error-rate', metrics: [metric({ interval: Duration.minutes(3) })] });
    expectValidationError(() => rollout(chart, template, analysed(10)),
      'ArgoRollout test/web: strategy.steps[0].gate is "analysis error-rate 10m": metric "success-rate" of AnalysisTemplate "error-rate" measures every 3m, and 10m is not a whole number of intervals. Use an interval that divides 10m, such as 2m 30s, or set count on the metric.');
  });

  test('the derived count must leave the failure limit able to fail', () => {
    const chart = shopChart();
    const template = new AnalysisTemplate(chart, 'ErrorRate', { name: 'error-rate', metrics: [metric({ failureLimit: 2 })] });
    expectValidationError(() => rollout(chart, template, analysed(2)),
      'ArgoRollout test/web: strategy.steps[0].gate is "analysis error-rate 2m": metric "success-rate" takes 2 measurements, so tolerating 2 failures means it can never fail. Use a failure limit below 2, or take more measurements.');
  });

  test('one template serves gates of one duration', () => {
    const chart = shopChart();
    const template = new AnalysisTemplate(chart, 'ErrorRate', { name: 'error-rate', metrics: [metric()] });
    rollout(chart, template, analysed(5), 'web');
    expectValidationError(() => rollout(chart, template, analysed(10), 'api'),
      'ArgoRollout test/api: strategy.steps[0].gate is "analysis error-rate 10m": AnalysisTemplate "error-rate" already serves a gate of 5m (ArgoRollout test/web: strategy.steps[0].gate), and one template runs for one duration. Give both gates the same duration, or create a second AnalysisTemplate for the 10m gate.');
  });
});

describe('validation', () => {
  test.each([
    ['a name that is not a DNS label', { name: 'Error Rate', metrics: [metric()] },
      `${where}: name is "Error Rate": a name must be a DNS label: 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit. Use a name such as "error-rate".`],
    ['no metrics', { name: 'error-rate', metrics: [] },
      `${where}: metrics is an empty array: an analysis needs at least one metric. Add a metric such as AnalysisMetric.prometheus({ ... }).`],
    ['a metric that is not an AnalysisMetric', { name: 'error-rate', metrics: [{ name: 'x' }] },
      `${where}: metrics[0] is an object: a metric is made with AnalysisMetric.prometheus() or AnalysisMetric.web(). For example AnalysisMetric.prometheus({ name, address, query, successCondition }).`],
    ['two metrics of one name', { name: 'error-rate', metrics: [metric(), metric()] },
      `${where}: metrics[1].name is "success-rate": metric names are unique within a template. Give each metric its own name.`],
  ])('refuses %s', (_, props, message) => {
    expectValidationError(() => new AnalysisTemplate(Testing.chart(), 'ErrorRate', props as any), message);
  });
});

describe('random props', () => {
  // Metrics that measure every 30 s, 1 min or 5 min, and gates that hold their step for a few of those.
  const propsArb = tidyOrNot(({ either, maybe, name, metric: randomMetric }) => fc.record({
    name: either(fc.constantFrom('error-rate', 'smoke'), name),
    metrics: either(
      fc.uniqueArray(randomMetric(fc.constantFrom(30, 60, 300)), { minLength: 1, maxLength: 3, selector: m => m.props.name }),
      fc.oneof(fc.constantFrom([], 'metric', [null]), fc.array(randomMetric(), { minLength: 2, maxLength: 3 }))),
    gateSeconds: maybe(fc.oneof(fc.integer({ min: 1, max: 10 }).map(n => n * 300), fc.integer({ min: 1, max: 3600 }))),
  }));

  test('either render a valid template, counts filling the gate that names it, or refuse with the library error', () => {
    expectBuildsOrRefuses(propsArb, ({ name, metrics, gateSeconds }) => {
      const chart = shopChart();
      const given = Array.isArray(metrics) ? metrics.map(m => (m && 'kind' in m ? buildMetric(m) : m)) : metrics;
      const template = new AnalysisTemplate(chart, 'Template', { name, metrics: given as AnalysisMetric[] });
      if (gateSeconds !== undefined) {
        const gate = StepGate.analysis({ name: template.templateName, duration: Duration.seconds(gateSeconds) });
        rollout(chart, template, Strategy.canary({ steps: [{ weight: 20, gate }] }));
      }
      const object = templateOf(chart);
      expect(object.metadata.name).toBe(name);
      template.metrics.forEach((m, i) => {
        // The gate holds the step for exactly the measurements each metric takes.
        const count = m.count ?? (gateSeconds === undefined ? undefined : gateSeconds / m.interval.toSeconds());
        expect(object.spec.metrics[i].count).toBe(count);
        if (gateSeconds !== undefined) expect(count! * m.interval.toSeconds()).toBe(gateSeconds);
      });
    }, { quickRuns: 30 });
  });
});
