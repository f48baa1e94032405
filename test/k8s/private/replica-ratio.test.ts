import { Duration } from 'aws-cdk-lib';
import { CapacityMode, StepGate, Strategy } from '../../../src';
import { DEFAULT_WEIGHT_TOLERANCE, replicaRatioPlan, weightTolerance } from '../../../src/k8s/private/replica-ratio';
import { expectValidationError } from '../../support/validation-error';

const canary = (...weights: number[]) => Strategy.canary({ steps: weights.map(weight => ({ weight, gate: StepGate.bake(Duration.minutes(5)) })) });

describe('weightTolerance', () => {
  test('is 5 points by default', () => {
    expect(DEFAULT_WEIGHT_TOLERANCE).toBe(5);
    expect(weightTolerance('tolerance', undefined)).toBe(5);
  });

  test('accepts 0 to 50 points, fractions included', () => {
    expect(weightTolerance('tolerance', 0)).toBe(0);
    expect(weightTolerance('tolerance', 2.5)).toBe(2.5);
    expect(weightTolerance('tolerance', 50)).toBe(50);
  });

  test.each([
    [-1, '-1'],
    [50.1, '50.1'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    ['5', '"5"'],
  ])('refuses %p', (value, shown) => {
    expectValidationError(() => weightTolerance('tolerance', value),
      `tolerance is ${shown}: a tolerance is a number of percentage points from 0 to 50. Use a tolerance such as 5.`);
  });
});

describe('replicaRatioPlan', () => {
  test('is a replica-ratio plan in whole replicas', () => {
    const plan = replicaRatioPlan('replicas', 'some provider', canary(10, 50), 10, 5, 'something else');
    expect(plan.capacity).toBe(CapacityMode.REPLICA_RATIO);
    expect(plan.replicas).toBe(10);
    expect(plan.steps.map(s => [s.candidateWeight, s.candidateReplicas])).toEqual([[10, 1], [50, 5], [100, 10]]);
  });

  test('accepts a split exactly at the tolerance', () => {
    // 25% of 10 replicas rounds to 3, 30%: 5 points off.
    expect(replicaRatioPlan('replicas', 'p', canary(25), 10, 5, 'x').steps[0].candidateReplicas).toBe(3);
  });

  test('refuses a step beyond the tolerance, naming the step, the split and the replica count that would do', () => {
    expectValidationError(() => replicaRatioPlan('Thing: replicas', 'plain Kubernetes', canary(2, 50), 10, 5, 'GatewayRollout for exact weights'),
      'Thing: replicas is 10: plain Kubernetes splits traffic by replica count, and step 1\'s 2% becomes 10% (1 of 10 replicas), 8 points off, beyond the tolerance of 5. '
      + 'Use at least 15 replicas, raise the tolerance, or use GatewayRollout for exact weights.');
  });

  test('names the worst step, not the first one off', () => {
    // 12% of 10 is 1 replica (2 points off); 33% is 3 (3 points off); with a tolerance of 1 the worst is step 2.
    expectValidationError(() => replicaRatioPlan('replicas', 'p', canary(12, 33), 10, 1, 'x'),
      'replicas is 10: p splits traffic by replica count, and step 2\'s 33% becomes 30% (3 of 10 replicas), 3 points off, beyond the tolerance of 1. '
      + 'Use at least 18 replicas, raise the tolerance, or use x.');
  });

  // The split is shown at the gap's precision, so that the weight asked plus the gap is the split shown.
  test('shows the split to two decimals where the gap needs two, above or below the weight asked', () => {
    // 4 of 17 replicas is 23.529%: 2.73 points above 20.8%.
    expectValidationError(() => replicaRatioPlan('replicas', 'p', canary(20.8), 17, 2.7, 'x'),
      'replicas is 17: p splits traffic by replica count, and step 1\'s 20.8% becomes 23.53% (4 of 17 replicas), 2.73 points off, beyond the tolerance of 2.7. '
      + 'Use at least 18 replicas, raise the tolerance, or use x.');
    // 1 of 17 replicas is 5.882%: 2.12 points below 8%.
    expectValidationError(() => replicaRatioPlan('replicas', 'p', canary(8), 17, 2.1, 'x'),
      'replicas is 17: p splits traffic by replica count, and step 1\'s 8% becomes 5.88% (1 of 17 replicas), 2.12 points off, beyond the tolerance of 2.1. '
      + 'Use at least 20 replicas, raise the tolerance, or use x.');
  });

  test('a larger tolerance accepts the same split', () => {
    expect(replicaRatioPlan('replicas', 'p', canary(2, 50), 10, 8, 'x').steps[0].candidateReplicas).toBe(1);
  });
});
