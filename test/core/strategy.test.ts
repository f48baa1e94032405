import { Duration } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { CapacityMode, HealthCheck, Match, StepGate, StepGateKind, Strategy, StrategyErrors, StrategyKind, TrafficPlan } from '../../src';
import { canaryArb, gateArb, strategyArb } from '../support/arbitraries';
import { expectValidationError } from '../support/validation-error';

const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
const weights = (s: Strategy) => s.steps.map(step => step.weight);
const seconds = (d: Duration) => d.toSeconds();

describe('Strategy.allAtOnce', () => {
  test('is one ungated step at 100%', () => {
    const s = Strategy.allAtOnce();
    expect(s.kind).toBe(StrategyKind.ALL_AT_ONCE);
    expect(s.steps).toEqual([{ weight: 100 }]);
    expect(s.describe()).toBe('all at once');
  });
});

describe('Strategy.blueGreen', () => {
  test('defaults: automatic promotion, no test route, old side kept 5 minutes', () => {
    const s = Strategy.blueGreen();
    expect(s.kind).toBe(StrategyKind.BLUE_GREEN);
    expect(s.testRoute).toBeUndefined();
    expect(s.promotion).toBeUndefined();
    expect(s.bakeTime?.toSeconds()).toBe(300);
    expect(weights(s)).toEqual([0, 100]);
    expect(s.steps[0].gate).toBeUndefined();
    expect(s.steps[1].gate?.describe()).toBe('bake 5m');
    expect(s.describe()).toBe('blue-green (bake 5m)');
  });

  test('keeps the test route, the promotion gate and the bake time', () => {
    const route = Match.header('x-env', 'green');
    const promotion = StepGate.manualApproval();
    const s = Strategy.blueGreen({ testRoute: route, promotion, bakeTime: Duration.minutes(30) });
    expect(s.testRoute).toBe(route);
    expect(s.promotion).toBe(promotion);
    expect(s.steps[0].gate).toBe(promotion);
    expect(s.bakeTime?.toMinutes()).toBe(30);
    expect(s.describe()).toBe('blue-green (test route header x-env=green, promote after manual approval, bake 30m)');
  });

  test('a zero bake time releases the old side at the switch', () => {
    const s = Strategy.blueGreen({ bakeTime: Duration.seconds(0) });
    expect(s.steps[1].gate).toBeUndefined();
    expect(s.bakeTime?.toSeconds()).toBe(0);
  });

  test.each([
    [{ testRoute: 'x-env: green' }, 'Strategy.blueGreen: testRoute is "x-env: green": a match is made with Match.header(), Match.headerRegex(), Match.cookie() or Match.queryParameter(). For example Match.header("x-variant", "b").'],
    [{ promotion: 'manual' }, 'Strategy.blueGreen: promotion is "manual": a gate is made with StepGate.bake(), StepGate.manualApproval() or StepGate.analysis(). For example gate: StepGate.bake(Duration.minutes(5)).'],
    [{ bakeTime: 300 }, 'Strategy.blueGreen: bakeTime is 300: it must be a Duration. Pass a Duration, for example Duration.minutes(5). Use Duration.seconds(0) to release the old environment right after the switch.'],
    [{ bakeTime: Duration.millis(1500) }, 'Strategy.blueGreen: bakeTime is 1 second 500 millis: durations are whole seconds. Round the duration to whole seconds.'],
  ])('rejects %p', (props, message) => {
    expectValidationError(() => Strategy.blueGreen(props as any), message);
  });

  test('rejects props that are not an object', () => {
    expectValidationError(() => Strategy.blueGreen('fast' as any),
      'Strategy.blueGreen: props is "fast": it must be an object. Pass an object such as { bakeTime: Duration.minutes(10) }.');
  });
});

describe('Strategy.canary', () => {
  test('appends the final 100% step', () => {
    const s = Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 50, gate: bake(10) }] });
    expect(s.kind).toBe(StrategyKind.CANARY);
    expect(weights(s)).toEqual([10, 50, 100]);
    expect(s.steps[2].gate).toBeUndefined();
    expect(s.describe()).toBe('canary 10% (bake 5m) → 50% (bake 10m) → 100%');
  });

  test('keeps a final 100% step with its own gate', () => {
    const hold = bake(30);
    const s = Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }, { weight: 100, gate: hold }] });
    expect(weights(s)).toEqual([10, 100]);
    expect(s.steps[1].gate).toBe(hold);
  });

  test('accepts equal consecutive weights and one decimal place', () => {
    const s = Strategy.canary({ steps: [{ weight: 0.5, gate: bake(5) }, { weight: 0.5, gate: StepGate.manualApproval() }] });
    expect(weights(s)).toEqual([0.5, 0.5, 100]);
  });

  test('every step below 100% is gated', () => {
    for (const step of Strategy.CANARY_10PERCENT_30MINUTES.steps.filter(st => st.weight < 100)) {
      expect(step.gate).toBeDefined();
    }
  });

  const gate = bake(5);
  test.each([
    ['no steps', { steps: [] }, 'Strategy.canary: steps is an empty array: a canary needs at least one step below 100%. Add a step such as { weight: 10, gate: StepGate.bake(Duration.minutes(5)) }, or use Strategy.allAtOnce().'],
    ['steps not an array', { steps: 10 }, 'Strategy.canary: steps is 10: it must be an array. Pass steps such as [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }].'],
    ['a step that is not an object', { steps: [10] }, 'Strategy.canary: steps[0] is 10: it must be an object. Each step is an object such as { weight: 10, gate: StepGate.bake(Duration.minutes(5)) }.'],
    ['weight above 100', { steps: [{ weight: 150, gate }] }, 'Strategy.canary: steps[0].weight is 150: a weight is a percentage of traffic above 0 and at most 100. Use a weight from 0.1 to 100.'],
    ['weight 0', { steps: [{ weight: 0, gate }] }, 'Strategy.canary: steps[0].weight is 0: a weight is a percentage of traffic above 0 and at most 100. Use a weight from 0.1 to 100.'],
    ['weight NaN', { steps: [{ weight: NaN, gate }] }, 'Strategy.canary: steps[0].weight is NaN: a weight is a number, a percentage of traffic. Use a weight from 0.1 to 100.'],
    ['weight as a string', { steps: [{ weight: '10', gate }] }, 'Strategy.canary: steps[0].weight is "10": a weight is a number, a percentage of traffic. Use a weight from 0.1 to 100.'],
    ['weight with two decimals', { steps: [{ weight: 12.34, gate }] }, 'Strategy.canary: steps[0].weight is 12.34: the finest split any backend supports is 0.1%. Round the weight to one decimal place, for example 12.3.'],
    ['decreasing weights', { steps: [{ weight: 50, gate }, { weight: 20, gate }] }, 'Strategy.canary: steps[1].weight is 20: it is below the 50% of the step before; a canary only moves traffic forward. Order the steps by increasing weight; a failing gate is what moves traffic back.'],
    ['first step at 100%', { steps: [{ weight: 100, gate }] }, 'Strategy.canary: steps[0].weight is 100: a first step at 100% is not a canary. Start with a smaller share such as 10, or use Strategy.allAtOnce().'],
    ['a step after 100%', { steps: [{ weight: 10, gate }, { weight: 100, gate }, { weight: 100 }] }, 'Strategy.canary: steps[2].weight is 100: it follows a 100% step, which completes the rollout, so it would never run. Remove the steps after the first 100% step.'],
    ['a step without a gate', { steps: [{ weight: 10 }] }, 'Strategy.canary: steps[0].gate is undefined: every step below 100% needs a gate, or the next step would follow at once. Add a gate such as StepGate.bake(Duration.minutes(5)).'],
    ['a gate that is not a StepGate', { steps: [{ weight: 10, gate: Duration.minutes(5) }] }, 'Strategy.canary: steps[0].gate is 5 minutes: a gate is made with StepGate.bake(), StepGate.manualApproval() or StepGate.analysis(). For example gate: StepGate.bake(Duration.minutes(5)).'],
  ])('rejects %s', (_, props, message) => {
    expectValidationError(() => Strategy.canary(props as any), message);
  });

  test('rejects props that are not an object', () => {
    expectValidationError(() => Strategy.canary(undefined as any),
      'Strategy.canary: props is undefined: it must be an object. Pass an object such as { steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }] }.');
  });

  test('the error is the library\'s validation error', () => {
    try {
      Strategy.canary({ steps: [{ weight: 150, gate }] });
      throw new Error('expected a validation error');
    } catch (e) {
      expect(StrategyErrors.isValidationError(e)).toBe(true);
      expect(StrategyErrors.detailsOf(e)).toEqual({
        prop: 'Strategy.canary: steps[0].weight',
        received: '150',
        limit: 'a weight is a percentage of traffic above 0 and at most 100',
        fix: 'Use a weight from 0.1 to 100.',
      });
    }
  });
});

describe('Strategy.linear', () => {
  test('adds the step at every interval up to 100%', () => {
    const s = Strategy.linear({ stepPercent: 30, interval: Duration.minutes(2) });
    expect(s.kind).toBe(StrategyKind.LINEAR);
    expect(weights(s)).toEqual([30, 60, 90, 100]);
    expect(s.steps.slice(0, 3).every(st => st.gate?.kind === StepGateKind.BAKE && st.gate.minimumDuration.toSeconds() === 120)).toBe(true);
    expect(s.linearStepPercent).toBe(30);
    expect(s.linearInterval?.toMinutes()).toBe(2);
    expect(s.describe()).toBe('linear 30% every 2m');
  });

  test('decimal steps stay exact', () => {
    const s = Strategy.linear({ stepPercent: 33.3, interval: Duration.minutes(1) });
    expect(weights(s)).toEqual([33.3, 66.6, 99.9, 100]);
  });

  test.each([
    [{ stepPercent: 100, interval: Duration.minutes(1) }, 'Strategy.linear: stepPercent is 100: a weight is a percentage of traffic above 0 and at most 99.9. Use a step from 0.1 to 99.9; for a single step of 100% use Strategy.allAtOnce().'],
    [{ stepPercent: 99.96, interval: Duration.minutes(1) }, 'Strategy.linear: stepPercent is 99.96: a weight is a percentage of traffic above 0 and at most 99.9. Use a step from 0.1 to 99.9; for a single step of 100% use Strategy.allAtOnce().'],
    [{ stepPercent: 99.85, interval: Duration.minutes(1) }, 'Strategy.linear: stepPercent is 99.85: the finest split any backend supports is 0.1%. Round the weight to one decimal place, for example 99.9.'],
    [{ stepPercent: NaN, interval: Duration.minutes(1) }, 'Strategy.linear: stepPercent is NaN: a weight is a number, a percentage of traffic. Use a step from 0.1 to 99.9; for a single step of 100% use Strategy.allAtOnce().'],
    [{ stepPercent: '10', interval: Duration.minutes(1) }, 'Strategy.linear: stepPercent is "10": a weight is a number, a percentage of traffic. Use a step from 0.1 to 99.9; for a single step of 100% use Strategy.allAtOnce().'],
    [{ stepPercent: 10, interval: Duration.seconds(NaN) }, 'Strategy.linear: interval is a Duration of NaN seconds: a plan accepts durations up to 365 days. Use a finite Duration of at most Duration.days(365).'],
    [{ stepPercent: 10, interval: Duration.days(400) }, 'Strategy.linear: interval is 400 days: a plan accepts durations up to 365 days. Use a finite Duration of at most Duration.days(365).'],
    [{ stepPercent: 1e-10, interval: Duration.minutes(1) }, 'Strategy.linear: stepPercent is 1e-10: the finest split any backend supports is 0.1%. Round the weight to one decimal place, for example 0.1.'],
    [{ stepPercent: 0, interval: Duration.minutes(1) }, 'Strategy.linear: stepPercent is 0: a weight is a percentage of traffic above 0 and at most 99.9. Use a step from 0.1 to 99.9; for a single step of 100% use Strategy.allAtOnce().'],
    [{ stepPercent: 10, interval: Duration.seconds(0) }, 'Strategy.linear: interval is 0 seconds: it must be at least 1 second. Each step needs time to bake; use at least Duration.seconds(1).'],
    [{ stepPercent: 10 }, 'Strategy.linear: interval is undefined: it must be a Duration. Pass a Duration, for example Duration.minutes(5). Each step needs time to bake; use at least Duration.seconds(1).'],
  ])('rejects %p', (props, message) => {
    expectValidationError(() => Strategy.linear(props as any), message);
  });
});

describe('a test route on a canary or linear strategy', () => {
  const route = Match.header('x-qa', '1');

  test('a canary starts with a 0% test phase held by its test gate', () => {
    const approval = StepGate.manualApproval({ timeout: Duration.hours(2) });
    const s = Strategy.canary({ testRoute: route, testGate: approval, steps: [{ weight: 10, gate: bake(5) }] });
    expect(weights(s)).toEqual([0, 10, 100]);
    expect(s.steps[0].gate).toBe(approval);
    expect([s.testRoute, s.testGate, s.promotion]).toEqual([route, approval, undefined]);
    expect(s.describe()).toBe('canary test route header x-qa=1 (manual approval (timeout 2h)) → 10% (bake 5m) → 100%');
  });

  test('without a test gate the first step follows at once', () => {
    const s = Strategy.canary({ testRoute: route, steps: [{ weight: 10, gate: bake(5) }] });
    expect(s.steps[0]).toEqual({ weight: 0, gate: undefined });
    expect(s.describe()).toBe('canary test route header x-qa=1 → 10% (bake 5m) → 100%');
  });

  test('a linear strategy starts with the test phase too', () => {
    const s = Strategy.linear({ stepPercent: 50, interval: Duration.minutes(1), testRoute: route, testGate: bake(3) });
    expect(weights(s)).toEqual([0, 50, 100]);
    expect(s.linearStepPercent).toBe(50);
    expect(s.describe()).toBe('linear 50% every 1m, after test route header x-qa=1 (bake 3m)');
  });

  test('the plan shows the test phase: blast radius and time to full traffic count from it', () => {
    const plan = Strategy.canary({ testRoute: route, testGate: StepGate.manualApproval(), steps: [{ weight: 10, gate: bake(5) }] }).plan();
    expect(plan.steps.map(st => [st.index, st.offset.toSeconds(), st.candidateWeight, st.capacityPercent])).toEqual([
      [1, 0, 0, 100], [2, 0, 10, 110], [3, 300, 100, 200],
    ]);
    expect(plan.blastRadiusPercent).toBe(10);
    expect(plan.manualApprovals).toBe(1);
    expect(plan.toTable().split('\n').slice(0, 3)).toEqual([
      'canary test route header x-qa=1 (manual approval) → 10% (bake 5m) → 100%, capacity PROPORTIONAL',
      'step  at  stable  new   capacity  held by',
      '1     0s  100%    0%    100%      manual approval',
    ]);
  });

  test.each([
    ['a canary\'s test gate without a test route', () => Strategy.canary({ testGate: StepGate.manualApproval(), steps: [{ weight: 10, gate: bake(5) }] }),
      'Strategy.canary: testGate is "manual approval": it holds the test phase, and without a testRoute there is no test phase: nobody could reach the new version before the first step. Add a testRoute such as Match.header("x-env", "qa"), or hold the first step with its own gate instead.'],
    ['a linear test gate without a test route', () => Strategy.linear({ stepPercent: 10, interval: Duration.minutes(1), testGate: bake(1) }),
      'Strategy.linear: testGate is "bake 1m": it holds the test phase, and without a testRoute there is no test phase: nobody could reach the new version before the first step. Add a testRoute such as Match.header("x-env", "qa"), or hold the first step with its own gate instead.'],
    ['a test route that is not a Match', () => Strategy.canary({ testRoute: 'x-qa: 1' as any, steps: [{ weight: 10, gate: bake(5) }] }),
      'Strategy.canary: testRoute is "x-qa: 1": a match is made with Match.header(), Match.headerRegex(), Match.cookie() or Match.queryParameter(). For example Match.header("x-variant", "b").'],
    ['a test gate that is not a StepGate', () => Strategy.linear({ stepPercent: 10, interval: Duration.minutes(1), testRoute: route, testGate: 'approve' as any }),
      'Strategy.linear: testGate is "approve": a gate is made with StepGate.bake(), StepGate.manualApproval() or StepGate.analysis(). For example gate: StepGate.bake(Duration.minutes(5)).'],
  ])('rejects %s', (_, make, message) => {
    expectValidationError(make, message);
  });
});

describe('presets', () => {
  test.each([
    ['CANARY_10PERCENT_5MINUTES', Strategy.CANARY_10PERCENT_5MINUTES, [10, 100], 300],
    ['CANARY_10PERCENT_10MINUTES', Strategy.CANARY_10PERCENT_10MINUTES, [10, 100], 600],
    ['CANARY_10PERCENT_15MINUTES', Strategy.CANARY_10PERCENT_15MINUTES, [10, 100], 900],
    ['CANARY_10PERCENT_30MINUTES', Strategy.CANARY_10PERCENT_30MINUTES, [10, 100], 1800],
  ])('%s is one 10%% step baking the named time', (_, s, w, bakeSeconds) => {
    expect(s.kind).toBe(StrategyKind.CANARY);
    expect(weights(s)).toEqual(w);
    expect(s.steps[0].gate?.minimumDuration.toSeconds()).toBe(bakeSeconds);
  });

  test.each([
    ['LINEAR_10PERCENT_EVERY_1MINUTE', Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, 1],
    ['LINEAR_10PERCENT_EVERY_2MINUTES', Strategy.LINEAR_10PERCENT_EVERY_2MINUTES, 2],
    ['LINEAR_10PERCENT_EVERY_3MINUTES', Strategy.LINEAR_10PERCENT_EVERY_3MINUTES, 3],
    ['LINEAR_10PERCENT_EVERY_10MINUTES', Strategy.LINEAR_10PERCENT_EVERY_10MINUTES, 10],
  ])('%s adds 10%% at the named interval', (_, s, minutes) => {
    expect(s.kind).toBe(StrategyKind.LINEAR);
    expect(s.linearStepPercent).toBe(10);
    expect(s.linearInterval?.toMinutes()).toBe(minutes);
    expect(s.steps).toHaveLength(10);
  });

  test('ALL_AT_ONCE and BLUE_GREEN match their factories', () => {
    expect(Strategy.ALL_AT_ONCE.steps).toEqual(Strategy.allAtOnce().steps);
    expect(Strategy.BLUE_GREEN.describe()).toBe(Strategy.blueGreen().describe());
  });

  test('a strategy\'s steps cannot be changed by the caller', () => {
    expect(() => (Strategy.CANARY_10PERCENT_5MINUTES.steps as any).push({ weight: 50 })).toThrow(TypeError);
    expect(weights(Strategy.CANARY_10PERCENT_5MINUTES)).toEqual([10, 100]);
  });
});

describe('props passed as something else', () => {
  test.each([
    ['Strategy.blueGreen', () => Strategy.blueGreen(Duration.minutes(10) as any),
      'Strategy.blueGreen: props is 10 minutes: it must be a plain object of props, not an instance of a class. Pass an object such as { bakeTime: Duration.minutes(10) }.'],
    ['Strategy.linear', () => Strategy.linear(10 as any),
      'Strategy.linear: props is 10: it must be an object. Pass an object such as { stepPercent: 10, interval: Duration.minutes(1) }.'],
    ['Strategy.canary', () => Strategy.canary([{ weight: 10 }] as any),
      'Strategy.canary: props is an array of 1: it must be an object. Pass an object such as { steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }] }.'],
  ])('%s refuses them', (_, call, message) => {
    expectValidationError(call, message);
  });
});

describe('Strategy.plan() shares plans', () => {
  const canary = Strategy.canary({ steps: [{ weight: 10, gate: bake(5) }] });

  test('the same capacity and replica count give the same read-only plan, so rollouts sharing a strategy compute it once', () => {
    const shared = canary.plan({ capacity: CapacityMode.REPLICA_RATIO, replicas: 10 });
    expect(canary.plan({ replicas: 10, capacity: CapacityMode.REPLICA_RATIO, healthChecks: undefined })).toBe(shared);
    expect(canary.plan()).toBe(canary.plan({}));
    expect(canary.plan({ replicas: 10 })).not.toBe(canary.plan({ replicas: 20 }));
    expect(canary.plan({ replicas: 10 }).steps.map(s => s.candidateReplicas)).toEqual([1, 10]);
    expect(canary.plan({ replicas: 20 }).steps.map(s => s.candidateReplicas)).toEqual([2, 20]);
  });

  test('health checks or a provisioning time of the rollout\'s own give a plan of their own', () => {
    const check = HealthCheck.errorRate({ maxErrorPercent: 1 });
    expect(canary.plan({ healthChecks: [check] })).not.toBe(canary.plan({ healthChecks: [check] }));
    expect(canary.plan({ healthChecks: [check] }).healthChecks).toEqual([check]);
    expect(canary.plan({ provisioningTime: Duration.minutes(3) }).rollbackTime.toSeconds()).toBe(0);
    expect(canary.plan({ provisioningTime: Duration.minutes(3) })).not.toBe(canary.plan());
  });

  test('a bad replica count is refused on every call, never cached', () => {
    for (let i = 0; i < 2; i++) expect(() => canary.plan({ replicas: 0 })).toThrow(/replicas/);
    for (let i = 0; i < 2; i++) expect(() => canary.plan({ replicas: 2.5 })).toThrow(/replicas/);
  });
});

describe('TrafficPlan', () => {
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
          {
            index: 2,
            offsetSeconds: 300,
            stableWeight: 0,
            candidateWeight: 100,
            capacityPercent: 200,
            gate: undefined,
            candidateReplicas: undefined,
          },
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

    test('every canary step below 100% is gated, so no step is skipped by accident; only a test phase may follow at once', () => {
      fc.assert(fc.property(canaryArb, strategy => {
        for (const step of strategy.steps) {
          if (step.weight > 0 && step.weight < 100) expect(step.gate).toBeDefined();
        }
        expect(strategy.steps.filter(step => step.weight === 0)).toHaveLength(strategy.testRoute ? 1 : 0);
        if (strategy.testRoute) expect(strategy.steps[0]).toEqual({ weight: 0, gate: strategy.testGate });
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
        fc.record({ bakeTime: anything, promotion: anything, testRoute: anything }, { requiredKeys: [] })
          .map(p => () => Strategy.blueGreen(p as any)),
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
});
