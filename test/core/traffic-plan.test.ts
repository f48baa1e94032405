import { Duration } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { CapacityMode, StepGate, Strategy, StrategyErrors, StrategyKind, TrafficPlan } from '../../src';
import { canaryArb, gateArb, strategyArb } from '../support/arbitraries';
import { expectValidationError } from '../support/validation-error';

const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
const seconds = (d: Duration) => d.toSeconds();

describe('canary plans', () => {
  const canary = Strategy.canary({
    steps: [
      { weight: 10, gate: bake(5) },
      { weight: 50, gate: StepGate.analysis({ name: 'error-rate', duration: Duration.minutes(10) }) },
      { weight: 75, gate: StepGate.manualApproval({ timeout: Duration.hours(1) }) },
    ],
  });

  test('offsets add up the gates; approvals count as instant', () => {
    const plan = canary.plan();
    expect(plan.steps.map(s => seconds(s.offset))).toEqual([0, 300, 900, 900]);
    expect(plan.steps.map(s => [s.stableWeight, s.candidateWeight])).toEqual([[90, 10], [50, 50], [25, 75], [0, 100]]);
    expect(seconds(plan.timeToFullTraffic)).toBe(900);
    expect(seconds(plan.totalDuration)).toBe(900);
    expect(plan.manualApprovals).toBe(1);
    expect(plan.blastRadiusPercent).toBe(10);
  });

  test('proportional capacity: the canary is scaled to its share beside a full stable version, and to full size before the last shift', () => {
    const plan = canary.plan();
    expect(plan.capacity).toBe(CapacityMode.PROPORTIONAL);
    expect(plan.steps.map(s => s.capacityPercent)).toEqual([110, 150, 175, 200]);
    expect(plan.peakCapacityPercent).toBe(200);
    expect(seconds(plan.rollbackTime)).toBe(0);
  });

  test('replica ratio: weights become whole replicas, at least one of each version until 100%', () => {
    const plan = canary.plan({ replicas: 4 });
    expect(plan.capacity).toBe(CapacityMode.REPLICA_RATIO);
    expect(plan.replicas).toBe(4);
    expect(plan.steps.map(s => s.candidateReplicas)).toEqual([1, 2, 3, 4]);
    expect(plan.steps.map(s => s.candidateWeight)).toEqual([25, 50, 75, 100]);
    expect(plan.steps.map(s => s.stableWeight)).toEqual([75, 50, 25, 0]);
    expect(plan.peakCapacityPercent).toBe(100);
    expect(plan.blastRadiusPercent).toBe(25);
    expect(seconds(plan.rollbackTime)).toBe(300);
  });

  test('replica ratio rounds to the nearest replica and never rounds a step to 0% or 100%', () => {
    const plan = Strategy.canary({ steps: [{ weight: 1, gate: bake(1) }, { weight: 99, gate: bake(1) }] }).plan({ replicas: 3 });
    expect(plan.steps.map(s => s.candidateReplicas)).toEqual([1, 2, 3]);
    expect(plan.steps.map(s => s.candidateWeight)).toEqual([33.3, 66.7, 100]);
  });

  test('a held final step keeps both versions running until the hold ends', () => {
    const plan = Strategy.canary({ steps: [{ weight: 20, gate: bake(5) }, { weight: 100, gate: bake(15) }] }).plan();
    expect(seconds(plan.timeToFullTraffic)).toBe(300);
    expect(seconds(plan.totalDuration)).toBe(1200);
    expect(plan.steps[1].capacityPercent).toBe(200);
  });

  test('the provisioning time sets the rollback time when capacity must come back', () => {
    const plan = canary.plan({ replicas: 10, provisioningTime: Duration.minutes(2) });
    expect(seconds(plan.rollbackTime)).toBe(120);
  });
});

describe('blue-green plans', () => {
  test('two full environments; promotion gate, then the bake time before the old side goes', () => {
    const plan = Strategy.blueGreen({
      promotion: StepGate.analysis({ name: 'smoke', duration: Duration.minutes(5) }),
      bakeTime: Duration.minutes(20),
    }).plan();
    expect(plan.capacity).toBe(CapacityMode.FULL_COPY);
    expect(plan.steps.map(s => [seconds(s.offset), s.stableWeight, s.candidateWeight, s.capacityPercent]))
      .toEqual([[0, 100, 0, 200], [300, 0, 100, 200]]);
    expect(seconds(plan.timeToFullTraffic)).toBe(300);
    expect(seconds(plan.totalDuration)).toBe(1500);
    expect(plan.peakCapacityPercent).toBe(200);
    expect(plan.blastRadiusPercent).toBe(100);
    expect(seconds(plan.rollbackTime)).toBe(0);
  });

  test('the replica count does not change a blue-green plan', () => {
    const { replicas, ...withReplicas } = Strategy.BLUE_GREEN.plan({ replicas: 3 }).toJson();
    expect(replicas).toBe(3);
    expect(withReplicas).toEqual(Strategy.BLUE_GREEN.plan().toJson());
    expect(Strategy.BLUE_GREEN.plan({ replicas: 3 }).toTable()).toBe(Strategy.BLUE_GREEN.plan().toTable());
  });
});

describe('all-at-once and linear plans', () => {
  test('all at once replaces in place: no extra capacity, rollback needs provisioning', () => {
    const plan = Strategy.ALL_AT_ONCE.plan();
    expect(plan.capacity).toBe(CapacityMode.IN_PLACE);
    expect(plan.steps).toHaveLength(1);
    expect(seconds(plan.timeToFullTraffic)).toBe(0);
    expect(plan.peakCapacityPercent).toBe(100);
    expect(plan.blastRadiusPercent).toBe(100);
    expect(seconds(plan.rollbackTime)).toBe(300);
  });

  test('all at once on a full copy (CodeDeploy ECS) runs both sides until the switch', () => {
    const plan = Strategy.ALL_AT_ONCE.plan({ capacity: CapacityMode.FULL_COPY });
    expect(seconds(plan.rollbackTime)).toBe(0);
    expect(plan.peakCapacityPercent).toBe(200);
  });

  test('linear 10% every minute reaches full traffic after 9 minutes (as CodeDeploy does)', () => {
    const plan = Strategy.LINEAR_10PERCENT_EVERY_1MINUTE.plan();
    expect(plan.steps).toHaveLength(10);
    expect(seconds(plan.timeToFullTraffic)).toBe(540);
    expect(plan.blastRadiusPercent).toBe(10);
    expect(plan.steps.map(s => s.capacityPercent)).toEqual([110, 120, 130, 140, 150, 160, 170, 180, 190, 200]);
  });
});

describe('rendering', () => {
  test('toTable shows every step and the totals', () => {
    const table = Strategy.canary({
      steps: [{ weight: 10, gate: bake(5) }, { weight: 50, gate: StepGate.manualApproval() }],
    }).plan({ replicas: 10 }).toTable();
    expect(table.split('\n')).toEqual([
      'canary 10% (bake 5m) → 50% (manual approval) → 100%, capacity REPLICA_RATIO',
      'step  at  stable  new              capacity  held by',
      '1     0s  90%     10% (1 of 10)    100%      bake 5m',
      '2     5m  50%     50% (5 of 10)    100%      manual approval',
      '3     5m  0%      100% (10 of 10)  100%      done',
      'time to full traffic: 5m + 1 manual approval',
      'total duration:       5m + 1 manual approval',
      'peak capacity:        100% of steady state',
      'worst-case rollback:  5m (capacity must be brought back)',
      'first-step blast radius: 10% of traffic',
    ]);
  });

  test('toJson carries the same numbers in seconds', () => {
    const json = Strategy.CANARY_10PERCENT_5MINUTES.plan().toJson();
    expect(json).toEqual({
      strategy: StrategyKind.CANARY,
      description: 'canary 10% (bake 5m) → 100%',
      capacity: CapacityMode.PROPORTIONAL,
      steps: [
        {
          index: 1,
          offsetSeconds: 0,
          stableWeight: 90,
          candidateWeight: 10,
          capacityPercent: 110,
          gate: { kind: 'BAKE', seconds: 300, analysisName: undefined, description: 'bake 5m' },
          candidateReplicas: undefined,
        },
        { index: 2, offsetSeconds: 300, stableWeight: 0, candidateWeight: 100, capacityPercent: 200, gate: undefined, candidateReplicas: undefined },
      ],
      timeToFullTrafficSeconds: 300,
      totalDurationSeconds: 300,
      peakCapacityPercent: 200,
      rollbackSeconds: 0,
      blastRadiusPercent: 10,
      manualApprovals: 0,
      manualApprovalsBeforeFullTraffic: 0,
    });
  });
});

describe('validation', () => {
  test.each([
    [{ replicas: 0 }, 'TrafficPlan: replicas is 0: a replica count is a whole number from 1 to 1000000. Pass the steady-state replica count, for example 10.'],
    [{ replicas: 2.5 }, 'TrafficPlan: replicas is 2.5: a replica count is a whole number from 1 to 1000000. Pass the steady-state replica count, for example 10.'],
    // Found by the fuzz test: Number.MAX_VALUE replicas overflowed the replica arithmetic into Infinity.
    [{ replicas: Number.MAX_VALUE }, 'TrafficPlan: replicas is 1.7976931348623157e+308: a replica count is a whole number from 1 to 1000000. Pass the steady-state replica count, for example 10.'],
    [{ replicas: 1 }, 'TrafficPlan: replicas is 1: a replica-ratio rollout needs at least 2 replicas to run both versions at once. Run at least 2 replicas, or use traffic routing (PROPORTIONAL).'],
    [{ capacity: CapacityMode.REPLICA_RATIO }, 'TrafficPlan: replicas is undefined: REPLICA_RATIO splits a replica count between the versions. Set replicas to the steady-state replica count, for example 10.'],
    [{ capacity: 'HALF' }, 'TrafficPlan: capacity is "HALF": it must be one of IN_PLACE, FULL_COPY, PROPORTIONAL, REPLICA_RATIO, SERVERLESS. Use a CapacityMode value.'],
    [{ provisioningTime: Duration.millis(10) }, 'TrafficPlan: provisioningTime is 10 millis: durations are whole seconds. Round the duration to whole seconds.'],
  ])('canary plan rejects %p', (options, message) => {
    expectValidationError(() => Strategy.CANARY_10PERCENT_5MINUTES.plan(options as any), message);
  });

  test('blue-green needs a full copy', () => {
    expectValidationError(() => Strategy.BLUE_GREEN.plan({ capacity: CapacityMode.PROPORTIONAL }),
      'TrafficPlan: capacity is "PROPORTIONAL": blue-green runs two full environments, so its capacity is FULL_COPY. Leave capacity unset, or use a canary strategy for a proportional or replica-ratio rollout.');
  });

  test('options must be an object', () => {
    expectValidationError(() => Strategy.BLUE_GREEN.plan(7 as any),
      'TrafficPlan: options is 7: it must be an object. Pass an object such as { replicas: 10 }.');
  });
});

const optionsArb = fc.record({
  replicas: fc.option(fc.integer({ min: 2, max: 500 }), { nil: undefined }),
  provisioningTime: fc.option(fc.integer({ min: 0, max: 3600 }).map(s => Duration.seconds(s)), { nil: undefined }),
});

describe('properties of every plan', () => {
  test('weights add up to 100, never decrease, end at 100; offsets add up to the total', () => {
    fc.assert(fc.property(strategyArb, optionsArb, (strategy, options) => {
      const plan = strategy.plan(options);
      let previous = -1;
      let offset = 0;
      for (const step of plan.steps) {
        expect(Math.round((step.stableWeight + step.candidateWeight) * 10)).toBe(1000);
        expect(step.candidateWeight).toBeGreaterThanOrEqual(previous);
        expect(step.offset.toSeconds()).toBe(offset);
        offset += step.gate ? step.gate.minimumDuration.toSeconds() : 0;
        previous = step.candidateWeight;
      }
      expect(previous).toBe(100);
      expect(plan.totalDuration.toSeconds()).toBe(offset);
      expect(plan.timeToFullTraffic.toSeconds()).toBeLessThanOrEqual(offset);
      expect(plan.blastRadiusPercent).toBeGreaterThan(0);
      expect(plan.blastRadiusPercent).toBeLessThanOrEqual(100);
      expect(plan.peakCapacityPercent).toBeGreaterThanOrEqual(100);
      expect(plan.peakCapacityPercent).toBeLessThanOrEqual(200);
      const text = plan.toTable() + JSON.stringify(plan.toJson());
      expect(text).not.toMatch(/NaN|undefined|\[object Object\]|Infinity/);
    }), { numRuns: 300 });
  });

  test('every canary step below 100% is gated, so no step is skipped by accident', () => {
    fc.assert(fc.property(canaryArb, strategy => {
      for (const step of strategy.steps) {
        if (step.weight < 100) expect(step.gate).toBeDefined();
      }
    }), { numRuns: 200 });
  });

  test('random input either builds a strategy or fails with the library\'s error', () => {
    const anything = fc.oneof(fc.anything(), fc.double(), fc.string(), fc.constant(Duration.minutes(1)),
      fc.constant(StepGate.bake(Duration.minutes(1))));
    const stepArb = fc.oneof(anything,
      fc.record({ weight: fc.oneof(fc.double(), anything), gate: fc.oneof(gateArb, anything) }, { requiredKeys: [] }));
    const callArb = fc.oneof(
      fc.oneof(fc.array(stepArb, { maxLength: 5 }), anything).map(steps => () => Strategy.canary({ steps } as any)),
      fc.record({ stepPercent: anything, interval: anything }, { requiredKeys: [] }).map(p => () => Strategy.linear(p as any)),
      fc.record({ bakeTime: anything, promotion: anything, testRoute: anything }, { requiredKeys: [] }).map(p => () => Strategy.blueGreen(p as any)),
      fc.tuple(strategyArb, fc.record({ replicas: anything, capacity: anything, provisioningTime: anything }, { requiredKeys: [] }))
        .map(([s, o]) => () => s.plan(o as any)),
    );
    fc.assert(fc.property(callArb, call => {
      let result: Strategy | TrafficPlan;
      try {
        result = call();
      } catch (e) {
        expect(StrategyErrors.isValidationError(e)).toBe(true);
        expect((e as Error).message).not.toMatch(/\[object Object\]/);
        return;
      }
      const plan = result instanceof TrafficPlan ? result : result.plan();
      expect(plan.toTable()).not.toMatch(/NaN|undefined|\[object Object\]/);
    }), { numRuns: 500 });
  });
});

describe('review fixes', () => {
  test('an approval after full traffic counts in the total, not in the time to full traffic', () => {
    const plan = Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 100, gate: StepGate.manualApproval() }] }).plan();
    expect(plan.manualApprovals).toBe(1);
    expect(plan.manualApprovalsBeforeFullTraffic).toBe(0);
    expect(plan.toTable()).toContain('time to full traffic: 5m\n');
    expect(plan.toTable()).toContain('total duration:       5m + 1 manual approval\n');
  });

  test('a canary cannot be planned in place: a rolling update has no weights', () => {
    expectValidationError(() => Strategy.CANARY_10PERCENT_5MINUTES.plan({ capacity: CapacityMode.IN_PLACE }),
      'TrafficPlan: capacity is "IN_PLACE": IN_PLACE replaces the old version where it runs, so it cannot split traffic by weight. Use PROPORTIONAL (traffic routing), REPLICA_RATIO (a replica count) or FULL_COPY for a canary or linear rollout.');
  });

  test('a canary on a full copy keeps 200% throughout and rolls back instantly', () => {
    const plan = Strategy.CANARY_10PERCENT_5MINUTES.plan({ capacity: CapacityMode.FULL_COPY });
    expect(plan.steps.map(s => s.capacityPercent)).toEqual([200, 200]);
    expect(seconds(plan.rollbackTime)).toBe(0);
  });

  test('in place with no provisioning time still says capacity must be brought back', () => {
    expect(Strategy.ALL_AT_ONCE.plan({ provisioningTime: Duration.seconds(0) }).toTable())
      .toContain('worst-case rollback:  0s (capacity must be brought back)');
  });

  test('replica ties round half up at every size', () => {
    // 9.2% of 375 replicas is exactly 34.5; floating point alone would round it down.
    const plan = Strategy.canary({ steps: [{ weight: 9.2, gate: bake(1) }] }).plan({ replicas: 375 });
    expect(plan.steps[0].candidateReplicas).toBe(35);
  });
});

test('serverless plans keep 100% capacity and roll back instantly', () => {
  const plan = Strategy.CANARY_10PERCENT_5MINUTES.plan({ capacity: CapacityMode.SERVERLESS });
  expect(plan.steps.map(s => s.capacityPercent)).toEqual([100, 100]);
  expect(plan.rollbackTime.toSeconds()).toBe(0);
  expect(plan.toTable()).toContain('worst-case rollback:  instant (traffic switch)');
});
