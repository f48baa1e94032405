import { Duration } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { FlaggerMetric } from '../../src/k8s';
import { expectBuildsOrRefuses } from '../support/properties';
import { expectValidationError } from '../support/validation-error';

describe('FlaggerMetric', () => {
  test('requestSuccessRate is Flagger\'s built-in request-success-rate, a minimum percentage over a window', () => {
    expect(FlaggerMetric.requestSuccessRate()._render()).toEqual({ name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } });
    const metric = FlaggerMetric.requestSuccessRate({ minPercent: 99.5, window: Duration.seconds(30) });
    expect(metric._render()).toEqual({ name: 'request-success-rate', interval: '30s', thresholdRange: { min: 99.5 } });
    expect(metric.describe()).toBe('request-success-rate ≥ 99.5% over 30s');
    expect(metric.window.toSeconds()).toBe(30);
  });

  test('requestDuration is Flagger\'s built-in request-duration, a maximum p99 in milliseconds', () => {
    const metric = FlaggerMetric.requestDuration({ maxP99: Duration.millis(500), window: Duration.minutes(2) });
    expect(metric._render()).toEqual({ name: 'request-duration', interval: '2m', thresholdRange: { max: 500 } });
    expect(metric.describe()).toBe('request-duration p99 ≤ 500ms over 2m');
    const second = FlaggerMetric.requestDuration({ maxP99: Duration.seconds(1) });
    expect(second._sameAs(FlaggerMetric.requestDuration({ maxP99: Duration.millis(1000) }))).toBe(true);
  });

  test('refuses what Flagger cannot measure', () => {
    expectValidationError(() => FlaggerMetric.requestSuccessRate({ minPercent: 0 }),
      'FlaggerMetric.requestSuccessRate: minPercent is 0: a success rate is a percentage above 0 and at most 100. Use a percentage such as 99.');
    expectValidationError(() => FlaggerMetric.requestSuccessRate({ window: Duration.seconds(5) }),
      'FlaggerMetric.requestSuccessRate: window is 5 seconds: it must be at least 10 seconds. Measure over at least Duration.seconds(10), such as Duration.minutes(1).');
    expectValidationError(() => FlaggerMetric.requestDuration({ maxP99: Duration.millis(0.5) }),
      'FlaggerMetric.requestDuration: maxP99 is 0.5 millis: a latency limit is a whole number of milliseconds from 1 ms to 1 hour. Use a duration such as Duration.millis(500).');
    expectValidationError(() => FlaggerMetric.requestDuration(undefined as any),
      'FlaggerMetric.requestDuration: props is undefined: it must be an object. Pass { maxP99: Duration.millis(500) }.');
    expectValidationError(() => FlaggerMetric._require('metrics[0]', 'request-success-rate'),
      'metrics[0] is "request-success-rate": a metric is made with FlaggerMetric.requestSuccessRate() or FlaggerMetric.requestDuration(). For example FlaggerMetric.requestSuccessRate({ minPercent: 99 }).');
  });

  test('random props: a metric or the library error', () => {
    expectBuildsOrRefuses(fc.record({
      minPercent: fc.option(fc.oneof(fc.double({ min: -10, max: 110, noNaN: true }), fc.constant(NaN)), { nil: undefined }),
      millis: fc.integer({ min: 0, max: 4_000_000 }),
      window: fc.option(fc.integer({ min: 0, max: 3600 }), { nil: undefined }),
    }), p => {
      const window = p.window === undefined ? undefined : Duration.seconds(p.window);
      const rendered = [FlaggerMetric.requestSuccessRate({ minPercent: p.minPercent, window })._render(),
        FlaggerMetric.requestDuration({ maxP99: Duration.millis(p.millis), window })._render()];
      expect(JSON.stringify(rendered)).not.toMatch(/NaN|undefined|Infinity/);
    }, { quickRuns: 40 });
  });
});
