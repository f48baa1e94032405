import { Duration } from 'aws-cdk-lib';
import { StepGate, StepGateKind } from './step-gate';
import type { Strategy } from './strategy';
import { StrategyKind } from './strategy';
import { planTable, withApprovals } from '../private/plan-table';
import { fail, struct, wholeSeconds } from '../private/validation';

/** How the new version's capacity is provided while traffic moves. Backends pick the one they use. */
export enum CapacityMode {
  /** The old version is replaced where it runs (a rolling update): no extra capacity, no instant rollback. */
  IN_PLACE = 'IN_PLACE',
  /** The new version runs at full size beside the old one (blue-green; ECS and CodeDeploy deployments). */
  FULL_COPY = 'FULL_COPY',
  /** The new version is scaled to its traffic share beside a full old version (Argo Rollouts with traffic routing). */
  PROPORTIONAL = 'PROPORTIONAL',
  /** A fixed number of replicas is split between the versions; weights are rounded to whole replicas. */
  REPLICA_RATIO = 'REPLICA_RATIO',
  /** Each version scales with its own traffic and nothing is provisioned ahead (Lambda): 100% throughout, instant rollback. */
  SERVERLESS = 'SERVERLESS',
}

/** Options for deriving a traffic plan. */
export interface PlanOptions {
  /**
   * How the backend provides capacity for the new version.
   *
   * @default - `FULL_COPY` for blue-green, `IN_PLACE` for all-at-once, `REPLICA_RATIO` for a canary or
   * linear rollout when `replicas` is set, `PROPORTIONAL` otherwise
   */
  readonly capacity?: CapacityMode;

  /**
   * The steady-state replica count. With `REPLICA_RATIO`, weights become whole replicas.
   *
   * @default - no replica count: weights are exact traffic shares
   */
  readonly replicas?: number;

  /**
   * How long it takes to bring capacity back for a rollback when the old version no longer runs at
   * full size (`IN_PLACE`, `REPLICA_RATIO`): starting tasks or pods and passing health checks.
   *
   * @default Duration.minutes(5)
   */
  readonly provisioningTime?: Duration;
}

/** One step of a traffic plan. */
export interface PlanStep {
  /** 1-based position in the plan. */
  readonly index: number;
  /** When the step starts, from the start of the rollout (manual approvals counted as instant). */
  readonly offset: Duration;
  /** Percentage of traffic on the version being replaced. */
  readonly stableWeight: number;
  /** Percentage of traffic on the new version. */
  readonly candidateWeight: number;
  /** Capacity running during the step, as a percentage of steady state. */
  readonly capacityPercent: number;
  /**
   * What holds the step before the next one.
   *
   * @default - none: the next step (or the end of the rollout) follows at once
   */
  readonly gate?: StepGate;
  /**
   * Replicas of the new version, with `REPLICA_RATIO`.
   *
   * @default - not a replica-ratio plan
   */
  readonly candidateReplicas?: number;
}

const DEFAULT_PROVISIONING_SECONDS = 300;

/**
 * The timeline of a rollout: for each step its start, the weight on each version and what ends it,
 * with the totals an engineer weighs strategies by.
 *
 * Derived once from a `Strategy` (and a replica count where it matters); renderers, guardrails and
 * the plan printer read the same plan.
 *
 * @example
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
      })),
      timeToFullTrafficSeconds: this.timeToFullTraffic.toSeconds(),
      totalDurationSeconds: this.totalDuration.toSeconds(),
      peakCapacityPercent: this.peakCapacityPercent,
      rollbackSeconds: this.rollbackTime.toSeconds(),
      blastRadiusPercent: this.blastRadiusPercent,
      manualApprovals: this.manualApprovals,
      manualApprovalsBeforeFullTraffic: this.manualApprovalsBeforeFullTraffic,
    };
  }
}

/** Far above any fleet, and low enough that replica arithmetic stays exact. */
const MAX_REPLICAS = 1_000_000;

function replicaCount(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_REPLICAS) {
    fail('TrafficPlan: replicas', value, `a replica count is a whole number from 1 to ${MAX_REPLICAS}`, 'Pass the steady-state replica count, for example 10.');
  }
  return value;
}

function defaultCapacity(kind: StrategyKind, replicas: number | undefined): CapacityMode {
  switch (kind) {
    case StrategyKind.BLUE_GREEN: return CapacityMode.FULL_COPY;
    case StrategyKind.ALL_AT_ONCE: return CapacityMode.IN_PLACE;
    default: return replicas === undefined ? CapacityMode.PROPORTIONAL : CapacityMode.REPLICA_RATIO;
  }
}

function checkCapacity(kind: StrategyKind, capacity: CapacityMode, replicas: number | undefined) {
  if (!Object.values(CapacityMode).includes(capacity)) {
    fail('TrafficPlan: capacity', capacity, `it must be one of ${Object.values(CapacityMode).join(', ')}`, 'Use a CapacityMode value.');
  }
  if ((kind === StrategyKind.CANARY || kind === StrategyKind.LINEAR) && capacity === CapacityMode.IN_PLACE) {
    fail('TrafficPlan: capacity', capacity, 'IN_PLACE replaces the old version where it runs, so it cannot split traffic by weight',
      'Use PROPORTIONAL (traffic routing), REPLICA_RATIO (a replica count) or FULL_COPY for a canary or linear rollout.');
  }
  if (kind === StrategyKind.BLUE_GREEN && capacity !== CapacityMode.FULL_COPY) {
    fail('TrafficPlan: capacity', capacity, 'blue-green runs two full environments, so its capacity is FULL_COPY',
      'Leave capacity unset, or use a canary strategy for a proportional or replica-ratio rollout.');
  }
  if (capacity === CapacityMode.REPLICA_RATIO) {
    if (replicas === undefined) {
      fail('TrafficPlan: replicas', replicas, 'REPLICA_RATIO splits a replica count between the versions',
        'Set replicas to the steady-state replica count, for example 10.');
    }
    if (replicas < 2) {
      fail('TrafficPlan: replicas', replicas, 'a replica-ratio rollout needs at least 2 replicas to run both versions at once',
        'Run at least 2 replicas, or use traffic routing (PROPORTIONAL).');
    }
  }
}

/**
 * Replicas of the new version for a weight: the nearest count (halves round up), keeping at least
 * one of each version until 100%. Integer arithmetic, so ties round the same way at every size.
 */
function replicasFor(weight: number, replicas: number): number {
  const tenths = Math.round(weight * 10);
  if (tenths >= 1000) return replicas;
  if (tenths <= 0) return 0;
  const nearest = Math.floor((2 * tenths * replicas + 1000) / 2000);
  return Math.min(replicas - 1, Math.max(1, nearest));
}

function capacityDuring(capacity: CapacityMode, candidateWeight: number): number {
  switch (capacity) {
    case CapacityMode.IN_PLACE:
    case CapacityMode.REPLICA_RATIO:
    case CapacityMode.SERVERLESS:
      return 100;
    case CapacityMode.FULL_COPY:
      // The new environment is full-size before any traffic moves; the old one goes only after the switch.
      return 200;
    case CapacityMode.PROPORTIONAL:
      // Before the last shift the new version is scaled to full size beside the old one, if only briefly.
      return candidateWeight === 100 ? 200 : 100 + candidateWeight;
  }
}
