import { Duration } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { Experiment, FailedRequests, HealthCheck, Match, StepGate, Strategy } from '../../src';

/**
 * Random inputs for property tests, built through the public API as a user would. Generators
 * named `...Arb` produce valid values; `oddValueArb` produces values a user could pass by mistake.
 */

/** Any value at all, plus a few library objects in the wrong place. */
export const oddValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(), fc.double(), fc.string(), fc.constant(Duration.minutes(1)),
  fc.constant(StepGate.bake(Duration.minutes(1))), fc.constant(Match.header('x', 'y')),
);

/** Mostly `valid`, sometimes `odd` (a value a user could get wrong), so both outcomes are explored. */
export function mostly<T>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown> = oddValueArb): fc.Arbitrary<T> {
  return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: odd as fc.Arbitrary<T> });
}

export const gateArb: fc.Arbitrary<StepGate> = fc.oneof(
  fc.integer({ min: 1, max: 7200 }).map(s => StepGate.bake(Duration.seconds(s))),
  fc.option(fc.integer({ min: 1, max: 86400 }), { nil: undefined })
    .map(t => StepGate.manualApproval({ timeout: t === undefined ? undefined : Duration.seconds(t) })),
  fc.integer({ min: 1, max: 3600 }).map(s => StepGate.analysis({ name: 'check', duration: Duration.seconds(s) })),
);

/** Header, cookie and query matches with names and values of the characters each allows. */
export const matchArb: fc.Arbitrary<Match> = fc.tuple(
  fc.constantFrom('header', 'cookie', 'query'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
  fc.stringMatching(/^[a-zA-Z0-9_.-]{1,20}$/),
).map(([kind, name, value]) => kind === 'header' ? Match.header(name, value)
  : kind === 'cookie' ? Match.cookie(name, value) : Match.queryParameter(name, value));

/** The test phase of a canary or linear strategy: mostly none, else a test route, maybe held by a gate. */
export const testPhaseArb = fc.option(fc.record({
  testRoute: matchArb,
  testGate: fc.option(gateArb, { nil: undefined }),
}), { nil: undefined, freq: 4 });

/** Canaries of 1 to 12 steps at weights in tenths of a percent; only the last step may be at 100%. Some have a test phase. */
export const canaryArb: fc.Arbitrary<Strategy> = fc.tuple(
  fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), gateArb), { minLength: 1, maxLength: 12 }), testPhaseArb,
).map(([steps, test]) => {
  const tenths = steps.map(([t]) => t).sort((a, b) => a - b);
  if (tenths[0] === 1000) tenths[0] = 999;
  const capped = tenths.map((t, i) => (t === 1000 && i < tenths.length - 1 ? 999 : t));
  return Strategy.canary({ steps: capped.map((t, i) => ({ weight: t / 10, gate: steps[i][1] })), ...test });
});

export const linearArb: fc.Arbitrary<Strategy> = fc.record({
  step: fc.integer({ min: 1, max: 999 }), interval: fc.integer({ min: 1, max: 3600 }), test: testPhaseArb,
}).map(p => Strategy.linear({ stepPercent: p.step / 10, interval: Duration.seconds(p.interval), ...p.test }));

export const blueGreenArb: fc.Arbitrary<Strategy> = fc.record({
  bake: fc.option(fc.integer({ min: 0, max: 86400 }), { nil: undefined }),
  promotion: fc.option(gateArb, { nil: undefined }),
  testRoute: fc.option(matchArb, { nil: undefined }),
}).map(p => Strategy.blueGreen({
  bakeTime: p.bake === undefined ? undefined : Duration.seconds(p.bake), promotion: p.promotion, testRoute: p.testRoute,
}));

/** The library's presets, which most backends express natively. */
export const presetArb: fc.Arbitrary<Strategy> = fc.constantFrom(
  Strategy.ALL_AT_ONCE, Strategy.BLUE_GREEN, Strategy.CANARY_10PERCENT_5MINUTES, Strategy.CANARY_10PERCENT_30MINUTES,
  Strategy.LINEAR_10PERCENT_EVERY_1MINUTE, Strategy.LINEAR_10PERCENT_EVERY_10MINUTES,
);

/** Any strategy, from presets to random custom ones. */
export const strategyArb: fc.Arbitrary<Strategy> = fc.oneof(
  fc.constant(Strategy.ALL_AT_ONCE), presetArb, blueGreenArb, canaryArb, linearArb,
);

/** A DNS label, the name rule the library applies to variants, services and Kubernetes names. */
export const dnsLabelArb: fc.Arbitrary<string> = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);

/**
 * Props for an experiment of one to four variants, by weight or by match, with or without
 * stickiness, start date and end date. They may break the experiment's own rules (weights past 100, say).
 */
export const experimentPropsArb = fc.record({
  name: fc.constant('checkout'),
  variants: fc.uniqueArray(fc.record({
    name: dnsLabelArb.filter(n => n !== 'control'),
    weight: fc.option(fc.integer({ min: 1, max: 500 }).map(t => t / 10), { nil: undefined }),
    match: fc.option(matchArb, { nil: undefined }),
  }), { minLength: 1, maxLength: 4, selector: v => v.name }),
  stickiness: fc.option(fc.integer({ min: 1, max: 86400 }).map(s => Duration.seconds(s)), { nil: undefined }),
  startDate: fc.option(fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-01-01T00:00:00Z'), noInvalidDate: true }), { nil: undefined, freq: 3 }),
  endDate: fc.option(fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-01-01T00:00:00Z'), noInvalidDate: true }), { nil: undefined }),
});

/** Experiments the core accepts (props it refuses are skipped), for constructs to render. */
export const experimentArb: fc.Arbitrary<Experiment> = experimentPropsArb
  .map(p => { try { return new Experiment(p); } catch { return undefined; } })
  .filter((e): e is Experiment => e !== undefined);

/** Health checks the core accepts: error rates and latency percentiles with random windows, names unique by kind. */
export const healthCheckArb: fc.Arbitrary<HealthCheck> = fc.oneof(
  fc.record({
    max: fc.integer({ min: 1, max: 999 }).map(t => t / 10),
    window: fc.constantFrom(60, 120, 300),
    failing: fc.integer({ min: 1, max: 5 }),
    minimum: fc.integer({ min: 0, max: 100 }),
    all: fc.boolean(),
  }).map(p => HealthCheck.errorRate({
    maxErrorPercent: p.max,
    window: Duration.seconds(p.window),
    failingWindows: p.failing,
    minimumRequests: p.minimum,
    failedRequests: p.all ? FailedRequests.CLIENT_AND_SERVER_ERRORS : FailedRequests.SERVER_ERRORS,
  })),
  fc.record({
    percentile: fc.constantFrom(50, 90, 95, 99, 99.9),
    millis: fc.integer({ min: 1, max: 10_000 }),
    window: fc.constantFrom(60, 180),
    failing: fc.integer({ min: 1, max: 5 }),
  }).map(p => HealthCheck.latency({
    percentile: p.percentile, maxLatency: Duration.millis(p.millis), window: Duration.seconds(p.window), failingWindows: p.failing,
  })),
);

/** Zero to two health checks with distinct names. */
export const healthChecksArb: fc.Arbitrary<HealthCheck[]> = fc.uniqueArray(healthCheckArb, { maxLength: 2, selector: c => c.name });
