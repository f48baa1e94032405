import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { healthChecksArb, matchArb, oddValueArb, presetArb, strategyArb } from './arbitraries';
import { aws, HealthCheck, HealthCheckKind, Match, StepGate, Strategy, StrategyKind } from '../../src';

/**
 * Random inputs shared by the property tests of the AWS rollouts (Lambda, ECS native, ECS
 * CodeDeploy, ECS releases), whose backends take far fewer strategies than the core builds: most
 * random strategies from `strategyArb` are refused, so these add strategies in the backends'
 * units often enough to build.
 */

/** Wraps a prop's generator: valid values, sometimes (in one half of the cases) a wrong one. */
export type Odd = <T>(valid: fc.Arbitrary<T>, odd?: fc.Arbitrary<unknown>) => fc.Arbitrary<T>;

/**
 * Props built by `make` twice: once with every `odd(valid, wrong)` generator giving valid values
 * only, once with a wrong value in about one case out of `rarity` per prop (`rarity` about the
 * number of props gives about one wrong prop per case). Each half gets half the cases, so a
 * construct with many props still builds often, and its wrong values are refused one by one.
 */
export function propsWithOdds<T>(make: (odd: Odd) => fc.Arbitrary<T>, rarity: number = 5): fc.Arbitrary<T> {
  const odd: Odd = <V>(valid: fc.Arbitrary<V>, wrong: fc.Arbitrary<unknown> = oddValueArb) =>
    fc.oneof({ weight: rarity, arbitrary: valid }, { weight: 1, arbitrary: wrong as fc.Arbitrary<V> });
  return fc.oneof(make(valid => valid), make(odd));
}

/**
 * What a test builds for a prop (a number of alarms, the options of a controller), told apart from
 * the wrong values mixed in: no random value is an instance of this class.
 */
export class Spec<T> {
  constructor(public readonly value: T) {}
}

/** A generator of `Spec`s. */
export function spec<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<Spec<T>> {
  return arb.map(value => new Spec(value));
}

/** Stands for a construct-typed prop: the test builds the real construct in the case's own stack. */
export const REAL = 'REAL' as const;

/** A construct-typed prop: `REAL`, or sometimes a value a user could pass by mistake. */
export function realArb(odd: Odd): fc.Arbitrary<unknown> {
  return odd<unknown>(fc.constant(REAL));
}

/** An optional construct-typed prop: absent, `REAL`, or sometimes a wrong value. */
export function optionalRealArb(odd: Odd): fc.Arbitrary<unknown> {
  return fc.option(realArb(odd), { nil: undefined });
}

/** A construct-typed prop of a case: `make()` for `REAL`, the value itself otherwise (absent or wrong). */
export function real<T>(value: unknown, make: () => T): T {
  return (value === REAL ? make() : value) as T;
}

/** Whole minutes, mostly short, sometimes up to past CodeDeploy's and ECS's limits. */
export const minutesArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 60 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 3000 }) },
);

/** A manual approval in whole minutes, sometimes without a timeout, and sometimes a gate that is not an approval. */
const approvalArb: fc.Arbitrary<StepGate> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 3000 }).map(m => StepGate.manualApproval({ timeout: Duration.minutes(m) })) },
  { weight: 1, arbitrary: fc.constant(StepGate.manualApproval()) },
  { weight: 1, arbitrary: fc.constant(StepGate.bake(Duration.minutes(5))) },
);

/** The test phase of a canary or linear strategy: mostly none; else a test route, maybe held by a test gate. */
const testPhaseArb = fc.option(fc.record({
  testRoute: fc.oneof(fc.constantFrom(Match.header('x-env', 'qa'), Match.queryParameter('env', 'qa')), matchArb),
  testGate: fc.option(approvalArb, { nil: undefined }),
}), { nil: undefined, freq: 3 });

/** Presets, one-step canaries and linear strategies in whole percents and whole minutes, some past the backends' limits. */
export const shiftStrategyArb: fc.Arbitrary<Strategy> = fc.oneof(
  presetArb.filter(s => s.kind !== StrategyKind.BLUE_GREEN),
  fc.record({ weight: fc.integer({ min: 1, max: 99 }), minutes: minutesArb.filter(m => m > 0), test: testPhaseArb })
    .map(p => Strategy.canary({ steps: [{ weight: p.weight, gate: StepGate.bake(Duration.minutes(p.minutes)) }], ...p.test })),
  fc.record({ step: fc.integer({ min: 1, max: 99 }), minutes: minutesArb.filter(m => m > 0), test: testPhaseArb })
    .map(p => Strategy.linear({ stepPercent: p.step, interval: Duration.minutes(p.minutes), ...p.test })),
);

/** Blue-green strategies with whole-minute bake times, maybe a test route and maybe a promotion gate. */
export const blueGreenStrategyArb: fc.Arbitrary<Strategy> = fc.record({
  bake: fc.option(minutesArb, { nil: undefined }),
  testRoute: fc.option(fc.oneof(fc.constantFrom(Match.header('x-env', 'green'), Match.queryParameter('env', 'green')), matchArb), { nil: undefined, freq: 2 }),
  // CodeDeploy and native ECS (a PAUSE hook) hold the switch for an approval with a timeout; a bake is refused.
  promotion: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: approvalArb }),
}).map(p => Strategy.blueGreen({
  bakeTime: p.bake === undefined ? undefined : Duration.minutes(p.bake), testRoute: p.testRoute, promotion: p.promotion,
}));

/**
 * A strategy for a rollout: mostly in the backends' units (`blueGreen` weighs blue-green ones
 * against the others, 0 to 4), also random core strategies, sometimes a wrong value.
 */
export function rolloutStrategyArb(odd: Odd, blueGreen: number = 1): fc.Arbitrary<Strategy> {
  return odd(fc.oneof(
    { weight: 4, arbitrary: shiftStrategyArb },
    { weight: blueGreen, arbitrary: blueGreenStrategyArb },
    { weight: 1, arbitrary: strategyArb },
  ));
}

/**
 * The `alarms` prop, as a `Spec` of a number of alarms for `extraAlarms`: mostly a few, sometimes
 * past CodeDeploy's 50 per deployment group; or sometimes not an array of alarms at all.
 */
export function extraAlarmsArb(odd: Odd): fc.Arbitrary<unknown> {
  return fc.option(odd<unknown>(spec(fc.integer({ min: 0, max: 3 })), fc.oneof(spec(fc.integer({ min: 45, max: 52 })), oddValueArb)),
    { nil: undefined, freq: 2 });
}

/** The `alarms` prop of a case from `extraAlarmsArb`: that many imported alarms, or the wrong value itself. */
export function extraAlarms(scope: Construct, given: unknown): unknown {
  if (!(given instanceof Spec)) return given;
  return Array.from({ length: given.value as number }, (_, i) =>
    cloudwatch.Alarm.fromAlarmArn(scope, `Extra${i}`, `arn:aws:cloudwatch:us-east-1:123456789012:alarm:extra-${i}`));
}

/** How many alarms a case from `extraAlarmsArb` adds, when it built. */
export function extraAlarmCount(given: unknown): number {
  return given instanceof Spec ? given.value as number : 0;
}

/** A check no AWS backend measures, and one whose window no AWS service metric has. */
const UNMEASURABLE_ON_AWS = [
  HealthCheck.prometheus({ name: 'queue-depth', query: 'sum(queue_depth)', maxValue: 100 }),
  HealthCheck.errorRate({ name: 'fast', maxErrorPercent: 1, window: Duration.seconds(30) }),
];

/**
 * The `healthChecks` prop of a rollout, as a `Spec` for `healthChecksProp`: random error rates and
 * latencies, maybe with one of the user's own alarms (`CloudWatchHealthCheck.alarm()`), or none
 * (`[]`); absent (the strategy's, or the backend's defaults); sometimes a check AWS refuses, or not
 * a list at all.
 */
export function healthChecksPropArb(odd: Odd): fc.Arbitrary<unknown> {
  return fc.option(odd<unknown>(spec(fc.record({ checks: healthChecksArb, own: fc.boolean() })),
    fc.oneof(fc.constantFrom(...UNMEASURABLE_ON_AWS).map(check => [check]), oddValueArb)), { nil: undefined, freq: 2 });
}

/** The `healthChecks` prop of a case from `healthChecksPropArb`: the checks (and an alarm of the user's own, made in `scope`), or the value itself. */
export function healthChecksProp(scope: Construct, given: unknown): unknown {
  if (!(given instanceof Spec)) return given;
  const { checks, own } = given.value as { checks: HealthCheck[]; own: boolean };
  const alarm = () => cloudwatch.Alarm.fromAlarmArn(scope, 'OwnAlarm', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:own');
  return own ? [...checks, aws.CloudWatchHealthCheck.alarm(alarm(), { name: 'own-alarm' })] : checks;
}

/**
 * A strategy in the backends' units (`rolloutStrategyArb`), in one case out of three with health
 * checks of its own, which a rollout renders unless given its own.
 */
export function withHealthChecksArb(strategy: fc.Arbitrary<Strategy>): fc.Arbitrary<Strategy> {
  return fc.tuple(strategy, fc.option(healthChecksArb, { nil: undefined, freq: 2 }))
    .map(([s, checks]) => (checks === undefined || !(s instanceof Strategy) ? s : s.withHealthChecks(checks)));
}

/**
 * How many alarms a rollout's health checks render: one per source (target group) for an error
 * rate or a latency, one for a check of the user's own.
 */
export function healthCheckAlarmCount(checks: HealthCheck[], sources: number): number {
  return checks.reduce((n, check) => n + (check.kind === HealthCheckKind.CLOUDWATCH ? 1 : sources), 0);
}
