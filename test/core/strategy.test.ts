import { Duration } from 'aws-cdk-lib';
import { Match, StepGate, StepGateKind, Strategy, StrategyErrors, StrategyKind } from '../../src';
import { expectValidationError } from '../support/validation-error';

const bake = (minutes: number) => StepGate.bake(Duration.minutes(minutes));
const weights = (s: Strategy) => s.steps.map(step => step.weight);

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

describe('presets', () => {
  test.each([
    ['CANARY_10PERCENT_5MINUTES', Strategy.CANARY_10PERCENT_5MINUTES, [10, 100], 300],
    ['CANARY_10PERCENT_10MINUTES', Strategy.CANARY_10PERCENT_10MINUTES, [10, 100], 600],
    ['CANARY_10PERCENT_15MINUTES', Strategy.CANARY_10PERCENT_15MINUTES, [10, 100], 900],
    ['CANARY_10PERCENT_30MINUTES', Strategy.CANARY_10PERCENT_30MINUTES, [10, 100], 1800],
  ])('%s is one 10%% step baking the named time', (_, s, w, seconds) => {
    expect(s.kind).toBe(StrategyKind.CANARY);
    expect(weights(s)).toEqual(w);
    expect(s.steps[0].gate?.minimumDuration.toSeconds()).toBe(seconds);
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
