import { Duration } from 'aws-cdk-lib/core';
import { HealthCheck } from '../../../src';
import { addHealthCheckTo } from '../../../src/k8s/private/health-check-list';

const errorRate = HealthCheck.errorRate({ maxErrorPercent: 1 });
const latency = HealthCheck.latency({ percentile: 99, maxLatency: Duration.seconds(1) });

describe('addHealthCheckTo', () => {
  test('adds the check and re-derives from the longer list', () => {
    const checks = [errorRate];
    const seen: string[][] = [];
    addHealthCheckTo(checks, latency, () => seen.push(checks.map(c => c.name)));
    expect(checks).toEqual([errorRate, latency]);
    expect(seen).toEqual([['error-rate', 'latency-p99']]);
  });

  test('a refused check is taken out, what depends on the list is re-derived as it was, and the error is thrown', () => {
    const checks = [errorRate];
    const seen: string[][] = [];
    expect(() => addHealthCheckTo(checks, latency, () => {
      seen.push(checks.map(c => c.name));
      if (checks.length > 1) throw new Error('the metrics source cannot measure latency');
    })).toThrow('the metrics source cannot measure latency');
    expect(checks).toEqual([errorRate]);
    expect(seen).toEqual([['error-rate', 'latency-p99'], ['error-rate']]);
  });
});
