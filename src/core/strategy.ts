import { Duration } from 'aws-cdk-lib/core';
import { HealthCheck } from './health-check';
import { Match } from './match';
import { CapacityMode, PlanOptions, PlanStep } from './plan-options';
import { capacityDuring, checkCapacity, defaultCapacity, DEFAULT_PROVISIONING_SECONDS, replicaCount, replicasFor } from './private/capacity';
import { formatPercent, formatSeconds } from './private/format';
import { planTable, withApprovals } from './private/plan-table';
import { arrayOf, fail, percentInTenths, struct, wholeSeconds } from './private/validation';
import { StepGate, StepGateKind } from './step-gate';
import { StrategyKind } from './strategy-kind';

/** One step of a canary: the share of traffic on the new version, and what holds it there. */
export interface CanaryStep {
  /** Percentage of traffic on the new version during this step, above 0 and at most 100, in steps of 0.1. */
  readonly weight: number;

  /**
   * What holds the step before the next one starts.
   *
   * @default - none: allowed only on a final step at 100%, which then completes the rollout at once
   */
  readonly gate?: StepGate;
}

/**
 * One step of a strategy's normalized timeline: the share of traffic on the new version and what
 * holds it there. Every strategy is a list of these, ending at 100%.
 */
export interface TrafficStep {
  /** Percentage of traffic on the new version, from 0 (a test phase) to 100, in steps of 0.1. */
  readonly weight: number;

  /**
   * What holds the step before the next one starts.
   *
   * @default - none: the next step follows at once, or the rollout completes
   */
  readonly gate?: StepGate;
}

/** What every strategy takes. */
export interface CommonStrategyProps {
  /**
   * The health checks that roll a release back, judged while the new version receives traffic.
   * Every backend that renders the strategy measures them (CloudWatch alarms on AWS, analysis on
   * Kubernetes); a rollout may replace them with its own `healthChecks`, or add to them.
   *
   * @default - none: only what each backend watches by itself (ECS's circuit breaker, CodeDeploy's
   * failed deployments), and its default checks where it has them
   */
  readonly healthChecks?: HealthCheck[];
}

/** Props for `Strategy.allAtOnce()`. */
export interface AllAtOnceProps extends CommonStrategyProps {}

/** Props for `Strategy.canary()`. */
export interface CanaryProps extends CommonStrategyProps {
  /**
   * The steps, in order. Weights may not decrease. A final 100% step is added when the last
   * step is below 100%.
   */
  readonly steps: CanaryStep[];

  /**
   * Who reaches the new version before any user does: the plan starts with a test phase at 0%,
   * in which only requests matching the route reach it, and the route keeps reaching it until the
   * rollout ends. Backends keep this route closed to the internet unless told otherwise.
   *
   * @default - no test route: the first step is the first traffic the new version gets
   */
  readonly testRoute?: Match;

  /**
   * What holds the test phase before the first step sends users traffic. Needs a `testRoute`.
   *
   * @default - none: the first step follows as soon as the new version is healthy
   */
  readonly testGate?: StepGate;
}

/** Props for `Strategy.linear()`. */
export interface LinearProps extends CommonStrategyProps {
  /** Percentage of traffic added at each step, at least 0.1 and below 100. */
  readonly stepPercent: number;
  /** How long each step bakes before the next one. */
  readonly interval: Duration;

  /**
   * Who reaches the new version before any user does: the plan starts with a test phase at 0%,
   * in which only requests matching the route reach it, and the route keeps reaching it until the
   * rollout ends. Backends keep this route closed to the internet unless told otherwise.
   *
   * @default - no test route: the first step is the first traffic the new version gets
   */
  readonly testRoute?: Match;

  /**
   * What holds the test phase before the first step sends users traffic. Needs a `testRoute`.
   *
   * @default - none: the first step follows as soon as the new version is healthy
   */
  readonly testGate?: StepGate;
}

/** Props for `Strategy.blueGreen()`. */
export interface BlueGreenProps extends CommonStrategyProps {
  /**
   * Who reaches the idle (new) environment before the switch. Backends keep this route closed
   * to the internet unless told otherwise.
   *
   * @default - no test route: the new environment is reachable only after the switch
   */
  readonly testRoute?: Match;

  /**
   * What must pass before traffic switches to the new environment.
   *
   * @default - the switch happens as soon as the new environment is healthy
   */
  readonly promotion?: StepGate;

  /**
   * How long the old environment keeps running after the switch, so a rollback is one switch back.
   *
   * @default Duration.minutes(5)
   */
  readonly bakeTime?: Duration;
}

const DEFAULT_BLUE_GREEN_BAKE_SECONDS = 300;

/**
 * How a service is released: all at once, blue-green, canary or linear.
 *
 * A strategy is plain data, validated when it is made, and rendered by every backend that can
 * express it, so a platform team defines its house strategies once for ECS, Lambda and Kubernetes.
 *
 * @example
 * import { Duration } from 'aws-cdk-lib';
 * import { StepGate, Strategy } from 'cdk-deploy-strategies';
 *
 * const careful = Strategy.canary({
 *   steps: [
 *     { weight: 10, gate: StepGate.bake(Duration.minutes(10)) },
 *     { weight: 50, gate: StepGate.manualApproval() },
 *   ],
 * });
 * console.log(careful.plan().toTable());
 */
export class Strategy {
  /** Every request moves to the new version at once (CodeDeploy `AllAtOnce`). */
  public static readonly ALL_AT_ONCE = Strategy.allAtOnce();
  /** Blue-green with automatic promotion and the old environment kept for 5 minutes. */
  public static readonly BLUE_GREEN = Strategy.blueGreen();
  /** 10% for 5 minutes, then 100% (CodeDeploy `Canary10Percent5Minutes`). */
  public static readonly CANARY_10PERCENT_5MINUTES = Strategy.canaryPreset(5);
  /** 10% for 10 minutes, then 100% (CodeDeploy `Canary10Percent10Minutes`, Lambda). */
  public static readonly CANARY_10PERCENT_10MINUTES = Strategy.canaryPreset(10);
  /** 10% for 15 minutes, then 100% (CodeDeploy `Canary10Percent15Minutes`). */
  public static readonly CANARY_10PERCENT_15MINUTES = Strategy.canaryPreset(15);
  /** 10% for 30 minutes, then 100% (CodeDeploy `Canary10Percent30Minutes`, Lambda). */
  public static readonly CANARY_10PERCENT_30MINUTES = Strategy.canaryPreset(30);
  /** 10% more every minute (CodeDeploy `Linear10PercentEvery1Minute`). */
  public static readonly LINEAR_10PERCENT_EVERY_1MINUTE = Strategy.linearPreset(1);
  /** 10% more every 2 minutes (CodeDeploy `Linear10PercentEvery2Minutes`, Lambda). */
  public static readonly LINEAR_10PERCENT_EVERY_2MINUTES = Strategy.linearPreset(2);
  /** 10% more every 3 minutes (CodeDeploy `Linear10PercentEvery3Minutes`). */
  public static readonly LINEAR_10PERCENT_EVERY_3MINUTES = Strategy.linearPreset(3);
  /** 10% more every 10 minutes (CodeDeploy `Linear10PercentEvery10Minutes`, Lambda). */
  public static readonly LINEAR_10PERCENT_EVERY_10MINUTES = Strategy.linearPreset(10);

  /** Move every request to the new version at once. */
  public static allAtOnce(props: AllAtOnceProps = {}): Strategy {
    struct('Strategy.allAtOnce: props', props, 'Pass an object such as { healthChecks: [HealthCheck.errorRate({ maxErrorPercent: 1 })] }.');
    return new Strategy(StrategyKind.ALL_AT_ONCE, [{ weight: 100 }], { healthChecks: healthChecksOf('Strategy.allAtOnce', props) });
  }

  /** Run the new version as a second environment, test it, then switch all traffic in one step. */
  public static blueGreen(props: BlueGreenProps = {}): Strategy {
    struct('Strategy.blueGreen: props', props, 'Pass an object such as { bakeTime: Duration.minutes(10) }.');
    const testRoute = props.testRoute === undefined ? undefined : Match._require('Strategy.blueGreen: testRoute', props.testRoute);
    const promotion = props.promotion === undefined ? undefined : StepGate._require('Strategy.blueGreen: promotion', props.promotion);
    const bakeSeconds = props.bakeTime === undefined ? DEFAULT_BLUE_GREEN_BAKE_SECONDS : wholeSeconds('Strategy.blueGreen: bakeTime', props.bakeTime, {
      minSeconds: 0,
      fix: 'Use Duration.seconds(0) to release the old environment right after the switch.',
    });
    const steps: TrafficStep[] = [
      { weight: 0, gate: promotion },
      { weight: 100, gate: bakeSeconds > 0 ? StepGate.bake(Duration.seconds(bakeSeconds)) : undefined },
    ];
    return new Strategy(StrategyKind.BLUE_GREEN, steps, { testRoute, promotion, bakeSeconds, healthChecks: healthChecksOf('Strategy.blueGreen', props) });
  }

  /** Move traffic in the steps given, each held by its gate, then to 100%. */
  public static canary(props: CanaryProps): Strategy {
    struct('Strategy.canary: props', props, 'Pass an object such as { steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }] }.');
    const given = arrayOf<CanaryStep>('Strategy.canary: steps', props.steps,
      'Pass steps such as [{ weight: 10, gate: StepGate.bake(Duration.minutes(5)) }].');
    if (given.length === 0) {
      fail('Strategy.canary: steps', given, 'a canary needs at least one step below 100%',
        'Add a step such as { weight: 10, gate: StepGate.bake(Duration.minutes(5)) }, or use Strategy.allAtOnce().');
    }
    const steps: TrafficStep[] = [];
    let previous = 0;
    given.forEach((raw, i) => {
      const where = `Strategy.canary: steps[${i}]`;
      const step = struct<CanaryStep>(where, raw, 'Each step is an object such as { weight: 10, gate: StepGate.bake(Duration.minutes(5)) }.');
      const tenths = percentInTenths(`${where}.weight`, step.weight, 'Use a weight from 0.1 to 100.');
      if (tenths < previous) {
        fail(`${where}.weight`, step.weight, `it is below the ${previous / 10}% of the step before; a canary only moves traffic forward`,
          'Order the steps by increasing weight; a failing gate is what moves traffic back.');
      }
      if (tenths === 1000 && i === 0) {
        fail(`${where}.weight`, step.weight, 'a first step at 100% is not a canary',
          'Start with a smaller share such as 10, or use Strategy.allAtOnce().');
      }
      if (previous === 1000) {
        fail(`${where}.weight`, step.weight, 'it follows a 100% step, which completes the rollout, so it would never run',
          'Remove the steps after the first 100% step.');
      }
      const isLast = i === given.length - 1;
      const gate = step.gate === undefined ? undefined : StepGate._require(`${where}.gate`, step.gate);
      if (gate === undefined && !(isLast && tenths === 1000)) {
        fail(`${where}.gate`, undefined, 'every step below 100% needs a gate, or the next step would follow at once',
          'Add a gate such as StepGate.bake(Duration.minutes(5)).');
      }
      steps.push({ weight: tenths / 10, gate });
      previous = tenths;
    });
    if (previous < 1000) steps.push({ weight: 100 });
    const test = testPhase('Strategy.canary', props);
    return new Strategy(StrategyKind.CANARY, test ? [test.step, ...steps] : steps,
      { testRoute: test?.route, testGate: test?.step.gate, healthChecks: healthChecksOf('Strategy.canary', props) });
  }

  /** Add `stepPercent` of traffic every `interval` until all traffic is on the new version. */
  public static linear(props: LinearProps): Strategy {
    struct('Strategy.linear: props', props, 'Pass an object such as { stepPercent: 10, interval: Duration.minutes(1) }.');
    const tenths = percentInTenths('Strategy.linear: stepPercent', props.stepPercent,
      'Use a step from 0.1 to 99.9; for a single step of 100% use Strategy.allAtOnce().', 999);
    const intervalSeconds = wholeSeconds('Strategy.linear: interval', props.interval, {
      minSeconds: 1,
      fix: 'Each step needs time to bake; use at least Duration.seconds(1).',
    });
    const steps: TrafficStep[] = [];
    for (let weight = tenths; weight < 1000; weight += tenths) {
      steps.push({ weight: weight / 10, gate: StepGate.bake(Duration.seconds(intervalSeconds)) });
    }
    steps.push({ weight: 100 });
    const test = testPhase('Strategy.linear', props);
    return new Strategy(StrategyKind.LINEAR, test ? [test.step, ...steps] : steps, {
      stepPercent: tenths / 10,
      intervalSeconds,
      testRoute: test?.route,
      testGate: test?.step.gate,
      healthChecks: healthChecksOf('Strategy.linear', props),
    });
  }

  private static canaryPreset(minutes: number): Strategy {
    return Strategy.canary({ steps: [{ weight: 10, gate: StepGate.bake(Duration.minutes(minutes)) }] });
  }

  private static linearPreset(minutes: number): Strategy {
    return Strategy.linear({ stepPercent: 10, interval: Duration.minutes(minutes) });
  }

  /** The shape of this rollout. */
  public readonly kind: StrategyKind;

  /**
   * The traffic steps, normalized: every strategy is a list of weights on the new version, each
   * held by a gate, ending at 100%. Blue-green is a 0% step (the test phase, held by the promotion
   * gate) and a 100% step (held by the bake time, while the old environment still runs). A canary
   * or linear strategy with a test route starts with a 0% step too, held by its `testGate`.
   */
  public readonly steps: TrafficStep[];

  /**
   * Who reaches the new version before any user does: blue-green's route to the idle
   * environment, or the test route of a canary or linear strategy.
   */
  public readonly testRoute?: Match;

  /** Blue-green: what must pass before the switch. */
  public readonly promotion?: StepGate;

  /** Canary and linear with a test route: what holds the test phase before the first step. */
  public readonly testGate?: StepGate;

  /** Linear: the percentage added at each step. */
  public readonly linearStepPercent?: number;

  /**
   * The health checks that roll a release of this strategy back, in declared order (empty when
   * the strategy declares none).
   */
  public readonly healthChecks: HealthCheck[];

  private readonly bakeSeconds?: number;
  private readonly intervalSeconds?: number;
  private readonly extra: StrategyExtra;

  /**
   * Plans by capacity and replica count, for the options that hold nothing else: the services of a
   * platform share a strategy, and each rollout asks for the same plan (bench/README.md). Plans are
   * read-only, so rollouts can share one.
   */
  private readonly sharedPlans = new Map<string, TrafficPlan>();

  private constructor(kind: StrategyKind, steps: TrafficStep[], extra: StrategyExtra) {
    this.kind = kind;
    // Frozen: presets are shared by every stack in a process, so nobody may edit them in place.
    this.steps = Object.freeze(steps.map(step => Object.freeze({ ...step }))) as TrafficStep[];
    this.testRoute = extra.testRoute;
    this.promotion = extra.promotion;
    this.testGate = extra.testGate;
    this.bakeSeconds = extra.bakeSeconds;
    this.linearStepPercent = extra.stepPercent;
    this.intervalSeconds = extra.intervalSeconds;
    this.healthChecks = Object.freeze([...extra.healthChecks ?? []]) as HealthCheck[];
    this.extra = extra;
  }

  /**
   * The same strategy with other health checks: `withHealthChecks([...house.healthChecks, extra])`
   * adds to the house checks, `withHealthChecks([])` drops them.
   */
  public withHealthChecks(healthChecks: HealthCheck[]): Strategy {
    const checks = HealthCheck._requireList('Strategy.withHealthChecks: healthChecks', healthChecks);
    return new Strategy(this.kind, this.steps, { ...this.extra, healthChecks: checks });
  }

  /** Blue-green: how long the old environment runs after the switch. */
  public get bakeTime(): Duration | undefined {
    return this.bakeSeconds === undefined ? undefined : Duration.seconds(this.bakeSeconds);
  }

  /** Linear: how long each step bakes. */
  public get linearInterval(): Duration | undefined {
    return this.intervalSeconds === undefined ? undefined : Duration.seconds(this.intervalSeconds);
  }

  /**
   * The timeline of this strategy: each step's start, the weight on each version, capacity and
   * rollback figures. Renderers, guardrails and the plan printer all read this one plan.
   */
  public plan(options: PlanOptions = {}): TrafficPlan {
    const key = sharedPlanKey(options);
    if (key === undefined) return TrafficPlan._fromStrategy(this, options);
    let plan = this.sharedPlans.get(key);
    if (plan === undefined) {
      plan = TrafficPlan._fromStrategy(this, options);
      this.sharedPlans.set(key, plan);
    }
    return plan;
  }

  /** A one-line description: `canary 10% → 50% → 100%`, `linear 10% every 1m`, `blue-green (bake 5m)`. */
  public describe(): string {
    switch (this.kind) {
      case StrategyKind.ALL_AT_ONCE:
        return 'all at once';
      case StrategyKind.BLUE_GREEN: {
        const parts = [`bake ${formatSeconds(this.bakeSeconds!)}`];
        if (this.promotion) parts.unshift(`promote after ${this.promotion.describe()}`);
        if (this.testRoute) parts.unshift(`test route ${this.testRoute.describe()}`);
        return `blue-green (${parts.join(', ')})`;
      }
      case StrategyKind.CANARY:
        return `canary ${this.steps.map(s => (s.weight === 0 ? this.testPhaseText() : formatPercent(s.weight) + (s.gate ? ` (${s.gate.describe()})` : ''))).join(' → ')}`;
      case StrategyKind.LINEAR: {
        const linear = `linear ${formatPercent(this.linearStepPercent!)} every ${formatSeconds(this.intervalSeconds!)}`;
        return this.testRoute ? `${linear}, after ${this.testPhaseText()}` : linear;
      }
    }
  }

  /** `test route header x-qa=1 (manual approval)`: the test phase of a canary or linear strategy. */
  private testPhaseText(): string {
    return `test route ${this.testRoute!.describe()}${this.testGate ? ` (${this.testGate.describe()})` : ''}`;
  }
}

/**
 * The key under which a plan for `options` is shared: capacity and replica count, when the options
 * hold nothing else (health checks and provisioning time are plans of their own). Invalid values are
 * not keyed, so the plan's own checks raise their errors on every call.
 */
function sharedPlanKey(options: PlanOptions): string | undefined {
  if (typeof options !== 'object' || options === null || Object.getPrototypeOf(options) !== Object.prototype) return undefined;
  const { capacity, replicas, ...rest } = options;
  if (Object.values(rest).some(value => value !== undefined)) return undefined;
  if (capacity !== undefined && !Object.values(CapacityMode).includes(capacity)) return undefined;
  if (replicas !== undefined && !Number.isInteger(replicas)) return undefined;
  return `${capacity ?? ''}|${replicas ?? ''}`;
}

/**
 * The test phase of a canary or linear strategy: a 0% step held by the test gate, when there is a
 * test route; a test gate without a route is refused, since nothing could reach the new version.
 */
function testPhase(where: string, props: { testRoute?: Match; testGate?: StepGate }): { route: Match; step: TrafficStep } | undefined {
  const route = props.testRoute === undefined ? undefined : Match._require(`${where}: testRoute`, props.testRoute);
  const gate = props.testGate === undefined ? undefined : StepGate._require(`${where}: testGate`, props.testGate);
  if (route === undefined) {
    if (gate !== undefined) {
      fail(`${where}: testGate`, gate.describe(), 'it holds the test phase, and without a testRoute there is no test phase: nobody could reach the new version before the first step',
        'Add a testRoute such as Match.header("x-env", "qa"), or hold the first step with its own gate instead.');
    }
    return undefined;
  }
  return { route, step: { weight: 0, gate } };
}

interface StrategyExtra {
  readonly testRoute?: Match;
  readonly promotion?: StepGate;
  readonly testGate?: StepGate;
  readonly bakeSeconds?: number;
  readonly stepPercent?: number;
  readonly intervalSeconds?: number;
  readonly healthChecks?: HealthCheck[];
}

function healthChecksOf(where: string, props: CommonStrategyProps): HealthCheck[] {
  return props.healthChecks === undefined ? [] : HealthCheck._requireList(`${where}: healthChecks`, props.healthChecks);
}

/**
 * The timeline of a rollout: for each step its start, the weight on each version and what ends it,
 * with the totals an engineer weighs strategies by.
 *
 * Derived once from a `Strategy` (and a replica count where it matters); renderers, guardrails and
 * the plan printer read the same plan.
 *
 * @example
 * import { Strategy } from 'cdk-deploy-strategies';
 *
 * const plan = Strategy.CANARY_10PERCENT_5MINUTES.plan({ replicas: 20 });
 * console.log(plan.toTable());
 */
export class TrafficPlan {
  /** @internal */
  public static _fromStrategy(strategy: Strategy, options: PlanOptions): TrafficPlan {
    return new TrafficPlan(strategy, options);
  }

  /** The strategy this plan was derived from. */
  public readonly strategy: Strategy;
  /** The steps, in order. Weights on the new version never decrease and end at 100. */
  public readonly steps: PlanStep[];
  /** How capacity is provided while traffic moves. */
  public readonly capacity: CapacityMode;
  /** The steady-state replica count the plan was derived for, if given. */
  public readonly replicas?: number;
  /** When all traffic reaches the new version (manual approvals counted as instant). */
  public readonly timeToFullTraffic: Duration;
  /** When the rollout completes and the old version is released: time to full traffic plus any final hold. */
  public readonly totalDuration: Duration;
  /** The most capacity running at once, as a percentage of steady state (200 means twice the fleet). */
  public readonly peakCapacityPercent: number;
  /**
   * The worst-case time to put all traffic back on the old version once a rollback starts: zero
   * when the old version keeps full capacity throughout, the provisioning time when it must be
   * brought back.
   */
  public readonly rollbackTime: Duration;
  /** Percentage of users exposed to the new version by the first step that sends it any traffic. */
  public readonly blastRadiusPercent: number;
  /** How many steps wait for a person. */
  public readonly manualApprovals: number;
  /** How many of those come before all traffic is on the new version. */
  public readonly manualApprovalsBeforeFullTraffic: number;
  /**
   * The health checks that roll this rollout back: the strategy's, or those the rollout gave in
   * their place. Each step lists the ones judging it (`watchedBy`).
   */
  public readonly healthChecks: HealthCheck[];

  private constructor(strategy: Strategy, options: PlanOptions) {
    struct('TrafficPlan: options', options, 'Pass an object such as { replicas: 10 }.');
    const replicas = options.replicas === undefined ? undefined : replicaCount(options.replicas);
    const capacity = options.capacity ?? defaultCapacity(strategy.kind, replicas);
    checkCapacity(strategy.kind, capacity, replicas);
    const provisioningSeconds = options.provisioningTime === undefined ? DEFAULT_PROVISIONING_SECONDS
      : wholeSeconds('TrafficPlan: provisioningTime', options.provisioningTime, {
        minSeconds: 0,
        fix: 'Use the time your service takes to start and pass health checks, for example Duration.minutes(3).',
      });

    const healthChecks = options.healthChecks === undefined ? strategy.healthChecks
      : HealthCheck._requireList('TrafficPlan: healthChecks', options.healthChecks);
    const checkNames = healthChecks.map(check => check.name);

    let offset = 0;
    this.steps = strategy.steps.map((step, i) => {
      const candidateReplicas = capacity === CapacityMode.REPLICA_RATIO ? replicasFor(step.weight, replicas!) : undefined;
      const candidateTenths = candidateReplicas === undefined ? Math.round(step.weight * 10) : Math.round(candidateReplicas * 1000 / replicas!);
      const planStep: PlanStep = {
        index: i + 1,
        offset: Duration.seconds(offset),
        stableWeight: (1000 - candidateTenths) / 10,
        candidateWeight: candidateTenths / 10,
        capacityPercent: capacityDuring(capacity, candidateTenths / 10),
        gate: step.gate,
        candidateReplicas,
        // Judged while the step holds and the new version has traffic (production, or a test route's).
        watchedBy: checkNames.length > 0 && step.gate !== undefined && (candidateTenths > 0 || strategy.testRoute !== undefined)
          ? checkNames : undefined,
      };
      offset += step.gate ? step.gate.minimumDuration.toSeconds() : 0;
      return planStep;
    });

    const full = this.steps.find(s => s.candidateWeight === 100)!;
    const isApproval = (s: PlanStep) => s.gate?.kind === StepGateKind.MANUAL_APPROVAL;
    this.strategy = strategy;
    this.capacity = capacity;
    this.replicas = replicas;
    this.timeToFullTraffic = full.offset;
    this.totalDuration = Duration.seconds(offset);
    this.peakCapacityPercent = Math.max(...this.steps.map(s => s.capacityPercent));
    const oldKeepsFullCapacity = capacity === CapacityMode.FULL_COPY || capacity === CapacityMode.PROPORTIONAL
      || capacity === CapacityMode.SERVERLESS;
    this.rollbackTime = Duration.seconds(oldKeepsFullCapacity ? 0 : provisioningSeconds);
    this.blastRadiusPercent = this.steps.find(s => s.candidateWeight > 0)!.candidateWeight;
    this.manualApprovals = this.steps.filter(isApproval).length;
    this.manualApprovalsBeforeFullTraffic = this.steps.filter(s => s.index < full.index && isApproval(s)).length;
    this.healthChecks = Object.freeze([...healthChecks]) as HealthCheck[];
  }

  /** The plan as a readable text table with its totals. */
  public toTable(): string {
    return planTable(this.toJson());
  }

  /** @internal The total duration with its manual approvals, as printed: `25m + 1 manual approval`. */
  public _totalDurationText(): string {
    return withApprovals(this.totalDuration.toSeconds(), this.manualApprovals);
  }

  /** The plan as plain JSON (durations in seconds), for tools and reports. */
  public toJson(): any {
    return {
      strategy: this.strategy.kind,
      description: this.strategy.describe(),
      capacity: this.capacity,
      replicas: this.replicas,
      steps: this.steps.map(s => ({
        index: s.index,
        offsetSeconds: s.offset.toSeconds(),
        stableWeight: s.stableWeight,
        candidateWeight: s.candidateWeight,
        capacityPercent: s.capacityPercent,
        gate: s.gate && {
          kind: s.gate.kind,
          seconds: s.gate.duration?.toSeconds() ?? s.gate.timeout?.toSeconds(),
          analysisName: s.gate.analysisName,
          description: s.gate.describe(),
        },
        candidateReplicas: s.candidateReplicas,
        watchedBy: s.watchedBy,
      })),
      timeToFullTrafficSeconds: this.timeToFullTraffic.toSeconds(),
      totalDurationSeconds: this.totalDuration.toSeconds(),
      peakCapacityPercent: this.peakCapacityPercent,
      rollbackSeconds: this.rollbackTime.toSeconds(),
      blastRadiusPercent: this.blastRadiusPercent,
      manualApprovals: this.manualApprovals,
      manualApprovalsBeforeFullTraffic: this.manualApprovalsBeforeFullTraffic,
      // Left out when empty, so plans without checks record exactly what they did before.
      healthChecks: this.healthChecks.length === 0 ? undefined : this.healthChecks.map(check => check._toJson()),
    };
  }
}
