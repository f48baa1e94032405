import { Duration } from 'aws-cdk-lib';
import { HealthCheck, Strategy } from '../../src';
import {
  extraCapacity, heldBy, planTotals, replicasOf, rolledBackBy, STEP_HEADER, stepHeader, stepRows, totalsLines, watchedBy, withApprovals,
} from '../../src/cli/plan-view';
import { textTable } from '../../src/core/private/format';
import { gatedCanary } from '../support/cli-fixtures';

test('the step table reads exactly as TrafficPlan.toTable() prints it', () => {
  for (const plan of [gatedCanary.plan(), Strategy.LINEAR_10PERCENT_EVERY_1MINUTE.plan({ replicas: 7 }), Strategy.BLUE_GREEN.plan()]) {
    expect(plan.toTable()).toContain(textTable(STEP_HEADER, stepRows(plan.toJson())));
  }
});

test('with health checks, the step table has the watchers\' column and the totals what rolls the rollout back, as toTable() prints them', () => {
  const checks = [HealthCheck.errorRate({ maxErrorPercent: 1 }), HealthCheck.latency({ percentile: 99, maxLatency: Duration.millis(800) })];
  const plan = Strategy.CANARY_10PERCENT_5MINUTES.withHealthChecks(checks).plan();
  const json = plan.toJson();
  expect(stepHeader(json)).toEqual([...STEP_HEADER, 'watched by']);
  expect(stepHeader(Strategy.CANARY_10PERCENT_5MINUTES.plan().toJson())).toEqual(STEP_HEADER);
  expect(plan.toTable()).toContain(textTable(stepHeader(json), stepRows(json)));
  expect(json.steps.map(watchedBy)).toEqual(['error-rate, latency-p99', '-']);
  expect(rolledBackBy(json)).toEqual(checks.map(c => c.describe()));
  expect(totalsLines(json).slice(-2)).toEqual([
    'rolled back by:          error-rate: 5xx above 1% for 2 windows of 1m (10+ requests)',
    '                         latency-p99: p99 above 800ms for 2 windows of 1m (10+ requests)',
  ]);
});

test('the replica count of a replica-ratio plan is the one of its 100% step', () => {
  expect(replicasOf(Strategy.CANARY_10PERCENT_5MINUTES.plan({ replicas: 20 }).toJson())).toBe(20);
  expect(replicasOf(Strategy.CANARY_10PERCENT_5MINUTES.plan().toJson())).toBeUndefined();
});

test('a step is held by its gate, else it is automatic or done', () => {
  const steps = Strategy.BLUE_GREEN.plan().toJson().steps;
  expect(steps.map(heldBy)).toEqual(['automatic', 'bake 5m']);
  expect(heldBy(Strategy.ALL_AT_ONCE.plan().toJson().steps[0])).toBe('done');
});

describe('totals', () => {
  test('of a gated canary with traffic routing', () => {
    expect(planTotals(gatedCanary.plan().toJson())).toEqual({
      timeToFullTraffic: '40m + 1 manual approval',
      totalDuration: '40m + 1 manual approval',
      peakCapacity: '200% of steady state',
      peakExtraCapacity: '+100%',
      rollback: 'instant (traffic switch)',
      blastRadius: '5% of traffic',
    });
  });

  test('of all at once, in place', () => {
    const plan = Strategy.ALL_AT_ONCE.plan().toJson();
    expect(planTotals(plan)).toMatchObject({ peakExtraCapacity: 'none', rollback: '5m (capacity must be brought back)', blastRadius: '100% of traffic' });
    expect(extraCapacity(plan)).toBe('none');
    expect(totalsLines(plan)).toEqual([
      'time to full traffic:    0s',
      'total duration:          0s',
      'peak capacity:           100% of steady state (no extra capacity)',
      'worst-case rollback:     5m (capacity must be brought back)',
      'first-step blast radius: 100% of traffic',
    ]);
  });

  test('approvals are counted apart, as people take their time', () => {
    expect(withApprovals(90, 0)).toBe('1m 30s');
    expect(withApprovals(0, 2)).toBe('0s + 2 manual approvals');
  });
});
